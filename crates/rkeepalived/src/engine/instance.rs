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
    /// Install (`add`) or remove the instance's `virtual_routes` and
    /// `virtual_rules`; hosts without routing do nothing.
    async fn routes(
        &self,
        _instance: &str,
        _routes: &[keepalived_config::model::RouteSpec],
        _rules: &[keepalived_config::model::RouteSpec],
        _add: bool,
    ) {
    }
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

/// One instance's edges and its share of the loop's state.
struct Member<W, O> {
    spec: InstanceSpec,
    src: IpAddr,
    wire: W,
    ops: O,
    tracked: Vec<Tracked>,
    advert_addrs: Vec<IpAddr>,
    ip_id: Cell<u16>,
    ah_seq: Cell<u32>,
}

/// The state machine(s): one instance alone, or the members of a
/// `vrrp_sync_group` moving together.
enum Machine {
    One(Box<fsm::Instance>),
    Group(fsm::SyncGroup),
}

impl Machine {
    fn inst(&self, i: usize) -> Option<&fsm::Instance> {
        match self {
            Machine::One(m) => (i == 0).then_some(m),
            Machine::Group(g) => g.members.get(i),
        }
    }

    fn state(&self) -> State {
        match self {
            Machine::One(m) => m.state(),
            Machine::Group(g) => g.state(),
        }
    }

    fn next_deadline(&self) -> Option<Duration> {
        match self {
            Machine::One(m) => m.next_deadline().map(|(d, _)| d),
            Machine::Group(g) => g.next_deadline().map(|(d, _, _)| d),
        }
    }

    fn poll(&mut self, now: Duration) -> Vec<(Option<usize>, Action)> {
        match self {
            Machine::One(m) => m.poll(now).into_iter().map(|a| (Some(0), a)).collect(),
            Machine::Group(g) => g.poll(now),
        }
    }

    fn handle(&mut self, now: Duration, i: usize, ev: Event) -> Vec<(Option<usize>, Action)> {
        match self {
            Machine::One(m) => m
                .handle(now, ev)
                .into_iter()
                .map(|a| (Some(0), a))
                .collect(),
            Machine::Group(g) => g.handle(now, i, ev),
        }
    }
}

/// How a sync group's own state changes are told (its notify scripts).
pub type GroupNotify = std::rc::Rc<dyn Fn(State)>;

/// The loop of one instance, or of one sync group's members.
pub struct Driver<W, O> {
    members: Vec<Member<W, O>>,
    machine: Machine,
    group_notify: Option<GroupNotify>,
    log: Logger,
    t0: Instant,
}

fn member<W, O>(
    spec: InstanceSpec,
    src: IpAddr,
    wire: W,
    ops: O,
    log: &Logger,
) -> (Member<W, O>, fsm::Instance) {
    let mut cfg = spec.fsm_config(src);
    for w in fsm::sanitise(&mut cfg) {
        log.vrrp(Level::Warning, &w);
    }
    let m = Member {
        tracked: spec.tracked.clone(),
        advert_addrs: spec.advert_addrs(),
        spec,
        src,
        wire,
        ops,
        ip_id: Cell::new(1),
        ah_seq: Cell::new(0),
    };
    (m, fsm::Instance::new(cfg))
}

impl<W: Wire, O: Ops> Driver<W, O> {
    /// `src` is the advert source; its family is the instance's (IPv6
    /// instances are VRRPv3 over IPv6, RFC 5798 §5.1.2).
    pub fn new(spec: InstanceSpec, src: IpAddr, wire: W, ops: O, log: Logger) -> Self {
        let (m, inst) = member(spec, src, wire, ops, &log);
        Driver {
            members: vec![m],
            machine: Machine::One(Box::new(inst)),
            group_notify: None,
            log,
            t0: Instant::now(),
        }
    }

