//! Runtime tests of `rkeepalived::track`: real shell scripts in a temporary
//! directory, a real FIFO, and postfix's `smtp-sink` for the SMTP alert.
//! Pieces that need root or absent tools are skipped with a note.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keepalived_config::model::{GlobalDefs, Notify, VrrpInstance, VrrpScript};
use rkeepalived::track::notify::{Notifier, NotifyFifo};
use rkeepalived::track::script::{run_once, spawn_script, ScriptEvent, ScriptSpec};
use rkeepalived::track::smtp::{self, SmtpConfig, Who};
use rkeepalived::track::RunAs;
use rkeepalived::vrrp::fsm::State;
use rkeepalived::vrrp::priority::{ScriptOutcome, ScriptState};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("rk-track-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        // Scripts running as nobody and smtp-sink write here.
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o777)).unwrap();
        TempDir(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn script(&self, name: &str, body: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn spec(name: &str, argv: Vec<String>) -> ScriptSpec {
    let mut s = VrrpScript::new(name, None);
    s.argv = argv;
    ScriptSpec::from_model(&s, None).unwrap()
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<ScriptEvent>) -> ScriptEvent {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("script event within 10 s")
        .expect("channel open")
}

async fn wait_for_file(p: &Path, secs: u64) -> Option<String> {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if let Ok(s) = std::fs::read_to_string(p) {
            if !s.is_empty() {
                return Some(s);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn rise_fall_transitions_and_logs() {
    let d = TempDir::new("risefall");
    let flag = d.path("flag");
    std::fs::write(&flag, "").unwrap();
    let chk = d.script("chk.sh", &format!("[ -e '{}' ]", flag.display()));
    let mut s = spec("chk", vec![chk]);
    s.rise = 2;
    s.fall = 2;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = spawn_script(s, tx);

    // First result decides at once.
    let e = next(&mut rx).await;
    assert_eq!(e.result.outcome, ScriptOutcome::Exited(0));
    assert_eq!(e.changed, Some(ScriptState::Good));
    assert_eq!(e.logs, ["VRRP_Script(chk) succeeded"]);

    std::fs::remove_file(&flag).unwrap();
    let e = next(&mut rx).await;
    assert_eq!(e.result.outcome, ScriptOutcome::Exited(1));
    assert_eq!(e.logs, ["Script `chk` now returning 1"]);
    assert_eq!((e.changed, e.state), (None, ScriptState::Good));
    let e = next(&mut rx).await;
    assert_eq!(e.logs, ["VRRP_Script(chk) failed (exited with status 1)"]);
    assert_eq!(e.changed, Some(ScriptState::Bad));

    std::fs::write(&flag, "").unwrap();
    let e = next(&mut rx).await;
    assert_eq!(e.logs, ["Script `chk` now returning 0"]);
    assert_eq!(e.changed, None);
    let e = next(&mut rx).await;
    assert_eq!(e.logs, ["VRRP_Script(chk) succeeded"]);
    assert_eq!(e.changed, Some(ScriptState::Good));
    h.abort();
}

#[tokio::test]
async fn signal_is_reported() {
    let s = spec(
        "sig",
        vec!["/bin/sh".into(), "-c".into(), "kill -9 $$".into()],
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = spawn_script(s, tx);
    let e = next(&mut rx).await;
    assert_eq!(e.result.outcome, ScriptOutcome::Signaled(9));
    assert_eq!(e.logs, ["VRRP_Script(sig) failed (due to signal 9)"]);
    h.abort();
}

#[tokio::test]
async fn sleeping_script_killed_at_timeout() {
    let d = TempDir::new("timeout");
    let pidf = d.path("pid");
    // Ignores SIGTERM (and so does its sleep), so only SIGKILL ends it.
    let slow = d.script(
        "slow.sh",
        &format!("trap '' TERM\necho $$ > '{}'\nsleep 30", pidf.display()),
    );
    let mut s = spec("slow", vec![slow]);
    s.timeout = Duration::from_millis(500);
    s.kill_grace = Duration::from_millis(300);
    let t0 = Instant::now();
    let (r, err) = run_once(&s).await;
    let took = t0.elapsed();
    assert!(err.is_none());
    assert_eq!(r.outcome, ScriptOutcome::TimedOut);
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let pid: i32 = std::fs::read_to_string(&pidf)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Reaped: no /proc entry (not even a zombie) for the shell.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "script process {pid} still present"
    );

    // Through the runner: the log line.
    let mut s2 = s.clone();
    s2.argv = vec!["/bin/sleep".into(), "30".into()];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = spawn_script(s2, tx);
    let e = next(&mut rx).await;
    assert_eq!(e.result.outcome, ScriptOutcome::TimedOut);
    assert_eq!(e.logs, ["VRRP_Script(slow) timed_out"]);
    assert_eq!(e.changed, Some(ScriptState::Bad));
    h.abort();
}

#[tokio::test]
async fn user_nobody() {
    if !is_root() {
        eprintln!("note: user_nobody skipped (needs root)");
        return;
    }
    let Ok(Some(nobody)) = nix::unistd::User::from_name("nobody") else {
        eprintln!("note: user_nobody skipped (no user nobody)");
        return;
    };
    let d = TempDir::new("nobody");
    let out = d.path("ids");
    let mut s = VrrpScript::new("who", None);
    s.argv = vec![
        "/bin/sh".into(),
        "-c".into(),
        format!("echo $(id -u) $(id -g) > '{}'", out.display()),
    ];
    s.user = Some(("nobody".into(), None));
    let spec = ScriptSpec::from_model(&s, None).unwrap();
    assert_eq!(spec.run_as.uid, Some(nobody.uid.as_raw()));
    let (r, _) = run_once(&spec).await;
    assert_eq!(r.outcome, ScriptOutcome::Exited(0));
    let ids = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        ids.trim(),
        format!("{} {}", nobody.uid.as_raw(), nobody.gid.as_raw())
    );
    // The default script user applies when the script has none.
    s.user = None;
    let du = ("nobody".to_string(), None);
    let spec = ScriptSpec::from_model(&s, Some(&du)).unwrap();
    assert_eq!(spec.run_as.uid, Some(nobody.uid.as_raw()));
    assert!(RunAs::resolve("no-such-user-rk", None).is_err());
}

#[tokio::test]
async fn notify_scripts_get_keepalived_arguments() {
    let d = TempDir::new("notify");
    let sh = d.script(
        "notify.sh",
        "out=$1; shift; printf '%s\\n' \"$@\" > \"$out.tmp\"; mv \"$out.tmp\" \"$out\"",
    );
    let out = |n: &str| d.path(n).to_string_lossy().into_owned();
    let mut i = VrrpInstance::new("VI_1", None);
    i.notify_master = Some(Notify {
        argv: vec![sh.clone(), out("master"), "two words".into()],
        user: None,
    });
    i.notify_backup = Some(Notify {
        argv: vec![sh.clone(), out("backup")],
        user: None,
    });
    i.notify = Some(Notify {
        argv: vec![sh.clone(), out("generic")],
        user: None,
    });
    i.other.push(keepalived_config::model::Directive {
        words: vec![
            "notify_master_rx_lower_pri".into(),
            format!("{sh} {} lower", out("rxlower")),
        ],
        location: None,
    });
    let (n, errs) = Notifier::from_instance(&i, None, Vec::new());
    assert!(errs.is_empty());

    let hs = n.notify(State::Master, 100);
    assert_eq!(hs.len(), 2);
    for h in hs {
        let r = h.await.unwrap();
        assert!(r.status.unwrap().success(), "{r:?}");
    }
    assert_eq!(
        std::fs::read_to_string(d.path("master")).unwrap(),
        "two words\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.path("generic")).unwrap(),
        "INSTANCE\nVI_1\nMASTER\n100\n"
    );

    // Dropped handles: the children still run and are reaped.
    drop(n.notify(State::Backup, 90));
    // printf with no arguments prints one empty line.
    assert_eq!(
        wait_for_file(&d.path("backup"), 5).await.as_deref(),
        Some("\n")
    );
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let g = std::fs::read_to_string(d.path("generic")).unwrap_or_default();
        if g.contains("BACKUP") {
            assert_eq!(g, "INSTANCE\nVI_1\nBACKUP\n90\n");
            break;
        }
        assert!(Instant::now() < end, "generic notify for BACKUP not run");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // FAULT: no notify_fault, only the generic one.
    let hs = n.notify(State::Fault, 90);
    assert_eq!(hs.len(), 1);
    hs.into_iter().next().unwrap().await.unwrap();
    assert_eq!(
        std::fs::read_to_string(d.path("generic")).unwrap(),
        "INSTANCE\nVI_1\nFAULT\n90\n"
    );
    assert!(n.notify(State::Init, 90).is_empty());

    let h = n.notify_master_rx_lower_pri().unwrap();
    assert!(h.await.unwrap().status.unwrap().success());
    assert_eq!(
        std::fs::read_to_string(d.path("rxlower")).unwrap(),
        "lower\n"
    );

    // A missing command is reported, not fatal.
    let mut i2 = VrrpInstance::new("VI_2", None);
    i2.notify_stop = Some(Notify {
        argv: vec![d.path("absent").to_string_lossy().into_owned()],
        user: None,
    });
    let (n2, _) = Notifier::from_instance(&i2, None, Vec::new());
    let r = n2.notify(State::Stop, 0).pop().unwrap().await.unwrap();
    assert!(r.status.is_none() && r.error.is_some());
}

#[tokio::test]
async fn notify_fifo_lines() {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let d = TempDir::new("fifo");
    let path = d.path("notify.fifo");
    let fifo = Arc::new(NotifyFifo::open(&path.to_string_lossy()).unwrap());
    assert!(std::fs::symlink_metadata(&path).is_ok(), "FIFO created");
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(&path)
        .unwrap();
    let i = VrrpInstance::new("VI_1", None);
    let (n, _) = Notifier::from_instance(&i, None, vec![fifo.clone()]);
    assert!(n.notify(State::Backup, 100).is_empty());
    n.notify(State::Master, 121);
    n.notify(State::Init, 121);
    let mut s = String::new();
    let _ = reader.read_to_string(&mut s);
    assert_eq!(
        s,
        "INSTANCE \"VI_1\" BACKUP 100\nINSTANCE \"VI_1\" MASTER 121\n"
    );
    drop(n);
    drop(fifo);
    assert!(!path.exists(), "a FIFO we created is removed");

    // An existing FIFO is used and kept.
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    drop(NotifyFifo::open(&path.to_string_lossy()).unwrap());
    assert!(path.exists());
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "").unwrap();
    assert!(NotifyFifo::open(&path.to_string_lossy()).is_err());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[allow(clippy::field_reassign_with_default)]
fn smtp_cfg(port: u16, timeout: Duration) -> SmtpConfig {
    let mut g = GlobalDefs::default();
    g.smtp_server = Some(("127.0.0.1".into(), port));
    g.notification_email = vec!["support@example.com".into(), "ops@example.com".into()];
    g.notification_email_from = Some("keepalive@dc1server.home.local".into());
    g.smtp_helo_name = Some("dc1server.home.local".into());
    let mut c = SmtpConfig::from_global(&g, "host", "vm", "root").unwrap();
    c.timeout = timeout;
    c
}

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn smtp_alert_to_smtp_sink() {
    let sink = "/usr/sbin/smtp-sink";
    if !Path::new(sink).exists() {
        eprintln!("note: smtp_alert_to_smtp_sink skipped ({sink} absent; apt install postfix)");
        return;
    }
    let d = TempDir::new("smtp");
    let port = free_port();
    let mut cmd = std::process::Command::new(sink);
    if is_root() {
        cmd.args(["-u", "nobody"]);
    }
    cmd.arg("-d")
        .arg(format!("{}/%M.", d.0.display()))
        .arg(format!("127.0.0.1:{port}"))
        .arg("10")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let _sink = Kill(cmd.spawn().unwrap());
    // Wait until it listens.
    let end = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "smtp-sink did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The probe connection above may leave an empty dump; ignore those.
    let cfg = smtp_cfg(port, Duration::from_secs(5));
    let alert = smtp::alert_for(&cfg, Who::Instance, "dc1server", State::Master).unwrap();
    let rep = smtp::send_dated(&cfg, &alert, "Tue, 24 Nov 2026 01:30:42 +0000").await;
    assert!(rep.sent, "{rep:?}");
    let texts: Vec<&str> = rep.logs.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            format!("Remote SMTP server [127.0.0.1]:{port} connected.").as_str(),
            "SMTP alert successfully sent."
        ]
    );
    assert!(rep.logs[1].detail);

    let end = Instant::now() + Duration::from_secs(5);
    let dump = loop {
        let found = std::fs::read_dir(&d.0)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .find(|s| s.contains("Subject:"));
        if let Some(s) = found {
            break s;
        }
        assert!(Instant::now() < end, "no message dumped by smtp-sink");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for want in [
        "X-Helo-Args: dc1server.home.local",
        "X-Mail-Args: <keepalive@dc1server.home.local>",
        "X-Rcpt-Args: <support@example.com>",
        "X-Rcpt-Args: <ops@example.com>",
        "Date: Tue, 24 Nov 2026 01:30:42 +0000",
        "From: keepalive@dc1server.home.local",
        "Subject: [vm] VRRP Instance dc1server - Entering MASTER state",
        "X-Mailer: Keepalived",
        "To: support@example.com, ops@example.com",
        "=> VRRP Instance is now owning VRRP VIPs <=",
    ] {
        assert!(dump.contains(want), "missing {want:?} in dump:\n{dump}");
    }
}

#[tokio::test]
async fn smtp_silent_server_and_refused() {
    // A server that accepts and never speaks: two read timeouts (greeting,
    // then QUIT), as in the lab.
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(s);
    });
    let cfg = smtp_cfg(port, Duration::from_millis(400));
    let alert = smtp::alert_for(&cfg, Who::Instance, "VI_1", State::Backup).unwrap();
    let t0 = Instant::now();
    let rep = smtp::send(&cfg, &alert).await;
    assert!(!rep.sent);
    assert!(t0.elapsed() < Duration::from_secs(3));
    let texts: Vec<String> = rep.logs.iter().map(|l| l.text.clone()).collect();
    let to = format!("Timeout reading data to remote SMTP server [127.0.0.1]:{port}.");
    assert_eq!(
        texts,
        [
            format!("Remote SMTP server [127.0.0.1]:{port} connected."),
            to.clone(),
            to
        ]
    );
    hold.abort();

    // Nothing listening: the connect fails as a write error.
    let cfg = smtp_cfg(free_port(), Duration::from_secs(2));
    let rep = smtp::send(&cfg, &alert).await;
    assert!(!rep.sent);
    assert_eq!(rep.logs.len(), 1);
    assert!(
        rep.logs[0].text.starts_with("smtp fd ")
            && rep.logs[0].text.ends_with(" returned write error"),
        "{:?}",
        rep.logs
    );
}
