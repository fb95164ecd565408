//! `log-format` strings: compiled once at startup into a list of nodes,
//! rendered per session from a [`SessionRecord`].
//!
//! Renderings follow what haproxy 2.6 prints (observed on the binary):
//! strings are the only thing `+Q` quotes, `+X` only changes addresses,
//! ports, `%ms`, `%pid` and `%Ts`, absent strings print `-` (or `""` when
//! quoted), absent timers print `-1`.

use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Local, Offset, Timelike, Utc};

use super::record::SessionRecord;

/// The `option tcplog` line.
pub const TCPLOG: &str = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

/// What a `log-format` is compiled for: HTTP-only variables are refused in
/// a TCP proxy, as haproxy refuses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Tcp,
    Http,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFormatError {
    /// A `%` (or `%{...}`) with nothing after it.
    Truncated { pos: usize, after: String },
    /// `%` followed by something that cannot start a variable name.
    UnexpectedChar { pos: usize, found: char },
    NoSuchVariable { pos: usize, name: String },
    ReservedForHttp { pos: usize, name: String },
    /// `%{+Q}` not followed by a variable.
    ModifierWithoutVariable { pos: usize },
    /// `%[` whose expression stops before a `]`.
    UnterminatedSample { pos: usize, expr: String },
    MissingFetch { pos: usize },
}

impl LogFormatError {
    /// Byte offset in the format string where the problem starts.
    pub fn position(&self) -> usize {
        match self {
            LogFormatError::Truncated { pos, .. }
            | LogFormatError::UnexpectedChar { pos, .. }
            | LogFormatError::NoSuchVariable { pos, .. }
            | LogFormatError::ReservedForHttp { pos, .. }
            | LogFormatError::ModifierWithoutVariable { pos }
            | LogFormatError::UnterminatedSample { pos, .. }
            | LogFormatError::MissingFetch { pos } => *pos,
        }
    }
}

impl fmt::Display for LogFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogFormatError::Truncated { after, .. } => write!(f, "truncated line after '{after}'."),
            LogFormatError::UnexpectedChar { pos, found } => write!(
                f,
                "unexpected variable name near '{found}' at position {}. Maybe you want to write a single '%', use the syntax '%%'.",
                pos + 1
            ),
            LogFormatError::NoSuchVariable { name, .. } => write!(
                f,
                "no such format variable '{name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'."
            ),
            LogFormatError::ReservedForHttp { name, .. } => {
                write!(f, "format variable '{name}' is reserved for HTTP mode.")
            }
            LogFormatError::ModifierWithoutVariable { .. } => {
                write!(f, "parse argument modifier without variable name.")
            }
            LogFormatError::UnterminatedSample { expr, .. } => {
                write!(f, "expected ']' after '{expr}'.")
            }
            LogFormatError::MissingFetch { .. } => {
                write!(f, "failed to parse sample expression : missing fetch method.")
            }
        }
    }
}

impl std::error::Error for LogFormatError {}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Flags {
    quote: bool,
    hex: bool,
    escape: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    ClientIp,
    ClientPort,
    FrontendIp,
    FrontendPort,
    BackendIp,
    BackendPort,
    ServerIp,
    ServerPort,
    /// `%t`, `%tr`: local date with milliseconds.
    DateLocalMs,
    /// `%T`, `%trg`: GMT date with `+0000`.
    DateGmt,
    /// `%Tl`, `%trl`: local date with its offset.
    DateLocalOffset,
    Timestamp,
    Millis,
    FrontendTransport,
    Frontend,
    Backend,
    Server,
    Tw,
    Tc,
    Tt,
    /// `%Ta`, `%Tu`: in TCP there is no request phase to subtract.
    Active,
    Th,
    Td,
    BytesOut,
    BytesIn,
    Termination,
    TerminationCookie,
    ActConn,
    FeConn,
    BeConn,
    SrvConn,
    Retries,
    SrvQueue,
    BackendQueue,
    Pid,
    Hostname,
    UniqueId,
    /// Per-request and log counters and HTTP status; TCP sessions have
    /// none and haproxy prints 0.
    Zero,
    /// Captured headers: nothing to print in TCP.
    Empty,
    /// TLS facts this build does not track yet.
    Dash,
}

