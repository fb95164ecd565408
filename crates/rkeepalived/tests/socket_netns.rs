//! The VRRP sockets of `net::socket` on real interfaces: two network
//! namespaces joined by a veth pair (`eth0` on both sides), 192.0.2.1/24
//! and 2001:db8::1/64 on A, 192.0.2.2/24 and 2001:db8::2/64 on B, DAD off.
//! Adverts built with the codec go from A to B, multicast and unicast, v4
//! and v6, and B decodes them with keepalived's receive validation; GARP
//! and unsolicited NA frames from A are caught by a packet socket in B
//! (and decoded by tcpdump when it is installed).
//!
//! Needs root and iproute2; skipped with a note otherwise. Each test makes
//! its own namespaces (names carry the PID) and deletes them in Drop.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rkeepalived::net::socket::{self, GarpSender, Mode, VrrpSocketV4, VrrpSocketV6};
use rkeepalived::vrrp::packet::{
    decode_ipv4, decode_ipv6, garp_frame, unsolicited_na_frame, Advert, Auth, AuthConfig, Expect,
    Received, Version, GROUP_V4, GROUP_V6,
};

const WAIT: Duration = Duration::from_secs(5);
const A4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const B4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const VIP4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 100);
const A6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const B6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
const VIP6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x100);

fn root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn run(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn have(cmd: &str) -> bool {
    run("sh", &["-c", &format!("command -v {cmd}")])
}

/// Two namespaces `<tag>a` and `<tag>b` joined by a veth pair.
struct Pair {
    a: String,
    b: String,
}

impl Pair {
    fn new(name: &str) -> Option<Pair> {
        if !root() {
            eprintln!("socket_netns: skipped ({name}): needs root");
            return None;
        }
        if !have("ip") {
            eprintln!("socket_netns: skipped ({name}): needs iproute2");
            return None;
        }
        let tag = format!("rksk{name}{}", std::process::id() % 100_000);
        let p = Pair {
            a: format!("{tag}a"),
            b: format!("{tag}b"),
        };
        assert!(run("ip", &["netns", "add", &p.a]), "ip netns add {}", p.a);
        assert!(run("ip", &["netns", "add", &p.b]), "ip netns add {}", p.b);
        let ok = run(
            "ip",
            &[
                "-n", &p.a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns",
                &p.b,
            ],
        );
        assert!(ok, "veth pair");
        for (ns, v4, v6) in [
            (&p.a, "192.0.2.1/24", "2001:db8::1/64"),
            (&p.b, "192.0.2.2/24", "2001:db8::2/64"),
        ] {
            // DAD off, so the link-local address is usable at once.
            for k in ["all", "default", "eth0"] {
                let key = format!("net.ipv6.conf.{k}.accept_dad=0");
                assert!(
                    run("ip", &["netns", "exec", ns, "sysctl", "-qw", &key]),
                    "{key}"
                );
            }
            assert!(run("ip", &["-n", ns, "link", "set", "lo", "up"]));
            assert!(run("ip", &["-n", ns, "addr", "add", v4, "dev", "eth0"]));
            assert!(run(
                "ip",
                &["-n", ns, "addr", "add", v6, "dev", "eth0", "nodad"]
            ));
            assert!(run("ip", &["-n", ns, "link", "set", "eth0", "up"]));
        }
        Some(p)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        run("ip", &["netns", "del", &self.a]);
        run("ip", &["netns", "del", &self.b]);
    }
}

/// Run `f` on a new thread inside namespace `ns`, on a current-thread
/// tokio runtime.
fn in_ns<T, F, Fut>(ns: &str, f: F) -> JoinHandle<T>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
{
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).expect("open netns");
        nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(f())
    })
}

