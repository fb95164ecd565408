//! Helpers shared by the namespace tests: `ip` calls, the nodes they
//! start (killed by PID, or every process of their namespace on a crash),
//! bounded polling.
#![allow(dead_code)]

pub mod ns;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

pub fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn ip_out(args: &[&str]) -> String {
    Command::new("ip")
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

pub struct Node {
    pub child: Option<Child>,
    pub ns: String,
}

impl Node {
    pub fn signal(&mut self, sig: &str) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill")
                .args(["-s", sig, &c.id().to_string()])
                .status();
        }
    }

    /// SIGTERM and wait (bounded).
    pub fn stop(&mut self) {
        self.signal("TERM");
        if let Some(mut c) = self.child.take() {
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Crash: SIGKILL every process of the node's namespace (keepalived
    /// forks a VRRP child; all of them are ours).
    pub fn crash(&mut self) {
        for pid in ip_out(&["netns", "pids", &self.ns]).split_whitespace() {
            let _ = Command::new("kill").args(["-9", pid]).status();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

/// Poll `cond` every 10 ms until it holds or `limit` passes; the time it took.
pub fn until(limit: Duration, mut cond: impl FnMut() -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if cond() {
            return Some(t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

pub fn skip() -> bool {
    if !root() {
        eprintln!("note: VRRP namespace tests need root; skipped");
        return true;
    }
    false
}
