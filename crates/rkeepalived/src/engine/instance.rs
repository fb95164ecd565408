//! One `vrrp_instance` at run time: the loop that feeds the state machine
//! with received adverts, timer expiries and tracking changes, and carries
//! out what it asks for.
//!
//! The socket and the system (addresses, gratuitous ARPs) are behind the
//! [`Wire`] and [`Ops`] traits: the real ones are raw sockets and netlink
//! (`net::`), the tests below use an in-memory segment with tokio's
//! paused clock, so two engines can hold an election in microseconds.

use std::cell::Cell;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

use keepalived_config::model::VipSpec;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::log::{Level, Logger};
use super::spec::InstanceSpec;
use crate::vrrp::fsm::{self, Action, Event, InitCondition, State};
use crate::vrrp::packet::{self, AhParams, AuthConfig, Expect};
use crate::vrrp::priority::{effective_priority, TrackKind, TrackStatus, Tracked};

/// One received VRRP packet as the socket reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rx {
    pub len: usize,
    pub src: IpAddr,
    /// IPv6: the destination from `IPV6_PKTINFO` (IPv4 carries it in
    /// the header, so `None`).
    pub dst: Option<IpAddr>,
    /// IPv6: the hop limit from `IPV6_HOPLIMIT`, if the kernel gave it.
    pub hop: Option<u8>,
}

/// Where adverts go and come from. IPv4 wires carry whole packets (the
/// IPv4 header included, `IP_HDRINCL`); IPv6 wires carry the VRRP
/// message only (the kernel builds the header).
#[allow(async_fn_in_trait)]
pub trait Wire {
    async fn recv(&self, buf: &mut [u8]) -> io::Result<Rx>;
    /// Send one packet (IPv4) or VRRP message (IPv6) to `dst`.
    async fn send(&self, pkt: &[u8], dst: IpAddr) -> io::Result<()>;
}

/// What the instance changes on the host.
#[allow(async_fn_in_trait)]
pub trait Ops {
    /// `Ok(true)` added, `Ok(false)` it was already there.
    async fn add_vip(&self, ifname: &str, vip: &VipSpec) -> io::Result<bool>;
    /// `Ok(true)` deleted, `Ok(false)` it was not there.
    async fn del_vip(&self, ifname: &str, vip: &VipSpec) -> io::Result<bool>;
    async fn garp(&self, ifname: &str, vip: IpAddr) -> io::Result<()>;
    /// A state change for notify scripts, FIFO and mail.
    fn notify(&self, instance: &str, state: State, priority: u8);
}

/// What tracking and the process tell an instance.
#[derive(Debug, Clone)]
pub enum Input {
    /// A tracked script or interface changed status.
    Track {
        kind: TrackKind,
        name: String,
        status: TrackStatus,
    },
    /// SIGTERM: leave with a priority-0 advert.
    Shutdown,
}

pub struct Driver<W, O> {
    spec: InstanceSpec,
    src: IpAddr,
    wire: W,
    ops: O,
    log: Logger,
    fsm: fsm::Instance,
    tracked: Vec<Tracked>,
    advert_addrs: Vec<IpAddr>,
    ip_id: Cell<u16>,
    ah_seq: Cell<u32>,
    t0: Instant,
}

impl<W: Wire, O: Ops> Driver<W, O> {
    /// `src` is the advert source; its family is the instance's (IPv6
    /// instances are VRRPv3 over IPv6, RFC 5798 §5.1.2).
    pub fn new(spec: InstanceSpec, src: IpAddr, wire: W, ops: O, log: Logger) -> Self {
        let mut cfg = spec.fsm_config(src);
        for w in fsm::sanitise(&mut cfg) {
            log.vrrp(Level::Warning, &w);
        }
        let tracked = spec.tracked.clone();
        let advert_addrs = spec.advert_addrs();
        Driver {
            fsm: fsm::Instance::new(cfg),
            spec,
            src,
            wire,
            ops,
            log,
            tracked,
            advert_addrs,
            ip_id: Cell::new(1),
            ah_seq: Cell::new(0),
            t0: Instant::now(),
        }
    }

