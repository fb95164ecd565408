//! `server NAME ADDR [options…]` and `default-server [options…]`.

use std::time::Duration;

use crate::addr::{self, Address, Use};
use crate::diag::{Diagnostic, Location, Prefix};
use crate::parser::{Line, Outcome, Parser};
use crate::suggest;
use crate::units::{self, TimeUnit};

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
    pub port: Option<u16>,
    pub addr: Option<String>,
    pub disabled: Option<bool>,
    pub ssl: Option<bool>,
    pub send_proxy: Option<bool>,
    pub slowstart: Option<Duration>,
    /// Every option with its argument, in order, as written.
    pub raw: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
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

fn parse_options(
    opts: &mut ServerOptions,
    words: &[String],
    who: &str,
    loc: &Location,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let here = |m: String| Diagnostic::alert(m).at(loc, Prefix::Bare);
    let mut warnings = Vec::new();
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
            let Some(v) = words.get(i + 1) else {
                return Err(here(format!("{who} : '{o}' expects an argument.")));
            };
            i += 1;
            Some(v.clone())
        } else {
            None
        };
        let v = arg.as_deref().unwrap_or("");
        let time = |kw: &str| -> Result<Duration, Diagnostic> {
            match units::parse_time(v, TimeUnit::Ms) {
                Ok(t) if units::as_ms(t.value) > 0 => Ok(t.value),
                Ok(_) => Err(here(format!(
                    "{who} : '{kw}' expects a positive delay in milliseconds."
                ))),
                Err(units::TimeError::BadChar(c)) => Err(here(format!(
                    "{who} : unexpected character '{c}' in '{kw}' argument of server {}.",
                    who.rsplit('/').next().unwrap_or("").trim_end_matches('\'')
                ))),
                Err(_) => Err(here(format!("{who} : invalid time '{v}' for '{kw}'."))),
            }
        };
        let int = || units::atol(v);
        match o {
            "check" => opts.check = Some(true),
            "no-check" => opts.check = Some(false),
            "backup" => opts.backup = Some(true),
            "no-backup" => opts.backup = Some(false),
            "disabled" => opts.disabled = Some(true),
            "enabled" => opts.disabled = Some(false),
            "ssl" => opts.ssl = Some(true),
            "no-ssl" => opts.ssl = Some(false),
            "send-proxy" | "send-proxy-v2" => opts.send_proxy = Some(true),
            "weight" => {
                let w = int();
                if !(0..=256).contains(&w.value) {
                    return Err(here(format!(
                        "{who} : weight of server {} is not within 0 and 256 ({}).",
                        who.rsplit('/').next().unwrap_or("").trim_end_matches('\''),
                        w.value
                    )));
                }
                opts.weight = Some(w.value as u32);
            }
            "maxconn" => opts.maxconn = Some(int().value.max(0) as u32),
            "maxqueue" => opts.maxqueue = Some(int().value.max(0) as u32),
            "minconn" => opts.minconn = Some(int().value.max(0) as u32),
            "rise" | "fall" => {
                let n = int().value;
                if n <= 0 {
                    return Err(here(format!("{who} : '{o}' has to be > 0.")));
                }
                if o == "rise" {
                    opts.rise = Some(n as u32);
                } else {
                    opts.fall = Some(n as u32);
                }
            }
            "inter" => opts.inter = Some(time("inter")?),
            "fastinter" => opts.fastinter = Some(time("fastinter")?),
            "downinter" => opts.downinter = Some(time("downinter")?),
            "slowstart" => opts.slowstart = Some(time("slowstart")?),
            "port" => match v.parse::<u32>() {
                Ok(n) if (1..=65535).contains(&n) => opts.port = Some(n as u16),
                _ => return Err(here(format!("{who} : invalid health check port '{v}'."))),
            },
            "addr" => opts.addr = Some(v.to_string()),
            _ => {}
        }
        opts.raw.push((o.to_string(), arg));
        i += 1;
    }
    let _ = &mut warnings;
    Ok(warnings)
}

pub fn kw_server(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let (pname, defaults) = match p.proxy() {
        Some(px) => (px.name.clone(), px.default_server.clone()),
        None => return Outcome::Ok,
    };
    let here = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::Bare);
    let (Some(name), Some(addr_text)) = (line.arg(1), line.arg(2)) else {
        return Outcome::Alert(here(format!(
            "'server' expects <name> and <addr>[:<port>] as arguments."
        )));
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
    let mut opts = defaults;
    opts.raw.clear();
    if let Err(d) = parse_options(&mut opts, &line.words[3..], &who, &line.loc) {
        return Outcome::Alert(d);
    }
    let env = |n: &str| p.env_var(n);
    let address = match addr::parse(addr_text, Use::Server, p.host, &env) {
        Ok(a) => a,
        Err(e) => {
            let mut d = here(format!("{who} : {e}"));
            if matches!(e, addr::AddrError::Unresolvable(_)) {
                d = d.hint("server addresses must be IP literals or names this host can resolve (the check runs the resolver)");
            }
            return Outcome::Alert(d);
        }
    };
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
    match parse_options(&mut opts, &line.words[1..], "'default-server'", &line.loc) {
        Ok(_) => {
            if let Some(px) = p.proxy_mut() {
                px.default_server = opts;
            }
            Outcome::Ok
        }
        Err(d) => Outcome::Alert(d),
    }
}

/// Whole-configuration checks on servers (TLS verification, tracking), run after parsing succeeded.
pub fn post_parse(
    _cfg: &crate::model::Config,
    _host: &dyn crate::host::Host,
    _out: &mut Vec<crate::diag::Diagnostic>,
) {
}