/// The link-local address of eth0 in the calling thread's namespace, once
/// the kernel has assigned it (bounded wait).
async fn link_local() -> Ipv6Addr {
    for _ in 0..50 {
        if let Ok(Some(a)) = socket::link_local_ipv6("eth0") {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no link-local address on eth0");
}

fn v2_advert() -> Advert {
    Advert {
        version: Version::V2,
        vrid: 51,
        priority: 100,
        advert_int: 1,
        auth: Auth::pass(b"secret"),
        addrs: vec![IpAddr::V4(VIP4)],
    }
}

fn v3_advert(vip: IpAddr) -> Advert {
    Advert {
        version: Version::V3,
        vrid: 52,
        priority: 120,
        advert_int: 100,
        auth: Auth::None,
        addrs: vec![vip],
    }
}

/// Receiver in B (opened, then `ready` is signalled), sender in A sending
/// a few copies until the receiver is done; returns what B decoded.
fn exchange<R, S, SF, RF>(p: &Pair, recv: R, send: S) -> io::Result<Received>
where
    R: FnOnce(mpsc::Sender<()>) -> RF + Send + 'static,
    RF: Future<Output = io::Result<Received>>,
    S: FnOnce() -> SF + Send + 'static,
    SF: Future<Output = io::Result<()>>,
{
    let (tx, rx) = mpsc::channel();
    let b = in_ns(&p.b, move || async move {
        tokio::time::timeout(WAIT, recv(tx))
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "no advert")))
    });
    rx.recv_timeout(WAIT).expect("receiver ready");
    let a = in_ns(&p.a, move || async move {
        tokio::time::timeout(WAIT, send())
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "send")))
    });
    a.join().expect("sender thread")?;
    b.join().expect("receiver thread")
}

