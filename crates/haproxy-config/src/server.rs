//! `server NAME ADDR [options…]` and `default-server [options…]`.

use std::net::IpAddr;
use std::time::Duration;

use crate::addr::{self, Address, Use};
use crate::bind::tls::{self, TlsVersion, Verify};
use crate::diag::{Diagnostic, Location, Prefix};
use crate::host::{Host, PathKind};
use crate::model::{Config, Proxy};
use crate::parser::{Line, Outcome, Parser};
use crate::suggest;
use crate::units::{self, TimeUnit};

/// One step of `init-addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitAddr {
    /// The state file's address (`server-state-file`).
    Last,
    /// The system resolver.
    Libc,
    /// Start without an address (the server is disabled until DNS says).
    None,
    Ip(IpAddr),
}

/// Settings shared by `server` lines and `default-server`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerOptions {
    pub check: Option<bool>,
    pub backup: Option<bool>,
    pub weight: Option<u32>,
    pub maxconn: Option<u32>,
    pub maxqueue: Option<u32>,
    pub minconn: Option<u32>,
    pub inter: Option<Duration>,
    pub fastinter: Option<Duration>,
    pub downinter: Option<Duration>,
    pub rise: Option<u32>,
    pub fall: Option<u32>,
    /// The health-check port; `None` also when written as 0 (2.6 keeps the
    /// low 16 bits of whatever `atol` read).
    pub port: Option<u16>,
    pub addr: Option<String>,
    pub disabled: Option<bool>,
    pub ssl: Option<bool>,
    pub send_proxy: Option<bool>,
    pub slowstart: Option<Duration>,
    pub agent_check: Option<bool>,
    pub agent_port: Option<u16>,
    pub agent_inter: Option<Duration>,
    pub check_ssl: Option<bool>,
    /// A `default-server` line said `ssl`: 2.6 then prepares a TLS
    /// context for every later server, even one saying `no-ssl`.
    pub ssl_from_default: bool,
    pub verify: Option<Verify>,
    pub verifyhost: Option<String>,
    /// `ca-file`/`crl-file`/`crt` after `ca-base`/`crt-base`.
    pub ca_file: Option<String>,
    pub crl_file: Option<String>,
    pub crt: Option<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub ssl_min_ver: Option<TlsVersion>,
    pub ssl_max_ver: Option<TlsVersion>,
    pub sni: Option<String>,
    pub check_sni: Option<String>,
    pub alpn: Option<Vec<String>>,
    pub proto: Option<String>,
    pub track: Option<String>,
    pub id: Option<u32>,
    pub init_addr: Option<Vec<InitAddr>>,
    pub resolvers: Option<String>,
    pub tfo: Option<bool>,
    pub observe: Option<String>,
    pub on_error: Option<String>,
    pub on_marked_down: Option<String>,
    pub on_marked_up: Option<String>,
    pub cookie: Option<String>,
    /// Every option with its argument, in order, as written.
    pub raw: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    /// The address; a host name is kept unresolved (`ip: None`,
    /// `hostname: Some`) until [`resolve_addresses`] runs, as in 2.6.
    pub address: Address,
    pub address_text: String,
    pub options: ServerOptions,
    pub location: Location,
}

/// Server options of 2.6 and whether each takes an argument.
pub static SERVER_OPTIONS: &[(&str, u8)] = &[
    ("addr", 1),
    ("agent-addr", 1),
    ("agent-check", 0),
    ("agent-inter", 1),
    ("agent-port", 1),
    ("agent-send", 1),
    ("allow-0rtt", 0),
    ("alpn", 1),
    ("backup", 0),
    ("ca-file", 1),
    ("check", 0),
    ("check-alpn", 1),
    ("check-proto", 1),
    ("check-send-proxy", 0),
    ("check-sni", 1),
    ("check-ssl", 0),
    ("check-via-socks4", 0),
    ("ciphers", 1),
    ("ciphersuites", 1),
    ("cookie", 1),
    ("crl-file", 1),
    ("crt", 1),
    ("disabled", 0),
    ("downinter", 1),
    ("enabled", 0),
    ("error-limit", 1),
    ("fall", 1),
    ("fastinter", 1),
    ("force-sslv3", 0),
    ("force-tlsv10", 0),
    ("force-tlsv11", 0),
    ("force-tlsv12", 0),
    ("force-tlsv13", 0),
    ("id", 1),
    ("init-addr", 1),
    ("inter", 1),
    ("log-proto", 1),
    ("max-reuse", 1),
    ("maxconn", 1),
    ("maxqueue", 1),
    ("minconn", 1),
    ("namespace", 1),
    ("no-agent-check", 0),
    ("no-backup", 0),
    ("no-check", 0),
    ("no-check-send-proxy", 0),
    ("no-check-ssl", 0),
    ("no-send-proxy", 0),
    ("no-send-proxy-v2", 0),
    ("no-send-proxy-v2-ssl", 0),
    ("no-send-proxy-v2-ssl-cn", 0),
    ("no-ssl", 0),
    ("no-ssl-reuse", 0),
    ("no-sslv3", 0),
    ("no-tfo", 0),
    ("no-tls-tickets", 0),
    ("no-tlsv10", 0),
    ("no-tlsv11", 0),
    ("no-tlsv12", 0),
    ("no-tlsv13", 0),
    ("non-stick", 0),
    ("npn", 1),
    ("observe", 1),
    ("on-error", 1),
    ("on-marked-down", 1),
    ("on-marked-up", 1),
    ("pool-low-conn", 1),
    ("pool-max-conn", 1),
    ("pool-purge-delay", 1),
    ("port", 1),
    ("proto", 1),
    ("proxy-v2-options", 1),
    ("redir", 1),
    ("resolve-net", 1),
    ("resolve-opts", 1),
    ("resolve-prefer", 1),
    ("resolvers", 1),
    ("rise", 1),
    ("send-proxy", 0),
    ("send-proxy-v2", 0),
    ("send-proxy-v2-ssl", 0),
    ("send-proxy-v2-ssl-cn", 0),
    ("slowstart", 1),
    ("sni", 1),
    ("socks4", 1),
    ("source", 1),
    ("ssl", 0),
    ("ssl-max-ver", 1),
    ("ssl-min-ver", 1),
    ("ssl-reuse", 0),
    ("stick", 0),
    ("tcp-ut", 1),
    ("tfo", 0),
    ("tls-tickets", 0),
    ("track", 1),
    ("usesrc", 0),
    ("verify", 1),
    ("verifyhost", 1),
    ("weight", 1),
    ("ws", 1),
];

