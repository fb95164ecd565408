//! `vrrp_track_process NAME { process CMD [ARGS…]; param_match initial|partial;
//! weight N [reverse]; quorum N; quorum_max N; delay T; fork_delay T;
//! terminate_delay T; full_command }` (reference §2.5): the track is up
//! while the number of running processes that match lies in
//! `quorum ..= quorum_max`.
//!
//! Matching (our reading of keepalived 2.2's documented rules):
//! - the process name: by default CMD (cut to the kernel's 15-byte
//!   `comm` limit) against the name in `/proc/PID/stat`; with
//!   `full_command`, CMD against the whole of `argv[0]` from
//!   `/proc/PID/cmdline`;
//! - with ARGS, the process's own arguments (`argv[1..]`) must equal them;
//!   `param_match initial` makes ARGS a prefix of them, `param_match
//!   partial` a contiguous run anywhere in them;
//! - zombies (state `Z`/`X`) and processes whose files vanish mid-read do
//!   not count.
//!
//! **Difference from keepalived:** keepalived follows fork/exec/exit
//! through the kernel proc connector (netlink, needs CAP_NET_ADMIN) and
//! sees changes at once. We scan `/proc` once a second instead: no
//! privileges beyond reading `/proc`, no missed events after a socket
//! overrun, but a change is seen up to a second late, and a process that
//! lives shorter than a scan may never be seen. `fork_delay` and
//! `terminate_delay` (both set by `delay`) are applied to the track's
//! status rather than to each process: a change to up (down) is reported
//! only once it has held for `fork_delay` (`terminate_delay`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use keepalived_config::model::{Config, Section};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// The kernel keeps at most this many bytes of a process name.
pub const COMM_MAX: usize = 15;

/// How a process's arguments are compared with the configured ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParamMatch {
    /// All arguments equal (the default).
    #[default]
    Exact,
    /// `param_match initial`: the configured args start the process's args.
    Initial,
    /// `param_match partial`: the configured args appear, in order and
    /// next to each other, somewhere in the process's args.
    Partial,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProcessSpec {
    pub name: String,
    /// CMD of `process CMD [ARGS…]`.
    pub process: String,
    /// ARGS; empty means "match by name only".
    pub args: Vec<String>,
    pub param_match: ParamMatch,
    /// Default 1.
    pub weight: i32,
    pub reverse: bool,
    /// Default 1.
    pub quorum: usize,
    /// Default unbounded (`usize::MAX`).
    pub quorum_max: usize,
    /// Delay before reporting up after a start (`fork_delay`, or `delay`).
    pub fork_delay: Duration,
    /// Delay before reporting down after an exit (`terminate_delay`, or
    /// `delay`).
    pub terminate_delay: Duration,
    pub full_command: bool,
}

impl ProcessSpec {
    /// A spec with keepalived's defaults.
    pub fn new(name: &str, process: &str, args: &[&str]) -> ProcessSpec {
        ProcessSpec {
            name: name.to_string(),
            process: process.to_string(),
            args: args.iter().map(|s| s.to_string()).collect(),
            param_match: ParamMatch::Exact,
            weight: 1,
            reverse: false,
            quorum: 1,
            quorum_max: usize::MAX,
            fork_delay: Duration::ZERO,
            terminate_delay: Duration::ZERO,
            full_command: false,
        }
    }

    /// Up when `quorum <= count <= quorum_max`.
    pub fn status(&self, count: usize) -> bool {
        self.quorum <= count && count <= self.quorum_max
    }
}

/// The track's status, sent at start and on every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessEvent {
    pub name: String,
    pub up: bool,
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"')
}

fn secs(w: &str) -> Option<Duration> {
    let v: f64 = w.parse().ok()?;
    (0.0..1e9).contains(&v).then(|| Duration::from_secs_f64(v))
}