    /// The members of `vrrp_sync_group name`, driven together
    /// ([`fsm::SyncGroup`]): one becoming MASTER takes the others along,
    /// one falling back to BACKUP or into FAULT does too.
    pub fn group(
        name: &str,
        members: Vec<(InstanceSpec, IpAddr, W, O)>,
        notify: Option<GroupNotify>,
        log: Logger,
    ) -> Self {
        let mut ms = Vec::new();
        let mut insts = Vec::new();
        for (spec, src, wire, ops) in members {
            let (m, i) = member(spec, src, wire, ops, &log);
            ms.push(m);
            insts.push(i);
        }
        Driver {
            members: ms,
            machine: Machine::Group(fsm::SyncGroup::new(name, insts)),
            group_notify: notify,
            log,
            t0: Instant::now(),
        }
    }

    /// The instance's state (a group's summary state).
    pub fn state(&self) -> State {
        self.machine.state()
    }

    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.t0)
    }

    /// Run until `Input::Shutdown` (or the input channel closes).
    pub async fn run(mut self, mut inputs: mpsc::UnboundedReceiver<Input>) -> State {
        if self.members.is_empty() {
            return self.state();
        }
        for i in 0..self.members.len() {
            let m = &self.members[i];
            let eff = effective_priority(m.spec.priority, &m.tracked);
            let init = if eff.fault {
                InitCondition::Fault
            } else {
                InitCondition::Up
            };
            let acts = self.machine.handle(self.now(), i, Event::Startup(init));
            self.perform(acts).await;
            if Some(eff.priority) != self.machine.inst(i).map(|f| f.effective_priority()) {
                let acts = self
                    .machine
                    .handle(self.now(), i, Event::PriorityChanged(eff.priority));
                self.perform(acts).await;
            }
        }
        let mut bufs = vec![vec![0u8; 2048]; self.members.len()];
        loop {
            let wake = self.machine.next_deadline().map(|d| self.t0 + d);
            let sleep = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(w).await,
                    None => std::future::pending().await,
                }
            };
            enum Got {
                Packet(usize, io::Result<Rx>),
                Timer,
                Input(Option<Input>),
            }
            let got = tokio::select! {
                (r, i, _) = futures_util::future::select_all(
                    self.members
                        .iter()
                        .zip(bufs.iter_mut())
                        .map(|(m, b)| Box::pin(m.wire.recv(b))),
                ) => Got::Packet(i, r),
                () = sleep => Got::Timer,
                inp = inputs.recv() => Got::Input(inp),
            };
            let acts = match got {
                Got::Packet(i, Ok(rx)) => {
                    let buf = &bufs[i];
                    let n = rx.len.min(buf.len());
                    self.received(i, &buf[..n], rx)
                }
                Got::Packet(_, Err(_)) => Vec::new(),
                Got::Timer => {
                    let now = self.now();
                    self.machine.poll(now)
                }
                Got::Input(Some(Input::Track { kind, name, status })) => {
                    self.track(kind, &name, status)
                }
                Got::Input(Some(Input::Shutdown) | None) => {
                    for i in 0..self.members.len() {
                        let now = self.now();
                        let acts = self.machine.handle(now, i, Event::Shutdown);
                        self.perform(acts).await;
                    }
                    return self.machine.state();
                }
            };
            self.perform(acts).await;
        }
    }

    fn received(&mut self, i: usize, pkt: &[u8], rx: Rx) -> Vec<(Option<usize>, Action)> {
        let Some(m) = self.members.get(i) else {
            return Vec::new();
        };
        let vrid = match m.src {
            IpAddr::V4(_) => packet::peek_vrid_ipv4(pkt),
            IpAddr::V6(_) => packet::peek_vrid_ipv6(pkt),
        };
        if vrid != Some(m.spec.vrid) {
            // Another virtual router on the same link: not ours to judge.
            return Vec::new();
        }
        let mut expect = Expect::new(
            m.spec.packet_version(),
            u32::from(m.spec.wire_interval())
                * if m.spec.version == fsm::Version::V2 {
                    100
                } else {
                    1
                },
            &m.advert_addrs,
        );
        expect.auth = m.spec.auth;
        expect.unicast = m.spec.unicast();
        expect.unicast_peers = &m.spec.unicast_peers;
        expect.master = self
            .machine
            .inst(i)
            .and_then(|f| f.master())
            .map(|(ip, _)| ip);
        let decoded = match (m.src, rx.src) {
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
                let now = self.now();
                self.machine.handle(now, i, ev)
            }
            Err(e) => {
                if e.is_error() {
                    self.log.vrrp(Level::Info, &e.log_line(&m.spec.name));
                }
                Vec::new()
            }
        }
    }

    fn track(
        &mut self,
        kind: TrackKind,
        name: &str,
        status: TrackStatus,
    ) -> Vec<(Option<usize>, Action)> {
        let now = self.now();
        let mut acts = Vec::new();
        for i in 0..self.members.len() {
            let m = &mut self.members[i];
            let before = effective_priority(m.spec.priority, &m.tracked);
            let mut hit = false;
            for t in m
                .tracked
                .iter_mut()
                .filter(|t| t.kind == kind && t.name == name)
            {
                t.status = status;
                hit = true;
            }
            if !hit {
                continue;
            }
            let after = effective_priority(m.spec.priority, &m.tracked);
            if after.fault && !before.fault {
                acts.extend(self.machine.handle(now, i, Event::FaultOn));
            }
            if after.priority != before.priority {
                acts.extend(
                    self.machine
                        .handle(now, i, Event::PriorityChanged(after.priority)),
                );
            }
            if !after.fault && before.fault {
                acts.extend(self.machine.handle(now, i, Event::FaultOff));
            }
        }
        acts
    }

    async fn perform(&mut self, acts: Vec<(Option<usize>, Action)>) {
        for (who, a) in acts {
            let Some(i) = who else {
                // The group's own: its log lines and notify.
                match a {
                    Action::Log(l) => self.log.vrrp(Level::Info, &l),
                    Action::Detail(l) => self.log.vrrp_detail(&l),
                    Action::Notify(state) => {
                        if let Some(n) = &self.group_notify {
                            n(state);
                        }
                    }
                    _ => {}
                }
                continue;
            };
            let prio = self
                .machine
                .inst(i)
                .map_or(0, fsm::Instance::effective_priority);
            let Some(m) = self.members.get(i) else {
                continue;
            };
            m.perform(a, prio, &self.log).await;
        }
    }
}

