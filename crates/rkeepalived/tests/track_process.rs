//! Runtime test of `rkeepalived::track::process` over the real `/proc`: a
//! `sleep` child with a distinctive argument is seen up, then down once we
//! kill it by PID. Bounded waits; only our own child is killed.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use rkeepalived::track::process::{count, spawn_watch, ParamMatch, ProcessEvent, ProcessSpec};

/// Kills and reaps the child if the test fails half-way.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<ProcessEvent>) -> ProcessEvent {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("event within 5 s")
        .expect("watch alive")
}

#[tokio::test]
async fn real_sleep_child_up_then_down() {
    // GNU sleep accepts a fractional number; the digits make it ours alone.
    let arg = format!("30.{:09}", std::process::id());
    let mut spec = ProcessSpec::new("sleeper", "sleep", &[arg.as_str()]);
    let proc_root = std::path::Path::new("/proc");
    assert_eq!(count(&spec, proc_root), 0);

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let watch = spawn_watch(spec.clone(), tx);
    assert_eq!(
        next(&mut rx).await,
        ProcessEvent {
            name: "sleeper".into(),
            up: false
        }
    );

    let child = Command::new("sleep")
        .arg(&arg)
        .spawn()
        .expect("spawn sleep");
    let mut guard = Guard(child);
    let pid = guard.0.id();
    assert!(next(&mut rx).await.up, "up once sleep runs");
    assert_eq!(count(&spec, proc_root), 1);
    spec.param_match = ParamMatch::Partial;
    spec.args = vec![arg[3..].to_string()];
    assert_eq!(count(&spec, proc_root), 0, "partial is per argument");
    spec.args = vec![arg.clone()];
    assert_eq!(count(&spec, proc_root), 1);

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill our child");
    let killed = Instant::now();
    // Not reaped yet: the zombie must not count.
    assert!(!next(&mut rx).await.up, "down after the kill");
    assert!(killed.elapsed() < Duration::from_secs(3));
    let _ = guard.0.wait();

    drop(rx);
    tokio::time::timeout(Duration::from_secs(3), watch)
        .await
        .expect("watch ends when the receiver is gone")
        .unwrap();
}
