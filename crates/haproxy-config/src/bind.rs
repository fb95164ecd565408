//! `bind ADDR[,ADDR…] [options…]`: listeners.

use crate::addr::{self, Address, Use};
use crate::diag::{Diagnostic, Location, Prefix};
use crate::parser::{Line, Outcome, Parser};
use crate::suggest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    /// The address list as written (`*:80`, `:8000-8010,:9000`).
    pub spec: String,
    pub addresses: Vec<Address>,
    pub ssl: bool,
    /// `crt` arguments in order (files or directories).
    pub crt: Vec<String>,
    /// Every option with its argument, in order, as written.
    pub options: Vec<(String, Option<String>)>,
    pub location: Location,
}

impl Bind {
    pub fn option(&self, name: &str) -> Option<Option<&str>> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }
}

/// Bind options of 2.6 and whether each takes an argument.
pub static BIND_OPTIONS: &[(&str, u8)] = &[
    ("accept-netscaler-cip", 1),
    ("accept-proxy", 0),
    ("backlog", 1),
    ("defer-accept", 0),
    ("expose-fd", 1),
    ("gid", 1),
    ("group", 1),
    ("id", 1),
    ("interface", 1),
    ("level", 1),
    ("maxconn", 1),
    ("mode", 1),
    ("mss", 1),
    ("name", 1),
    ("namespace", 1),
    ("nice", 1),
    ("process", 1),
    ("proto", 1),
    ("severity-output", 1),
    ("shards", 1),
    ("tcp-ut", 1),
    ("tfo", 0),
    ("thread", 1),
    ("transparent", 0),
    ("uid", 1),
    ("user", 1),
    ("v4v6", 0),
    ("v6only", 0),
    ("ssl", 0),
    ("allow-0rtt", 0),
    ("alpn", 1),
    ("ca-file", 1),
    ("ca-ignore-err", 1),
    ("ca-sign-file", 1),
    ("ca-sign-pass", 1),
    ("ca-verify-file", 1),
    ("ciphers", 1),
    ("ciphersuites", 1),
    ("crl-file", 1),
    ("crt", 1),
    ("crt-ignore-err", 1),
    ("crt-list", 1),
    ("curves", 1),
    ("ecdhe", 1),
    ("force-sslv3", 0),
    ("force-tlsv10", 0),
    ("force-tlsv11", 0),
    ("force-tlsv12", 0),
    ("force-tlsv13", 0),
    ("generate-certificates", 0),
    ("no-ca-names", 0),
    ("no-sslv3", 0),
    ("no-tls-tickets", 0),
    ("no-tlsv10", 0),
    ("no-tlsv11", 0),
    ("no-tlsv12", 0),
    ("no-tlsv13", 0),
    ("npn", 1),
    ("prefer-client-ciphers", 0),
    ("ssl-max-ver", 1),
    ("ssl-min-ver", 1),
    ("strict-sni", 0),
    ("tls-ticket-keys", 1),
    ("verify", 1),
];

/// Parse a `bind` line's address list and options (shared with `peers`
/// and `stats socket`).
pub fn parse_bind(p: &Parser<'_>, line: &Line, first: usize) -> Result<Bind, Diagnostic> {
    let here = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::Parsing);
    let Some(spec) = line.arg(first) else {
        return Err(here(format!(
            "'{}' expects {{<path>|[addr1]:port1[-end1]}}{{,[addr]:port[-end]}}... as arguments.",
            line.kw()
        )));
    };
    let env = |n: &str| p.env_var(n);
    let mut addresses = Vec::new();
    for part in spec.split(',') {
        let a = addr::parse(part, Use::Bind, p.host, &env)
            .map_err(|e| here(format!("'{}' : {e}", line.kw())))?;
        addresses.push(a);
    }
    let mut b = Bind {
        spec: spec.to_string(),
        addresses,
        ssl: false,
        crt: Vec::new(),
        options: Vec::new(),
        location: line.loc.clone(),
    };
    let mut i = first + 1;
    while i < line.words.len() {
        let o = line.words[i].as_str();
        let Some(&(_, nargs)) = BIND_OPTIONS.iter().find(|(n, _)| *n == o) else {
            let mut d = here(format!("'{} {spec}' unknown keyword '{o}'.", line.kw()));
            if let Some(s) = suggest::best_match(o, BIND_OPTIONS.iter().map(|(n, _)| *n)) {
                d = d.hint(format!("did you mean '{s}'?"));
            }
            return Err(d);
        };
        let arg = if nargs > 0 {
            let Some(v) = line.arg(i + 1) else {
                return Err(here(format!(
                    "'{} {spec}' : missing argument for '{o}'.",
                    line.kw()
                )));
            };
            i += 1;
            Some(v.to_string())
        } else {
            None
        };
        match o {
            "ssl" => b.ssl = true,
            "crt" => b.crt.push(arg.clone().unwrap_or_default()),
            _ => {}
        }
        b.options.push((o.to_string(), arg));
        i += 1;
    }
    Ok(b)
}

pub fn kw_bind(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match parse_bind(p, line, 1) {
        Ok(b) => {
            if let Some(px) = p.proxy_mut() {
                px.binds.push(b);
            }
            Outcome::Ok
        }
        Err(d) => Outcome::Alert(d),
    }
}

/// Whole-configuration checks on listeners (certificates, fd@ sockets), run after parsing succeeded.
pub fn post_parse(
    _cfg: &crate::model::Config,
    _host: &dyn crate::host::Host,
    _out: &mut Vec<crate::diag::Diagnostic>,
) {
}
