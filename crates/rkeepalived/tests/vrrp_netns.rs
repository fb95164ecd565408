//! VRRP on real interfaces: network namespaces joined by a bridge (the
//! "switch"), two nodes and a client, TEST-NET-2 addresses. The nodes run
//! rkeepalived, or the real keepalived on one side to show that the two
//! share a virtual router. Measured failover times are printed.
//!
//! Needs root and iproute2; each test makes its own namespaces (names
//! carry the test's PID) and removes them, and kills only what it started.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::{ip, ip_out, skip, until, Node};

const OURS: &str = env!("CARGO_BIN_EXE_rkeepalived");
const REAL: &str = "/usr/sbin/keepalived";
const VIP: &str = "198.51.100.3";

/// The lab: `<tag>-sw` holds br0; `<tag>-n1`, `<tag>-n2`, `<tag>-c`.
struct Lab {
    tag: String,
    dir: PathBuf,
}

impl Lab {
    fn new(name: &str) -> Option<Lab> {
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tag = format!("rk{name}{}{seq}", std::process::id() % 10_000);
        let dir = std::env::temp_dir().join(&tag);
        let _ = std::fs::create_dir_all(&dir);
        let lab = Lab { tag, dir };
        let sw = lab.ns("sw");
        if !ip(&["netns", "add", &sw]) {
            return None;
        }
        ip(&["-n", &sw, "link", "set", "lo", "up"]);
        ip(&["-n", &sw, "link", "add", "br0", "type", "bridge"]);
        ip(&[
            "-n",
            &sw,
            "link",
            "set",
            "br0",
            "type",
            "bridge",
            "mcast_snooping",
            "0",
            "stp_state",
            "0",
        ]);
        ip(&["-n", &sw, "link", "set", "br0", "up"]);
        for (n, addr, port) in [
            ("n1", "198.51.100.11/24", "p1"),
            ("n2", "198.51.100.12/24", "p2"),
            ("c", "198.51.100.20/24", "p3"),
        ] {
            let ns = lab.ns(n);
            ip(&["netns", "add", &ns]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            let tmp = format!("{}{n}", lab.tag);
            ip(&[
                "link", "add", &tmp, "netns", &ns, "type", "veth", "peer", "name", port, "netns",
                &sw,
            ]);
            ip(&["-n", &ns, "link", "set", &tmp, "name", "eth0"]);
            ip(&["-n", &ns, "addr", "add", addr, "dev", "eth0"]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
            ip(&["-n", &sw, "link", "set", port, "master", "br0", "up"]);
        }
        Some(lab)
    }

    fn ns(&self, n: &str) -> String {
        format!("{}-{n}", self.tag)
    }

    fn has_vip(&self, n: &str) -> bool {
        ip_out(&["-n", &self.ns(n), "-o", "addr", "show", "dev", "eth0"])
            .contains(&format!("inet {VIP}/"))
    }

    fn mac(&self, n: &str) -> String {
        let out = ip_out(&["-n", &self.ns(n), "-o", "link", "show", "dev", "eth0"]);
        out.split("link/ether ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_default()
            .to_string()
    }

    /// The client's neighbour entry for the VIP (the MAC it would use).
    fn client_neigh(&self) -> String {
        ip_out(&["-n", &self.ns("c"), "neigh", "show", VIP])
    }

    fn conf(&self, n: &str, prio: u8, version: u8, extra: &str) -> PathBuf {
        let auth = if version == 2 {
            "    authentication {\n        auth_type PASS\n        auth_pass secret\n    }\n"
        } else {
            ""
        };
        let text = format!(
            "global_defs {{\n    router_id {n}\n}}\n{extra_global}\
             vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority {prio}\n    advert_int 1\n    version {version}\n\
             {auth}    virtual_ipaddress {{\n        {VIP}/24\n    }}\n{extra}}}\n",
            extra_global = if extra.contains("chk_haproxy") {
                format!(
                    "vrrp_script chk_haproxy {{\n    script \"/usr/bin/test -e {}\"\n    interval 1\n    fall 1\n    rise 1\n}}\n",
                    self.dir.join(format!("{n}.up")).display()
                )
            } else {
                String::new()
            },
        );
        let p = self.dir.join(format!("{n}.conf"));
        std::fs::write(&p, text).unwrap();
        p
    }

    fn start(&self, n: &str, bin: &str, conf: &Path) -> Node {
        let log = std::fs::File::create(self.dir.join(format!(
            "{n}-{}.log",
            if bin == OURS { "ours" } else { "real" }
        )))
        .unwrap();
        let pid = self.dir.join(format!("{n}.pid"));
        let vpid = self.dir.join(format!("{n}.vrrp.pid"));
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(n),
                bin,
                "-P",
                "-n",
                "-l",
                "-D",
                "-f",
            ])
            .arg(conf)
            .arg("-p")
            .arg(&pid)
            .arg("-r")
            .arg(&vpid)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start a node");
        Node {
            child: Some(child),
            ns: self.ns(n),
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in ["n1", "n2", "c", "sw"] {
            ip(&["netns", "del", &self.ns(n)]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Two rkeepalived nodes of equal priority: the first becomes MASTER
/// after master_down_interval, the second stays BACKUP; SIGTERM hands
/// over within the skew time; SIGKILL within master_down_interval; the
/// client's neighbour entry follows the gratuitous ARPs.
fn pair_fails_over(bin1: &str, bin2: &str, version: u8) {
    pair_fails_over_with(bin1, bin2, version, Extra::None);
}

/// What the pair's configuration adds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extra {
    None,
    /// `unicast_src_ip` + `unicast_peer` instead of multicast.
    Unicast,
    /// `auth_type AH` instead of PASS (v2 only).
    Ah,
}

fn pair_fails_over_with(bin1: &str, bin2: &str, version: u8, extra: Extra) {
    let Some(lab) = Lab::new(&format!("v{version}")) else {
        eprintln!("note: cannot create network namespaces; skipped");
        return;
    };
    let uni = |me: &str, peer: &str| match extra {
        Extra::Unicast => {
            format!("    unicast_src_ip {me}\n    unicast_peer {{\n        {peer}\n    }}\n")
        }
        _ => String::new(),
    };
    let c1 = lab.conf("n1", 101, version, &uni("198.51.100.11", "198.51.100.12"));
    let c2 = lab.conf("n2", 101, version, &uni("198.51.100.12", "198.51.100.11"));
    if extra == Extra::Ah {
        for c in [&c1, &c2] {
            let t = std::fs::read_to_string(c)
                .unwrap()
                .replace("auth_type PASS", "auth_type AH");
            std::fs::write(c, t).unwrap();
        }
    }
    let mut n1 = lab.start("n1", bin1, &c1);
    let t = until(Duration::from_secs(8), || lab.has_vip("n1")).expect("n1 becomes MASTER");
    println!("[{bin1} v{version}] first node MASTER after {t:?} (3 s + skew 0.605 s expected)");
    assert!(
        t > Duration::from_millis(2500),
        "not before master_down_interval: {t:?}"
    );

    // The client learns the VIP on n1 (as if it had talked to it), then
    // n2 joins as BACKUP.
    let m1 = lab.mac("n1");
    ip(&[
        "-n",
        &lab.ns("c"),
        "neigh",
        "replace",
        VIP,
        "lladdr",
        &m1,
        "dev",
        "eth0",
        "nud",
        "stale",
    ]);
    let mut n2 = lab.start("n2", bin2, &c2);
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        lab.has_vip("n1") && !lab.has_vip("n2"),
        "equal priority: the running master stays"
    );

    // SIGTERM on the master: priority 0, the backup takes over after its
    // skew time (< 1 s), not after master_down_interval.
    n1.stop();
    let t =
        until(Duration::from_secs(5), || lab.has_vip("n2")).expect("n2 takes over after SIGTERM");
    println!("[{bin1} -> {bin2} v{version}] takeover after SIGTERM of the master: {t:?}");
    assert!(
        t < Duration::from_millis(1500),
        "priority 0 release within skew time, got {t:?}"
    );
    assert!(!lab.has_vip("n1"), "a stopped master removes its VIP");
    let m2 = lab.mac("n2");
    let moved = until(Duration::from_secs(3), || lab.client_neigh().contains(&m2));
    assert!(
        moved.is_some(),
        "the client's neighbour entry moves to n2 ({m2}): {}",
        lab.client_neigh()
    );

    // n1 back (BACKUP), then n2 crashes: n1 takes over within
    // master_down_interval.
    let mut n1 = lab.start("n1", bin1, &c1);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        lab.has_vip("n2") && !lab.has_vip("n1"),
        "no preemption at equal priority"
    );
    n2.crash();
    let t =
        until(Duration::from_secs(8), || lab.has_vip("n1")).expect("n1 takes over after SIGKILL");
    println!(
        "[{bin2} killed, {bin1} takes over v{version}] after {t:?} (master_down_interval 3.605 s)"
    );
    assert!(
        t < Duration::from_millis(4200),
        "takeover within master_down_interval, got {t:?}"
    );
    n1.stop();
}

#[test]
fn two_rkeepalived_nodes_v2() {
    if skip() {
        return;
    }
    pair_fails_over(OURS, OURS, 2);
}

#[test]
fn two_rkeepalived_nodes_v3() {
    if skip() {
        return;
    }
    pair_fails_over(OURS, OURS, 3);
}

#[test]
fn interoperates_with_keepalived_both_ways() {
    if skip() {
        return;
    }
    if !Path::new(REAL).exists() {
        eprintln!("note: {REAL} absent; interoperation not tested");
        return;
    }
    pair_fails_over(REAL, OURS, 2);
    pair_fails_over(OURS, REAL, 3);
}

/// The guide's tracking: `chk_haproxy weight 20` on equal base
/// priorities; the master's check failing (121 -> 101) moves the VIP.
#[test]
fn failing_check_script_moves_the_vip() {
    if skip() {
        return;
    }
    let Some(lab) = Lab::new("trk") else {
        return;
    };
    let track = "    track_script {\n        chk_haproxy weight 20\n    }\n";
    let c1 = lab.conf("n1", 101, 2, track);
    let c2 = lab.conf("n2", 101, 2, track);
    std::fs::write(lab.dir.join("n1.up"), "").unwrap();
    std::fs::write(lab.dir.join("n2.up"), "").unwrap();
    let mut n1 = lab.start("n1", OURS, &c1);
    until(Duration::from_secs(8), || lab.has_vip("n1")).expect("n1 MASTER");
    let mut n2 = lab.start("n2", OURS, &c2);
    std::thread::sleep(Duration::from_secs(3));
    assert!(lab.has_vip("n1") && !lab.has_vip("n2"));
    // haproxy "dies" on n1.
    std::fs::remove_file(lab.dir.join("n1.up")).unwrap();
    let t = until(Duration::from_secs(10), || {
        lab.has_vip("n2") && !lab.has_vip("n1")
    })
    .expect("the VIP moves to n2 when n1's check fails");
    println!("[track_script] VIP moved {t:?} after the check started failing");
    let log = std::fs::read_to_string(lab.dir.join("n1-ours.log")).unwrap_or_default();
    assert!(log.contains("VRRP_Script(chk_haproxy) failed"), "{log}");
    assert!(
        log.contains("(VI_1) Changing effective priority from 121 to 101"),
        "{log}"
    );
    n2.stop();
    n1.stop();
}

/// `unicast_src_ip` + `unicast_peer`: the same election without
/// multicast; a higher priority preempts; the own interface losing its
/// carrier puts the master in FAULT and the VIP moves; `notify` scripts
/// hear every state with keepalived's arguments.
#[test]
fn unicast_preemption_link_fault_and_notify() {
    if skip() {
        return;
    }
    let Some(lab) = Lab::new("uni") else {
        return;
    };
    let notify = lab.dir.join("notify.sh");
    std::fs::write(
        &notify,
        format!(
            "#!/bin/sh\necho \"$@\" >> {}/notify.log\n",
            lab.dir.display()
        ),
    )
    .unwrap();
    let _ = Command::new("chmod").args(["755"]).arg(&notify).status();
    let uni = |me: &str, peer: &str| {
        format!(
            "    unicast_src_ip {me}\n    unicast_peer {{\n        {peer}\n    }}\n    notify \"{}\"\n",
            notify.display()
        )
    };
    let c1 = lab.conf("n1", 100, 2, &uni("198.51.100.11", "198.51.100.12"));
    let c2 = lab.conf("n2", 150, 2, &uni("198.51.100.12", "198.51.100.11"));
    let mut n1 = lab.start("n1", OURS, &c1);
    until(Duration::from_secs(8), || lab.has_vip("n1"))
        .expect("n1 alone becomes MASTER over unicast");
    // n2 has the higher priority: it preempts after its own
    // master_down_interval (3 s + (256-150)/256 s).
    let mut n2 = lab.start("n2", OURS, &c2);
    let t = until(Duration::from_secs(8), || {
        lab.has_vip("n2") && !lab.has_vip("n1")
    })
    .expect("the higher priority preempts");
    println!("[unicast] priority 150 preempted priority 100 after {t:?} (3.414 s expected)");
    // Carrier loss on n2's port: FAULT, VIP removed, n1 takes over.
    ip(&["-n", &lab.ns("sw"), "link", "set", "p2", "down"]);
    let t = until(Duration::from_secs(8), || {
        lab.has_vip("n1") && !lab.has_vip("n2")
    })
    .expect("link down puts the master in FAULT and the VIP moves");
    println!("[unicast] link down on the master: VIP on the backup after {t:?}");
    let log2 = std::fs::read_to_string(lab.dir.join("n2-ours.log")).unwrap_or_default();
    assert!(log2.contains("Netlink reports eth0 down"), "{log2}");
    assert!(log2.contains("(VI_1) Entering FAULT STATE"), "{log2}");
    ip(&["-n", &lab.ns("sw"), "link", "set", "p2", "up"]);
    let t = until(Duration::from_secs(10), || {
        lab.has_vip("n2") && !lab.has_vip("n1")
    })
    .expect("link back: BACKUP, then preempts again");
    println!("[unicast] link up again: n2 MASTER again after {t:?}");
    n2.stop();
    n1.stop();
    let notes = std::fs::read_to_string(lab.dir.join("notify.log")).unwrap_or_default();
    for want in [
        "INSTANCE VI_1 MASTER 100",
        "INSTANCE VI_1 MASTER 150",
        "INSTANCE VI_1 FAULT 150",
        "INSTANCE VI_1 BACKUP 100",
    ] {
        assert!(
            notes.contains(want),
            "notify must have been called with '{want}':\n{notes}"
        );
    }
}

/// tshark decodes our adverts without complaint: a capture on the bridge
/// while an rkeepalived node is master, for VRRPv2 with PASS and for v3.
#[test]
fn tshark_decodes_our_adverts() {
    if skip() {
        return;
    }
    let have = |b: &str| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if !have("tshark") || !have("tcpdump") {
        eprintln!("note: tshark or tcpdump absent; decoding not checked");
        return;
    }
    for version in [2u8, 3] {
        let Some(lab) = Lab::new("ts") else {
            return;
        };
        let pcap = lab.dir.join("vrrp.pcap");
        let mut cap = Command::new("ip")
            .args([
                "netns",
                "exec",
                &lab.ns("sw"),
                "tcpdump",
                "--immediate-mode",
                "-i",
                "br0",
                "-U",
                "-w",
            ])
            .arg(&pcap)
            .arg("ip proto 112")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tcpdump");
        std::thread::sleep(Duration::from_millis(500));
        let c1 = lab.conf("n1", 101, version, "");
        let mut n1 = lab.start("n1", OURS, &c1);
        until(Duration::from_secs(8), || lab.has_vip("n1")).expect("MASTER");
        std::thread::sleep(Duration::from_millis(3300));
        n1.stop();
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("kill")
            .args(["-INT", &cap.id().to_string()])
            .status();
        let _ = cap.wait();
        let out = Command::new("tshark")
            .arg("-r")
            .arg(&pcap)
            .arg("-V")
            .output()
            .expect("tshark");
        let text = String::from_utf8_lossy(&out.stdout);
        let adverts = text.matches("Virtual Router Redundancy Protocol").count();
        let good = text.matches("[Checksum Status: Good]").count();
        assert!(
            adverts >= 3,
            "v{version}: at least 3 adverts captured, got {adverts}:\n{text}"
        );
        // The IPv4 header checksum and the VRRP one, for each advert.
        assert!(
            good >= adverts,
            "v{version}: every checksum good ({good} of {adverts}):\n{text}"
        );
        assert!(
            !text.contains("Malformed") && !text.contains("[Checksum Status: Bad]"),
            "v{version}:\n{text}"
        );
        assert!(text.contains(&format!("VRRP protocol version: {version}")));
        let prios: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("Priority:"))
            .collect();
        assert!(
            text.contains("Priority: 0 "),
            "v{version}: the priority-0 advert at SIGTERM is captured: {prios:?}"
        );
        if version == 2 {
            assert!(text.contains("Authentication String: secret"));
        }
    }
}

/// `track_file`: the integer in the file times the weight moves the
/// priority; writing a lower value on the master hands the VIP over.
#[test]
fn track_file_value_moves_the_vip() {
    if skip() {
        return;
    }
    let Some(lab) = Lab::new("tf") else {
        return;
    };
    let conf = |n: &str| {
        let file = lab.dir.join(format!("{n}.prio"));
        std::fs::write(&file, "0\n").unwrap();
        let text = format!(
            "track_file tf {{\n    file \"{}\"\n    weight 10\n}}\n\
             vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    advert_int 1\n\
             virtual_ipaddress {{\n        {VIP}/24\n    }}\n    track_file {{\n        tf\n    }}\n}}\n",
            file.display()
        );
        let p = lab.dir.join(format!("{n}.conf"));
        std::fs::write(&p, text).unwrap();
        (p, file)
    };
    let (c1, f1) = conf("n1");
    let (c2, _f2) = conf("n2");
    let mut n1 = lab.start("n1", OURS, &c1);
    until(Duration::from_secs(8), || lab.has_vip("n1")).expect("n1 MASTER");
    let mut n2 = lab.start("n2", OURS, &c2);
    std::thread::sleep(Duration::from_secs(3));
    assert!(lab.has_vip("n1") && !lab.has_vip("n2"));
    // 100 + (-2 × 10) = 80 on n1: n2 (100) takes over.
    std::fs::write(&f1, "-2\n").unwrap();
    let t = until(Duration::from_secs(10), || {
        lab.has_vip("n2") && !lab.has_vip("n1")
    })
    .expect("a lower track_file value hands the VIP over");
    println!("[track_file] VIP moved {t:?} after the file changed");
    let log = std::fs::read_to_string(lab.dir.join("n1-ours.log")).unwrap_or_default();
    assert!(
        log.contains("(VI_1) Changing effective priority from 100 to 80"),
        "{log}"
    );
    n2.stop();
    n1.stop();
}

#[test]
fn unicast_interoperates_with_keepalived() {
    if skip() || !Path::new(REAL).exists() {
        return;
    }
    pair_fails_over_with(REAL, OURS, 2, Extra::Unicast);
    pair_fails_over_with(OURS, REAL, 3, Extra::Unicast);
}

#[test]
fn ah_authentication_interoperates_with_keepalived() {
    if skip() || !Path::new(REAL).exists() {
        return;
    }
    pair_fails_over_with(REAL, OURS, 2, Extra::Ah);
    pair_fails_over_with(OURS, REAL, 2, Extra::Ah);
}

/// `vrrp_track_process`: the master's tracked process dies, its priority
/// drops by the weight and the VIP moves.
#[test]
fn track_process_loss_moves_the_vip() {
    if skip() {
        return;
    }
    let Some(lab) = Lab::new("tp") else {
        return;
    };
    // A process only n1's tracker looks for: `sleep` with a unique argument.
    let arg = format!(
        "{}.{}",
        3000 + std::process::id() % 1000,
        std::process::id()
    );
    let conf = |n: &str, a: &str| {
        let text = format!(
            "vrrp_track_process chk_proc {{\n    process sleep {a}\n    weight 20\n}}\n\
             vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    advert_int 1\n\
             virtual_ipaddress {{\n        {VIP}/24\n    }}\n    track_process {{\n        chk_proc\n    }}\n}}\n"
        );
        let p = lab.dir.join(format!("{n}.conf"));
        std::fs::write(&p, text).unwrap();
        p
    };
    let mut proc1 = Command::new("sleep").arg(&arg).spawn().expect("sleep");
    let other = format!("{arg}9");
    let mut proc2 = Command::new("sleep").arg(&other).spawn().expect("sleep");
    let c1 = conf("n1", &arg);
    let c2 = conf("n2", &other);
    let mut n1 = lab.start("n1", OURS, &c1);
    until(Duration::from_secs(8), || lab.has_vip("n1")).expect("n1 MASTER");
    let mut n2 = lab.start("n2", OURS, &c2);
    std::thread::sleep(Duration::from_secs(3));
    assert!(lab.has_vip("n1") && !lab.has_vip("n2"));
    let _ = proc1.kill();
    let _ = proc1.wait();
    let t = until(Duration::from_secs(10), || {
        lab.has_vip("n2") && !lab.has_vip("n1")
    })
    .expect("losing the tracked process hands the VIP over");
    println!("[track_process] VIP moved {t:?} after the process died");
    let log = std::fs::read_to_string(lab.dir.join("n1-ours.log")).unwrap_or_default();
    assert!(
        log.contains("(VI_1) Changing effective priority from 120 to 100"),
        "{log}"
    );
    n2.stop();
    n1.stop();
    let _ = proc2.kill();
    let _ = proc2.wait();
}

/// `virtual_routes` and `virtual_rules` follow the VIP: installed on the
/// master, removed when it stops, installed on the new master.
#[test]
fn virtual_routes_and_rules_follow_the_master() {
    if skip() {
        return;
    }
    let Some(lab) = Lab::new("vr") else {
        return;
    };
    let extra = "    virtual_routes {\n        192.0.2.0/24 via 198.51.100.1 dev eth0\n        blackhole 203.0.113.0/24\n    }\n\
                 virtual_rules {\n        from 198.51.100.3 table 100\n    }\n";
    let c1 = lab.conf("n1", 101, 2, extra);
    let c2 = lab.conf("n2", 101, 2, extra);
    let routes = |n: &str| ip_out(&["-n", &lab.ns(n), "route", "show"]);
    let rules = |n: &str| ip_out(&["-n", &lab.ns(n), "rule", "show"]);
    let mut n1 = lab.start("n1", OURS, &c1);
    until(Duration::from_secs(8), || lab.has_vip("n1")).expect("n1 MASTER");
    until(Duration::from_secs(2), || {
        routes("n1").contains("192.0.2.0/24 via 198.51.100.1")
    })
    .unwrap_or_else(|| panic!("route installed on the master:\n{}", routes("n1")));
    assert!(
        routes("n1").contains("blackhole 203.0.113.0/24"),
        "{}",
        routes("n1")
    );
    assert!(
        rules("n1").contains("from 198.51.100.3 lookup 100"),
        "{}",
        rules("n1")
    );
    let mut n2 = lab.start("n2", OURS, &c2);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !routes("n2").contains("192.0.2.0/24"),
        "a backup has no virtual route"
    );
    n1.stop();
    until(Duration::from_secs(5), || lab.has_vip("n2")).expect("n2 takes over");
    until(Duration::from_secs(2), || {
        routes("n2").contains("192.0.2.0/24 via 198.51.100.1")
    })
    .unwrap_or_else(|| panic!("route on the new master:\n{}", routes("n2")));
    assert!(
        !routes("n1").contains("192.0.2.0/24"),
        "removed on stop:\n{}",
        routes("n1")
    );
    assert!(
        !rules("n1").contains("lookup 100"),
        "rule removed on stop:\n{}",
        rules("n1")
    );
    n2.stop();
}