/// Names haproxy 2.6 knows, with what we render and whether the variable
/// needs HTTP mode.
fn lookup(name: &str) -> Option<(Var, bool)> {
    use Var::*;
    Some(match name {
        "ci" => (ClientIp, false),
        "cp" => (ClientPort, false),
        "fi" => (FrontendIp, false),
        "fp" => (FrontendPort, false),
        "bi" => (BackendIp, false),
        "bp" => (BackendPort, false),
        "si" => (ServerIp, false),
        "sp" => (ServerPort, false),
        "t" => (DateLocalMs, false),
        "tr" => (DateLocalMs, true),
        "T" => (DateGmt, false),
        "trg" => (DateGmt, true),
        "Tl" => (DateLocalOffset, false),
        "trl" => (DateLocalOffset, true),
        "Ts" => (Timestamp, false),
        "ms" => (Millis, false),
        "ft" => (FrontendTransport, false),
        "f" => (Frontend, false),
        "b" => (Backend, false),
        "s" => (Server, false),
        "Tw" => (Tw, false),
        "Tc" => (Tc, false),
        "Tt" => (Tt, false),
        "Tu" => (Active, false),
        "Ta" => (Active, true),
        "Th" => (Th, false),
        "Td" => (Td, false),
        "B" => (BytesOut, false),
        "U" => (BytesIn, false),
        "ts" => (Termination, false),
        "tsc" => (TerminationCookie, false),
        "ac" => (ActConn, false),
        "fc" => (FeConn, false),
        "bc" => (BeConn, false),
        "sc" => (SrvConn, false),
        "rc" => (Retries, false),
        "sq" => (SrvQueue, false),
        "bq" => (BackendQueue, false),
        "pid" => (Pid, false),
        "H" => (Hostname, false),
        "ID" => (UniqueId, false),
        "ST" | "rt" | "lc" => (Zero, false),
        "hr" | "hrl" | "hs" | "hsl" => (Empty, false),
        "sslv" | "sslc" => (Dash, false),
        "Ti" | "Tq" | "TR" | "Tr" | "r" | "CC" | "CS" | "HM" | "HP" | "HPO" | "HQ" | "HU"
        | "HV" => (Dash, true),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sample {
    Src,
    Dst,
    SrcPort,
    DstPort,
    /// Any other fetch: printed as absent.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text(String),
    Var(Var, Flags),
    Sample(Sample, Flags),
}

/// A compiled `log-format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFormat {
    nodes: Vec<Node>,
}

impl LogFormat {
    /// Compile for an HTTP-capable proxy: every variable haproxy knows is
    /// accepted. Use [`LogFormat::parse_for`] for a `mode tcp` proxy.
    pub fn parse(s: &str) -> Result<LogFormat, LogFormatError> {
        Self::parse_for(s, Mode::Http)
    }

    pub fn parse_for(s: &str, mode: Mode) -> Result<LogFormat, LogFormatError> {
        Parser {
            s,
            pos: 0,
            mode,
            default_flags: Flags::default(),
            nodes: Vec::new(),
            text: String::new(),
        }
        .run()
    }

    /// `option tcplog`.
    pub fn tcplog() -> LogFormat {
        match Self::parse_for(TCPLOG, Mode::Tcp) {
            Ok(f) => f,
            // The constant is covered by a test; an empty format is the
            // least surprising fallback should it ever be broken.
            Err(_) => LogFormat { nodes: Vec::new() },
        }
    }

    pub fn render(&self, r: &SessionRecord, out: &mut String) {
        for n in &self.nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Var(v, f) => render_var(*v, *f, r, out),
                Node::Sample(s, f) => render_sample(*s, *f, r, out),
            }
        }
    }

    pub fn render_to_string(&self, r: &SessionRecord) -> String {
        let mut s = String::new();
        self.render(r, &mut s);
        s
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    mode: Mode,
    default_flags: Flags,
    nodes: Vec<Node>,
    text: String,
}

impl Parser<'_> {
    fn run(mut self) -> Result<LogFormat, LogFormatError> {
        let b = self.s.as_bytes();
        while self.pos < b.len() {
            let Some(off) = self.s[self.pos..].find('%') else {
                self.text.push_str(&self.s[self.pos..]);
                break;
            };
            self.text.push_str(&self.s[self.pos..self.pos + off]);
            let start = self.pos + off;
            self.pos = start + 1;
            self.percent(start)?;
        }
        self.flush_text();
        Ok(LogFormat { nodes: self.nodes })
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            self.nodes.push(Node::Text(std::mem::take(&mut self.text)));
        }
    }

    /// After a `%` at `start`.
    fn percent(&mut self, start: usize) -> Result<(), LogFormatError> {
        let b = self.s.as_bytes();
        let Some(&c) = b.get(self.pos) else {
            return Err(LogFormatError::Truncated {
                pos: start,
                after: "%".into(),
            });
        };
        if c == b'%' {
            self.text.push('%');
            self.pos += 1;
            return Ok(());
        }
        let mut flags = self.default_flags;
        let mut had_modifier = false;
        if c == b'{' {
            let body_start = self.pos + 1;
            let Some(end) = self.s[body_start..].find('}') else {
                return Err(LogFormatError::Truncated {
                    pos: start,
                    after: self.s[body_start..].to_string(),
                });
            };
            apply_flags(&mut flags, &self.s[body_start..body_start + end]);
            self.pos = body_start + end + 1;
            had_modifier = true;
        }
        match b.get(self.pos) {
            Some(b'[') => self.sample(start, flags),
            Some(c) if c.is_ascii_alphanumeric() => {
                let name_start = self.pos;
                while b.get(self.pos).is_some_and(u8::is_ascii_alphanumeric) {
                    self.pos += 1;
                }
                let name = &self.s[name_start..self.pos];
                if name == "o" {
                    // `%o` sets the flags of every later variable.
                    self.default_flags = flags;
                    return Ok(());
                }
                let Some((var, http_only)) = lookup(name) else {
                    return Err(LogFormatError::NoSuchVariable {
                        pos: name_start,
                        name: name.to_string(),
                    });
                };
                if http_only && self.mode == Mode::Tcp {
                    return Err(LogFormatError::ReservedForHttp {
                        pos: name_start,
                        name: name.to_string(),
                    });
                }
                self.flush_text();
                self.nodes.push(Node::Var(var, flags));
                Ok(())
            }
            _ if had_modifier => Err(LogFormatError::ModifierWithoutVariable { pos: start }),
            None => Err(LogFormatError::Truncated {
                pos: start,
                after: "%".into(),
            }),
            Some(_) => {
                let found = self.s[self.pos..].chars().next().unwrap_or(' ');
                Err(LogFormatError::UnexpectedChar {
                    pos: self.pos,
                    found,
                })
            }
        }
    }

    /// At a `[`: the expression runs to `]`; a space or the end of the
    /// string first is an error, as in haproxy.
    fn sample(&mut self, start: usize, flags: Flags) -> Result<(), LogFormatError> {
        let expr_start = self.pos + 1;
        let rest = &self.s[expr_start..];
        let stop = rest
            .find(|c: char| c == ']' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        if rest[..stop].is_empty() {
            return Err(LogFormatError::MissingFetch { pos: start });
        }
        if !rest[stop..].starts_with(']') {
            return Err(LogFormatError::UnterminatedSample {
                pos: start,
                expr: rest[..stop].to_string(),
            });
        }
        let expr = &rest[..stop];
        let sample = match expr {
            "src" => Sample::Src,
            "dst" => Sample::Dst,
            "src_port" => Sample::SrcPort,
            "dst_port" => Sample::DstPort,
            _ => Sample::Other,
        };
        self.pos = expr_start + stop + 1;
        self.flush_text();
        self.nodes.push(Node::Sample(sample, flags));
        Ok(())
    }
}

