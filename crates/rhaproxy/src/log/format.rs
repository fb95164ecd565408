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

use chrono::{DateTime, Datelike, FixedOffset, Local, Offset, Timelike, Utc};

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
    Truncated {
        pos: usize,
        after: String,
    },
    /// `%` followed by something that cannot start a variable name.
    UnexpectedChar {
        pos: usize,
        found: char,
    },
    NoSuchVariable {
        pos: usize,
        name: String,
    },
    ReservedForHttp {
        pos: usize,
        name: String,
    },
    /// `%{+Q}` not followed by a variable.
    ModifierWithoutVariable {
        pos: usize,
    },
    /// `%[` whose expression stops before a `]`.
    UnterminatedSample {
        pos: usize,
        expr: String,
    },
    MissingFetch {
        pos: usize,
    },
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
    /// One or more spaces in the format: printed as a single space, and
    /// not at all at the start or right after another separator (haproxy
    /// collapses them even across `%o`).
    Sep,
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
        let mut after_sep = true;
        for n in &self.nodes {
            if matches!(n, Node::Sep) {
                if !after_sep {
                    out.push(' ');
                    after_sep = true;
                }
                continue;
            }
            after_sep = false;
            match n {
                Node::Sep => {}
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
                self.literal(&self.s[self.pos..]);
                break;
            };
            self.literal(&self.s[self.pos..self.pos + off]);
            let start = self.pos + off;
            self.pos = start + 1;
            self.percent(start)?;
        }
        self.flush_text();
        Ok(LogFormat { nodes: self.nodes })
    }

    fn literal(&mut self, t: &str) {
        let mut parts = t.split(' ');
        if let Some(first) = parts.next() {
            self.text.push_str(first);
        }
        for p in parts {
            self.flush_text();
            if self.nodes.last() != Some(&Node::Sep) {
                self.nodes.push(Node::Sep);
            }
            self.text.push_str(p);
        }
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
        let v4_tail = i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff));
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

/// The local time of `t` in the process's zone (`TZ`, else
/// /etc/localtime), as a fixed offset so that tests can pin it.
pub(crate) fn local(t: SystemTime) -> DateTime<FixedOffset> {
    let d = DateTime::<Local>::from(t);
    let off = d.offset().fix();
    d.with_timezone(&off)
}

pub(crate) fn in_zone(t: SystemTime, offset_secs: i32) -> DateTime<FixedOffset> {
    let off = FixedOffset::east_opt(offset_secs).unwrap_or_else(|| Utc.fix());
    DateTime::<Utc>::from(t).with_timezone(&off)
}

/// `[%t]`: `23/Nov/2026:23:52:38.996`, local time.
pub fn date_local_ms(t: SystemTime) -> String {
    date_ms(local(t), epoch(t).1)
}

fn date_ms(d: DateTime<FixedOffset>, ms: u32) -> String {
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02}.{:03}",
        d.day(),
        month_name(d.month0()),
        d.year(),
        d.hour(),
        d.minute(),
        d.second(),
        ms
    )
}

/// `%T`: `23/Nov/2026:23:52:38 +0000`, always GMT.
pub fn date_gmt(t: SystemTime) -> String {
    date_offset(in_zone(t, 0))
}

/// `%Tl`: local time followed by its offset, `+0530`.
pub fn date_local_offset(t: SystemTime) -> String {
    date_offset(local(t))
}