/// Send `n` copies 50 ms apart: the receiver takes the first it gets.
async fn repeat<F, Fut>(n: usize, mut f: F) -> io::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = io::Result<()>>,
{
    for _ in 0..n {
        f().await?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[test]
fn v4_multicast_v2_advert() {
    let Some(p) = Pair::new("m4") else { return };
    let got = exchange(
        &p,
        |ready| async move {
            let s = VrrpSocketV4::open("eth0", B4, Mode::Multicast)?;
            eprintln!("{}", s.sockpool_line());
            ready.send(()).unwrap();
            let vips = [IpAddr::V4(VIP4)];
            let mut e = Expect::new(Version::V2, 100, &vips);
            e.auth = AuthConfig::Pass(Auth::key(b"secret"));
            let mut buf = [0u8; 2048];
            loop {
                let (n, src) = s.recv(&mut buf).await?;
                assert_eq!(src, A4);
                match decode_ipv4(&buf[..n], &e) {
                    Ok(r) => return Ok(r),
                    Err(err) => eprintln!("dropped: {err}"),
                }
            }
        },
        || async move {
            let s = VrrpSocketV4::open("eth0", A4, Mode::Multicast)?;
            let pkt = v2_advert().encode_ipv4(A4, GROUP_V4, 0, None).unwrap();
            repeat(3, || s.send_multicast(&pkt)).await
        },
    )
    .expect("advert received");
    assert_eq!(got.advert, v2_advert());
    assert_eq!(got.src, IpAddr::V4(A4));
    assert_eq!(got.dst, IpAddr::V4(GROUP_V4));
    assert_eq!(got.ttl, Some(255));
}

#[test]
fn v4_unicast_v3_advert() {
    let Some(p) = Pair::new("u4") else { return };
    let vip = IpAddr::V4(VIP4);
    let got = exchange(
        &p,
        move |ready| async move {
            let s = VrrpSocketV4::open("eth0", B4, Mode::Unicast)?;
            ready.send(()).unwrap();
            let vips = [vip];
            let peers = [IpAddr::V4(A4)];
            let mut e = Expect::new(Version::V3, 100, &vips);
            e.unicast = true;
            e.check_unicast_src = true;
            e.unicast_peers = &peers;
            let mut buf = [0u8; 2048];
            loop {
                let (n, src) = s.recv(&mut buf).await?;
                assert_eq!(src, A4);
                match decode_ipv4(&buf[..n], &e) {
                    Ok(r) => return Ok(r),
                    Err(err) => eprintln!("dropped: {err}"),
                }
            }
        },
        move || async move {
            let s = VrrpSocketV4::open("eth0", A4, Mode::Unicast)?;
            let pkt = v3_advert(vip).encode_ipv4(A4, B4, 0, None).unwrap();
            repeat(3, || s.send(&pkt, B4)).await
        },
    )
    .expect("advert received");
    assert_eq!(got.advert, v3_advert(vip));
    assert_eq!(got.dst, IpAddr::V4(B4));
    assert_eq!(got.ttl, Some(255));
    assert!(!got.old_checksum);
}

/// What B's IPv6 socket reported and decoded.
type V6Got = (Received, Ipv6Addr, Ipv6Addr, Option<u8>);

fn exchange_v6(p: &Pair, mode: Mode) -> (V6Got, Ipv6Addr) {
    let vip = IpAddr::V6(VIP6);
    let (tx, rx) = mpsc::channel();
    let b = in_ns(&p.b, move || async move {
        let src = match mode {
            Mode::Multicast => link_local().await,
            Mode::Unicast => B6,
        };
        let s = VrrpSocketV6::open("eth0", src, mode).expect("open v6 in B");
        eprintln!("{}", s.sockpool_line());
        tx.send(()).unwrap();
        let vips = [vip];
        let mut e = Expect::new(Version::V3, 100, &vips);
        e.unicast = mode == Mode::Unicast;
        let mut buf = [0u8; 2048];
        tokio::time::timeout(WAIT, async {
            loop {
                let (n, src, dst, hop) = s.recv(&mut buf).await.expect("recv");
                match decode_ipv6(&buf[..n], src, dst, hop, &e) {
                    Ok(r) => return (r, src, dst, hop),
                    Err(err) => eprintln!("dropped: {err}"),
                }
            }
        })
        .await
        .expect("v6 advert within the wait")
    });
    rx.recv_timeout(WAIT).expect("receiver ready");
    let a = in_ns(&p.a, move || async move {
        let (src, dst) = match mode {
            Mode::Multicast => (link_local().await, GROUP_V6),
            Mode::Unicast => (A6, B6),
        };
        let s = VrrpSocketV6::open("eth0", src, mode).expect("open v6 in A");
        let payload = v3_advert(vip)
            .encode(IpAddr::V6(src), IpAddr::V6(dst))
            .unwrap();
        repeat(3, || s.send(&payload, dst)).await.expect("send v6");
        src
    });
    let a_src = a.join().expect("sender thread");
    (b.join().expect("receiver thread"), a_src)
}

#[test]
fn v6_multicast_v3_advert() {
    let Some(p) = Pair::new("m6") else { return };
    let ((r, src, dst, hop), a_src) = exchange_v6(&p, Mode::Multicast);
    assert_eq!((src, dst, hop), (a_src, GROUP_V6, Some(255)));
    assert!(a_src.segments()[0] == 0xfe80, "link-local source {a_src}");
    assert_eq!(r.advert, v3_advert(IpAddr::V6(VIP6)));
    assert_eq!(r.ttl, Some(255));
}

#[test]
fn v6_unicast_v3_advert() {
    let Some(p) = Pair::new("u6") else { return };
    let ((r, src, dst, hop), a_src) = exchange_v6(&p, Mode::Unicast);
    assert_eq!((src, dst, hop, a_src), (A6, B6, Some(255), A6));
    assert_eq!(r.advert, v3_advert(IpAddr::V6(VIP6)));
}

/// A blocking packet socket in the calling thread's namespace for
/// ethertype `proto`, bound to eth0, with a read timeout.
fn packet_listener(proto: u16) -> socket2::Socket {
    let s = socket2::Socket::new(
        socket2::Domain::PACKET,
        socket2::Type::RAW,
        Some(socket2::Protocol::from(i32::from(proto.to_be()))),
    )
    .expect("packet socket");
    let link = socket::link_addr("eth0").expect("eth0");
    nix::sys::socket::bind(s.as_raw_fd(), &link).expect("bind packet socket");
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    s
}

/// Frames from `s` until `want` (by prefix) arrives or the wait ends.
fn catch(s: &socket2::Socket, want: &[u8]) -> Option<Vec<u8>> {
    let end = std::time::Instant::now() + WAIT;
    let mut buf = [0u8; 2048];
    while std::time::Instant::now() < end {
        if let Ok((n, _)) =
            nix::sys::socket::recvfrom::<nix::sys::socket::LinkAddr>(s.as_raw_fd(), &mut buf)
        {
            if buf[..n].starts_with(want) {
                return Some(buf[..n].to_vec());
            }
        }
    }
    None
}

#[test]
fn garp_and_unsolicited_na_reach_the_peer() {
    let Some(p) = Pair::new("ga") else { return };
    let a_mac = in_ns(&p.a, || async { socket::mac_address("eth0").unwrap() })
        .join()
        .unwrap();
    let garp = garp_frame(a_mac, VIP4);
    let na = unsolicited_na_frame(a_mac, VIP6, false);
    let (tx, rx) = mpsc::channel();
    let b = in_ns(&p.b, move || async move {
        let arp = packet_listener(0x0806);
        let v6 = packet_listener(0x86dd);
        tx.send(()).unwrap();
        (catch(&arp, &garp), catch(&v6, &na))
    });
    rx.recv_timeout(WAIT).expect("listener ready");
    in_ns(&p.a, move || async move {
        let g = GarpSender::open("eth0").expect("packet socket in A");
        assert_eq!(g.mac(), Some(a_mac));
        for _ in 0..3 {
            g.send_frame(&garp).await.expect("send GARP");
            g.send_frame(&na).await.expect("send NA");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .join()
    .unwrap();
    let (g, n) = b.join().unwrap();
    // veth does not pad: the frames arrive as sent.
    assert_eq!(g.as_deref(), Some(&garp[..]), "GARP seen in B");
    assert_eq!(n.as_deref(), Some(&na[..]), "unsolicited NA seen in B");
}

/// tcpdump in B, killed in Drop if it is still running.
struct Dump(Child);

impl Drop for Dump {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `tcpdump -c1 FILTER` on eth0 in `ns` and wait until it listens.
fn tcpdump(ns: &str, filter: &str) -> Dump {
    use std::io::BufRead;
    let mut c = Command::new("ip")
        .args([
            "netns", "exec", ns, "tcpdump", "-c1", "-nn", "-v", "-l", "-i", "eth0",
        ])
        .arg(filter)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcpdump");
    let err = c.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in io::BufReader::new(err).lines().map_while(Result::ok) {
            if l.contains("listening on") {
                let _ = tx.send(());
            }
        }
    });
    let d = Dump(c);
    rx.recv_timeout(WAIT).expect("tcpdump listening");
    d
}

fn output(mut d: Dump) -> String {
    use std::io::Read;
    let end = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < end {
        if let Ok(Some(_)) = d.0.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut s = String::new();
    if let Some(mut o) = d.0.stdout.take() {
        let _ = o.read_to_string(&mut s);
    }
    s
}

#[test]
fn tcpdump_decodes_what_we_send() {
    let Some(p) = Pair::new("td") else { return };
    if !have("tcpdump") {
        eprintln!("socket_netns: tcpdump not installed, decode check skipped");
        return;
    }
    let vrrp = tcpdump(&p.b, "ip proto 112");
    in_ns(&p.a, || async {
        let s = VrrpSocketV4::open("eth0", A4, Mode::Multicast).unwrap();
        let pkt = v2_advert().encode_ipv4(A4, GROUP_V4, 0, None).unwrap();
        repeat(3, || s.send_multicast(&pkt)).await.unwrap();
    })
    .join()
    .unwrap();
    let text = output(vrrp);
    eprintln!("tcpdump: {text}");
    assert!(text.contains("tos 0xc0, ttl 255"), "{text}");
    assert!(text.contains("192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 100, authtype simple, intvl 1s"), "{text}");
    assert!(text.contains("addrs: 192.0.2.100 auth \"secret"), "{text}");

    let arp = tcpdump(&p.b, "arp");
    in_ns(&p.a, || async {
        let g = GarpSender::open("eth0").unwrap();
        let frame = garp_frame(g.mac().unwrap(), VIP4);
        repeat(3, || g.send_frame(&frame)).await.unwrap();
    })
    .join()
    .unwrap();
    let text = output(arp);
    eprintln!("tcpdump: {text}");
    assert!(
        text.contains(
            "Request who-has 192.0.2.100 (ff:ff:ff:ff:ff:ff) tell 192.0.2.100, length 28"
        ),
        "{text}"
    );

    let v6 = tcpdump(&p.b, "ip6 proto 112");
    let a_ll = in_ns(&p.a, || async {
        let src = link_local().await;
        let s = VrrpSocketV6::open("eth0", src, Mode::Multicast).unwrap();
        let payload = v3_advert(IpAddr::V6(VIP6))
            .encode(IpAddr::V6(src), IpAddr::V6(GROUP_V6))
            .unwrap();
        repeat(3, || s.send_multicast(&payload)).await.unwrap();
        src
    })
    .join()
    .unwrap();
    let text = output(v6);
    eprintln!("tcpdump: {text}");
    assert!(text.contains("IP6 (class 0xc0,"), "{text}");
    assert!(text.contains("hlim 255, next-header VRRP (112)"), "{text}");
    assert!(
        text.contains(&format!(
            "{a_ll} > ff02::12: VRRPv3, Advertisement, vrid 52, prio 120, intvl 100cs, length 24, addrs: 2001:db8::100"
        )),
        "{text}"
    );
}