impl<W: Wire, O: Ops> Member<W, O> {
    async fn perform(&self, a: Action, prio: u8, log: &Logger) {
        match a {
            Action::SendAdvert { priority } => self.send_advert(priority, log).await,
            // The state machine keeps its own deadlines; the loop asks it.
            Action::StartTimer(..) | Action::StopTimer(_) => {}
            Action::AddVips => {
                for v in self.spec.vips.iter().chain(self.spec.excluded.iter()) {
                    let dev = v.dev.clone().unwrap_or_else(|| self.spec.ifname.clone());
                    if let Err(e) = self.ops.add_vip(&dev, v).await {
                        log.vrrp(
                            Level::Err,
                            &format!("({}) cannot add {} on {dev}: {e}", self.spec.name, v.addr),
                        );
                    }
                }
                self.ops
                    .routes(&self.spec.name, &self.spec.routes, &self.spec.rules, true)
                    .await;
            }
            Action::DelVips => {
                self.ops
                    .routes(&self.spec.name, &self.spec.routes, &self.spec.rules, false)
                    .await;
                for v in self.spec.vips.iter().chain(self.spec.excluded.iter()) {
                    let dev = v.dev.clone().unwrap_or_else(|| self.spec.ifname.clone());
                    let _ = self.ops.del_vip(&dev, v).await;
                }
            }
            Action::SendGarp { count } => {
                let ifname = &self.spec.ifname;
                for vip in self.spec.vips.iter().map(|v| v.addr) {
                    // §3.7: IPv6 VIPs get unsolicited neighbour adverts.
                    let (burst, one) = if vip.is_ipv6() {
                        (
                            "Unsolicited Neighbour Adverts",
                            "unsolicited Neighbour Advert",
                        )
                    } else {
                        ("gratuitous ARPs", "gratuitous ARP")
                    };
                    log.vrrp_detail(&format!(
                        "({}) Sending/queueing {burst} on {ifname} for {vip}",
                        self.spec.name
                    ));
                    for _ in 0..count {
                        if self.ops.garp(ifname, vip).await.is_ok() {
                            log.vrrp_detail(&format!("Sending {one} on {ifname} for {vip}"));
                        }
                    }
                }
            }
            Action::Notify(state) => self.ops.notify(&self.spec.name, state, prio),
            Action::NotifyMasterRxLowerPri => {}
            Action::Log(l) => log.vrrp(Level::Info, &l),
            Action::Detail(l) => log.vrrp_detail(&l),
        }
    }

