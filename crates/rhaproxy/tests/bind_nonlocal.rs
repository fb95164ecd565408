//! The guide binds the floating VIP on both nodes and sets
//! `net.ipv4.ip_nonlocal_bind=1` so the backup node can start without the
//! address. In a network namespace made for the test (so the sysctl is
//! ours to change), the real haproxy and rhaproxy must agree: with the
//! sysctl at 0 both refuse to start with the same ALERT and exit 1 (we
//! add a hint naming the sysctl); at 1 both start and listen.
//!
//! Needs root and `ip`; otherwise the test says what it skipped.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ORACLE: &str = "/usr/sbin/haproxy";
const OURS: &str = env!("CARGO_BIN_EXE_rhaproxy");

struct Netns(String);

impl Netns {
    fn new() -> Option<Netns> {
        let name = format!("rhp-bind-{}", std::process::id());
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
        let ns = Netns(name);
        ns.exec(&["ip", "link", "set", "lo", "up"]);
        Some(ns)
    }

    fn exec(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.0])
            .args(args)
            .output()
            .expect("ip netns exec")
    }

    fn spawn(&self, args: &[&str]) -> Child {
        Command::new("ip")
            .args(["netns", "exec", &self.0])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn in netns")
    }

    fn nonlocal(&self, on: bool) {
        let v = format!("net.ipv4.ip_nonlocal_bind={}", u8::from(on));
        let o = self.exec(&["sysctl", "-q", "-w", &v]);
        assert!(o.status.success(), "sysctl in netns: {o:?}");
    }

    fn listening(&self, needle: &str) -> bool {
        let o = self.exec(&["ss", "-Hltn"]);
        String::from_utf8_lossy(&o.stdout).contains(needle)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Run to completion, killed after `limit`.
fn run_bounded(ns: &Netns, bin: &str, cfg: &Path, limit: Duration) -> (Option<i32>, String) {
    let mut g = Guard(ns.spawn(&[bin, "-db", "-f", cfg.to_str().unwrap()]));
    let t0 = Instant::now();
    loop {
        if let Ok(Some(st)) = g.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = g.0.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            return (st.code(), err);
        }
        if t0.elapsed() > limit {
            return (None, String::new());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The ALERT lines without the pid, the program's own path as `PROG`.
fn alerts(stderr: &str, bin: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("[ALERT]"))
        .map(|l| {
            l.split_once(") : ")
                .map_or(l, |(_, m)| m)
                .replace(bin, "PROG")
        })
        .collect()
}

fn root_and_ip() -> bool {
    let root = nix_uid_is_root();
    let ip = Path::new("/usr/sbin/ip").exists()
        || Path::new("/sbin/ip").exists()
        || Path::new("/usr/bin/ip").exists();
    root && ip
}

fn nix_uid_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

const CFG: &str = "\
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend smtpdc1
    bind 192.0.2.77:2525
    use_backend emailservice
backend emailservice
    server dc1server01 127.0.0.1:9
";

#[test]
fn vip_bind_follows_ip_nonlocal_bind() {
    if !root_and_ip() {
        eprintln!("note: needs root and iproute2 (ip netns); skipped");
        return;
    }
    let Some(ns) = Netns::new() else {
        eprintln!("note: cannot create a network namespace here; skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("rhp-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("vip.cfg");
    std::fs::write(&cfg, CFG).unwrap();
    let oracle = Path::new(ORACLE).exists();

    ns.nonlocal(false);
    let (code, err) = run_bounded(&ns, OURS, &cfg, Duration::from_secs(10));
    assert_eq!(
        code,
        Some(1),
        "rhaproxy must refuse to start; stderr:\n{err}"
    );
    let ours = alerts(&err, OURS);
    let want_bind = format!(
        "Binding [{}:7] for frontend smtpdc1: cannot bind socket (Cannot assign requested address) for [192.0.2.77:2525]",
        cfg.display()
    );
    assert_eq!(
        ours,
        vec![
            want_bind,
            "[PROG.main()] Some protocols failed to start their listeners! Exiting.".to_string()
        ],
        "stderr:\n{err}"
    );
    assert!(
        err.contains("net.ipv4.ip_nonlocal_bind"),
        "the hint names the sysctl:\n{err}"
    );
    if oracle {
        let (rc, rerr) = run_bounded(&ns, ORACLE, &cfg, Duration::from_secs(10));
        assert_eq!(rc, Some(1), "haproxy: {rerr}");
        assert_eq!(alerts(&rerr, ORACLE), ours, "same ALERT lines as haproxy");
    } else {
        eprintln!("note: {ORACLE} absent; compared with the recorded text only");
    }

    ns.nonlocal(true);
    for bin in [OURS, ORACLE] {
        if bin == ORACLE && !oracle {
            continue;
        }
        let g = Guard(ns.spawn(&[bin, "-db", "-f", cfg.to_str().unwrap()]));
        let t0 = Instant::now();
        let mut up = false;
        while t0.elapsed() < Duration::from_secs(10) {
            if ns.listening("192.0.2.77:2525") {
                up = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(g);
        assert!(up, "{bin} must listen on the VIP when ip_nonlocal_bind=1");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