/// Options whose handler words its own complaint about a missing value.
const SELF_CHECKED: &[&str] = &[
    "alpn",
    "check-alpn",
    "sni",
    "verifyhost",
    "cookie",
    "inter",
    "fastinter",
    "downinter",
    "agent-inter",
    "slowstart",
    "id",
    "error-limit",
    "rise",
    "fall",
];

/// What reading a server's options needs from the surroundings.
struct Ctx<'a> {
    host: &'a dyn Host,
    /// `'server be/s'` or `'default-server'`.
    who: &'a str,
    /// The server's name, for messages naming it bare.
    name: &'a str,
    loc: &'a Location,
    crt_base: Option<&'a str>,
    ca_base: Option<&'a str>,
    is_default: bool,
}

/// Read `words` into `opts`. Messages that do not stop the line (warnings,
/// 2.6's leading report lines) go to `notes`.
fn parse_options(
    opts: &mut ServerOptions,
    words: &[String],
    cx: &Ctx<'_>,
    notes: &mut Vec<Diagnostic>,
) -> Result<(), Diagnostic> {
    let who = cx.who;
    let name = cx.name;
    let here = |m: String| Diagnostic::alert(m).at(cx.loc, Prefix::Bare);
    let mut i = 0;
    while i < words.len() {
        let o = words[i].as_str();
        let Some(&(_, nargs)) = SERVER_OPTIONS.iter().find(|(n, _)| *n == o) else {
            let mut d = here(format!("{who} : unknown keyword '{o}'."));
            if let Some(s) = suggest::best_match(o, SERVER_OPTIONS.iter().map(|(n, _)| *n)) {
                d = d.hint(format!("did you mean '{s}'?"));
            }
            return Err(d);
        };
        let arg = if nargs > 0 {
            match words.get(i + 1) {
                Some(v) => {
                    i += 1;
                    Some(v.clone())
                }
                None if SELF_CHECKED.contains(&o) => Some(String::new()),
                None => return Err(here(format!("{who} : '{o}' expects an argument."))),
            }
        } else {
            None
        };
        let v = arg.as_deref().unwrap_or("");
        let time = |kw: &str,
                    zero_ok: bool,
                    notes: &mut Vec<Diagnostic>|
         -> Result<Duration, Diagnostic> {
            // 2.6 names 'agent-inter' for a bad character in any of the
            // check intervals (the same handler serves them all).
            let shown = if kw == "slowstart" { kw } else { "agent-inter" };
            match units::parse_time(v, TimeUnit::Ms) {
                Ok(t) if zero_ok || units::as_ms(t.value) > 0 => {
                    if let Some(c) = t.trailing {
                        notes.push(
                            Diagnostic::warning(format!(
                                "{who} : {}",
                                units::trailing_time_warning(c, v)
                            ))
                            .at(cx.loc, Prefix::Bare),
                        );
                    }
                    Ok(t.value)
                }
                Ok(_) => Err(here(format!(
                    "{who} : invalid value 0 for argument '{kw}' of server {name}.."
                ))),
                Err(units::TimeError::BadChar(c)) => Err(here(format!(
                    "{who} : unexpected character '{c}' in '{shown}' argument of server {name}.."
                ))),
                Err(units::TimeError::Overflow) => Err(here(format!(
                    "{who} : timer overflow in argument <{v}> to <{kw}> of server {name}, maximum value is 2147483647 ms (~24.8 days).."
                ))),
                Err(units::TimeError::Empty) => {
                    Err(here(format!("{who} : '{kw}' expects a delay as argument..")))
                }
            }
        };
        let int = || units::atol(v).value;
        let one_of = |allowed: &[&str], msg: &str| -> Result<Option<String>, Diagnostic> {
            if allowed.contains(&v) {
                Ok(Some(v.to_string()))
            } else {
                Err(here(format!("{who} : {msg} but got '{v}'.")))
            }
        };
        match o {
            "check" => opts.check = Some(true),
            "no-check" => opts.check = Some(false),
            "agent-check" => opts.agent_check = Some(true),
            "no-agent-check" => opts.agent_check = Some(false),
            "check-ssl" => opts.check_ssl = Some(true),
            "no-check-ssl" => opts.check_ssl = Some(false),
            "backup" => opts.backup = Some(true),
            "no-backup" => opts.backup = Some(false),
            "disabled" => opts.disabled = Some(true),
            "enabled" => opts.disabled = Some(false),
            "ssl" => {
                opts.ssl = Some(true);
                if cx.is_default {
                    opts.ssl_from_default = true;
                }
            }
            "no-ssl" => opts.ssl = Some(false),
            "tfo" => opts.tfo = Some(true),
            "no-tfo" => opts.tfo = Some(false),
            "send-proxy" | "send-proxy-v2" | "send-proxy-v2-ssl" | "send-proxy-v2-ssl-cn" => {
                opts.send_proxy = Some(true)
            }
            "no-send-proxy" | "no-send-proxy-v2" | "no-send-proxy-v2-ssl"
            | "no-send-proxy-v2-ssl-cn" => opts.send_proxy = Some(false),
            "weight" => {
                let w = int();
                if !(0..=256).contains(&w) {
                    return Err(here(format!(
                        "{who} : weight of server {name} is not within 0 and 256 ({w}).."
                    )));
                }
                opts.weight = Some(w as u32);
            }
            "maxconn" => opts.maxconn = Some(int().max(0) as u32),
            "maxqueue" => opts.maxqueue = Some(int().max(0) as u32),
            "minconn" => opts.minconn = Some(int().max(0) as u32),
            "rise" | "fall" => {
                let n = int();
                if n <= 0 {
                    return Err(here(format!("{who} : '{o}' has to be > 0..")));
                }
                if o == "rise" {
                    opts.rise = Some(n as u32);
                } else {
                    opts.fall = Some(n as u32);
                }
            }
            "error-limit"
                if int() <= 0 => {
                    return Err(here(format!("{who} : error-limit has to be > 0..")));
                }
            "inter" => opts.inter = Some(time("inter", false, notes)?),
            "fastinter" => opts.fastinter = Some(time("fastinter", false, notes)?),
            "downinter" => opts.downinter = Some(time("downinter", false, notes)?),
            "agent-inter" => opts.agent_inter = Some(time("agent-inter", false, notes)?),
            "slowstart" => opts.slowstart = Some(time("slowstart", true, notes)?),
            "pool-purge-delay" => {
                if let Err(units::TimeError::BadChar(c)) = units::parse_time(v, TimeUnit::Ms) {
                    return Err(here(format!(
                        "{who} : unexpected character '{c}' in argument to <pool-purge-delay>.."
                    )));
                }
            }
            // `atol`, then the low 16 bits: 65536 is 0, which means none.
            "port" => opts.port = Some(int() as u16).filter(|p| *p != 0),
            "agent-port" => opts.agent_port = Some(int() as u16).filter(|p| *p != 0),
            "addr" => {
                let a = addr::parse(v, Use::Check, cx.host, &|_| None)
                    .map_err(|e| here(format!("{who} : 'addr' : {e}.")))?;
                if let Address::Inet {
                    ports: addr::Ports::Range(p, _),
                    ..
                } = a
                {
                    opts.port = Some(p);
                }
                opts.addr = Some(v.to_string());
            }
            "socks4" | "source" => {
                if let Err(e) = addr::parse(v, Use::Check, cx.host, &|_| None) {
                    return Err(here(format!("{who} : \n  '{o} {v}' : {e}\n  \n.")));
                }
            }
            "observe" => {
                opts.observe = one_of(
                    &["none", "layer4", "layer7"],
                    "'observe' expects one of 'none', 'layer4', 'layer7'",
                )?
            }
            "on-error" => {
                opts.on_error = one_of(
                    &["fastinter", "fail-check", "sudden-death", "mark-down"],
                    "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down'",
                )?
            }
            "on-marked-down" => {
                opts.on_marked_down = one_of(
                    &["shutdown-sessions"],
                    "'on-marked-down' expects 'shutdown-sessions'",
                )?
            }
            "on-marked-up" => {
                opts.on_marked_up = one_of(
                    &["shutdown-backup-sessions"],
                    "'on-marked-up' expects 'shutdown-backup-sessions'",
                )?
            }
            "log-proto" => {
                one_of(
                    &["legacy", "octet-count"],
                    "'log-proto' expects one of 'legacy' or 'octet-count'",
                )?;
            }
            "ws"
                if !matches!(v, "auto" | "h1" | "h2") => {
                    return Err(here(format!("{who} : 'ws' has to be 'auto', 'h1' or 'h2'.")));
                }
            "proto" => {
                if !matches!(v, "h1" | "h2" | "fcgi" | "none") {
                    return Err(here(format!("{who} : 'proto' :  unknown MUX protocol '{v}'.")));
                }
                opts.proto = Some(v.to_string());
            }
            "proxy-v2-options" => {
                const PP2: &[&str] = &[
                    "ssl", "cert-cn", "ssl-cipher", "cert-sig", "cert-key", "authority",
                    "crc32c", "unique-id",
                ];
                if let Some(bad) = v.split(',').find(|x| !PP2.contains(x)) {
                    return Err(here(format!("{who} : '{bad}' : proxy v2 option not implemented.")));
                }
            }
            "alpn" | "check-alpn" => {
                if v.is_empty() {
                    return Err(here(format!(
                        "{who} : '{o}' : missing the comma-delimited ALPN protocol suite."
                    )));
                }
                if o == "alpn" {
                    opts.alpn = Some(v.split(',').map(str::to_string).collect());
                }
            }
            "sni" => {
                if v.is_empty() {
                    return Err(here(format!("{who} : 'sni' : missing sni expression.")));
                }
                if let Err(e) = crate::rules::check_expr(v) {
                    return Err(here(format!(
                        "{who} : error detected while parsing sni expression : {e}"
                    )));
                }
                opts.sni = Some(v.to_string());
            }
            "check-sni" => opts.check_sni = Some(v.to_string()),
            "verifyhost" => {
                if v.is_empty() {
                    return Err(here(format!(
                        "{who} : 'verifyhost' : missing hostname to verify against."
                    )));
                }
                opts.verifyhost = Some(v.to_string());
            }
            "cookie" => {
                if v.is_empty() {
                    return Err(here(format!("{who} : 'cookie' expects <value> as argument..")));
                }
                opts.cookie = Some(v.to_string());
            }
            "verify" => {
                opts.verify = Some(match v {
                    "none" => Verify::None,
                    "required" => Verify::Required,
                    _ => {
                        return Err(here(format!(
                            "{who} : 'verify' : unknown verify method '{v}', only 'none' and 'required' are supported."
                        )))
                    }
                })
            }
            "ssl-min-ver" | "ssl-max-ver" => {
                let Some(ver) = TlsVersion::parse(v) else {
                    return Err(here(format!("{who} : '{v}' : unknown ssl/tls version.")));
                };
                if o == "ssl-min-ver" {
                    opts.ssl_min_ver = Some(ver);
                } else {
                    opts.ssl_max_ver = Some(ver);
                }
            }
            "ciphers" => opts.ciphers = Some(v.to_string()),
            "ciphersuites" => opts.ciphersuites = Some(v.to_string()),
            "ca-file" | "crl-file" => {
                let path = tls::with_base(cx.ca_base, v);
                match tls::check_ca_file(cx.host, &path, o == "crl-file") {
                    tls::CaCheck::Ok => {}
                    tls::CaCheck::Empty => notes.push(
                        Diagnostic::warning(format!(
                            "{who} : ca-file: 0 CA were loaded from '{path}'"
                        ))
                        .at(cx.loc, Prefix::Bare),
                    ),
                    tls::CaCheck::Unusable(why) => {
                        notes.push(here(format!(
                            "{who} : Couldn't open the ca-file '{path}' ({why})."
                        )));
                        return Err(Diagnostic::alert(format!("'{o}' : unable to load {path}.")));
                    }
                }
                if o == "ca-file" {
                    opts.ca_file = Some(path);
                } else {
                    opts.crl_file = Some(path);
                }
            }
            "crt" => opts.crt = Some(tls::with_base(cx.crt_base, v)),
            "track" => opts.track = Some(v.to_string()),
            "id" => {
                if cx.is_default {
                    notes.push(
                        Diagnostic::alert("'id' option is not accepted in default-server sections")
                            .at(cx.loc, Prefix::Bare)
                            .non_fatal(),
                    );
                } else {
                    let n = int();
                    if n <= 0 {
                        return Err(here(format!("{who} : 'id' : custom id has to be > 0.")));
                    }
                    opts.id = Some(n as u32);
                }
            }
            "init-addr" => {
                let mut steps = Vec::new();
                for m in v.split(',') {
                    steps.push(match m {
                        "last" => InitAddr::Last,
                        "libc" => InitAddr::Libc,
                        "none" => InitAddr::None,
                        _ => match m.parse::<IpAddr>() {
                            Ok(ip) => InitAddr::Ip(ip),
                            Err(_) => {
                                return Err(here(format!(
                                    "{who} : 'init-addr' : unknown init-addr method '{m}', supported methods are 'libc', 'last', 'none'.."
                                )))
                            }
                        },
                    });
                }
                opts.init_addr = Some(steps);
            }
            "resolvers" => opts.resolvers = Some(v.to_string()),
            _ => {}
        }
        opts.raw.push((o.to_string(), arg));
        i += 1;
    }
    Ok(())
}

