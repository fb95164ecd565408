//! Sending log lines: syslog headers in each of haproxy's `format`s, and the
//! targets a `log` line names (UDP, UNIX datagram sockets, stdout/stderr,
//! `fd@N`).
//!
//! Sending never blocks the caller: sockets are non-blocking and their
//! errors are dropped (a syslog server that is down must not slow
//! traffic), and file descriptors are written by one background thread fed
//! through a bounded queue that drops lines when full.

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use haproxy_config::addr::{self, Address, Ports, Use};
use haproxy_config::host::SystemHost;
use haproxy_config::model::LogTarget;

#[cfg(test)]
use super::format::in_zone;
use super::format::{local, month_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

impl Level {
    const ALL: [Level; 8] = [
        Level::Emerg,
        Level::Alert,
        Level::Crit,
        Level::Err,
        Level::Warning,
        Level::Notice,
        Level::Info,
        Level::Debug,
    ];

    pub fn from_name(name: &str) -> Option<Level> {
        haproxy_config::log::LEVELS
            .iter()
            .position(|l| *l == name)
            .and_then(|i| Self::ALL.get(i).copied())
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        haproxy_config::log::LEVELS
            .get(self as usize)
            .copied()
            .unwrap_or("debug")
    }
}

impl std::str::FromStr for Level {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        Level::from_name(s).ok_or_else(|| UnknownName(s.to_string()))
    }
}

/// A level, facility or format name haproxy does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name '{}'", self.0)
    }
}

impl std::error::Error for UnknownName {}

/// `local2` is 18: the syslog facility numbers, in haproxy's order.
pub fn facility_number(name: &str) -> Option<u8> {
    haproxy_config::log::FACILITIES
        .iter()
        .position(|f| *f == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// The header shapes of `log ... format F`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 3164 without the host name: haproxy's default.
    Local,
    Rfc3164,
    Rfc5424,
    /// `<PRI>` only.
    Priority,
    /// `<LEVEL>` only, without the facility.
    Short,
    /// `<LEVEL>` and an ISO 8601 date.
    Timed,
    /// An ISO 8601 date only.
    Iso,
    Raw,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "local" => Format::Local,
            "rfc3164" => Format::Rfc3164,
            "rfc5424" => Format::Rfc5424,
            "priority" => Format::Priority,
            "short" => Format::Short,
            "timed" => Format::Timed,
            "iso" => Format::Iso,
            "raw" => Format::Raw,
            _ => return None,
        })
    }
}

/// Who is speaking, for the headers that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub tag: String,
    pub pid: u32,
    /// `log-send-hostname`: switches `local` to `rfc3164` and fills the
    /// host field of both RFC formats.
    pub hostname: Option<String>,
}

/// Append header and message (no line end) as `format` shapes them.
pub fn frame(
    format: Format,
    facility: u8,
    level: Level,
    origin: &Origin,
    now: SystemTime,
    msg: &str,
    out: &mut Vec<u8>,
) {
    let pri = u32::from(facility) * 8 + u32::from(level.number());
    let format = match (format, &origin.hostname) {
        (Format::Local, Some(_)) => Format::Rfc3164,
        (f, _) => f,
    };
    // Writing into a Vec cannot fail.
    let _ = match format {
        Format::Local => write!(
            out,
            "<{pri}>{} {}[{}]: ",
            bsd_date(now),
            origin.tag,
            origin.pid
        ),
        Format::Rfc3164 => write!(
            out,
            "<{pri}>{} {} {}[{}]: ",
            bsd_date(now),
            origin.hostname.as_deref().unwrap_or("localhost"),
            origin.tag,
            origin.pid
        ),
        Format::Rfc5424 => write!(
            out,
            "<{pri}>1 {} {} {} {} - - ",
            iso_date(now),
            origin.hostname.as_deref().unwrap_or("-"),
            origin.tag,
            origin.pid
        ),
        Format::Priority => write!(out, "<{pri}>"),
        Format::Short => write!(out, "<{}>", level.number()),
        Format::Timed => write!(out, "<{}>{} ", level.number(), iso_date(now)),
        Format::Iso => write!(out, "{} ", iso_date(now)),
        Format::Raw => Ok(()),
    };
    out.extend_from_slice(msg.as_bytes());
}