fn apply_flags(flags: &mut Flags, body: &str) {
    for item in body.split(',') {
        let (on, name) = match item.as_bytes().first() {
            Some(b'+') => (true, &item[1..]),
            Some(b'-') => (false, &item[1..]),
            _ => continue,
        };
        match name {
            "Q" => flags.quote = on,
            "X" => flags.hex = on,
            "E" => flags.escape = on,
            _ => {}
        }
    }
}

fn render_var(v: Var, f: Flags, r: &SessionRecord, out: &mut String) {
    match v {
        Var::ClientIp => ip(Some(r.client.ip()), f, out),
        Var::ClientPort => port(Some(r.client.port()), f, out),
        Var::FrontendIp => ip(Some(r.frontend_addr.ip()), f, out),
        Var::FrontendPort => port(Some(r.frontend_addr.port()), f, out),
        Var::BackendIp => ip(r.backend_local.map(|a| a.ip()), f, out),
        Var::BackendPort => port(r.backend_local.map(|a| a.port()), f, out),
        Var::ServerIp => ip(r.server_addr.map(|a| a.ip()), f, out),
        Var::ServerPort => port(r.server_addr.map(|a| a.port()), f, out),
        Var::DateLocalMs => out.push_str(&date_local_ms(r.accept_date)),
        Var::DateGmt => out.push_str(&date_gmt(r.accept_date)),
        Var::DateLocalOffset => out.push_str(&date_local_offset(r.accept_date)),
        Var::Timestamp => {
            let secs = epoch(r.accept_date).0;
            if f.hex {
                let _ = write!(out, "{secs:08X}");
            } else {
                let _ = write!(out, "{secs}");
            }
        }
        Var::Millis => {
            let ms = epoch(r.accept_date).1;
            if f.hex {
                let _ = write!(out, "{ms:02X}");
            } else {
                let _ = write!(out, "{ms:03}");
            }
        }
        Var::FrontendTransport => {
            let mut s = r.frontend.clone();
            if r.frontend_ssl {
                s.push('~');
            }
            string(Some(&s), f, out)
        }
        Var::Frontend => string(Some(&r.frontend), f, out),
        Var::Backend => string(Some(&r.backend), f, out),
        Var::Server => string(Some(&r.server), f, out),
        Var::Tw => timer(r.tw, out),
        Var::Tc => timer(r.tc, out),
        Var::Tt => num(r.tt, out),
        Var::Active => num(r.tt, out),
        Var::Th => num(r.th.unwrap_or(0), out),
        Var::Td => timer(data_time(r), out),
        Var::BytesOut => num(r.bytes_out, out),
        Var::BytesIn => num(r.bytes_in, out),
        Var::Termination => termination(r, out),
        Var::TerminationCookie => {
            termination(r, out);
            out.push_str("--");
        }
        Var::ActConn => num(r.actconn, out),
        Var::FeConn => num(r.feconn, out),
        Var::BeConn => num(r.beconn, out),
        Var::SrvConn => num(r.srv_conn, out),
        Var::Retries => {
            if r.redispatched {
                out.push('+');
            }
            num(r.retries, out)
        }
        Var::SrvQueue => num(r.srv_queue, out),
        Var::BackendQueue => num(r.backend_queue, out),
        Var::Pid => {
            let pid = std::process::id();
            if f.hex {
                let _ = write!(out, "{pid:04X}");
            } else {
                let _ = write!(out, "{pid}");
            }
        }
        Var::Hostname => string(Some(hostname()), f, out),
        Var::UniqueId => string(r.unique_id.as_deref(), f, out),
        Var::Zero => out.push('0'),
        Var::Empty => {}
        Var::Dash => string(None, f, out),
    }
}