pub fn kw_server(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let (pname, defaults) = match p.proxy() {
        Some(px) => (px.name.clone(), px.default_server.clone()),
        None => return Outcome::Ok,
    };
    let here = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::Bare);
    let (Some(name), Some(addr_text)) = (line.arg(1), line.arg(2)) else {
        return Outcome::Alert(here(
            "'server' expects <name> and <addr>[:<port>] as arguments.".to_string(),
        ));
    };
    let who = format!("'server {pname}/{name}'");
    if let Some(prev) = p
        .proxy()
        .and_then(|px| px.servers.iter().find(|s| s.name == name))
    {
        return Outcome::Alert(
            Diagnostic::alert(format!(
                "backend '{pname}', another server named '{name}' was already defined at line {}, please use distinct names.",
                prev.location.line
            ))
            .at(&line.loc, Prefix::Parsing),
        );
    }
    let env = |n: &str| p.env_var(n);
    let address = match addr::parse_deferred(addr_text, p.host, &env) {
        Ok(a) => a,
        Err(e) => {
            let mut d = here(format!("{who} : {e}"));
            // 2.6 ends these with a newline of their own.
            if matches!(
                e,
                addr::AddrError::Dgram(_)
                    | addr::AddrError::FdNotPermitted(_)
                    | addr::AddrError::UnusableFd { .. }
                    | addr::AddrError::InvalidPortChar { .. }
            ) {
                d = d.detail("");
            }
            return Outcome::Alert(d);
        }
    };
    let mut opts = defaults;
    opts.raw.clear();
    let mut notes = Vec::new();
    let cx = Ctx {
        host: p.host,
        who: &who,
        name,
        loc: &line.loc,
        crt_base: p.cfg.global.crt_base.as_deref(),
        ca_base: p.cfg.global.ca_base.as_deref(),
        is_default: false,
    };
    let r = parse_options(&mut opts, &line.words[3..], &cx, &mut notes);
    p.diags.extend(notes);
    if let Err(d) = r {
        return Outcome::Alert(d);
    }
    if opts.check == Some(true) && opts.track.is_some() {
        return Outcome::Alert(here(format!(
            "{who} : unable to enable checks and tracking at the same time!"
        )));
    }
    if opts.agent_check == Some(true) && opts.agent_port.is_none() {
        return Outcome::Alert(here(format!(
            "{who} : server {name} does not have agent port. Agent check has been disabled."
        )));
    }
    if let Some(id) = opts.id {
        if let Some(prev) = p
            .proxy()
            .and_then(|px| px.servers.iter().find(|s| s.options.id == Some(id)))
        {
            return Outcome::Alert(here(format!(
                "{who} : 'id' : custom id {id} already used at {} ('server {}').",
                prev.location, prev.name
            )));
        }
    }
    let s = Server {
        name: name.to_string(),
        address,
        address_text: addr_text.to_string(),
        options: opts,
        location: line.loc.clone(),
    };
    if let Some(px) = p.proxy_mut() {
        px.servers.push(s);
    }
    Outcome::Ok
}