/// `Nov  3 23:52:38`: local time, day padded with a space.
pub fn bsd_date(t: SystemTime) -> String {
    bsd_date_in(local(t))
}

fn bsd_date_in(d: DateTime<FixedOffset>) -> String {
    format!(
        "{} {:2} {:02}:{:02}:{:02}",
        month_name(d.month0()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// `2026-11-23T23:52:38.996123+01:00`: local time, microseconds, offset.
pub fn iso_date(t: SystemTime) -> String {
    let micros = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_micros();
    iso_date_in(local(t), micros)
}

fn iso_date_in(d: DateTime<FixedOffset>, micros: u32) -> String {
    let off = d.offset().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.unsigned_abs() / 60;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}{}{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        micros,
        sign,
        off / 60,
        off % 60
    )
}

/// Cut a framed line to a target's `len` and end it. Datagrams get their
/// `\n` past the limit, file descriptors within it, as haproxy 2.6 does.
pub fn finish(line: &mut Vec<u8>, len: usize, datagram: bool) {
    let keep = if datagram { len } else { len.saturating_sub(1) };
    line.truncate(keep);
    line.push(b'\n');
}

/// The default `len`.
pub const DEFAULT_LEN: usize = 1024;

#[derive(Debug)]
enum Output {
    Udp { sock: UdpSocket, dest: SocketAddr },
    Unix { sock: UnixDatagram, path: PathBuf },
    Fd(FdTarget),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FdTarget {
    Stdout,
    Stderr,
    Other(u32),
}

#[derive(Debug)]
struct Sink {
    out: Output,
    format: Format,
    facility: u8,
    max: Level,
    min: Option<Level>,
    len: usize,
}

impl Sink {
    /// The level to send at, or `None` when this target filters it out.
    /// A minimum level caps more severe messages to it.
    fn admit(&self, level: Level) -> Option<Level> {
        if level > self.max {
            return None;
        }
        Some(match self.min {
            Some(min) if level < min => min,
            _ => level,
        })
    }
}

#[derive(Debug)]
struct Inner {
    sinks: Vec<Sink>,
    origin: Origin,
    fd_queue: Option<SyncSender<(FdTarget, Vec<u8>)>>,
}

/// The senders of one proxy (or of `global`). Cloning shares the sockets.
#[derive(Debug, Clone)]
pub struct Logger {
    inner: Arc<Inner>,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// How many lines may wait for a slow stdout/stderr before new ones are
/// dropped.
const FD_QUEUE: usize = 1024;

impl Logger {
    /// A logger that sends nothing.
    pub fn none() -> Logger {
        Logger {
            inner: Arc::new(Inner {
                sinks: Vec::new(),
                origin: Origin {
                    tag: "haproxy".into(),
                    pid: std::process::id(),
                    hostname: None,
                },
                fd_queue: None,
            }),
        }
    }

    /// Open every target once. `tag` is `log-tag` (empty means
    /// `haproxy`); `send_hostname` is `log-send-hostname`, already
    /// resolved to a name (see [`super::format::hostname`]). `ring@`
    /// targets are not supported yet and are skipped.
    pub fn from_targets(
        targets: &[LogTarget],
        tag: &str,
        send_hostname: Option<String>,
    ) -> io::Result<Logger> {
        let mut sinks = Vec::new();
        for t in targets {
            let facility = facility_number(&t.facility)
                .ok_or_else(|| invalid(format!("unknown log facility '{}'", t.facility)))?;
            let level_of = |n: &Option<String>| -> io::Result<Option<Level>> {
                match n {
                    None => Ok(None),
                    Some(n) => Level::from_name(n)
                        .map(Some)
                        .ok_or_else(|| invalid(format!("unknown log level '{n}'"))),
                }
            };
            let max = level_of(&t.level)?.unwrap_or(Level::Debug);
            let min = level_of(&t.min_level)?;
            let format = match &t.format {
                None => Format::Local,
                Some(f) => Format::from_name(f)
                    .ok_or_else(|| invalid(format!("unknown log format '{f}'")))?,
            };
            let len = t.len.map_or(DEFAULT_LEN, |l| l as usize);
            let Some(out) = open_output(&t.target)? else {
                continue;
            };
            sinks.push(Sink {
                out,
                format,
                facility,
                max,
                min,
                len,
            });
        }
        let fd_queue = if sinks.iter().any(|s| matches!(s.out, Output::Fd(_))) {
            Some(spawn_fd_writer()?)
        } else {
            None
        };
        Ok(Logger {
            inner: Arc::new(Inner {
                sinks,
                origin: Origin {
                    tag: if tag.is_empty() { "haproxy" } else { tag }.to_string(),
                    pid: std::process::id(),
                    hostname: send_hostname,
                },
                fd_queue,
            }),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.inner.sinks.is_empty()
    }

    pub fn log(&self, level: Level, msg: &str) {
        self.log_at(level, msg, SystemTime::now())
    }

    /// [`Logger::log`] with the header's date given.
    pub fn log_at(&self, level: Level, msg: &str, now: SystemTime) {
        let inner = &*self.inner;
        for sink in &inner.sinks {
            let Some(level) = sink.admit(level) else {
                continue;
            };
            let mut line = Vec::with_capacity(msg.len() + 64);
            frame(
                sink.format,
                sink.facility,
                level,
                &inner.origin,
                now,
                msg,
                &mut line,
            );
            match &sink.out {
                Output::Udp { sock, dest } => {
                    finish(&mut line, sink.len, true);
                    let _ = sock.send_to(&line, dest);
                }
                Output::Unix { sock, path } => {
                    finish(&mut line, sink.len, true);
                    let _ = sock.send_to(&line, path);
                }
                Output::Fd(fd) => {
                    finish(&mut line, sink.len, false);
                    if let Some(q) = &inner.fd_queue {
                        let _ = q.try_send((*fd, line));
                    }
                }
            }
        }
    }
}

fn open_output(target: &str) -> io::Result<Option<Output>> {
    match target {
        "stdout" | "fd@1" => return Ok(Some(Output::Fd(FdTarget::Stdout))),
        "stderr" | "fd@2" => return Ok(Some(Output::Fd(FdTarget::Stderr))),
        _ => {}
    }
    if target.starts_with("ring@") {
        return Ok(None);
    }
    let env = |k: &str| std::env::var(k).ok();
    let parsed = addr::parse(target, Use::Other, &SystemHost, &env)
        .map_err(|e| invalid(format!("invalid log address '{target}': {e:?}")))?;
    match parsed {
        Address::Inet { ip, ports, .. } => {
            let ip = ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            let port = match ports {
                Ports::Range(p, _) => p,
                _ => 514,
            };
            let dest = SocketAddr::new(ip, port);
            let local: SocketAddr = match ip {
                IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
                IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
            };
            let sock = UdpSocket::bind(local)?;
            sock.set_nonblocking(true)?;
            Ok(Some(Output::Udp { sock, dest }))
        }
        Address::Unix { path, .. } => {
            // Unbound and unconnected: each send names the path, so a
            // syslog daemon that starts (or restarts) later is reached.
            let sock = UnixDatagram::unbound()?;
            sock.set_nonblocking(true)?;
            Ok(Some(Output::Unix {
                sock,
                path: PathBuf::from(path),
            }))
        }
        Address::Fd(1) => Ok(Some(Output::Fd(FdTarget::Stdout))),
        Address::Fd(2) => Ok(Some(Output::Fd(FdTarget::Stderr))),
        Address::Fd(n) => Ok(Some(Output::Fd(FdTarget::Other(n)))),
        Address::Abns(_) | Address::SockPair(_) => {
            Err(invalid(format!("unsupported log address '{target}'")))
        }
    }
}

fn spawn_fd_writer() -> io::Result<SyncSender<(FdTarget, Vec<u8>)>> {
    let (tx, rx) = sync_channel::<(FdTarget, Vec<u8>)>(FD_QUEUE);
    std::thread::Builder::new()
        .name("log-fd-writer".into())
        .spawn(move || {
            // Other descriptors are reached through /proc, which needs no
            // unsafe raw-fd handling; opened once on first use.
            let mut others: Vec<(u32, std::fs::File)> = Vec::new();
            for (fd, line) in rx {
                let _ = match fd {
                    FdTarget::Stdout => {
                        let mut o = io::stdout().lock();
                        o.write_all(&line).and_then(|_| o.flush())
                    }
                    FdTarget::Stderr => io::stderr().lock().write_all(&line),
                    FdTarget::Other(n) => {
                        if !others.iter().any(|(m, _)| *m == n) {
                            if let Ok(f) = std::fs::OpenOptions::new()
                                .write(true)
                                .open(format!("/proc/self/fd/{n}"))
                            {
                                others.push((n, f));
                            }
                        }
                        match others.iter_mut().find(|(m, _)| *m == n) {
                            Some((_, f)) => f.write_all(&line),
                            None => Ok(()),
                        }
                    }
                };
            }
        })?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn when() -> SystemTime {
        // 2026-11-03 23:52:38.996123 UTC
        UNIX_EPOCH + Duration::from_micros(1_793_749_958_996_123)
    }

    fn origin(host: Option<&str>) -> Origin {
        Origin {
            tag: "haproxy".into(),
            pid: 28451,
            hostname: host.map(str::to_string),
        }
    }

    fn framed(format: Format, fac: u8, level: Level, host: Option<&str>) -> String {
        let mut v = Vec::new();
        frame(format, fac, level, &origin(host), when(), "msg", &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(Level::from_name("emerg"), Some(Level::Emerg));
        assert_eq!(Level::from_name("debug").map(Level::number), Some(7));
        assert_eq!("notice".parse::<Level>().map(Level::number), Ok(5));
        assert!("loud".parse::<Level>().is_err());
        assert_eq!(Level::Warning.name(), "warning");
        assert_eq!(facility_number("kern"), Some(0));
        assert_eq!(facility_number("local0"), Some(16));
        assert_eq!(facility_number("local2"), Some(18));
        assert_eq!(facility_number("local7"), Some(23));
        assert_eq!(facility_number("local8"), None);
        assert_eq!(Format::from_name("rfc5424"), Some(Format::Rfc5424));
        assert_eq!(Format::from_name("json"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(bsd_date_in(in_zone(when(), 0)), "Nov  3 23:52:38");
        assert_eq!(bsd_date_in(in_zone(when(), 3600)), "Nov  4 00:52:38");
        assert_eq!(
            iso_date_in(in_zone(when(), 19800), 996_123),
            "2026-11-04T05:22:38.996123+05:30"
        );
        assert_eq!(
            iso_date_in(in_zone(when(), -18000), 5),
            "2026-11-03T18:52:38.000005-05:00"
        );
        assert!(iso_date(when()).ends_with(&iso_date_in(local(when()), 996_123)[10..]));
    }

    #[test]
    fn headers() {
        let b = bsd_date(when());
        let i = iso_date(when());
        assert_eq!(
            framed(Format::Local, 18, Level::Info, None),
            format!("<150>{b} haproxy[28451]: msg")
        );
        assert_eq!(
            framed(Format::Rfc3164, 18, Level::Info, None),
            format!("<150>{b} localhost haproxy[28451]: msg")
        );
        // log-send-hostname turns the default into RFC 3164.
        assert_eq!(
            framed(Format::Local, 16, Level::Alert, Some("vm")),
            format!("<129>{b} vm haproxy[28451]: msg")
        );
        assert_eq!(
            framed(Format::Rfc5424, 18, Level::Info, None),
            format!("<150>1 {i} - haproxy 28451 - - msg")
        );
        assert_eq!(
            framed(Format::Rfc5424, 3, Level::Info, Some("h")),
            format!("<30>1 {i} h haproxy 28451 - - msg")
        );
        assert_eq!(framed(Format::Priority, 18, Level::Info, None), "<150>msg");
        assert_eq!(framed(Format::Short, 18, Level::Info, None), "<6>msg");
        assert_eq!(
            framed(Format::Timed, 18, Level::Emerg, None),
            format!("<0>{i} msg")
        );
        assert_eq!(
            framed(Format::Iso, 18, Level::Info, None),
            format!("{i} msg")
        );
        assert_eq!(framed(Format::Raw, 18, Level::Info, None), "msg");
    }

    #[test]
    fn truncation() {
        let mut l = b"0123456789".to_vec();
        finish(&mut l, 4, true);
        assert_eq!(l, b"0123\n");
        let mut l = b"0123456789".to_vec();
        finish(&mut l, 4, false);
        assert_eq!(l, b"012\n");
        let mut l = b"01".to_vec();
        finish(&mut l, 1024, true);
        assert_eq!(l, b"01\n");
    }

    fn target(t: &str, rest: &str) -> LogTarget {
        let mut words = vec![t.to_string()];
        words.extend(rest.split(' ').map(str::to_string));
        haproxy_config::log::parse_log(&words).unwrap()
    }

    fn recv_all(sock: &UdpSocket) -> Vec<String> {
        sock.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        // Bounded: a handful of datagrams at most, each within the timeout.
        for _ in 0..16 {
            match sock.recv(&mut buf) {
                Ok(n) => got.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
                Err(_) => break,
            }
        }
        got
    }

    #[test]
    fn udp_levels_and_len() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let a = format!("127.0.0.1:{port}");
        let targets = [
            target(&a, "format raw local2 notice"),
            target(&a, "format short local2 debug crit"),
            target(&a, "len 80 format raw local2 emerg"),
        ];
        let l = Logger::from_targets(&targets, "", None).unwrap();
        assert!(!l.is_empty());
        l.log(Level::Info, "info line");
        l.log(Level::Alert, "alert line");
        let long = "x".repeat(200);
        l.log(Level::Emerg, &long);
        let got = recv_all(&rx);
        assert_eq!(
            got,
            vec![
                "<6>info line\n".to_string(),
                "alert line\n".to_string(),
                "<2>alert line\n".to_string(),
                format!("{long}\n"),
                format!("<2>{long}\n"),
                format!("{}\n", &long[..80]),
            ]
        );
    }

    #[test]
    fn udp_default_header_and_tag() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let l = Logger::from_targets(
            &[target(&format!("127.0.0.1:{port}"), "local2")],
            "mytag",
            None,
        )
        .unwrap();
        let now = when();
        l.log_at(Level::Info, "hello", now);
        let got = recv_all(&rx);
        let pid = std::process::id();
        assert_eq!(
            got,
            vec![format!("<150>{} mytag[{pid}]: hello\n", bsd_date(now))]
        );
    }

    #[test]
    fn udp_ipv6_and_default_port() {
        let Ok(rx) = UdpSocket::bind("[::1]:0") else {
            eprintln!("no IPv6 loopback; skipped");
            return;
        };
        let port = rx.local_addr().unwrap().port();
        let l = Logger::from_targets(
            &[target(&format!("[::1]:{port}"), "format raw daemon")],
            "",
            None,
        )
        .unwrap();
        l.log(Level::Info, "six");
        assert_eq!(recv_all(&rx), vec!["six\n".to_string()]);
        // Without a port, 514 is meant.
        match open_output("127.0.0.1").unwrap() {
            Some(Output::Udp { dest, .. }) => assert_eq!(dest, "127.0.0.1:514".parse().unwrap()),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn unix_socket_present_and_absent() {
        let dir = std::env::temp_dir().join(format!("rhaproxy-log-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("dev-log");
        let _ = std::fs::remove_file(&path);
        let absent = dir.join("absent");
        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let targets = [
            target(absent.to_str().unwrap(), "local0"),
            target(path.to_str().unwrap(), "len 80 local3"),
        ];
        let l = Logger::from_targets(&targets, "", None).unwrap();
        let now = when();
        l.log_at(Level::Info, &"y".repeat(100), now);
        let mut buf = [0u8; 512];
        let n = rx.recv(&mut buf).unwrap();
        let mut want = format!(
            "<158>{} haproxy[{}]: {}",
            bsd_date(now),
            std::process::id(),
            "y".repeat(100)
        )
        .into_bytes();
        finish(&mut want, 80, true);
        assert_eq!(&buf[..n], &want[..]);
        assert_eq!(n, 81);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir(&dir);
    }

    #[test]
    fn bad_targets() {
        let mut t = target("127.0.0.1", "local0");
        t.facility = "nope".into();
        assert!(Logger::from_targets(&[t], "", None).is_err());
        assert!(
            Logger::from_targets(&[target("ring@buf", "local0")], "", None)
                .unwrap()
                .is_empty()
        );
        assert!(Logger::none().is_empty());
    }
}
