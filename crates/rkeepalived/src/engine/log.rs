//! keepalived's log lines: syslog(3)-style datagrams to `/dev/log`
//! (facility daemon unless `-S` says otherwise, ident `Keepalived` for
//! the process and `Keepalived_vrrp` for VRRP, with the PID), and with
//! `-l` the same text on stderr after a `strftime("%c")` date.

use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::sync::Arc;

/// syslog levels keepalived uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Alert = 1,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
}

#[derive(Clone)]
pub struct Logger(Arc<Inner>);

struct Inner {
    facility: u8,
    console: bool,
    detail: bool,
    syslog: Option<UnixDatagram>,
    /// Where syslog datagrams go (`/dev/log`).
    dest: std::path::PathBuf,
    pid: u32,
}

/// `-S 0..7` selects local0..local7; the default is daemon (3).
pub fn facility(arg: Option<&str>) -> u8 {
    match arg.and_then(|a| a.parse::<u8>().ok()) {
        Some(n) if n <= 7 => 16 + n,
        _ => 3,
    }
}

impl Logger {
    pub fn new(facility: u8, console: bool, detail: bool, use_syslog: bool) -> Logger {
        let syslog = if use_syslog {
            UnixDatagram::unbound().ok().and_then(|s| {
                s.set_nonblocking(true).ok()?;
                Some(s)
            })
        } else {
            None
        };
        Logger(Arc::new(Inner {
            facility,
            console,
            detail,
            syslog,
            dest: "/dev/log".into(),
            pid: std::process::id(),
        }))
    }

    pub fn detail_enabled(&self) -> bool {
        self.0.detail
    }

    /// A VRRP line (`Keepalived_vrrp[PID]`).
    pub fn vrrp(&self, level: Level, msg: &str) {
        self.emit("Keepalived_vrrp", level, msg);
    }

    /// A line of the managing process (`Keepalived[PID]`).
    pub fn main(&self, level: Level, msg: &str) {
        self.emit("Keepalived", level, msg);
    }

    /// A line keepalived writes only with `-D`.
    pub fn vrrp_detail(&self, msg: &str) {
        if self.0.detail {
            self.vrrp(Level::Info, msg);
        }
    }

    fn emit(&self, ident: &str, level: Level, msg: &str) {
        let now = chrono::Local::now();
        if let Some(s) = &self.0.syslog {
            let pri = u16::from(self.0.facility) * 8 + level as u16;
            let line = format!(
                "<{pri}>{} {ident}[{}]: {msg}",
                now.format("%b %e %H:%M:%S"),
                self.0.pid
            );
            // Best effort, as syslog(3): no daemon, no line.
            let _ = s.send_to(line.as_bytes(), &self.0.dest);
        }
        if self.0.console {
            let line = format!("{}: {msg}\n", now.format("%a %b %e %H:%M:%S %Y"));
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facilities_follow_dash_s() {
        assert_eq!(facility(None), 3);
        assert_eq!(facility(Some("0")), 16);
        assert_eq!(facility(Some("7")), 23);
        assert_eq!(facility(Some("9")), 3);
    }

    #[test]
    fn syslog_datagram_shape() {
        let dir = std::env::temp_dir().join(format!("rk-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.sock");
        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        let tx = UnixDatagram::unbound().unwrap();
        let l = Logger(Arc::new(Inner {
            facility: 3,
            console: false,
            detail: false,
            syslog: Some(tx),
            dest: path.clone(),
            pid: 42,
        }));
        l.vrrp_detail("not sent without -D");
        l.vrrp(Level::Info, "(VI_1) Entering MASTER STATE");
        let mut buf = [0u8; 256];
        let n = rx.recv(&mut buf).unwrap();
        let got = String::from_utf8_lossy(&buf[..n]);
        // daemon.info = 3*8+6; the detail line before it was not sent.
        assert!(got.starts_with("<30>"), "{got}");
        assert!(got.ends_with("Keepalived_vrrp[42]: (VI_1) Entering MASTER STATE"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