pub fn kw_default_server(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(mut opts) = p.proxy().map(|px| px.default_server.clone()) else {
        return Outcome::Ok;
    };
    let mut notes = Vec::new();
    let cx = Ctx {
        host: p.host,
        who: "'default-server'",
        name: "",
        loc: &line.loc,
        crt_base: p.cfg.global.crt_base.as_deref(),
        ca_base: p.cfg.global.ca_base.as_deref(),
        is_default: true,
    };
    let r = parse_options(&mut opts, &line.words[1..], &cx, &mut notes);
    p.diags.extend(notes);
    match r {
        Ok(()) => {
            if let Some(px) = p.proxy_mut() {
                px.default_server = opts;
            }
            Outcome::Ok
        }
        Err(d) => Outcome::Alert(d),
    }
}

/// Whether 2.6 builds a TLS client context for this server (and so
/// checks its verification settings, certificate and ciphers).
fn uses_tls(px: &Proxy, s: &Server) -> bool {
    let o = &s.options;
    o.ssl == Some(true)
        || o.check_ssl == Some(true)
        || o.ssl_from_default
        || (o.check == Some(true)
            && px
                .checks
                .tcp_check
                .iter()
                .any(|d| d.keyword == "tcp-check connect" && d.args.iter().any(|a| a == "ssl")))
}