/// `%Td`: what remains of the session once waiting, connecting and
/// the handshake are taken out; unknown when the server was never reached.
fn data_time(r: &SessionRecord) -> Option<u64> {
    let tc = r.tc?;
    let spent = r.tw.unwrap_or(0) + tc + r.th.unwrap_or(0);
    Some(r.tt.saturating_sub(spent))
}

fn render_sample(s: Sample, f: Flags, r: &SessionRecord, out: &mut String) {
    // A sample's value reaches the log as text, so `+Q` quotes even ports
    // and `+X` changes nothing.
    let text = match s {
        Sample::Src => Some(format_ip(r.client.ip())),
        Sample::Dst => Some(format_ip(r.frontend_addr.ip())),
        Sample::SrcPort => Some(r.client.port().to_string()),
        Sample::DstPort => Some(r.frontend_addr.port().to_string()),
        Sample::Other => None,
    };
    let f = Flags { hex: false, ..f };
    string(text.as_deref(), f, out)
}

fn termination(r: &SessionRecord, out: &mut String) {
    for &c in &r.termination {
        out.push(if c.is_ascii_graphic() { c as char } else { '-' });
    }
}

fn num(n: impl fmt::Display, out: &mut String) {
    let _ = write!(out, "{n}");
}

fn timer(t: Option<u64>, out: &mut String) {
    match t {
        Some(n) => num(n, out),
        None => out.push_str("-1"),
    }
}