fn spec_of(s: &Section) -> Option<ProcessSpec> {
    let name = s.args.first()?;
    let mut p = ProcessSpec::new(name, "", &[]);
    let (mut delay, mut fork, mut term) = (None, None, None);
    for d in &s.directives {
        let w: Vec<&str> = d.words.iter().map(|w| unquote(w)).collect();
        match w.as_slice() {
            ["process", cmd, args @ ..] => {
                p.process = cmd.to_string();
                p.args = args.iter().map(|a| a.to_string()).collect();
            }
            ["param_match", "initial", ..] => p.param_match = ParamMatch::Initial,
            ["param_match", "partial", ..] => p.param_match = ParamMatch::Partial,
            ["weight", n, rest @ ..] => {
                p.weight = n.parse().unwrap_or(1);
                p.reverse = rest.first() == Some(&"reverse");
            }
            ["quorum", n, ..] => p.quorum = n.parse().unwrap_or(1),
            ["quorum_max", n, ..] => p.quorum_max = n.parse().unwrap_or(usize::MAX),
            ["delay", t, ..] => delay = secs(t),
            ["fork_delay", t, ..] => fork = secs(t),
            ["terminate_delay", t, ..] => term = secs(t),
            ["full_command", ..] => p.full_command = true,
            _ => {}
        }
    }
    p.fork_delay = fork.or(delay).unwrap_or_default();
    p.terminate_delay = term.or(delay).unwrap_or_default();
    (!p.process.is_empty()).then_some(p)
}

/// Every `vrrp_track_process` (or `track_process`) section of the config
/// that names a process.
pub fn specs(cfg: &Config) -> Vec<ProcessSpec> {
    cfg.vrrp_sections
        .iter()
        .filter(|s| s.kind == "vrrp_track_process" || s.kind == "track_process")
        .filter_map(spec_of)
        .collect()
}

/// `(comm, state)` from the text of `/proc/PID/stat`: the name is between
/// the first `(` and the last `)`, the state letter follows.
fn parse_stat(stat: &[u8]) -> Option<(&[u8], u8)> {
    let open = stat.iter().position(|&b| b == b'(')?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    if close < open {
        return None;
    }
    let state = stat.get(close + 1..)?.iter().find(|b| **b != b' ')?;
    Some((&stat[open + 1..close], *state))
}

/// Does `have` (the process's args) satisfy `want` under `mode`?
fn args_match(want: &[String], have: &[&[u8]], mode: ParamMatch) -> bool {
    let eq = |w: &[String], h: &[&[u8]]| w.iter().zip(h).all(|(a, b)| a.as_bytes() == *b);
    match mode {
        ParamMatch::Exact => want.len() == have.len() && eq(want, have),
        ParamMatch::Initial => want.len() <= have.len() && eq(want, &have[..want.len()]),
        ParamMatch::Partial => {
            want.is_empty()
                || (want.len() <= have.len() && have.windows(want.len()).any(|win| eq(want, win)))
        }
    }
}

/// Does the process in directory `dir` (a `/proc/PID`) match `spec`?
pub fn matches(spec: &ProcessSpec, dir: &Path) -> bool {
    let Ok(stat) = std::fs::read(dir.join("stat")) else {
        return false;
    };
    let Some((comm, state)) = parse_stat(&stat) else {
        return false;
    };
    if state == b'Z' || state == b'X' {
        return false;
    }
    let want = spec.process.as_bytes();
    if !spec.full_command && comm != &want[..want.len().min(COMM_MAX)] {
        return false;
    }
    if !spec.full_command && spec.args.is_empty() {
        return true;
    }
    let Ok(cmdline) = std::fs::read(dir.join("cmdline")) else {
        return false;
    };
    let body = cmdline.strip_suffix(b"\0").unwrap_or(&cmdline);
    if body.is_empty() {
        // Kernel threads and exiting processes have no command line.
        return false;
    }
    let argv: Vec<&[u8]> = body.split(|&b| b == 0).collect();
    if spec.full_command && argv[0] != want {
        return false;
    }
    spec.args.is_empty() || args_match(&spec.args, &argv[1..], spec.param_match)
}

