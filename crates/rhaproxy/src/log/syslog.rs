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
                Some(f) => {
                    Format::from_name(f).ok_or_else(|| invalid(format!("unknown log format '{f}'")))?
                }
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
        Address::Abns(_) | Address::SockPair(_) => Err(invalid(format!(
            "unsupported log address '{target}'"
        ))),
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