fn string(s: Option<&str>, f: Flags, out: &mut String) {
    match s {
        None if f.quote => out.push_str("\"\""),
        None => out.push('-'),
        Some(s) => {
            if f.quote {
                out.push('"');
            }
            if f.escape {
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
            } else {
                out.push_str(s);
            }
            if f.quote {
                out.push('"');
            }
        }
    }
}

fn ip(a: Option<IpAddr>, f: Flags, out: &mut String) {
    let Some(a) = a else {
        return string(None, f, out);
    };
    if f.hex {
        match a {
            IpAddr::V4(v4) => {
                let _ = write!(out, "{:08X}", u32::from(v4));
            }
            IpAddr::V6(v6) => {
                for b in v6.octets() {
                    let _ = write!(out, "{b:02X}");
                }
            }
        }
        return;
    }
    string(Some(&format_ip(a)), f, out)
}

fn port(p: Option<u16>, f: Flags, out: &mut String) {
    match p {
        None => string(None, f, out),
        Some(p) if f.hex => {
            let _ = write!(out, "{p:04X}");
        }
        Some(p) => num(p, out),
    }
}

/// An address as libc's `inet_ntop` writes it, which is what haproxy
/// prints: Rust's own rendering differs for IPv4-compatible addresses
/// (`::1.2.3.4`), and mapped ones come out as `::ffff:1.2.3.4` in both.
pub fn format_ip(a: IpAddr) -> String {
    match a {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format_ipv6(v6),
    }
}

fn format_ipv6(a: Ipv6Addr) -> String {
    let w = a.segments();
    // Longest run of zero words (first one on a tie), compressed when it
    // is at least two words long.
    let (mut best, mut best_len) = (0usize, 0usize);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let s = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - s > best_len {
                best = s;
                best_len = i - s;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_len = 0;
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if best_len > 0 && i == best {
            out.push_str("::");
            i += best_len;
            continue;
        }
        if i > 0 && !out.ends_with(':') {
            out.push(':');
        }
        let v4_tail =
            i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff));
        if v4_tail {
            let o = a.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            break;
        }
        let _ = write!(out, "{:x}", w[i]);
        i += 1;
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub(crate) fn month_name(month0: u32) -> &'static str {
    MONTHS.get(month0 as usize).copied().unwrap_or("???")
}

/// Seconds since the epoch and the millisecond within that second; a time
/// before 1970 counts as the epoch.
fn epoch(t: SystemTime) -> (u64, u32) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    (d.as_secs(), d.subsec_millis())
}

pub(crate) fn local(t: SystemTime) -> DateTime<Local> {
    DateTime::<Local>::from(t)
}

/// `[%t]`: `23/Nov/2026:23:52:38.996`, local time.
pub fn date_local_ms(t: SystemTime) -> String {
    let d = local(t);
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02}.{:03}",
        d.day(),
        month_name(d.month0()),
        d.year(),
        d.hour(),
        d.minute(),
        d.second(),
        epoch(t).1
    )
}

/// `%T`: `23/Nov/2026:23:52:38 +0000`, always GMT.
pub fn date_gmt(t: SystemTime) -> String {
    let d = DateTime::<Utc>::from(t);
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        d.day(),
        month_name(d.month0()),
        d.year(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// `%Tl`: local time followed by its offset, `+0530`.
pub fn date_local_offset(t: SystemTime) -> String {
    let d = local(t);
    let off = d.offset().fix().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.unsigned_abs() / 60;
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}{:02}{:02}",
        d.day(),
        month_name(d.month0()),
        d.year(),
        d.hour(),
        d.minute(),
        d.second(),
        sign,
        off / 60,
        off % 60
    )
}

/// The host name haproxy reads at startup (`%H`, `log-send-hostname`
/// without an argument).
pub fn hostname() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "localhost".to_string())
    })
}

/// The line logged at accept time by a proxy without a log option:
/// `Connect from 127.0.0.1:42426 to 127.0.0.1:25 (smtpdc1/TCP)`.
pub fn connect_line(r: &SessionRecord, mode: &str) -> String {
    format!(
        "Connect from {} to {} ({}/{})",
        sockaddr(r.client),
        sockaddr(r.frontend_addr),
        r.frontend,
        mode.to_ascii_uppercase()
    )
}

/// `ip:port`, IPv6 without brackets, as haproxy writes endpoints.
fn sockaddr(a: SocketAddr) -> String {
    format!("{}:{}", format_ip(a.ip()), a.port())
}
