//! IPv6 VRRP (VRRPv3, link-local sources, ff02::12) on real interfaces:
//! network namespaces joined by a bridge, two nodes and a client,
//! 2001:db8::/64 addresses, VIP 2001:db8::3/64 on VRID 60. The nodes run
//! rkeepalived, or the real keepalived on one side to show that the two
//! share a virtual router.
//!
//! Needs root and iproute2; each test makes its own namespaces (names
//! carry the test's PID) and removes them, and kills only what it started.
//! Duplicate address detection is off inside the namespaces so the
//! link-local addresses are usable at once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::{ip, ip_out, skip, until, Node};

const OURS: &str = env!("CARGO_BIN_EXE_rkeepalived");
const REAL: &str = "/usr/sbin/keepalived";
const VIP: &str = "2001:db8::3";
const VIP2: &str = "2001:db8::4";

fn sysctl(ns: &str, kv: &str) {
    ip(&["netns", "exec", ns, "sysctl", "-q", "-w", kv]);
}

/// The lab: `<tag>-sw` holds br0; `<tag>-n1`, `<tag>-n2`, `<tag>-c`.
struct Lab {
    tag: String,
    dir: PathBuf,
}

impl Lab {
    fn new(name: &str) -> Option<Lab> {
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tag = format!("rk6{name}{}{seq}", std::process::id() % 10_000);
        let dir = std::env::temp_dir().join(&tag);
        let _ = std::fs::create_dir_all(&dir);
        let lab = Lab { tag, dir };
        let sw = lab.ns("sw");
        if !ip(&["netns", "add", &sw]) {
            return None;
        }
        ip(&["-n", &sw, "link", "set", "lo", "up"]);
        sysctl(&sw, "net.ipv6.conf.all.disable_ipv6=1");
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
            ("n1", "2001:db8::11/64", "p1"),
            ("n2", "2001:db8::12/64", "p2"),
            ("c", "2001:db8::20/64", "p3"),
        ] {
            let ns = lab.ns(n);
            ip(&["netns", "add", &ns]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            sysctl(&ns, "net.ipv6.conf.all.accept_dad=0");
            sysctl(&ns, "net.ipv6.conf.default.accept_dad=0");
            let tmp = format!("{}{n}", lab.tag);
            ip(&[
                "link", "add", &tmp, "netns", &ns, "type", "veth", "peer", "name", port, "netns",
                &sw,
            ]);
            ip(&["-n", &ns, "link", "set", &tmp, "name", "eth0"]);
            sysctl(&ns, "net.ipv6.conf.eth0.accept_dad=0");
            ip(&["-n", &ns, "addr", "add", addr, "dev", "eth0", "nodad"]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
            ip(&["-n", &sw, "link", "set", port, "master", "br0", "up"]);
        }
        Some(lab)
    }

    fn ns(&self, n: &str) -> String {
        format!("{}-{n}", self.tag)
    }

    fn has_vip(&self, n: &str) -> bool {
        self.has(n, VIP)
    }

    fn has(&self, n: &str, addr: &str) -> bool {
        ip_out(&["-n", &self.ns(n), "-6", "-o", "addr", "show", "dev", "eth0"])
            .contains(&format!("inet6 {addr}/64"))
    }

    /// A `vrrp_sync_group G` of VI_A (VRID 60, the VIP) and VI_B (VRID
    /// 61, 2001:db8::4, tracking the local interface dum0).
    fn conf_group(&self, n: &str, prio: u8) -> PathBuf {
        // A veth pair inside the namespace (the dummy driver may be absent).
        let ns = self.ns(n);
        ip(&[
            "-n", &ns, "link", "add", "dum0", "type", "veth", "peer", "name", "dum1",
        ]);
        ip(&["-n", &ns, "link", "set", "dum1", "up"]);
        ip(&["-n", &ns, "link", "set", "dum0", "up"]);
        let inst = |name: &str, vrid: u8, vip: &str, extra: &str| {
            format!(
                "vrrp_instance {name} {{\n    state BACKUP\n    interface eth0\n    virtual_router_id {vrid}\n    priority {prio}\n    advert_int 1\n    version 3\n\
                 \x20   virtual_ipaddress {{\n        {vip}/64\n    }}\n{extra}}}\n"
            )
        };
        let text = format!(
            "global_defs {{\n    router_id {n}\n}}\nvrrp_sync_group G {{\n    group {{\n        VI_A\n        VI_B\n    }}\n}}\n{}{}",
            inst("VI_A", 60, VIP, ""),
            inst(
                "VI_B",
                61,
                VIP2,
                "    track_interface {\n        dum0\n    }\n"
            ),
        );
        let p = self.dir.join(format!("{n}.conf"));
        std::fs::write(&p, text).unwrap();
        p
    }

    fn mac(&self, n: &str) -> String {
        let out = ip_out(&["-n", &self.ns(n), "-o", "link", "show", "dev", "eth0"]);
        out.split("link/ether ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_default()
            .to_string()
    }

    /// The client's neighbour entry for the VIP.
    fn client_neigh(&self) -> String {
        ip_out(&["-n", &self.ns("c"), "-6", "neigh", "show", VIP])
    }

    fn conf(&self, n: &str, prio: u8) -> PathBuf {
        let text = format!(
            "global_defs {{\n    router_id {n}\n}}\n\
             vrrp_instance VI_6 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 60\n    priority {prio}\n    advert_int 1\n    version 3\n\
             \x20   virtual_ipaddress {{\n        {VIP}/64\n    }}\n}}\n"
        );
        let p = self.dir.join(format!("{n}.conf"));
        std::fs::write(&p, text).unwrap();
        p
    }

    fn log(&self, n: &str, bin: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!(
            "{n}-{}.log",
            if bin == OURS { "ours" } else { "real" }
        )))
        .unwrap_or_default()
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

/// n1 (priority 110) and n2 (100) start together: n1 is MASTER after
/// master_down_interval (3 s + 146/256 s), n2 stays BACKUP, the VIP is on
/// exactly one node; the client's neighbour entry follows the unsolicited
/// NAs; SIGTERM on n1 hands over to n2 within its skew time (0.61 s).
fn pair_elects_and_releases(bin1: &str, bin2: &str) {
    let Some(lab) = Lab::new("p") else {
        eprintln!("note: cannot create network namespaces; skipped");
        return;
    };
    let c1 = lab.conf("n1", 110);
    let c2 = lab.conf("n2", 100);
    let mut n1 = lab.start("n1", bin1, &c1);
    let mut n2 = lab.start("n2", bin2, &c2);
    let t = until(Duration::from_secs(8), || {
        lab.has_vip("n1") || lab.has_vip("n2")
    });
    let t = t.unwrap_or_else(|| {
        panic!(
            "a MASTER within 8 s\n--- n1:\n{}\n--- n2:\n{}",
            lab.log("n1", bin1),
            lab.log("n2", bin2)
        )
    });
    println!("[v6 {bin1} + {bin2}] MASTER after {t:?} (3.57 s expected)");
    assert!(
        t > Duration::from_millis(2500),
        "not before master_down_interval: {t:?}"
    );
    // The client holds a stale entry for the VIP on n2's MAC; the
    // master's second burst of unsolicited NAs (garp_master_delay 5 s,
    // O flag) corrects it.
    let m1 = lab.mac("n1");
    let m2 = lab.mac("n2");
    ip(&[
        "-n",
        &lab.ns("c"),
        "-6",
        "neigh",
        "replace",
        VIP,
        "lladdr",
        &m2,
        "dev",
        "eth0",
        "nud",
        "stale",
    ]);
    let fixed = until(Duration::from_secs(7), || lab.client_neigh().contains(&m1));
    assert!(
        fixed.is_some(),
        "the master's NAs move the client's entry to n1 ({m1}): {}",
        lab.client_neigh()
    );
    assert!(
        lab.has_vip("n1") && !lab.has_vip("n2"),
        "the higher priority is the only MASTER\n--- n1:\n{}\n--- n2:\n{}",
        lab.log("n1", bin1),
        lab.log("n2", bin2)
    );

    // SIGTERM on the master: priority 0, the backup takes over after its
    // skew time, not after master_down_interval.
    n1.stop();
    let t = until(Duration::from_secs(5), || lab.has_vip("n2"));
    let t = t.unwrap_or_else(|| panic!("n2 takes over after SIGTERM\n{}", lab.log("n2", bin2)));
    println!("[v6 {bin1} -> {bin2}] takeover after SIGTERM of the master: {t:?}");
    assert!(
        t < Duration::from_millis(1500),
        "priority 0 release within skew time, got {t:?}"
    );
    assert!(!lab.has_vip("n1"), "a stopped master removes its VIP");
    let moved = until(Duration::from_secs(3), || lab.client_neigh().contains(&m2));
    assert!(
        moved.is_some(),
        "the client's neighbour entry moves to n2 ({m2}): {}",
        lab.client_neigh()
    );
    n2.stop();
}

#[test]
fn two_rkeepalived_nodes_ipv6() {
    if skip() {
        return;
    }
    pair_elects_and_releases(OURS, OURS);
}

#[test]
fn interoperates_with_keepalived_ipv6_both_ways() {
    if skip() {
        return;
    }
    if !Path::new(REAL).exists() {
        eprintln!("note: {REAL} absent; interoperation not tested");
        return;
    }
    pair_elects_and_releases(REAL, OURS);
    pair_elects_and_releases(OURS, REAL);
}

/// `vrrp_sync_group` on real interfaces: n1 (110) gets both members'
/// VIPs; VI_B's tracked interface going down on n1 takes the whole group
/// to FAULT there, so n2 holds both VIPs; back up, n1 preempts with both.
#[test]
fn sync_group_moves_together_ipv6() {
    if skip() {
        return;
    }
    group_pair(OURS, OURS);
}

/// The same with the real keepalived on either side.
#[test]
fn sync_group_interoperates_with_keepalived_ipv6() {
    if skip() {
        return;
    }
    if !Path::new(REAL).exists() {
        eprintln!("note: {REAL} absent; interoperation not tested");
        return;
    }
    group_pair(REAL, OURS);
    group_pair(OURS, REAL);
}

fn group_pair(bin1: &str, bin2: &str) {
    let Some(lab) = Lab::new("g") else {
        eprintln!("note: cannot create network namespaces; skipped");
        return;
    };
    let c1 = lab.conf_group("n1", 110);
    let c2 = lab.conf_group("n2", 100);
    let mut n1 = lab.start("n1", bin1, &c1);
    let mut n2 = lab.start("n2", bin2, &c2);
    let both = |n: &str| lab.has(n, VIP) && lab.has(n, VIP2);
    let none = |n: &str| !lab.has(n, VIP) && !lab.has(n, VIP2);
    let t = until(Duration::from_secs(8), || both("n1"));
    assert!(
        t.is_some(),
        "n1 MASTER for both members\n{}",
        lab.log("n1", bin1)
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(none("n2"), "n2 BACKUP for both");

    ip(&["-n", &lab.ns("n1"), "link", "set", "dum0", "down"]);
    let t = until(Duration::from_secs(5), || both("n2") && none("n1"));
    let t = t.unwrap_or_else(|| {
        panic!(
            "the group moves to n2\n--- n1:\n{}\n--- n2:\n{}",
            lab.log("n1", bin1),
            lab.log("n2", bin2)
        )
    });
    println!("[sync group {bin1} -> {bin2}] both VIPs on n2 {t:?} after n1's dum0 went down");
    let log = lab.log("n1", bin1);
    assert!(
        log.contains("VRRP_Group(G) Syncing instances to FAULT state"),
        "{log}"
    );

    ip(&["-n", &lab.ns("n1"), "link", "set", "dum0", "up"]);
    let t = until(Duration::from_secs(8), || both("n1") && none("n2"));
    assert!(
        t.is_some(),
        "n1 preempts with the whole group\n{}",
        lab.log("n1", bin1)
    );
    n1.stop();
    n2.stop();
}