/// `retry-on` of a backend (its own, else its defaults').
fn retry_on<'a>(cfg: &'a Config, px: &'a Proxy) -> Option<&'a [String]> {
    let own = px.other.iter().rev().find(|d| d.keyword == "retry-on");
    let inherited = || {
        px.defaults_index
            .and_then(|i| cfg.defaults.get(i))
            .and_then(|d| d.other.iter().rev().find(|d| d.keyword == "retry-on"))
    };
    own.or_else(inherited).map(|d| d.args.as_slice())
}

/// Whole-configuration checks on servers (TLS verification, tracking), run after parsing succeeded.
pub fn post_parse(cfg: &Config, host: &dyn Host, out: &mut Vec<Diagnostic>) {
    let g = &cfg.global;
    let verify_default = if g.ssl_server_verify.as_deref() == Some("none") || g.cli_no_server_verify
    {
        Verify::None
    } else {
        Verify::Required
    };
    for px in cfg.proxies.iter().filter(|p| p.kind.has_backend()) {
        // Tracking targets resolved so far, as 2.6 links them in order.
        let mut linked: Vec<Option<(usize, usize)>> = vec![None; px.servers.len()];
        let pi = cfg
            .proxies
            .iter()
            .position(|p| std::ptr::eq(p, px))
            .unwrap_or(0);
        for (si, s) in px.servers.iter().enumerate() {
            let who = format!("'server {}/{}'", px.name, s.name);
            let at = |m: String| Diagnostic::alert(m).at(&s.location, Prefix::Bare);
            let o = &s.options;
            let mut tls_failed = false;
            if uses_tls(px, s) {
                if o.verify.unwrap_or(verify_default) == Verify::Required && o.ca_file.is_none() {
                    tls_failed = true;
                    out.push(at(format!(
                        "{who} : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default."
                    )));
                }
                if let Some(crt) = &o.crt {
                    let r = if host.path_kind(crt) == PathKind::Dir {
                        Err(tls::CertError::Stat {
                            path: crt.clone(),
                            reason: "Success".into(),
                        })
                    } else {
                        tls::load_cert_file(host, crt, None)
                    };
                    if let Err(e) = r {
                        tls_failed = true;
                        out.push(at(format!("{who} : {e}")));
                    }
                }
                if let Some(c) = o
                    .ciphers
                    .as_deref()
                    .or(g.ssl_default_server_ciphers.as_deref())
                {
                    if !tls::cipher_list_ok(c) {
                        tls_failed = true;
                        out.push(at(format!(
                            "{who} : unable to set SSL cipher list to '{c}'."
                        )));
                    }
                }
                if let Some(c) = o
                    .ciphersuites
                    .as_deref()
                    .or(g.ssl_default_server_ciphersuites.as_deref())
                {
                    if !tls::ciphersuites_ok(c) {
                        tls_failed = true;
                        out.push(at(format!(
                            "{who} : unable to set TLS 1.3 cipher suites to '{c}'."
                        )));
                    }
                }
            }
            if let Some(t) = &o.track {
                let (tp, tname) = match t.split_once('/') {
                    Some((b, n)) => (
                        cfg.proxies
                            .iter()
                            .position(|p| p.name == *b && p.kind.has_backend()),
                        n,
                    ),
                    None => (Some(pi), t.as_str()),
                };
                // After a TLS failure on the same server 2.6 loses the
                // location of this message.
                let report = |m: String| {
                    if tls_failed {
                        Diagnostic::alert(m)
                    } else {
                        at(format!("{who} : {m}"))
                    }
                };
                match tp {
                    None => out.push(report(format!(
                        "unable to find required proxy '{}' for tracking.",
                        t.split('/').next().unwrap_or_default()
                    ))),
                    Some(tpi) => {
                        let tpx = &cfg.proxies[tpi];
                        match tpx.servers.iter().position(|x| x.name == tname) {
                            None => out.push(report(format!(
                                "unable to find required server '{tname}' for tracking."
                            ))),
                            Some(tsi) => {
                                let ts = &tpx.servers[tsi];
                                let to = &ts.options;
                                if to.check != Some(true)
                                    && to.agent_check != Some(true)
                                    && to.track.is_none()
                                {
                                    out.push(report(format!(
                                        "unable to use {}/{} for tracking as it does not have any check nor agent enabled.",
                                        tpx.name, ts.name
                                    )));
                                } else if loops_back(cfg, &linked, tpi, tsi, pi, si) {
                                    out.push(report(format!(
                                        "unable to track {}/{} as it belongs to a tracking chain looping back to {}/{}.",
                                        tpx.name, ts.name, px.name, s.name
                                    )));
                                } else {
                                    linked[si] = Some((tpi, tsi));
                                }
                            }
                        }
                    }
                }
            }
            if let Some(r) = &o.resolvers {
                if !cfg.resolvers.iter().any(|x| &x.name == r) {
                    out.push(Diagnostic::alert(format!(
                        "{} '{}', server '{}': unable to find required resolvers '{r}'",
                        px.kind.label(),
                        px.name,
                        s.name
                    )));
                }
            }
            if o.proto.as_deref() == Some("fcgi")
                && !px.other.iter().any(|d| d.keyword == "use-fcgi-app")
            {
                out.push(Diagnostic::alert(format!(
                    "proxy '{}': FCGI server '{}' has no FCGI app configured.",
                    px.name, s.name
                )));
            }
            if o.tfo == Some(true) {
                let ok = retry_on(cfg, px).is_some_and(|r| {
                    r.iter().any(|x| x == "all-retryable-errors")
                        || ["conn-failure", "empty-response", "response-timeout"]
                            .iter()
                            .all(|k| r.iter().any(|x| x == k))
                });
                if !ok {
                    out.push(
                        Diagnostic::warning(format!(
                            "{who} : server has tfo activated, the backend should be configured with at least 'conn-failure', 'empty-response' and 'response-timeout' or we wouldn't be able to retry the connection on failure."
                        ))
                        .at(&s.location, Prefix::Bare),
                    );
                }
            }
        }
    }
}

