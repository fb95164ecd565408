//! Messages the running process writes on stderr, in HAProxy's shape
//! (`[WARNING]  (PID) : text`). Like HAProxy, nothing is written once
//! the process is a daemon or when `-q` / `quiet` is in effect.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use haproxy_config::diag::Severity;

static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(q: bool) {
    QUIET.store(q, Ordering::Relaxed);
}

pub fn say(sev: Severity, msg: &str) {
    if QUIET.load(Ordering::Relaxed) {
        return;
    }
    let line = format!("{}({}) : {msg}\n", sev.tag(), std::process::id());
    let _ = std::io::stderr().write_all(line.as_bytes());
}

pub fn warning(msg: &str) {
    say(Severity::Warning, msg);
}

pub fn alert(msg: &str) {
    say(Severity::Alert, msg);
}

pub fn notice(msg: &str) {
    say(Severity::Notice, msg);
}
