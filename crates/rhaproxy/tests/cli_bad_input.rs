//! `rhaproxy -c -f` on hostile or broken inputs: the binary must finish in
//! bounded time, exit 1 and name the offending file in an `[ALERT]`.
//!
//! Every run is spawned and waited for with a deadline; on overrun the
//! child (and only it, by its own handle) is killed and the test fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_cmd(mut cmd: Command) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rhaproxy");
    // Drain the pipes on threads so a chatty child cannot block on a full
    // pipe while we poll.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rhaproxy still running after {LIMIT:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    }
}

fn check(path: &Path) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rhaproxy"));
    c.arg("-c").arg("-f").arg(path);
    run_cmd(c)
}

/// A fresh scratch directory per test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let p =
            std::env::temp_dir().join(format!("rhaproxy-cli-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn assert_alert_names(r: &Run, file: &Path) {
    let name = file.to_string_lossy();
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("[ALERT]") && l.contains(name.as_ref())),
        "no [ALERT] naming {name}\nstderr:\n{}",
        r.stderr
    );
}

/// The effective uid, from /proc (no libc binding needed).
fn euid() -> Option<u32> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

#[test]
fn missing_file() {
    let s = Scratch::new("missing");
    let p = s.0.join("does-not-exist.cfg");
    let r = check(&p);
    assert_eq!(r.code, Some(1), "stderr:\n{}", r.stderr);
    assert_alert_names(&r, &p);
}

#[test]
fn path_through_a_regular_file() {
    // Open fails with ENOTDIR, an unreadable path even for root.
    let s = Scratch::new("notdir");
    let f = s.file("plain.cfg", b"listen l\n  bind :80\n");
    let p = f.join("child.cfg");
    let r = check(&p);
    assert_eq!(r.code, Some(1), "stderr:\n{}", r.stderr);
    assert_alert_names(&r, &p);
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("unreadable");
    std::fs::set_permissions(&s.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = s.file("secret.cfg", b"listen l\n  bind :80\n");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();

    let r = if euid() == Some(0) {
        // Root reads mode-000 files. Drop to nobody for the run when
        // setpriv is there, otherwise say why the case is skipped.
        let setpriv = Path::new("/usr/bin/setpriv");
        let tmp_ok = std::env::temp_dir()
            .metadata()
            .map(|m| m.permissions().mode() & 0o001 != 0)
            .unwrap_or(false);
        if !setpriv.exists() || !tmp_ok {
            eprintln!("unreadable_file: skipped, running as root without setpriv or a world-searchable temp dir");
            return;
        }
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_rhaproxy"))
            .arg("-c")
            .arg("-f")
            .arg(&p);
        let r = run_cmd(c);
        if r.code == Some(127) || r.stderr.contains("setpriv:") {
            eprintln!(
                "unreadable_file: skipped, setpriv could not drop privileges: {}",
                r.stderr
            );
            return;
        }
        // The binary itself must be reachable by nobody (target/ usually is).
        if r.stderr.contains("Permission denied") && !r.stderr.contains("secret.cfg") {
            eprintln!("unreadable_file: skipped, nobody cannot execute the test binary");
            return;
        }
        r
    } else {
        check(&p)
    };
    assert_eq!(r.code, Some(1), "stderr:\n{}", r.stderr);
    assert_alert_names(&r, &p);
    assert!(
        r.stderr.contains("Permission denied"),
        "stderr:\n{}",
        r.stderr
    );
}

#[test]
fn missing_file_among_good_ones_still_fails() {
    let s = Scratch::new("mixed");
    let good = s.file(
        "good.cfg",
        b"listen l\n  bind :80\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\n",
    );
    let bad = s.0.join("nope.cfg");
    let mut c = Command::new(env!("CARGO_BIN_EXE_rhaproxy"));
    c.arg("-c").arg("-f").arg(&good).arg("-f").arg(&bad);
    let r = run_cmd(c);
    assert_eq!(r.code, Some(1), "stderr:\n{}", r.stderr);
    assert_alert_names(&r, &bad);
}

#[test]
fn directory_whose_only_cfg_entry_is_a_directory() {
    // `-f dir` where `dir/x.cfg` is itself a directory: it is skipped, so
    // no configuration file is loaded at all. haproxy 2.6 then prints its
    // usage and exits 1; rhaproxy must at least not crash or hang and must
    // not call the configuration valid.
    let s = Scratch::new("dir-as-file");
    std::fs::create_dir_all(s.0.join("x.cfg")).unwrap();
    let r = check(&s.0);
    assert!(
        matches!(r.code, Some(1) | Some(2)),
        "code {:?}\nstderr:\n{}",
        r.code,
        r.stderr
    );
    assert_ne!(r.code, Some(0));
}

#[test]
fn empty_directory_is_no_configuration() {
    let s = Scratch::new("empty-dir");
    let r = check(&s.0);
    assert_eq!(
        r.code,
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn binary_garbage() {
    let s = Scratch::new("garbage");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let data: Vec<u8> = (0..(512 << 10))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let p = s.file("garbage.cfg", &data);
    let r = check(&p);
    assert_eq!(
        r.code,
        Some(1),
        "stderr (head):\n{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
    assert_alert_names(&r, &p);
}

#[test]
fn one_mib_line() {
    let s = Scratch::new("long-line");
    let mut data = b"global\n  ".to_vec();
    data.extend(std::iter::repeat_n(b'z', 1 << 20));
    data.extend_from_slice(b" arg\n");
    let p = s.file("long.cfg", &data);
    let r = check(&p);
    assert_eq!(r.code, Some(1));
    assert_alert_names(&r, &p);
}

#[test]
fn ten_thousand_nested_ifs() {
    let s = Scratch::new("nested");
    let mut cfg = ".if 1\n".repeat(10_000);
    cfg.push_str("listen l\n  bind :80\n");
    cfg.push_str(&".endif\n".repeat(10_000));
    let p = s.file("nested.cfg", cfg.as_bytes());
    let r = check(&p);
    assert_eq!(r.code, Some(1));
    assert_alert_names(&r, &p);
    assert!(
        r.stderr.contains("too many nested"),
        "stderr:\n{}",
        r.stderr
    );
}

#[test]
fn empty_file_has_no_listener() {
    let s = Scratch::new("empty");
    let p = s.file("empty.cfg", b"");
    let r = check(&p);
    assert_eq!(r.code, Some(2), "stderr:\n{}", r.stderr);
}