/// Whether following the tracking links from `(tpi, tsi)` leads back to
/// the server `(pi, si)`. Only links made so far count: 2.6 links servers
/// in order, so a target not yet processed ends the walk.
fn loops_back(
    cfg: &Config,
    linked_here: &[Option<(usize, usize)>],
    tpi: usize,
    tsi: usize,
    pi: usize,
    si: usize,
) -> bool {
    let mut cur = (tpi, tsi);
    for _ in 0..=cfg.proxies.iter().map(|p| p.servers.len()).sum::<usize>() {
        if cur == (pi, si) {
            return true;
        }
        // Links of earlier proxies are all made; ours only up to now.
        let next = if cur.0 == pi {
            linked_here.get(cur.1).copied().flatten()
        } else if cur.0 < pi {
            link_of(cfg, cur)
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    true
}

/// The tracking target of a server of an earlier (fully linked) proxy.
fn link_of(cfg: &Config, (pi, si): (usize, usize)) -> Option<(usize, usize)> {
    let s = cfg.proxies.get(pi)?.servers.get(si)?;
    let t = s.options.track.as_deref()?;
    let (tp, tn) = match t.split_once('/') {
        Some((b, n)) => (cfg.proxies.iter().position(|p| p.name == b)?, n),
        None => (pi, t),
    };
    let ts = cfg.proxies[tp].servers.iter().position(|x| x.name == tn)?;
    Some((tp, ts))
}

/// 2.6's last configuration step: give every server an address, trying
/// its `init-addr` methods in order (`libc` alone by default). Failures
/// are followed by `Failed to initialize server(s) addr.`.
/// Returns false when some address could not be given.
pub fn resolve_addresses(cfg: &Config, host: &dyn Host, out: &mut Vec<Diagnostic>) -> bool {
    let mut failed = false;
    for px in cfg.proxies.iter().filter(|p| p.kind.has_backend()) {
        for s in &px.servers {
            let Address::Inet {
                ip: None,
                hostname: Some(h),
                family,
                ..
            } = &s.address
            else {
                continue;
            };
            let who = format!("'server {}/{}'", px.name, s.name);
            let steps = s.options.init_addr.clone().unwrap_or(vec![InitAddr::Libc]);
            let mut done = false;
            for st in &steps {
                match st {
                    InitAddr::Libc => done = addr::resolve_server(h, *family, host).is_some(),
                    // No server-state-file is read by -c.
                    InitAddr::Last => {}
                    InitAddr::Ip(_) => done = true,
                    InitAddr::None => {
                        if steps[0] != InitAddr::None {
                            out.push(
                                Diagnostic::warning(format!(
                                    "{who} : could not resolve address '{h}', disabling server."
                                ))
                                .at(&s.location, Prefix::Bare),
                            );
                        }
                        done = true;
                    }
                }
                if done {
                    break;
                }
            }
            if !done && cfg.global.cli_ignore_resolution {
                // -dr: keep the server, start it in maintenance instead.
                out.push(
                    Diagnostic::warning(format!(
                        "{who} : could not resolve address '{h}', disabling server."
                    ))
                    .at(&s.location, Prefix::Bare),
                );
                done = true;
            }
            if !done {
                failed = true;
                let m = if steps.contains(&InitAddr::Libc) {
                    format!("{who} : could not resolve address '{h}'.")
                } else {
                    format!("{who} : no method found to resolve address '{h}'.")
                };
                let mut d = Diagnostic::alert(m).at(&s.location, Prefix::Bare);
                d = d.hint("server addresses must be IP literals or names this host can resolve (the check runs the resolver); 'init-addr last,libc,none' starts the server disabled instead");
                out.push(d);
            }
        }
    }
    if failed {
        out.push(Diagnostic::alert("Failed to initialize server(s) addr."));
    }
    !failed
}

#[cfg(test)]
mod tests {
    use crate::host::MemHost;
    use crate::{check, Report, Source, Verdict};

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    fn run_with(global: &str, backend: &str, h: &MemHost) -> Report {
        let src = Source {
            name: "f".into(),
            data: format!(
                "global\n{global}\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n  bind :80\n  default_backend be\nbackend be\n{backend}\n"
            )
            .into_bytes(),
        };
        check(&[src], h)
    }

    fn run(backend: &str) -> Report {
        let mut h = MemHost::default();
        h.files.insert("/ca.pem".into(), PEM.as_bytes().to_vec());
        h.files.insert("/junk.txt".into(), b"hello".to_vec());
        run_with("", backend, &h)
    }

    fn msgs(r: &Report) -> Vec<String> {
        r.diags.iter().map(|d| d.body()).collect()
    }

    /// The first message, for a one-server backend on line 12.
    fn first(backend: &str) -> String {
        msgs(&run(backend)).into_iter().next().unwrap_or_default()
    }

    const NO_CA: &str = "[f:12] : 'server be/s' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.";

    #[test]
    fn ssl_verification_defaults_to_required() {
        let r = run("  server s 192.0.2.1:443 ssl");
        assert_eq!(r.verdict(), Verdict::Invalid);
        assert!(r.error_files.is_empty(), "a post-parse error");
        assert_eq!(msgs(&r), vec![NO_CA]);
        assert_eq!(first("  server s 192.0.2.1:443 check-ssl"), NO_CA);
        for ok in [
            "  server s 192.0.2.1:443 ssl verify none",
            "  server s 192.0.2.1:443 ssl ca-file /ca.pem",
            "  server s 192.0.2.1:443 ssl ca-file @system-ca",
            "  server s 192.0.2.1:443 ssl no-ssl",
            "  default-server check-ssl\n  server s 192.0.2.1:443 no-check-ssl",
        ] {
            assert_eq!(run(ok).verdict(), Verdict::Valid, "{ok}");
        }
        let h = MemHost::default();
        let r = run_with(
            "  ssl-server-verify none",
            "  server s 192.0.2.1:443 ssl",
            &h,
        );
        assert_eq!(r.verdict(), Verdict::Valid);
        // `ssl` on a default-server sticks, even through `no-ssl`.
        let r = run("  default-server ssl\n  server s 192.0.2.1:443 no-ssl");
        assert_eq!(r.verdict(), Verdict::Invalid);
        let r = run("  option tcp-check\n  tcp-check connect ssl\n  server s 192.0.2.1:443 check");
        assert_eq!(r.verdict(), Verdict::Invalid);
    }

    #[test]
    fn tls_files() {
        assert_eq!(
            msgs(&run("  server s 192.0.2.1:443 ssl ca-file /none.pem")),
            vec![
                "[f:12] : 'server be/s' : Couldn't open the ca-file '/none.pem' (No such file or directory).",
                "'ca-file' : unable to load /none.pem.",
            ]
        );
        assert_eq!(
            first("  server s 192.0.2.1:443 ssl ca-file /junk.txt"),
            "[f:12] : 'server be/s' : Couldn't open the ca-file '/junk.txt' (no certificate or crl found)."
        );
        assert_eq!(
            first("  server s 192.0.2.1:443 ssl verify none crt /none.pem"),
            "[f:12] : 'server be/s' : unable to stat SSL certificate from file '/none.pem' : No such file or directory."
        );
        assert_eq!(
            first("  server s 192.0.2.1:443 ssl verify none crt /junk.txt"),
            "[f:12] : 'server be/s' : unable to load certificate from file '/junk.txt'."
        );
        // Without TLS the client certificate is never loaded.
        assert_eq!(
            run("  server s 192.0.2.1:443 crt /none.pem").verdict(),
            Verdict::Valid
        );
        assert_eq!(
            first("  server s 192.0.2.1:443 ssl verify none ciphers FOO:BAR"),
            "[f:12] : 'server be/s' : unable to set SSL cipher list to 'FOO:BAR'."
        );
    }

    #[test]
    fn tracking() {
        let r = run("  server s1 192.0.2.1:80 check\n  server s 192.0.2.2:80 check track s1");
        assert_eq!(
            msgs(&r)[0],
            "[f:13] : 'server be/s' : unable to enable checks and tracking at the same time!"
        );
        assert!(!r.error_files.is_empty(), "a parse-time error");
        assert_eq!(
            first("  server s 192.0.2.1 track nosuch"),
            "[f:12] : 'server be/s' : unable to find required server 'nosuch' for tracking."
        );
        assert_eq!(
            first("  server s 192.0.2.1 track nobe/x"),
            "[f:12] : 'server be/s' : unable to find required proxy 'nobe' for tracking."
        );
        assert_eq!(
            first("  server s 192.0.2.1 track s"),
            "[f:12] : 'server be/s' : unable to track be/s as it belongs to a tracking chain looping back to be/s."
        );
        assert_eq!(
            msgs(&run("  server a 192.0.2.1 track b\n  server b 192.0.2.1 track a")),
            vec!["[f:13] : 'server be/b' : unable to track be/a as it belongs to a tracking chain looping back to be/b."]
        );
        assert_eq!(
            msgs(&run("  server a 192.0.2.1 track b\n  server b 192.0.2.1 track c\n  server c 192.0.2.1")),
            vec!["[f:13] : 'server be/b' : unable to use be/c for tracking as it does not have any check nor agent enabled."]
        );
        let ok = "  server a 192.0.2.1 track b\n  server b 192.0.2.1 track c\n  server c 192.0.2.1:80 check";
        assert_eq!(run(ok).verdict(), Verdict::Valid);
        assert_eq!(
            msgs(&run("  server s 192.0.2.1 ssl track nosuch"))[1],
            "unable to find required server 'nosuch' for tracking."
        );
    }

    #[test]
    fn option_values() {
        for (opt, want) in [
            ("inter 2x", "unexpected character 'x' in 'agent-inter' argument of server s.."),
            ("fastinter 2x", "unexpected character 'x' in 'agent-inter' argument of server s.."),
            ("slowstart 2x", "unexpected character 'x' in 'slowstart' argument of server s.."),
            ("inter 0", "invalid value 0 for argument 'inter' of server s.."),
            ("inter 25d", "timer overflow in argument <25d> to <inter> of server s, maximum value is 2147483647 ms (~24.8 days).."),
            ("weight 257", "weight of server s is not within 0 and 256 (257).."),
            ("rise 0", "'rise' has to be > 0.."),
            ("fall abc", "'fall' has to be > 0.."),
            ("observe bogus", "'observe' expects one of 'none', 'layer4', 'layer7' but got 'bogus'."),
            ("on-error bogus", "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'bogus'."),
            ("on-marked-down x", "'on-marked-down' expects 'shutdown-sessions' but got 'x'."),
            ("on-marked-up x", "'on-marked-up' expects 'shutdown-backup-sessions' but got 'x'."),
            ("error-limit 0", "error-limit has to be > 0.."),
            ("id 0", "'id' : custom id has to be > 0."),
            ("proto bogus", "'proto' :  unknown MUX protocol 'bogus'."),
            ("alpn", "'alpn' : missing the comma-delimited ALPN protocol suite."),
            ("sni", "'sni' : missing sni expression."),
            ("sni bogus_fetch", "error detected while parsing sni expression : unknown fetch method 'bogus_fetch'"),
            ("ssl-min-ver bogus", "'bogus' : unknown ssl/tls version."),
            ("verify optional", "'verify' : unknown verify method 'optional', only 'none' and 'required' are supported."),
            ("ws bogus", "'ws' has to be 'auto', 'h1' or 'h2'."),
            ("proxy-v2-options ssl,bogus", "'bogus' : proxy v2 option not implemented."),
            ("addr 300.1.1.1", "'addr' : invalid address: '300.1.1.1' in '300.1.1.1'."),
            ("addr 192.0.2.9:+1", "'addr' : port offset not permitted here in '192.0.2.9:+1'."),
            ("init-addr libc,bogus", "'init-addr' : unknown init-addr method 'bogus', supported methods are 'libc', 'last', 'none'.."),
            ("agent-check", "server s does not have agent port. Agent check has been disabled."),
        ] {
            assert_eq!(
                first(&format!("  server s 192.0.2.1:80 {opt}")),
                format!("[f:12] : 'server be/s' : {want}"),
                "{opt}"
            );
        }
        for ok in [
            "weight 10abc",
            "maxconn abc",
            "port 99999",
            "slowstart 0",
            "observe layer7",
            "on-error mark-down",
            "proto h2",
            "alpn h2,http/1.1",
            "sni req.hdr(host)",
            "init-addr last,libc,none",
            "init-addr 192.0.2.5",
            "ws auto",
            "addr 192.0.2.9:0",
            "agent-check agent-port 5555",
        ] {
            assert_eq!(
                run(&format!("  server s 192.0.2.1:80 {ok}")).verdict(),
                Verdict::Valid,
                "{ok}"
            );
        }
        let r = run("  server s 192.0.2.1:80 inter 1m30s");
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
        // atol keeps the low 16 bits of a port: 65536 is no port at all.
        let r = run("  server s 192.0.2.1 check port 65536");
        assert_eq!(r.config.proxies[1].servers[0].options.port, None);
        let r = run("  server s 192.0.2.1 check addr 192.0.2.9:81");
        assert_eq!(r.config.proxies[1].servers[0].options.port, Some(81));
    }

    #[test]
    fn ids_resolvers_tfo() {
        assert_eq!(
            msgs(&run("  server a 192.0.2.1 id 5\n  server b 192.0.2.1 id 5"))[0],
            "[f:13] : 'server be/b' : 'id' : custom id 5 already used at f:12 ('server a')."
        );
        let r = run("  default-server id 3\n  server a 192.0.2.1");
        assert_eq!(r.verdict(), Verdict::Valid);
        assert_eq!(
            msgs(&r),
            vec!["[f:12] : 'id' option is not accepted in default-server sections"]
        );
        assert_eq!(
            first("  server s 192.0.2.1 resolvers nosuch"),
            "backend 'be', server 's': unable to find required resolvers 'nosuch'"
        );
        assert_eq!(
            run("  server s 192.0.2.1 tfo").verdict(),
            Verdict::ValidWithWarnings
        );
        for ok in [
            "  retry-on conn-failure empty-response response-timeout\n  server s 192.0.2.1 tfo",
            "  server s 192.0.2.1 tfo\n  retry-on all-retryable-errors",
        ] {
            assert_eq!(run(ok).verdict(), Verdict::Valid, "{ok}");
        }
    }

    #[test]
    fn addresses_resolve_after_parsing() {
        let r = run("  server s nosuch.invalid:80");
        assert!(r.error_files.is_empty());
        assert_eq!(
            msgs(&r),
            vec![
                "[f:12] : 'server be/s' : could not resolve address 'nosuch.invalid'.",
                "Failed to initialize server(s) addr.",
            ]
        );
        assert_eq!(
            first("  server s 300.1.1.1:80"),
            "[f:12] : 'server be/s' : could not resolve address '300.1.1.1'."
        );
        assert_eq!(
            first("  server s ipv4@[::1]:80"),
            "[f:12] : 'server be/s' : could not resolve address '[::1]'."
        );
        assert_eq!(
            first("  server s ipv6@127.0.0.1:80"),
            "[f:12] : 'server be/s' : could not resolve address '127.0.0.1'."
        );
        assert_eq!(
            first("  server s bogus@192.0.2.1"),
            "[f:12] : 'server be/s' : could not resolve address 'bogus@192.0.2.1'."
        );
        assert_eq!(
            first("  server s nosuch.invalid:80 init-addr last"),
            "[f:12] : 'server be/s' : no method found to resolve address 'nosuch.invalid'."
        );
        assert_eq!(
            run("  server s nosuch.invalid:80 init-addr none").verdict(),
            Verdict::Valid
        );
        assert_eq!(
            run("  server s nosuch.invalid:80 init-addr 192.0.2.5").verdict(),
            Verdict::Valid
        );
        assert_eq!(
            run("  server s nosuch.invalid:80 init-addr last,libc,none").verdict(),
            Verdict::ValidWithWarnings
        );
        // Another post-parse error stops 2.6 before resolution.
        let r = run("  server s nosuch.invalid:80 track x");
        assert_eq!(msgs(&r).len(), 1);
        for (a, want) in [
            (
                "udp@192.0.2.1:80",
                "dgram-type address not acceptable in 'udp@192.0.2.1:80'",
            ),
            (
                "192.0.2.1:80-81",
                "port range not permitted here in '192.0.2.1:80-81'",
            ),
            ("fd@3", "a file descriptor is not acceptable here in 'fd@3'"),
            (
                "192.0.2.1:abc",
                "invalid character 'a' in port number 'abc' in '192.0.2.1:abc'",
            ),
        ] {
            assert_eq!(
                first(&format!("  server s {a}")),
                format!("[f:12] : 'server be/s' : {want}"),
                "{a}"
            );
        }
        assert_eq!(run("  server s 192.0.2.1:0").verdict(), Verdict::Valid);
    }
}