fn date_offset(d: DateTime<FixedOffset>) -> String {
    let off = d.offset().local_minus_utc();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// 2026-11-23 23:52:38.996 UTC.
    fn when() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_795_477_958_996)
    }

    fn rec() -> SessionRecord {
        let mut r = SessionRecord::accepted(
            "127.0.0.1:42426".parse().unwrap(),
            "127.0.0.1:25".parse().unwrap(),
            "smtpdc1",
        );
        r.accept_date = when();
        r.backend = "emailservice".into();
        r.server = "dc1server01".into();
        r.server_addr = Some("10.0.0.11:25".parse().unwrap());
        r.backend_local = Some("10.0.0.1:51548".parse().unwrap());
        r.tw = Some(1);
        r.tc = Some(0);
        r.tt = 7;
        r.bytes_out = 55;
        r.bytes_in = 6;
        r.actconn = 1;
        r.feconn = 1;
        r.srv_queue = 0;
        r
    }

    fn render(fmt: &str, r: &SessionRecord) -> String {
        LogFormat::parse_for(fmt, Mode::Tcp)
            .unwrap_or_else(|e| panic!("{fmt}: {e}"))
            .render_to_string(r)
    }

    #[test]
    fn tcplog_line() {
        let r = rec();
        let line = LogFormat::tcplog().render_to_string(&r);
        let expected = format!(
            "127.0.0.1:42426 [{}] smtpdc1 emailservice/dc1server01 1/0/7 55 -- 1/1/0/0/0 0/0",
            date_local_ms(when())
        );
        assert_eq!(line, expected);
    }

    #[test]
    fn dates() {
        assert_eq!(date_ms(in_zone(when(), 0), 996), "23/Nov/2026:23:52:38.996");
        assert_eq!(
            date_ms(in_zone(when(), 3600), 7),
            "24/Nov/2026:00:52:38.007"
        );
        assert_eq!(date_gmt(when()), "23/Nov/2026:23:52:38 +0000");
        assert_eq!(
            date_offset(in_zone(when(), 19800)),
            "24/Nov/2026:05:22:38 +0530"
        );
        assert_eq!(
            date_offset(in_zone(when(), -18000)),
            "23/Nov/2026:18:52:38 -0500"
        );
        // Whatever the zone, %t and %Tl agree on the wall clock.
        assert_eq!(date_local_ms(when())[..20], date_local_offset(when())[..20]);
    }

    #[test]
    fn each_variable() {
        let r = rec();
        let cases: &[(&str, &str)] = &[
            ("%ci", "127.0.0.1"),
            ("%cp", "42426"),
            ("%fi", "127.0.0.1"),
            ("%fp", "25"),
            ("%bi", "10.0.0.1"),
            ("%bp", "51548"),
            ("%si", "10.0.0.11"),
            ("%sp", "25"),
            ("%T", "23/Nov/2026:23:52:38 +0000"),
            ("%trg", "23/Nov/2026:23:52:38 +0000"),
            ("%Ts", "1795477958"),
            ("%ms", "996"),
            ("%ft", "smtpdc1"),
            ("%f", "smtpdc1"),
            ("%b", "emailservice"),
            ("%s", "dc1server01"),
            ("%Tw", "1"),
            ("%Tc", "0"),
            ("%Tt", "7"),
            ("%Ta", "7"),
            ("%Th", "0"),
            ("%Td", "6"),
            ("%B", "55"),
            ("%U", "6"),
            ("%ts", "--"),
            ("%tsc", "----"),
            ("%ac", "1"),
            ("%fc", "1"),
            ("%bc", "0"),
            ("%sc", "0"),
            ("%rc", "0"),
            ("%sq", "0"),
            ("%bq", "0"),
            ("%ID", "-"),
            ("%[src]", "127.0.0.1"),
            ("%[dst]", "127.0.0.1"),
            ("%[src_port]", "42426"),
            ("%[dst_port]", "25"),
            ("%[ssl_fc_sni]", "-"),
            ("%%", "%"),
            ("a%%b", "a%b"),
            ("%ci_x", "127.0.0.1_x"),
            ("%ci%cp", "127.0.0.142426"),
        ];
        for (f, want) in cases {
            let fmt = if f.starts_with("%t") || f.starts_with("%T") || f.contains('[') {
                LogFormat::parse(f)
            } else {
                LogFormat::parse_for(f, Mode::Tcp)
            };
            let got = fmt
                .unwrap_or_else(|e| panic!("{f}: {e}"))
                .render_to_string(&r);
            assert_eq!(&got, want, "{f}");
        }
        assert_eq!(render("%t", &r), date_local_ms(when()));
        assert_eq!(render("%pid", &r), std::process::id().to_string());
        assert_eq!(render("%H", &r), hostname());
    }

    #[test]
    fn absent_values() {
        let mut r = SessionRecord::accepted(
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
            "fe",
        );
        r.backend = "be".into();
        r.termination = *b"SC";
        // Seen on haproxy 2.6 with a backend without servers.
        assert_eq!(
            render(
                "%Tw/%Tc/%Tt/%Td bi=%bi bp=%bp si=%si sp=%sp Xbp=%{+X}bp Qsi=%{+Q}si %b/%s %ts %{+Q}s %{+Q}ID",
                &r
            ),
            "-1/-1/0/-1 bi=- bp=- si=- sp=- Xbp=- Qsi=\"\" be/<NOSRV> SC \"<NOSRV>\" \"\""
        );
    }

    #[test]
    fn retries_and_ssl() {
        let mut r = rec();
        r.retries = 1;
        r.redispatched = true;
        r.frontend_ssl = true;
        assert_eq!(render("%rc %ft %f", &r), "+1 smtpdc1~ smtpdc1");
    }

    #[test]
    fn flags() {
        let mut r = rec();
        r.accept_date = UNIX_EPOCH + Duration::from_millis(1_796_141_587_015);
        r.client = "127.0.0.1:45535".parse().unwrap();
        r.server_addr = Some("127.0.0.1:1".parse().unwrap());
        // Shapes measured on haproxy 2.6: only strings are quoted, only
        // addresses, ports, %ms, %pid and %Ts go hexadecimal.
        assert_eq!(
            render(
                "%{+Q}ci %{+Q}cp %{+Q}ts %{+Q}ft %{+Q}Tt %{+Q}B %{+Q}T %{+Q}rc %{+Q}[dst_port] %{+Q}[src]",
                &r
            ),
            "\"127.0.0.1\" 45535 -- \"smtpdc1\" 7 55 01/Dec/2026:16:13:07 +0000 0 \"25\" \"127.0.0.1\""
        );
        assert_eq!(
            render(
                "%{+X}ci %{+X}cp %{+X}sp %{+X}Ts %{+X}ms %{+X}B %{+X}ac %{+X}[src] %{+Q,+X}fp",
                &r
            ),
            "7F000001 B1DF 0001 6B0EF213 0F 55 1 127.0.0.1 0019"
        );
        assert_eq!(render("%ms", &r), "015");
        let pid = std::process::id();
        assert_eq!(render("%{+X}pid", &r), format!("{pid:04X}"));
        // %o applies its flags to what follows; -Q takes them back.
        assert_eq!(
            render("%ci %{+Q}o %ci %b %{-Q}ci %b", &r),
            "127.0.0.1 \"127.0.0.1\" \"emailservice\" 127.0.0.1 \"emailservice\""
        );
        // Runs of spaces print once, leading ones not at all (haproxy 2.6).
        assert_eq!(
            render("  a   b  %ci  %cp %{+Q}o  %b %{+Q}o%b  x ", &r),
            "a b 127.0.0.1 45535 \"emailservice\" \"emailservice\" x "
        );
        assert_eq!(render("a\tb", &r), "a\tb");
        r.unique_id = Some("a\"b\\c".into());
        assert_eq!(render("%{+Q,+E}ID %ID", &r), "\"a\\\"b\\\\c\" a\"b\\c");
        assert_eq!(
            render("%{}ci %{+Z}ci %{Q}ci", &r),
            "127.0.0.1 127.0.0.1 127.0.0.1"
        );
    }

    #[test]
    fn ipv6() {
        let mut r = rec();
        r.client = "[::1]:36316".parse().unwrap();
        r.frontend_addr = "[::ffff:127.0.0.1]:48001".parse().unwrap();
        assert_eq!(
            render("%ci:%cp %fi %{+X}ci %{+X}fi %[dst] %{+Q}ci", &r),
            "::1:36316 ::ffff:127.0.0.1 00000000000000000000000000000001 \
             00000000000000000000FFFF7F000001 ::ffff:127.0.0.1 \"::1\""
        );
        let f = |s: &str| format_ip(s.parse().unwrap());
        assert_eq!(f("::"), "::");
        assert_eq!(f("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(f("2001:db8::1"), "2001:db8::1");
        assert_eq!(f("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
        assert_eq!(f("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
        assert_eq!(f("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        assert_eq!(f("fe80::"), "fe80::");
        assert_eq!(f("::ffff:0:1.2.3.4"), "::ffff:0:102:304");
        assert_eq!(
            connect_line(&r, "tcp"),
            "Connect from ::1:36316 to ::ffff:127.0.0.1:48001 (smtpdc1/TCP)"
        );
    }

    #[test]
    fn connect() {
        assert_eq!(
            connect_line(&rec(), "tcp"),
            "Connect from 127.0.0.1:42426 to 127.0.0.1:25 (smtpdc1/TCP)"
        );
    }

    #[test]
    fn errors() {
        use LogFormatError as E;
        let tcp = |s: &str| LogFormat::parse_for(s, Mode::Tcp).unwrap_err();
        assert!(matches!(tcp("a %"), E::Truncated { pos: 2, .. }));
        assert!(matches!(tcp("x%"), E::Truncated { pos: 1, .. }));
        assert!(matches!(
            tcp("a % b"),
            E::UnexpectedChar { pos: 3, found: ' ' }
        ));
        assert_eq!(
            tcp("a %zz"),
            E::NoSuchVariable {
                pos: 3,
                name: "zz".into()
            }
        );
        assert!(matches!(tcp("%ci1"), E::NoSuchVariable { name, .. } if name == "ci1"));
        assert!(matches!(tcp("%c-i"), E::NoSuchVariable { name, .. } if name == "c"));
        for v in [
            "tr", "trg", "trl", "Ta", "Ti", "Tq", "TR", "Tr", "r", "CC", "HM",
        ] {
            assert!(
                matches!(tcp(&format!("%{v}")), E::ReservedForHttp { name, .. } if name == v),
                "{v}"
            );
            assert!(LogFormat::parse(&format!("%{v}")).is_ok(), "{v}");
        }
        assert!(matches!(
            tcp("%{+Q}"),
            E::ModifierWithoutVariable { pos: 0 }
        ));
        assert!(matches!(tcp("%{+Q}%ci"), E::ModifierWithoutVariable { .. }));
        assert!(matches!(tcp("%{+Q"), E::Truncated { .. }));
        assert!(matches!(tcp("%{"), E::Truncated { .. }));
        assert!(matches!(tcp("%[src b"), E::UnterminatedSample { expr, .. } if expr == "src"));
        assert!(matches!(tcp("%[src"), E::UnterminatedSample { .. }));
        assert!(matches!(tcp("%[]"), E::MissingFetch { .. }));
        assert_eq!(tcp("ab %zz").position(), 4);
        assert!(tcp("%zz")
            .to_string()
            .contains("no such format variable 'zz'"));
        // Multi-byte text around variables is kept whole.
        assert_eq!(render("é%ciß", &rec()), "é127.0.0.1ß");
        assert!(matches!(tcp("%é"), E::UnexpectedChar { found: 'é', .. }));
    }

    #[test]
    fn tcplog_constant_compiles() {
        assert_eq!(
            LogFormat::parse_for(TCPLOG, Mode::Tcp).ok(),
            Some(LogFormat::tcplog())
        );
        assert!(!LogFormat::tcplog().nodes.is_empty());
    }
}