    async fn send_advert(&self, priority: u8, log: &Logger) {
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
                Err(e) => log.vrrp(
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
    /// Both instances of `vrrp_sync_group G` on one node, VRID 51 on
    /// segment 1 and VRID 52 on segment 2.
    fn group_node(segs: [&Segment; 2], me: usize, prio: u8) -> Node {
        let text = format!(
            "vrrp_script chk2 {{\n script \"/bin/true\"\n}}\n\
             vrrp_sync_group G {{\n group {{\n VI_1\n VI_2\n }}\n}}\n\
             vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 51\n priority {prio}\n\
             virtual_ipaddress {{\n 192.0.2.3\n }}\n}}\n\
             vrrp_instance VI_2 {{\n interface eth1\n virtual_router_id 52\n priority {prio}\n\
             virtual_ipaddress {{\n 198.51.100.3\n }}\n track_script {{\n chk2\n }}\n}}\n"
        );
        let mut host = MemHost::with_interfaces(&["eth0", "eth1"]);
        host.files.insert("/k.conf".into(), text.into_bytes());
        let cfg =
            keepalived_config::check("/k.conf", &host, &keepalived_config::Options::default())
                .config;
        let h = Host::default();
        let mut members = Vec::new();
        for (k, seg) in segs.into_iter().enumerate() {
            let spec = super::super::spec::instance_spec(&cfg, &cfg.instances[k]).unwrap();
            let ip = IpAddr::from([192, 0, 2 + k as u8, 10 + me as u8]);
            let port = Port {
                me,
                ip,
                seg: seg.clone(),
                rx: tokio::sync::Mutex::new(seg.0.subscribe()),
            };
            members.push((spec, ip, port, h.clone()));
        }
        let d = Driver::group("G", members, None, Logger::new(3, false, false, false));
        let (tx, rx) = mpsc::unbounded_channel();
        let done = tokio::task::spawn_local(d.run(rx));
        Node { host: h, tx, done }
    }

    /// `vrrp_sync_group`: both members become MASTER together on the
    /// higher node; one member's FAULT takes the whole group down there,
    /// so the peer gets both VIPs; clearing it brings both back.
    #[test]
    fn sync_group_members_move_together() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async {
            let s1 = Segment(broadcast::channel(1024).0);
            let s2 = Segment(broadcast::channel(1024).0);
            let v1: IpAddr = "192.0.2.3".parse().unwrap();
            let v2: IpAddr = "198.51.100.3".parse().unwrap();
            let vips = |n: &Node| {
                let h = n.host.0.borrow();
                (h.vips.contains(&v1), h.vips.contains(&v2))
            };
            let a = group_node([&s1, &s2], 1, 110);
            let b = group_node([&s1, &s2], 2, 100);
            wait(Duration::from_secs(5)).await;
            assert_eq!(vips(&a), (true, true), "a: both members MASTER");
            assert_eq!(vips(&b), (false, false), "b: both BACKUP");

            // VI_2's unweighted script fails on a: the group goes FAULT.
            let fail = |n: &Node, up: bool| {
                let _ = n.tx.send(Input::Track {
                    kind: TrackKind::Script,
                    name: "chk2".into(),
                    status: if up {
                        TrackStatus::Up
                    } else {
                        TrackStatus::Down
                    },
                });
            };
            fail(&a, false);
            wait(Duration::from_secs(2)).await;
            assert_eq!(vips(&a), (false, false), "a: the whole group left MASTER");
            assert_eq!(vips(&b), (true, true), "b: took both members over");
            assert!(a.host.0.borrow().notified.contains(&State::Fault));

            // Fixed: a is higher and preempts with both members.
            fail(&a, true);
            wait(Duration::from_secs(5)).await;
            assert_eq!(vips(&a), (true, true));
            assert_eq!(vips(&b), (false, false));
            for n in [a, b] {
                let _ = n.tx.send(Input::Shutdown);
                let _ = n.done.await;
            }
        });
    }
}