    pub fn state(&self) -> State {
        self.fsm.state()
    }

    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.t0)
    }

    /// Run until `Input::Shutdown` (or the input channel closes).
    pub async fn run(mut self, mut inputs: mpsc::UnboundedReceiver<Input>) -> State {
        let eff = effective_priority(self.spec.priority, &self.tracked);
        let init = if eff.fault {
            InitCondition::Fault
        } else {
            InitCondition::Up
        };
        let acts = self.fsm.handle(self.now(), Event::Startup(init));
        self.perform(acts).await;
        if eff.priority != self.fsm.effective_priority() {
            let acts = self
                .fsm
                .handle(self.now(), Event::PriorityChanged(eff.priority));
            self.perform(acts).await;
        }
        let mut buf = vec![0u8; 2048];
        loop {
            let wake = self.fsm.next_deadline().map(|(d, _)| self.t0 + d);
            let sleep = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(w).await,
                    None => std::future::pending().await,
                }
            };
            let acts = tokio::select! {
                r = self.wire.recv(&mut buf) => match r {
                    Ok(rx) => {
                        let n = rx.len.min(buf.len());
                        self.received(&buf[..n], rx)
                    }
                    Err(_) => Vec::new(),
                },
                () = sleep => self.fsm.poll(self.now()),
                i = inputs.recv() => match i {
                    Some(Input::Track { kind, name, status }) => self.track(kind, &name, status),
                    Some(Input::Shutdown) | None => {
                        let acts = self.fsm.handle(self.now(), Event::Shutdown);
                        self.perform(acts).await;
                        return self.fsm.state();
                    }
                },
            };
            self.perform(acts).await;
        }
    }

    fn received(&mut self, pkt: &[u8], rx: Rx) -> Vec<Action> {
        let vrid = match self.src {
            IpAddr::V4(_) => packet::peek_vrid_ipv4(pkt),
            IpAddr::V6(_) => packet::peek_vrid_ipv6(pkt),
        };
        if vrid != Some(self.spec.vrid) {
            // Another virtual router on the same link: not ours to judge.
            return Vec::new();
        }
        let peers = self.spec.unicast_peers.clone();
        let mut expect = Expect::new(
            self.spec.packet_version(),
            u32::from(self.spec.wire_interval())
                * if self.spec.version == fsm::Version::V2 {
                    100
                } else {
                    1
                },
            &self.advert_addrs,
        );
        expect.auth = self.spec.auth;
        expect.unicast = self.spec.unicast();
        expect.unicast_peers = &peers;
        expect.master = self.fsm.master().map(|(ip, _)| ip);
        let decoded = match (self.src, rx.src) {
            (IpAddr::V4(_), _) => packet::decode_ipv4(pkt, &expect),
            (IpAddr::V6(_), IpAddr::V6(from)) => {
                let dst = match rx.dst {
                    Some(IpAddr::V6(d)) => d,
                    _ => std::net::Ipv6Addr::UNSPECIFIED,
                };
                packet::decode_ipv6(pkt, from, dst, rx.hop, &expect)
            }
            // An IPv4 source on an IPv6 socket cannot happen.
            (IpAddr::V6(_), IpAddr::V4(_)) => return Vec::new(),
        };
        match decoded {
            Ok(r) => {
                let ev = Event::AdvertReceived(fsm::Received {
                    priority: r.advert.priority,
                    src: r.src,
                    max_advert: Duration::from_millis(u64::from(r.advert.interval_cs()) * 10),
                });
                self.fsm.handle(self.now(), ev)
            }
            Err(e) => {
                if e.is_error() {
                    self.log.vrrp(Level::Info, &e.log_line(&self.spec.name));
                }
                Vec::new()
            }
        }
    }

    fn track(&mut self, kind: TrackKind, name: &str, status: TrackStatus) -> Vec<Action> {
        let before = effective_priority(self.spec.priority, &self.tracked);
        let mut hit = false;
        for t in self
            .tracked
            .iter_mut()
            .filter(|t| t.kind == kind && t.name == name)
        {
            t.status = status;
            hit = true;
        }
        if !hit {
            return Vec::new();
        }
        let after = effective_priority(self.spec.priority, &self.tracked);
        let now = self.now();
        let mut acts = Vec::new();
        if after.fault && !before.fault {
            acts.extend(self.fsm.handle(now, Event::FaultOn));
        }
        if after.priority != before.priority {
            acts.extend(self.fsm.handle(now, Event::PriorityChanged(after.priority)));
        }
        if !after.fault && before.fault {
            acts.extend(self.fsm.handle(now, Event::FaultOff));
        }
        acts
    }

    async fn perform(&mut self, acts: Vec<Action>) {
        for a in acts {
            match a {
                Action::SendAdvert { priority } => self.send_advert(priority).await,
                // The state machine keeps its own deadlines; the loop asks it.
                Action::StartTimer(..) | Action::StopTimer(_) => {}
                Action::AddVips => {
                    for v in self.spec.vips.iter().chain(self.spec.excluded.iter()) {
                        let dev = v.dev.clone().unwrap_or_else(|| self.spec.ifname.clone());
                        if let Err(e) = self.ops.add_vip(&dev, v).await {
                            self.log.vrrp(
                                Level::Err,
                                &format!(
                                    "({}) cannot add {} on {dev}: {e}",
                                    self.spec.name, v.addr
                                ),
                            );
                        }
                    }
                }
                Action::DelVips => {
                    for v in self.spec.vips.iter().chain(self.spec.excluded.iter()) {
                        let dev = v.dev.clone().unwrap_or_else(|| self.spec.ifname.clone());
                        let _ = self.ops.del_vip(&dev, v).await;
                    }
                }
                Action::SendGarp { count } => {
                    let ifname = self.spec.ifname.clone();
                    let vips: Vec<IpAddr> = self.spec.vips.iter().map(|v| v.addr).collect();
                    for vip in vips {
                        // §3.7: IPv6 VIPs get unsolicited neighbour adverts.
                        let (burst, one) = if vip.is_ipv6() {
                            (
                                "Unsolicited Neighbour Adverts",
                                "unsolicited Neighbour Advert",
                            )
                        } else {
                            ("gratuitous ARPs", "gratuitous ARP")
                        };
                        self.log.vrrp_detail(&format!(
                            "({}) Sending/queueing {burst} on {ifname} for {vip}",
                            self.spec.name
                        ));
                        for _ in 0..count {
                            if self.ops.garp(&ifname, vip).await.is_ok() {
                                self.log
                                    .vrrp_detail(&format!("Sending {one} on {ifname} for {vip}"));
                            }
                        }
                    }
                }
                Action::Notify(state) => {
                    self.ops
                        .notify(&self.spec.name, state, self.fsm.effective_priority());
                }
                Action::NotifyMasterRxLowerPri => {}
                Action::Log(l) => self.log.vrrp(Level::Info, &l),
                Action::Detail(l) => self.log.vrrp_detail(&l),
            }
        }
    }

    async fn send_advert(&self, priority: u8) {
        let advert = packet::Advert {
            version: self.spec.packet_version(),
            vrid: self.spec.vrid,
            priority,
            advert_int: self.spec.wire_interval(),
            auth: self.spec.wire_auth(),
            addrs: self.advert_addrs.clone(),
        };
        let v6 = self.src.is_ipv6();
        let dsts: Vec<IpAddr> = if self.spec.unicast() {
            self.spec
                .unicast_peers
                .iter()
                .copied()
                .filter(|p| p.is_ipv6() == v6)
                .collect()
        } else if v6 {
            vec![IpAddr::V6(packet::GROUP_V6)]
        } else {
            vec![IpAddr::V4(packet::GROUP_V4)]
        };
        for dst in dsts {
            let built = match (self.src, dst) {
                (IpAddr::V4(src), IpAddr::V4(dst)) => {
                    let id = self.ip_id.get();
                    self.ip_id.set(id.wrapping_add(1).max(1));
                    let ah = match self.spec.auth {
                        AuthConfig::Ah(key) => {
                            let seq = self.ah_seq.get().wrapping_add(1);
                            self.ah_seq.set(seq);
                            Some(AhParams { key, seq })
                        }
                        _ => None,
                    };
                    advert.encode_ipv4(src, dst, id, ah.as_ref())
                }
                // IPv6: the VRRP message only; the checksum covers the
                // IPv6 pseudo-header (RFC 5798 §5.2.8).
                (src, dst) => advert.encode(src, dst),
            };
            match built {
                Ok(pkt) => {
                    let _ = self.wire.send(&pkt, dst).await;
                }
                Err(e) => self.log.vrrp(
                    Level::Err,
                    &format!("({}) cannot build an advert: {e:?}", self.spec.name),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    use keepalived_config::host::MemHost;
    use tokio::sync::broadcast;

    /// A shared Ethernet segment: every packet reaches every other node.
    #[derive(Clone)]
    struct Segment(broadcast::Sender<Frame>);

    /// Sender's port, packet, source, destination.
    type Frame = (usize, Vec<u8>, IpAddr, IpAddr);

    struct Port {
        me: usize,
        ip: IpAddr,
        seg: Segment,
        rx: tokio::sync::Mutex<broadcast::Receiver<Frame>>,
    }

    impl Wire for Port {
        async fn recv(&self, buf: &mut [u8]) -> io::Result<Rx> {
            loop {
                let msg = self.rx.lock().await.recv().await;
                match msg {
                    Ok((from, pkt, src, dst)) if from != self.me => {
                        buf[..pkt.len()].copy_from_slice(&pkt);
                        // As an IPv6 raw socket reports it: pktinfo and
                        // hop limit; IPv4 has them in the header.
                        let (dst, hop) = match src {
                            IpAddr::V6(_) => (Some(dst), Some(255)),
                            IpAddr::V4(_) => (None, None),
                        };
                        return Ok(Rx {
                            len: pkt.len(),
                            src,
                            dst,
                            hop,
                        });
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => return std::future::pending().await,
                }
            }
        }
        async fn send(&self, pkt: &[u8], dst: IpAddr) -> io::Result<()> {
            let _ = self.seg.0.send((self.me, pkt.to_vec(), self.ip, dst));
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    struct Host(Rc<RefCell<HostState>>);

    #[derive(Default)]
    struct HostState {
        vips: Vec<IpAddr>,
        garps: usize,
        notified: Vec<State>,
    }

    impl Ops for Host {
        async fn add_vip(&self, _: &str, v: &VipSpec) -> io::Result<bool> {
            let mut h = self.0.borrow_mut();
            if h.vips.contains(&v.addr) {
                return Ok(false);
            }
            h.vips.push(v.addr);
            Ok(true)
        }
        async fn del_vip(&self, _: &str, v: &VipSpec) -> io::Result<bool> {
            let mut h = self.0.borrow_mut();
            let before = h.vips.len();
            h.vips.retain(|a| *a != v.addr);
            Ok(h.vips.len() != before)
        }
        async fn garp(&self, _: &str, _: IpAddr) -> io::Result<()> {
            self.0.borrow_mut().garps += 1;
            Ok(())
        }
        fn notify(&self, _: &str, state: State, _: u8) {
            self.0.borrow_mut().notified.push(state);
        }
    }

    fn spec(prio: u8) -> InstanceSpec {
        let text = format!(
            "vrrp_script chk_haproxy {{\n script \"/bin/true\"\n interval 2\n}}\n\
             vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 51\n priority {prio}\n advert_int 1\n\
             authentication {{\n auth_type PASS\n auth_pass secret\n }}\n\
             virtual_ipaddress {{\n 192.0.2.3\n }}\n track_script {{\n chk_haproxy weight 20\n }}\n}}\n"
        );
        let mut host = MemHost::with_interfaces(&["eth0"]);
        host.files.insert("/k.conf".into(), text.into_bytes());
        let cfg =
            keepalived_config::check("/k.conf", &host, &keepalived_config::Options::default())
                .config;
        super::super::spec::instance_spec(&cfg, &cfg.instances[0]).unwrap()
    }

    struct Node {
        host: Host,
        tx: mpsc::UnboundedSender<Input>,
        done: tokio::task::JoinHandle<State>,
    }

    fn node(seg: &Segment, me: usize, ip: [u8; 4], prio: u8) -> Node {
        node_with(seg, me, IpAddr::from(ip), spec(prio))
    }

    fn node_with(seg: &Segment, me: usize, ip: IpAddr, spec: InstanceSpec) -> Node {
        let port = Port {
            me,
            ip,
            seg: seg.clone(),
            rx: tokio::sync::Mutex::new(seg.0.subscribe()),
        };
        let host = Host::default();
        let d = Driver::new(
            spec,
            ip,
            port,
            host.clone(),
            Logger::new(3, false, false, false),
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let done = tokio::task::spawn_local(d.run(rx));
        Node { host, tx, done }
    }

    fn vip(n: &Node) -> bool {
        n.host
            .0
            .borrow()
            .vips
            .contains(&"192.0.2.3".parse().unwrap())
    }

    fn script(n: &Node, up: bool) {
        let status = if up {
            TrackStatus::Up
        } else {
            TrackStatus::Down
        };
        let _ = n.tx.send(Input::Track {
            kind: TrackKind::Script,
            name: "chk_haproxy".into(),
            status,
        });
    }

    async fn wait(d: Duration) {
        tokio::time::sleep(d).await;
    }

    /// The guide's pair: equal base priority 101, `chk_haproxy weight 20`.
    /// The first started becomes master after 3 × 1 s + skew; the script
    /// failing on the master (121 → 101) hands the VIP over; SIGTERM on
    /// the master gives a priority-0 advert and the backup takes over
    /// after its skew time.
    #[test]
    fn two_engines_elect_fail_over_and_release() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async {
            let (tx, _) = broadcast::channel(1024);
            let seg = Segment(tx);
            let a = node(&seg, 1, [192, 0, 2, 11], 101);
            script(&a, true);
            // master_down_interval at 121: 3 s + (256-121)/256 s = 3.527 s.
            wait(Duration::from_millis(3400)).await;
            assert!(!vip(&a), "not master before master_down_interval");
            wait(Duration::from_millis(300)).await;
            assert!(vip(&a), "a alone becomes MASTER after 3.527 s");
            assert_eq!(a.host.0.borrow().garps, 5, "one burst of 5 GARPs at once");

            let b = node(&seg, 2, [192, 0, 2, 12], 101);
            script(&b, true);
            wait(Duration::from_secs(6)).await;
            assert!(vip(&a) && !vip(&b), "equal priority: no preemption");

            // A's haproxy dies: 121 -> 101, B (121) takes over.
            script(&a, false);
            wait(Duration::from_secs(6)).await;
            assert!(
                vip(&b) && !vip(&a),
                "the VIP follows the higher effective priority"
            );
            assert_eq!(a.host.0.borrow().notified.last(), Some(&State::Backup));

            // SIGTERM on B: priority 0; A takes over after its skew time
            // (256-101)/256 s = 0.605 s, well before a master_down_interval.
            let _ = b.tx.send(Input::Shutdown);
            let b_host = b.host.clone();
            let stopped = b.done.await.unwrap();
            assert!(
                !b_host
                    .0
                    .borrow()
                    .vips
                    .contains(&"192.0.2.3".parse().unwrap()),
                "a stopping master removes its VIPs"
            );
            assert_ne!(stopped, State::Master);
            wait(Duration::from_millis(700)).await;
            assert!(
                vip(&a),
                "the backup takes over within skew time after priority 0"
            );
            let _ = a.tx.send(Input::Shutdown);
            let _ = a.done.await;
        });
    }
    fn spec6(prio: u8) -> InstanceSpec {
        let text = format!(
            "vrrp_instance VI_6 {{\n interface eth0\n virtual_router_id 60\n priority {prio}\n advert_int 1\n\
             virtual_ipaddress {{\n 2001:db8::3/64\n }}\n}}\n"
        );
        let mut host = MemHost::with_interfaces(&["eth0"]);
        host.files.insert("/k.conf".into(), text.into_bytes());
        let cfg =
            keepalived_config::check("/k.conf", &host, &keepalived_config::Options::default())
                .config;
        super::super::spec::instance_spec(&cfg, &cfg.instances[0]).unwrap()
    }

    /// IPv6 (VRRPv3, link-local sources, ff02::12): the higher priority
    /// wins after master_down_interval, the adverts pass `decode_ipv6`
    /// (pseudo-header checksum), and SIGTERM hands over within skew time.
    #[test]
    fn two_ipv6_engines_elect_and_release() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async {
            let (tx, _) = broadcast::channel(1024);
            let seg = Segment(tx);
            let mut sniff = seg.0.subscribe();
            let vip6: IpAddr = "2001:db8::3".parse().unwrap();
            let has = |n: &Node| n.host.0.borrow().vips.contains(&vip6);
            let a = node_with(&seg, 1, "fe80::11".parse().unwrap(), spec6(110));
            let b = node_with(&seg, 2, "fe80::12".parse().unwrap(), spec6(100));
            // a: 3 s + (256-110)/256 s = 3.57 s.
            wait(Duration::from_millis(3500)).await;
            assert!(!has(&a) && !has(&b));
            wait(Duration::from_millis(200)).await;
            assert!(has(&a) && !has(&b), "the higher priority is MASTER");
            assert_eq!(a.host.0.borrow().garps, 5, "5 unsolicited NAs");
            wait(Duration::from_secs(5)).await;
            assert!(has(&a) && !has(&b), "b stays BACKUP");
            // What a sent is a v3 message to ff02::12 that decodes.
            let mut seen = 0;
            while let Ok((from, pkt, src, dst)) = sniff.try_recv() {
                if from != 1 {
                    continue;
                }
                assert_eq!(dst, IpAddr::V6(packet::GROUP_V6));
                let (IpAddr::V6(s6), IpAddr::V6(d6)) = (src, dst) else {
                    panic!("IPv4 on the IPv6 segment")
                };
                let addrs = [vip6];
                let e = Expect::new(packet::Version::V3, 100, &addrs);
                let r = packet::decode_ipv6(&pkt, s6, d6, Some(255), &e).unwrap();
                assert_eq!((r.advert.vrid, r.advert.priority), (60, 110));
                seen += 1;
            }
            assert!(seen >= 5, "a advertised once a second ({seen})");
            let _ = a.tx.send(Input::Shutdown);
            let _ = a.done.await;
            // b: skew (256-100)/256 × 1 s = 0.61 s.
            wait(Duration::from_millis(700)).await;
            assert!(has(&b), "the backup takes over after the priority-0 advert");
            let _ = b.tx.send(Input::Shutdown);
            let _ = b.done.await;
        });
    }
}