/// How many processes under `proc_root` (normally `/proc`) match `spec`.
/// Only the numeric directories are looked at; unreadable entries are
/// skipped.
pub fn count(spec: &ProcessSpec, proc_root: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(proc_root) else {
        return 0;
    };
    rd.filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name();
            let n = n.as_encoded_bytes();
            !n.is_empty() && n.iter().all(u8::is_ascii_digit)
        })
        .filter(|e| matches(spec, &e.path()))
        .count()
}

/// Watch `/proc` once a second; see [`spawn_watch_in`].
pub fn spawn_watch(spec: ProcessSpec, tx: UnboundedSender<ProcessEvent>) -> JoinHandle<()> {
    spawn_watch_in(spec, PathBuf::from("/proc"), Duration::from_secs(1), tx)
}

/// Report the status now, then every change, scanning `proc_root` every
/// `interval`, until the receiver is gone. A change is reported once it
/// has held for `fork_delay` (to up) or `terminate_delay` (to down); a
/// flap shorter than that is not reported.
pub fn spawn_watch_in(
    spec: ProcessSpec,
    proc_root: PathBuf,
    interval: Duration,
    tx: UnboundedSender<ProcessEvent>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let send = |up: bool| {
            tx.send(ProcessEvent {
                name: spec.name.clone(),
                up,
            })
            .is_ok()
        };
        let mut reported = spec.status(count(&spec, &proc_root));
        if !send(reported) {
            return;
        }
        let mut tick = tokio::time::interval(interval.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        // When the raw status first differed from the reported one.
        let mut since: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            if tx.is_closed() {
                return;
            }
            let raw = spec.status(count(&spec, &proc_root));
            if raw == reported {
                since = None;
                continue;
            }
            let now = tokio::time::Instant::now();
            let start = *since.get_or_insert(now);
            let delay = if raw {
                spec.fork_delay
            } else {
                spec.terminate_delay
            };
            if now.duration_since(start) >= delay {
                reported = raw;
                since = None;
                if !send(raw) {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepalived_config::host::MemHost;

    struct FakeProc(PathBuf);

    impl FakeProc {
        fn new(tag: &str) -> FakeProc {
            let p = std::env::temp_dir().join(format!("rk-tp-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(p.join("self")).unwrap();
            std::fs::write(p.join("uptime"), "1.0 1.0\n").unwrap();
            FakeProc(p)
        }
        fn add(&self, pid: u32, comm: &str, state: char, argv: &[&str]) {
            let d = self.0.join(pid.to_string());
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(
                d.join("stat"),
                format!("{pid} ({comm}) {state} 1 1 1 0 -1\n"),
            )
            .unwrap();
            let mut c = Vec::new();
            for a in argv {
                c.extend_from_slice(a.as_bytes());
                c.push(0);
            }
            std::fs::write(d.join("cmdline"), c).unwrap();
        }
        fn remove(&self, pid: u32) {
            std::fs::remove_dir_all(self.0.join(pid.to_string())).unwrap();
        }
    }

    impl Drop for FakeProc {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn tree(tag: &str) -> FakeProc {
        let t = FakeProc::new(tag);
        t.add(1, "systemd", 'S', &["/sbin/init", "splash"]);
        t.add(2, "kthreadd", 'S', &[]);
        t.add(
            100,
            "nginx",
            'S',
            &["nginx: master process", "-g", "daemon off;"],
        );
        t.add(101, "nginx", 'S', &["nginx: worker process"]);
        t.add(102, "nginx", 'Z', &[]);
        t.add(
            200,
            "haproxy",
            'S',
            &["/usr/sbin/haproxy", "-f", "/etc/h.cfg", "-p", "/run/h.pid"],
        );
        t.add(
            201,
            "haproxy",
            'R',
            &["/usr/sbin/haproxy", "-f", "/etc/other.cfg"],
        );
        // A name longer than 15 bytes as the kernel keeps it.
        t.add(
            300,
            "very-long-daemo",
            'S',
            &["/opt/bin/very-long-daemon-name", "--x"],
        );
        // A name with spaces and parentheses.
        t.add(400, "a (b) c", 'S', &["a (b) c"]);
        t
    }

    #[test]
    fn by_name() {
        let t = tree("name");
        let n = |p: &str| count(&ProcessSpec::new("t", p, &[]), &t.0);
        assert_eq!(n("nginx"), 2, "the zombie does not count");
        assert_eq!(n("haproxy"), 2);
        assert_eq!(n("kthreadd"), 1, "name only: no command line needed");
        assert_eq!(n("very-long-daemon-name"), 1, "cut to 15 bytes");
        assert_eq!(n("very-long-daemo"), 1);
        assert_eq!(n("a (b) c"), 1);
        assert_eq!(n("ngin"), 0);
        assert_eq!(n("/usr/sbin/haproxy"), 0, "a path is not a name");
        assert_eq!(
            count(
                &ProcessSpec::new("t", "x", &[]),
                Path::new("/nonexistent/rk")
            ),
            0
        );
    }

    #[test]
    fn full_command() {
        let t = tree("full");
        let mut s = ProcessSpec::new("t", "/usr/sbin/haproxy", &[]);
        s.full_command = true;
        assert_eq!(count(&s, &t.0), 2);
        s.process = "/opt/bin/very-long-daemon-name".into();
        assert_eq!(count(&s, &t.0), 1);
        s.process = "haproxy".into();
        assert_eq!(count(&s, &t.0), 0);
        s.process = "kthreadd".into();
        assert_eq!(count(&s, &t.0), 0, "no command line");
    }

    #[test]
    fn args_exact_initial_partial() {
        let t = tree("args");
        let mut s = ProcessSpec::new("t", "haproxy", &["-f", "/etc/h.cfg"]);
        assert_eq!(count(&s, &t.0), 0, "exact needs all args");
        s.param_match = ParamMatch::Initial;
        assert_eq!(count(&s, &t.0), 1);
        s.args = vec!["-f".into()];
        assert_eq!(count(&s, &t.0), 2);
        s.args = vec!["-p".into(), "/run/h.pid".into()];
        assert_eq!(count(&s, &t.0), 0, "not a prefix");
        s.param_match = ParamMatch::Partial;
        assert_eq!(count(&s, &t.0), 1);
        s.args = vec!["/etc/h.cfg".into(), "/run/h.pid".into()];
        assert_eq!(count(&s, &t.0), 0, "must be contiguous");
        s.args = vec!["/etc/other.cfg".into()];
        assert_eq!(count(&s, &t.0), 1);
        let mut e = ProcessSpec::new("t", "haproxy", &["-f", "/etc/other.cfg"]);
        assert_eq!(count(&e, &t.0), 1, "exact");
        e.args.push("-x".into());
        assert_eq!(count(&e, &t.0), 0);
        let n = ProcessSpec::new("t", "nginx", &["-g", "daemon off;"]);
        assert_eq!(count(&n, &t.0), 1, "argv[0] is not an argument");
    }

    #[test]
    fn quorum_and_max() {
        let mut s = ProcessSpec::new("t", "x", &[]);
        assert!(!s.status(0) && s.status(1) && s.status(1000));
        s.quorum = 2;
        s.quorum_max = 3;
        assert!(!s.status(1) && s.status(2) && s.status(3) && !s.status(4));
        s.quorum = 0;
        s.quorum_max = 0;
        assert!(s.status(0) && !s.status(1), "up while not running");
        let t = tree("quorum");
        let mut h = ProcessSpec::new("t", "haproxy", &[]);
        h.quorum = 2;
        h.quorum_max = 2;
        assert!(h.status(count(&h, &t.0)));
        t.add(202, "haproxy", 'S', &["haproxy"]);
        assert!(!h.status(count(&h, &t.0)), "above quorum_max");
        t.remove(202);
        t.remove(201);
        assert!(!h.status(count(&h, &t.0)), "below quorum");
    }

    #[test]
    fn stat_parsing() {
        assert_eq!(parse_stat(b"1 (a) S 0"), Some((&b"a"[..], b'S')));
        assert_eq!(parse_stat(b"1 (a) b) Z 0"), Some((&b"a) b"[..], b'Z')));
        assert_eq!(parse_stat(b"1 )a( S"), None);
        assert_eq!(parse_stat(b"1 (a)"), None);
        assert_eq!(parse_stat(b""), None);
    }

    #[test]
    fn sections() {
        let text = "vrrp_track_process nginx {\n process nginx -g \"daemon off;\"\n\
                    param_match partial\n weight -20 reverse\n quorum 2\n quorum_max 4\n\
                    delay 1.5\n fork_delay 0.5\n full_command\n}\n\
                    vrrp_track_process plain {\n process haproxy\n}\n\
                    vrrp_track_process empty {\n weight 3\n}\n\
                    vrrp_instance VI {\n interface eth0\n virtual_router_id 1\n priority 100\n\
                    virtual_ipaddress {\n 192.0.2.1\n }\n track_process {\n nginx weight 2\n }\n}\n";
        let mut host = MemHost::with_interfaces(&["eth0"]);
        host.files
            .insert("/k.conf".into(), text.as_bytes().to_vec());
        let cfg =
            keepalived_config::check("/k.conf", &host, &keepalived_config::Options::default())
                .config;
        let s = specs(&cfg);
        assert_eq!(s.len(), 2, "{:?}", cfg.vrrp_sections);
        let a = &s[0];
        assert_eq!((a.name.as_str(), a.process.as_str()), ("nginx", "nginx"));
        assert_eq!(a.param_match, ParamMatch::Partial);
        assert_eq!(
            (a.weight, a.reverse, a.quorum, a.quorum_max),
            (-20, true, 2, 4)
        );
        assert_eq!(a.fork_delay, Duration::from_millis(500));
        assert_eq!(a.terminate_delay, Duration::from_millis(1500));
        assert!(a.full_command);
        assert_eq!(a.args.first().map(String::as_str), Some("-g"));
        let b = &s[1];
        assert_eq!(*b, ProcessSpec::new("plain", "haproxy", &[]));
    }

    async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<ProcessEvent>) -> ProcessEvent {
        tokio::time::timeout(Duration::from_secs(3), rx.recv())
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn watch_over_fake_tree_with_delays() {
        let t = tree("watch");
        let mut s = ProcessSpec::new("w", "sshd", &[]);
        s.terminate_delay = Duration::from_millis(150);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let h = spawn_watch_in(s, t.0.clone(), Duration::from_millis(20), tx);
        assert!(!next(&mut rx).await.up, "initial status");
        t.add(500, "sshd", 'S', &["sshd"]);
        let ev = next(&mut rx).await;
        assert_eq!(
            ev,
            ProcessEvent {
                name: "w".into(),
                up: true
            }
        );
        let gone = std::time::Instant::now();
        t.remove(500);
        assert!(!next(&mut rx).await.up);
        assert!(
            gone.elapsed() >= Duration::from_millis(150),
            "terminate_delay honoured"
        );
        // A flap shorter than the delay is not reported.
        t.add(501, "sshd", 'S', &["sshd"]);
        assert!(next(&mut rx).await.up);
        t.remove(501);
        tokio::time::sleep(Duration::from_millis(40)).await;
        t.add(502, "sshd", 'S', &["sshd"]);
        assert!(
            tokio::time::timeout(Duration::from_millis(400), rx.recv())
                .await
                .is_err(),
            "no event for a short flap"
        );
        drop(rx);
        tokio::time::timeout(Duration::from_secs(2), h)
            .await
            .unwrap()
            .unwrap();
    }
}
