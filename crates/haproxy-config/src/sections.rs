//! Section headers (`frontend NAME [from DEFAULTS]`, …) and the small
//! sections: userlist, peers, mailers, resolvers, program, http-errors,
//! ring, cache, plus the ones kept as plain directives (`log-forward`,
//! `fcgi-app`, `namespace_list`).
//!
//! Messages, their location prefixes and whether an error stops the file
//! were measured on HAProxy 2.6.12; they differ from section to section.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::addr::{self, Address, Ports, Use};
use crate::diag::{Diagnostic, Location, Prefix};
use crate::host::PathKind;
use crate::model::{Directive, Proxy, ProxyKind};
use crate::parser::{Current, Line, Modifier, Outcome, Parser};
use crate::units::{self, TimeUnit};

/// A section kept as words (`log-forward`, `fcgi-app`, `namespace_list`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenericSection {
    pub kind: String,
    pub name: String,
    pub location: Option<Location>,
    pub directives: Vec<Directive>,
}

// ---- userlist ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    /// The password as written; `insecure` tells whether it is clear text.
    pub password: Option<String>,
    pub insecure: bool,
    pub groups: Vec<String>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub users: Vec<String>,
    pub location: Location,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Userlist {
    pub name: String,
    pub location: Option<Location>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
}

// ---- peers -------------------------------------------------------------

/// A `peer NAME ADDR` line, or a `server NAME [ADDR]` line (the
/// `bind` + `server` form of a peers section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub address: Option<String>,
    pub via_server: bool,
    pub options: Vec<String>,
    pub location: Location,
}

/// A `table NAME type T [len N] size N [expire T] [nopurge] [store …]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeersTable {
    pub name: String,
    pub key_type: String,
    pub key_len: Option<u32>,
    pub size: String,
    pub expire: Option<Duration>,
    pub nopurge: bool,
    pub store: Vec<String>,
    pub location: Location,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peers {
    pub name: String,
    pub location: Option<Location>,
    pub peers: Vec<Peer>,
    /// `bind ADDR [options]` (local peer declared through `bind`/`server`).
    pub bind: Option<(String, Vec<String>)>,
    pub default_bind: Vec<String>,
    pub default_server: Vec<String>,
    pub tables: Vec<PeersTable>,
    pub disabled: bool,
}

impl Peers {
    /// Whether one of the peers is `local` (the name `-L`, `localpeer` or
    /// the host name designates); 2.6 drops the section otherwise.
    pub fn has_peer(&self, local: &str) -> bool {
        self.peers.iter().any(|p| p.name == local)
    }
}

// ---- mailers -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailer {
    pub name: String,
    pub address: String,
    pub location: Location,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailers {
    pub name: String,
    pub location: Option<Location>,
    pub mailers: Vec<Mailer>,
    pub timeout_mail: Option<Duration>,
}

// ---- resolvers ---------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nameserver {
    pub name: String,
    pub address: String,
    pub location: Location,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolvers {
    pub name: String,
    pub location: Option<Location>,
    pub nameservers: Vec<Nameserver>,
    pub parse_resolv_conf: bool,
    pub accepted_payload_size: Option<u32>,
    pub resolve_retries: Option<i64>,
    /// `hold <status> <time>`: status → time.
    pub hold: BTreeMap<String, Duration>,
    pub timeout_resolve: Option<Duration>,
    pub timeout_retry: Option<Duration>,
}

/// The statuses `hold` accepts.
pub const HOLD_STATUSES: &[&str] = &["nx", "other", "refused", "timeout", "valid", "obsolete"];

// ---- program -----------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    pub location: Option<Location>,
    pub command: Vec<String>,
    pub user: Option<String>,
    pub group: Option<String>,
    /// `option start-on-reload` (true) / `no option start-on-reload` (false).
    pub start_on_reload: Option<bool>,
}

// ---- http-errors -------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpErrors {
    pub name: String,
    pub location: Option<Location>,
    /// `errorfile CODE FILE`, in order.
    pub errorfiles: Vec<(u16, String)>,
    /// The same lines as words (kept for checks that read them so).
    pub directives: Vec<Directive>,
}

// ---- ring --------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingServer {
    pub name: String,
    pub address: String,
    pub options: Vec<String>,
    pub location: Location,
}

/// Formats a ring (a sink) may use.
pub const RING_FORMATS: &[&str] = &[
    "raw", "short", "rfc3164", "rfc5424", "iso", "timed", "priority",
];

/// The size of a ring buffer when `size` is not given.
pub const RING_DEFAULT_SIZE: u64 = 16384;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ring {
    pub name: String,
    pub location: Option<Location>,
    pub description: Option<String>,
    pub format: Option<String>,
    pub maxlen: Option<u64>,
    pub size: Option<u64>,
    pub timeout_connect: Option<Duration>,
    pub timeout_server: Option<Duration>,
    pub servers: Vec<RingServer>,
}

// ---- cache -------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cache {
    pub name: String,
    pub location: Option<Location>,
    /// In megabytes (1..=4095).
    pub total_max_size: u32,
    /// In bytes.
    pub max_object_size: Option<u32>,
    /// In seconds.
    pub max_age: Option<u32>,
    pub process_vary: Option<bool>,
    pub max_secondary_entries: Option<u32>,
    /// Passed its end-of-section checks (2.6 registers it then).
    pub registered: bool,
}

/// The characters 2.6 allows in proxy and section names.
pub fn invalid_name_char(name: &str) -> Option<char> {
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
}

fn warn_tight(p: &mut Parser<'_>, line: &Line, m: impl Into<String>) {
    p.push(Diagnostic::warning(m).at(&line.loc, Prefix::ParsingTight));
}

fn loc_of(line: &Line) -> Option<Location> {
    Some(line.loc.clone())
}

fn at(line: &Line, prefix: Prefix, m: impl Into<String>) -> Diagnostic {
    Diagnostic::alert(m).at(&line.loc, prefix)
}

fn alert(line: &Line, m: impl Into<String>) -> Outcome {
    Outcome::Alert(at(line, Prefix::Parsing, m))
}

fn alert_tight(line: &Line, m: impl Into<String>) -> Outcome {
    Outcome::Alert(at(line, Prefix::ParsingTight, m))
}

/// A warning that still counts as an error of the file (2.6 prints some
/// cache and ring errors as WARNINGs but fails the configuration).
fn failing_warning(line: &Line, prefix: Prefix, m: impl Into<String>) -> Outcome {
    let mut d = Diagnostic::warning(m).at(&line.loc, prefix);
    d.fatal = true;
    Outcome::Alert(d)
}

/// The same, but the error also stops reading the file (cache values).
fn aborting_warning(line: &Line, m: impl Into<String>) -> Outcome {
    let mut d = Diagnostic::warning(m).at(&line.loc, Prefix::ParsingTight);
    d.fatal = true;
    Outcome::Abort(d)
}

pub fn start_section(p: &mut Parser<'_>, kind: &str, line: &Line) -> Outcome {
    end_section(p);
    match kind {
        "global" => {
            p.current = Current::Global;
            Outcome::Ok
        }
        "defaults" | "frontend" | "backend" | "listen" => start_proxy(p, kind, line),
        "userlist" => start_userlist(p, line),
        "peers" => start_peers(p, line),
        "mailers" => start_mailers(p, line),
        "resolvers" => start_resolvers(p, line),
        "program" => start_program(p, line),
        "http-errors" => start_http_errors(p, line),
        "ring" => start_ring(p, line),
        "cache" => start_cache(p, line),
        _ => start_other(p, kind, line),
    }
}

/// Checks 2.6 runs when a section ends (at the next section header or
/// the end of the file).
pub fn end_section(p: &mut Parser<'_>) {
    if let Current::Cache(i) = p.current {
        let diags = cache_end_checks(&p.cfg.caches[i]);
        if diags.is_empty() {
            p.cfg.caches[i].registered = true;
        } else {
            for d in diags {
                p.push(d);
            }
            // 2.6 counts them as errors of the file being read.
            if let Some(f) = p.cfg.caches[i].location.as_ref().map(|l| l.file.clone()) {
                if !p.error_files.contains(&f) {
                    p.error_files.push(f);
                }
            }
        }
    }
}

fn cache_end_checks(c: &Cache) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if c.total_max_size == 0 {
        out.push(Diagnostic::alert(format!(
            "Size not specified for cache '{}'",
            c.name
        )));
        return out;
    }
    let half = u64::from(c.total_max_size) * 1024 * 1024 / 2;
    if let Some(m) = c.max_object_size {
        if u64::from(m) > half {
            out.push(Diagnostic::alert(format!(
                "\"max-object-size\" is limited to an half of \"total-max-size\" => {half}"
            )));
        }
    }
    out
}

fn start_userlist(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(name) = line.arg(1) else {
        p.cfg.userlists.push(Userlist {
            location: loc_of(line),
            ..Userlist::default()
        });
        p.current = Current::Userlist(p.cfg.userlists.len() - 1);
        return alert_tight(line, "'userlist' expects <name> as arguments.");
    };
    if let Some(c) = invalid_name_char(name) {
        return alert_tight(
            line,
            format!("character '{c}' is not permitted in 'userlist' name '{name}'."),
        );
    }
    if let Some(i) = p.cfg.userlists.iter().position(|u| u.name == name) {
        warn_tight(p, line, format!("ignoring duplicated userlist '{name}'."));
        p.current = Current::Userlist(i);
        return Outcome::Ok;
    }
    p.cfg.userlists.push(Userlist {
        name: name.to_string(),
        location: loc_of(line),
        ..Userlist::default()
    });
    p.current = Current::Userlist(p.cfg.userlists.len() - 1);
    Outcome::Ok
}

/// Shared start of peers / mailers / resolvers / http-errors: missing
/// name and bad characters stop the file.
fn named_or_abort(line: &Line, what: &str) -> Result<String, Outcome> {
    let Some(name) = line.arg(1) else {
        return Err(Outcome::Abort(at(
            line,
            Prefix::Parsing,
            format!("missing name for {what} section."),
        )));
    };
    if let Some(c) = invalid_name_char(name) {
        let d = at(
            line,
            Prefix::Parsing,
            format!(
                "character '{c}' is not permitted in '{}' name '{name}'.",
                line.kw()
            ),
        );
        return Err(if line.kw() == "http-errors" {
            Outcome::Alert(d)
        } else {
            Outcome::Abort(d)
        });
    }
    Ok(name.to_string())
}

fn start_peers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = match named_or_abort(line, "peers") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let clash = p
        .cfg
        .peers
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.location.clone());
    p.cfg.peers.push(Peers {
        name: name.clone(),
        location: loc_of(line),
        ..Peers::default()
    });
    p.current = Current::Peers(p.cfg.peers.len() - 1);
    if let Some(l) = clash {
        return Outcome::Alert(at(
            line,
            Prefix::ParsingCapital,
            format!("peers section '{name}' has the same name as another peers section declared at {l}."),
        ));
    }
    Outcome::Ok
}

fn start_mailers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = match named_or_abort(line, "mailers") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let clash = p
        .cfg
        .mailers
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.location.clone());
    p.cfg.mailers.push(Mailers {
        name: name.clone(),
        location: loc_of(line),
        ..Mailers::default()
    });
    p.current = Current::Mailers(p.cfg.mailers.len() - 1);
    if let Some(l) = clash {
        return Outcome::Alert(at(
            line,
            Prefix::ParsingCapital,
            format!("mailers section '{name}' has the same name as another mailers section declared at {l}."),
        ));
    }
    Outcome::Ok
}

fn start_resolvers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = match named_or_abort(line, "resolvers") {
        Ok(n) => n,
        Err(o) => return o,
    };
    if let Some(l) = p
        .cfg
        .resolvers
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.location.clone())
    {
        // 2.6 follows the clash with a bogus "out of memory" and stops.
        p.push(at(
            line,
            Prefix::ParsingCapital,
            format!("resolvers '{name}' has same name as another resolvers (declared at {l})."),
        ));
        return Outcome::Abort(
            at(line, Prefix::Parsing, "out of memory.").hint(
                "2.6 reports a duplicated resolvers name this way; rename one of the sections",
            ),
        );
    }
    p.cfg.resolvers.push(Resolvers {
        name,
        location: loc_of(line),
        ..Resolvers::default()
    });
    p.current = Current::Resolvers(p.cfg.resolvers.len() - 1);
    Outcome::Ok
}

fn start_program(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(name) = line.arg(1) else {
        return Outcome::Abort(at(
            line,
            Prefix::Parsing,
            "'program' expects an <id> argument",
        ));
    };
    if p.cfg.programs.iter().any(|s| s.name == name) {
        return Outcome::Abort(at(
            line,
            Prefix::ParsingTight,
            format!("'{name}' program section already exists in the configuration."),
        ));
    }
    p.cfg.programs.push(Program {
        name: name.to_string(),
        location: loc_of(line),
        ..Program::default()
    });
    p.current = Current::Program(p.cfg.programs.len() - 1);
    Outcome::Ok
}

fn start_http_errors(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = match named_or_abort(line, "http-errors") {
        Ok(n) => n,
        Err(o) => return o,
    };
    let clash = p
        .cfg
        .http_errors
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.location.clone());
    p.cfg.http_errors.push(HttpErrors {
        name: name.clone(),
        location: loc_of(line),
        ..HttpErrors::default()
    });
    p.current = Current::HttpErrors(p.cfg.http_errors.len() - 1);
    if let Some(l) = clash {
        return alert_tight(
            line,
            format!("http-errors section '{name}' already exists (declared at {l})."),
        );
    }
    Outcome::Ok
}

fn start_ring(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = line.arg(1).unwrap_or("").to_string();
    p.cfg.rings.push(Ring {
        name: name.clone(),
        location: loc_of(line),
        ..Ring::default()
    });
    let idx = p.cfg.rings.len() - 1;
    p.current = Current::Ring(idx);
    if name.is_empty() {
        return alert(line, "missing ring name.");
    }
    if let Some(c) = invalid_name_char(&name) {
        return alert(
            line,
            format!("invalid ring name '{name}' (character '{c}' is not permitted)."),
        );
    }
    if p.cfg.rings[..idx].iter().any(|r| r.name == name) {
        return alert(line, format!("sink named '{name}' already exists."));
    }
    Outcome::Ok
}

fn start_cache(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(name) = line.arg(1) else {
        return Outcome::Abort(at(
            line,
            Prefix::Parsing,
            "'cache' expects a <name> argument",
        ));
    };
    if p.cfg.caches.iter().any(|c| c.registered && c.name == name) {
        return Outcome::Abort(at(
            line,
            Prefix::ParsingTight,
            format!("Duplicate cache name '{name}'."),
        ));
    }
    p.cfg.caches.push(Cache {
        name: name.to_string(),
        location: loc_of(line),
        ..Cache::default()
    });
    p.current = Current::Cache(p.cfg.caches.len() - 1);
    Outcome::Ok
}

fn start_other(p: &mut Parser<'_>, kind: &str, line: &Line) -> Outcome {
    let name = line.arg(1).unwrap_or("").to_string();
    let clash = p
        .cfg
        .other_sections
        .iter()
        .find(|s| s.kind == kind && s.name == name && !name.is_empty())
        .and_then(|s| s.location.clone());
    p.cfg.other_sections.push(GenericSection {
        kind: kind.to_string(),
        name: name.clone(),
        location: loc_of(line),
        directives: Vec::new(),
    });
    p.current = Current::Other(p.cfg.other_sections.len() - 1);
    match kind {
        "log-forward" => {
            if name.is_empty() {
                return Outcome::Abort(at(
                    line,
                    Prefix::Parsing,
                    "missing name for ip-forward section.",
                ));
            }
            if let Some(c) = invalid_name_char(&name) {
                return Outcome::Abort(at(
                    line,
                    Prefix::Parsing,
                    format!("character '{c}' is not permitted in 'log-forward' name '{name}'."),
                ));
            }
            if let Some(l) = clash {
                return Outcome::Alert(at(
                    line,
                    Prefix::ParsingCapital,
                    format!("log-forward section '{name}' has the same name as another log-forward section declared at {l}."),
                ));
            }
        }
        "fcgi-app" => {
            if name.is_empty() {
                return alert_tight(line, "'fcgi-app' expects <name> as argument.");
            }
            if let Some(c) = invalid_name_char(&name) {
                return alert_tight(
                    line,
                    format!("character '{c}' is not permitted in 'fcgi-app' name '{name}'."),
                );
            }
            if let Some(l) = clash {
                return Outcome::Alert(at(
                    line,
                    Prefix::ParsingCapital,
                    format!("fcgi-app section '{name}' has the same name as another one declared at {l}."),
                ));
            }
        }
        _ => {}
    }
    Outcome::Ok
}

fn start_proxy(p: &mut Parser<'_>, kind: &str, line: &Line) -> Outcome {
    let pk = match kind {
        "defaults" => ProxyKind::Defaults,
        "frontend" => ProxyKind::Frontend,
        "backend" => ProxyKind::Backend,
        _ => ProxyKind::Listen,
    };
    let tight = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::ParsingTight);
    let mut args = &line.words[1..];
    let mut name = String::new();
    if let Some(first) = args.first() {
        if first != "from" {
            name = first.clone();
            args = &args[1..];
        }
    }
    if name.is_empty() && pk != ProxyKind::Defaults {
        return Outcome::Abort(
            Diagnostic::alert(format!("'{kind}' expects an <id> argument"))
                .at(&line.loc, Prefix::Parsing),
        );
    }
    if let Some(c) = invalid_name_char(&name) {
        return Outcome::Abort(
            Diagnostic::alert(format!(
                "character '{c}' is not permitted in '{kind}' name '{name}'."
            ))
            .at(&line.loc, Prefix::Parsing),
        );
    }
    let mut from = None;
    match args {
        [] => {}
        [f, d] if f == "from" => from = Some(d.clone()),
        [f] if f == "from" => {
            return Outcome::Abort(tight(format!(
                "'{kind}' 'from' keyword expects a defaults section name."
            )))
        }
        [x, ..] => {
            return Outcome::Abort(tight(format!(
                "'{kind} {name}' : unexpected argument '{x}'; only 'from' is supported here."
            )))
        }
    }
    if pk != ProxyKind::Defaults {
        // Capabilities overlap unless one is a pure frontend and the other
        // a pure backend.
        let same_name = p.proxy_names.get(&name).map(Vec::as_slice).unwrap_or(&[]);
        let clash = same_name.iter().map(|&i| &p.cfg.proxies[i]).find(|o| {
            o.name == name
                && !matches!(
                    (o.kind, pk),
                    (ProxyKind::Frontend, ProxyKind::Backend)
                        | (ProxyKind::Backend, ProxyKind::Frontend)
                )
        });
        if let Some(o) = clash {
            let d = Diagnostic::alert(format!(
                "{} '{name}' has the same name as {} '{name}' declared at {}.",
                pk.label(),
                o.kind.label(),
                o.location
            ))
            .at(&line.loc, Prefix::ParsingCapital);
            p.push(d.clone());
            // 2.6 reports the clash but keeps parsing the section.
            let name_copy = name.clone();
            let mut px = Proxy::new(pk, name, line.loc.clone());
            px.from = from;
            p.cfg.proxies.push(px);
            p.current = Current::Proxy(p.cfg.proxies.len() - 1);
            p.proxy_names
                .entry(name_copy.clone())
                .or_default()
                .push(p.cfg.proxies.len() - 1);
            return Outcome::Ok;
        }
    }

    // Which defaults section does this one build on?
    let base = match &from {
        Some(dname) => {
            let matches: Vec<usize> = p
                .cfg
                .defaults
                .iter()
                .enumerate()
                .filter(|(_, d)| &d.name == dname)
                .map(|(i, _)| i)
                .collect();
            match matches.as_slice() {
                [] => {
                    return Outcome::Abort(tight(format!(
                        "defaults section '{dname}' not found for {kind} '{name}'."
                    )))
                }
                [one] => Some(*one),
                [a, b, ..] => {
                    return Outcome::Abort(tight(format!(
                        "ambiguous defaults section name '{dname}' referenced by {kind} '{name}' exists at least at {} and {}.",
                        p.cfg.defaults[*a].location, p.cfg.defaults[*b].location
                    )))
                }
            }
        }
        None if pk == ProxyKind::Defaults => None,
        None => p.cfg.defaults.len().checked_sub(1),
    };
    let name_copy = name.clone();
    let mut px = Proxy::new(pk, name, line.loc.clone());
    px.from = from.clone();
    if let Some(i) = base {
        px.inherit_from(&p.cfg.defaults[i]);
        px.defaults_index = Some(i);
        px.from = from;
    }
    if pk == ProxyKind::Defaults {
        p.cfg.defaults.push(px);
        p.current = Current::Defaults(p.cfg.defaults.len() - 1);
    } else {
        p.cfg.proxies.push(px);
        p.current = Current::Proxy(p.cfg.proxies.len() - 1);
        p.proxy_names
            .entry(name_copy.clone())
            .or_default()
            .push(p.cfg.proxies.len() - 1);
    }
    Outcome::Ok
}

/// 2.6's message for a keyword unknown in one of the small sections
/// (`label` is the section keyword). Each section words it its own way and
/// none of them suggests a keyword.
pub fn unknown_keyword(label: &str, line: &Line) -> Option<Diagnostic> {
    let kw = line.kw();
    Some(match label {
        "userlist" => at(
            line,
            Prefix::ParsingTight,
            format!("unknown keyword '{kw}' in 'users' section"),
        ),
        "ring" => at(line, Prefix::Parsing, format!("unknown statement '{kw}'.")),
        "log-forward" => at(
            line,
            Prefix::Parsing,
            format!("unknown keyword '{kw}' in log-forward section."),
        ),
        "fcgi-app" => at(
            line,
            Prefix::ParsingTight,
            format!("unknown keyword '{kw}' in 'fcgi-app' section"),
        ),
        "peers" | "mailers" | "resolvers" | "program" | "http-errors" | "cache" => at(
            line,
            Prefix::Parsing,
            format!("unknown keyword '{kw}' in '{label}' section"),
        ),
        _ => return None,
    })
}

/// Lines of sections we keep verbatim (`log-forward`, `fcgi-app`, …).
pub fn other_section_line(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Other(i) = p.current else {
        return Outcome::Ok;
    };
    let kind = p.cfg.other_sections[i].kind.clone();
    let known: &[&str] = match kind.as_str() {
        "log-forward" => &["bind", "dgram-bind", "log", "maxconn", "backlog", "timeout"],
        "fcgi-app" => &[
            "docroot",
            "index",
            "path-info",
            "set-param",
            "pass-header",
            "option",
            "log-stderr",
            "acl",
        ],
        _ => &[],
    };
    if !known.is_empty() && !known.contains(&line.kw()) {
        if let Some(d) = unknown_keyword(&kind, line) {
            // 2.6 stops reading the file on an unknown log-forward keyword.
            return if kind == "log-forward" {
                Outcome::Abort(d)
            } else {
                Outcome::Alert(d)
            };
        }
    }
    if kind == "log-forward" && line.kw() == "timeout" && line.arg(1) != Some("client") {
        return alert(
            line,
            format!(
                "unknown keyword '{} {}' in log-forward section.",
                line.kw(),
                line.arg(1).unwrap_or("")
            ),
        );
    }
    p.cfg.other_sections[i].directives.push(Directive {
        keyword: line.kw().to_string(),
        args: line.words[1..].to_vec(),
        location: line.loc.clone(),
    });
    Outcome::Ok
}

fn parse_ms(line: &Line, v: &str, what: &str) -> Result<Duration, Outcome> {
    match units::parse_time(v, TimeUnit::Ms) {
        Ok(t) => Ok(t.value),
        Err(units::TimeError::BadChar(c)) => Err(alert_tight(
            line,
            format!("unexpected character '{c}' in argument to <{what}>."),
        )),
        Err(units::TimeError::Overflow) => Err(alert_tight(
            line,
            format!("timer overflow in argument '{v}' to <{what}> (maximum value is 2147483647 ms or ~24.8 days)"),
        )),
        Err(units::TimeError::Empty) => Err(alert(line, format!("'{what}' expects <time> as argument."))),
    }
}

/// An `ADDR:PORT` of a mailer, nameserver or peer: a single port is
/// required, host names must resolve, UNIX sockets are refused.
fn inet_endpoint(p: &Parser<'_>, raw: &str, require_port: bool) -> Result<(), String> {
    let env = |n: &str| p.env_var(n);
    match addr::parse(raw, Use::Bind, p.host, &env) {
        Ok(Address::Inet { ports, .. }) => match ports {
            Ports::Range(a, b) if a != b => {
                Err(format!("port range not permitted here in '{raw}'"))
            }
            _ => Ok(()),
        },
        Ok(_) => Err("TCP not supported for this address family.".into()),
        Err(addr::AddrError::MissingPort(_)) if !require_port => Ok(()),
        Err(addr::AddrError::Unresolvable(h)) => {
            Err(format!("invalid address: '{h}' in '{raw}'\n"))
        }
        Err(addr::AddrError::BadRange(_)) => {
            Err(format!("port range not permitted here in '{raw}'"))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn is_unix_socket(a: &str) -> bool {
    a.starts_with('/') || a.starts_with("unix@") || a.starts_with("abns@") || a.starts_with("uxst@")
}

/// `unknown keyword 'x'` plus 2.6's "; did you mean 'y' maybe ?" when a
/// close option exists.
fn unknown_opt_msg(u: &str, table: &[(&str, usize)]) -> String {
    match crate::suggest::best_match(u, table.iter().map(|(n, _)| *n)) {
        Some(s) => format!("unknown keyword '{u}'; did you mean '{s}' maybe ?"),
        None => format!("unknown keyword '{u}'."),
    }
}

// ---- userlist lines ----------------------------------------------------

pub fn kw_userlist(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Userlist(i) = p.current else {
        return Outcome::Ok;
    };
    let kw = line.kw().to_string();
    let Some(name) = line.arg(1).map(str::to_string) else {
        return alert_tight(line, format!("'{kw}' expects <name> as arguments."));
    };
    let ul_name = p.cfg.userlists[i].name.clone();
    if kw == "group" {
        let mut users = Vec::new();
        let mut j = 2;
        while let Some(o) = line.arg(j) {
            if o != "users" {
                return alert_tight(line, "'group' only supports 'users' option.");
            }
            users.extend(list_items(line.arg(j + 1).unwrap_or("")));
            j += 2;
        }
        if p.cfg.userlists[i].groups.iter().any(|g| g.name == name) {
            warn_tight(
                p,
                line,
                format!("ignoring duplicated group '{name}' in userlist '{ul_name}'."),
            );
            return Outcome::Ok;
        }
        p.cfg.userlists[i].groups.push(Group {
            name,
            users,
            location: line.loc.clone(),
        });
        return Outcome::Ok;
    }
    let mut u = User {
        name: name.clone(),
        password: None,
        insecure: false,
        groups: Vec::new(),
        location: line.loc.clone(),
    };
    let mut j = 2;
    while let Some(o) = line.arg(j) {
        let v = line.arg(j + 1).unwrap_or("");
        match o {
            "password" | "insecure-password" => {
                u.password = Some(v.to_string());
                u.insecure = o == "insecure-password";
            }
            "groups" => u.groups.extend(list_items(v)),
            _ => {
                return alert_tight(
                    line,
                    "'user' only supports 'password', 'insecure-password' and 'groups' options.",
                )
            }
        }
        j += 2;
    }
    if p.cfg.userlists[i].users.iter().any(|x| x.name == name) {
        warn_tight(
            p,
            line,
            format!("ignoring duplicated user '{name}' in userlist '{ul_name}'."),
        );
        return Outcome::Ok;
    }
    p.cfg.userlists[i].users.push(u);
    Outcome::Ok
}

fn list_items(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(',').filter(|s| !s.is_empty()).map(str::to_string)
}

// ---- peers lines -------------------------------------------------------

/// Server keywords a peer line accepts, with their argument count.
const PEER_SERVER_OPTIONS: &[(&str, usize)] = &[
    ("ssl", 0),
    ("no-ssl", 0),
    ("crt", 1),
    ("ca-file", 1),
    ("crl-file", 1),
    ("verify", 1),
    ("verifyhost", 1),
    ("sni", 1),
    ("alpn", 1),
    ("ciphers", 1),
    ("ciphersuites", 1),
    ("ssl-min-ver", 1),
    ("ssl-max-ver", 1),
    ("no-sslv3", 0),
    ("no-tlsv10", 0),
    ("no-tlsv11", 0),
    ("no-tlsv12", 0),
    ("no-tlsv13", 0),
    ("send-proxy", 0),
    ("send-proxy-v2", 0),
    ("source", 1),
    ("namespace", 1),
    ("tfo", 0),
    ("weight", 1),
    ("maxconn", 1),
    ("inter", 1),
    ("fastinter", 1),
    ("downinter", 1),
    ("rise", 1),
    ("fall", 1),
    ("port", 1),
    ("addr", 1),
    ("id", 1),
    ("disabled", 0),
    ("enabled", 0),
    ("backup", 0),
    ("check", 0),
    ("no-check", 0),
    ("agent-check", 0),
    ("init-addr", 1),
    ("resolvers", 1),
    ("resolve-prefer", 1),
    ("resolve-net", 1),
    ("resolve-opts", 1),
    ("check-ssl", 0),
    ("check-send-proxy", 0),
    ("pool-max-conn", 1),
    ("pool-purge-delay", 1),
    ("proto", 1),
    ("tcp-ut", 1),
    ("no-send-proxy", 0),
    ("no-tfo", 0),
];

/// Bind keywords a peers `bind` or `default-bind` line accepts.
const PEER_BIND_OPTIONS: &[(&str, usize)] = &[
    ("ssl", 0),
    ("crt", 1),
    ("ca-file", 1),
    ("crl-file", 1),
    ("verify", 1),
    ("alpn", 1),
    ("ciphers", 1),
    ("ciphersuites", 1),
    ("ssl-min-ver", 1),
    ("ssl-max-ver", 1),
    ("no-sslv3", 0),
    ("no-tlsv10", 0),
    ("no-tlsv11", 0),
    ("no-tlsv12", 0),
    ("no-tlsv13", 0),
    ("strict-sni", 0),
    ("v4v6", 0),
    ("v6only", 0),
    ("transparent", 0),
    ("interface", 1),
    ("namespace", 1),
    ("tfo", 0),
    ("backlog", 1),
    ("maxconn", 1),
    ("mss", 1),
    ("name", 1),
    ("id", 1),
    ("nice", 1),
    ("process", 1),
    ("thread", 1),
    ("defer-accept", 0),
    ("accept-proxy", 0),
    ("accept-netscaler-cip", 1),
    ("tcp-ut", 1),
];

/// Walk `words` as options of `table`; return the first unknown one.
fn unknown_option<'a>(words: &'a [String], table: &[(&str, usize)]) -> Option<&'a str> {
    let mut i = 0;
    while i < words.len() {
        match table.iter().find(|(n, _)| *n == words[i]) {
            Some((_, n)) => i += 1 + n,
            None => return Some(&words[i]),
        }
    }
    None
}

/// The local peer's name: `localpeer`, else the host name (2.6 also
/// takes `-L`, which the CLI records as `localpeer`).
pub fn local_peer_name(
    p_global: &crate::model::Global,
    host: &dyn crate::host::Host,
) -> Option<String> {
    if let Some(n) = &p_global.localpeer {
        return Some(n.clone());
    }
    for f in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(b) = host.read(f) {
            let s = String::from_utf8_lossy(&b).trim().to_string();
            if !s.is_empty() {
                return Some(s);
            }
        }
    }
    None
}

const STORE_TYPES: &[&str] = &[
    "server_id",
    "server_key",
    "server_name",
    "gpt0",
    "gpt",
    "gpc0",
    "gpc0_rate",
    "gpc1",
    "gpc1_rate",
    "gpc",
    "gpc_rate",
    "conn_cnt",
    "conn_cur",
    "conn_rate",
    "sess_cnt",
    "sess_rate",
    "http_req_cnt",
    "http_req_rate",
    "http_err_cnt",
    "http_err_rate",
    "http_fail_cnt",
    "http_fail_rate",
    "bytes_in_cnt",
    "bytes_in_rate",
    "bytes_out_cnt",
    "bytes_out_rate",
];

fn parse_table(line: &Line) -> Result<PeersTable, Outcome> {
    let mut t = PeersTable {
        name: line.arg(1).unwrap_or("").to_string(),
        key_type: String::new(),
        key_len: None,
        size: String::new(),
        expire: None,
        nopurge: false,
        store: Vec::new(),
        location: line.loc.clone(),
    };
    let err = |m: String| alert(line, format!("table: {m}"));
    let mut i = 2;
    while let Some(w) = line.arg(i) {
        let v = line.arg(i + 1).unwrap_or("");
        match w {
            "type" => {
                if !matches!(v, "ip" | "ipv6" | "integer" | "string" | "binary") {
                    return Err(err(format!("unknown type '{v}'.")));
                }
                t.key_type = v.to_string();
                i += 2;
                if matches!(v, "string" | "binary") && line.arg(i) == Some("len") {
                    let n = line.arg(i + 1).unwrap_or("");
                    match n.parse::<u32>() {
                        Ok(n) if n > 0 => t.key_len = Some(n),
                        _ => return Err(err(format!("unknown type '{n}'."))),
                    }
                    i += 2;
                }
            }
            "size" => {
                if units::parse_size(v).is_err() {
                    return Err(err(
                        "unexpected character in argument of 'size'.".to_string()
                    ));
                }
                t.size = v.to_string();
                i += 2;
            }
            "expire" => {
                match units::parse_time(v, TimeUnit::Ms) {
                    Ok(d) => t.expire = Some(d.value),
                    Err(units::TimeError::BadChar(c)) => {
                        return Err(err(format!(
                            "unexpected character '{c}' in argument of 'expire'."
                        )))
                    }
                    Err(_) => return Err(err("missing argument for 'expire'.".into())),
                }
                i += 2;
            }
            "nopurge" => {
                t.nopurge = true;
                i += 1;
            }
            "store" => {
                for s in v.split(',').filter(|s| !s.is_empty()) {
                    let base = s.split('(').next().unwrap_or(s);
                    if !STORE_TYPES.contains(&base) {
                        return Err(err(format!("unknown store option '{base}'.")));
                    }
                    t.store.push(s.to_string());
                }
                i += 2;
            }
            "srvkey" | "write-to" => i += 2,
            x => return Err(err(format!("unknown argument '{x}'."))),
        }
    }
    if t.size.is_empty() {
        return Err(err("missing size.".into()));
    }
    if t.key_type.is_empty() {
        return Err(err("missing type.".into()));
    }
    Ok(t)
}

pub fn kw_peers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Peers(i) = p.current else {
        return Outcome::Ok;
    };
    let section = p.cfg.peers[i].name.clone();
    let local = local_peer_name(&p.cfg.global, p.host);
    match line.kw() {
        "peer" | "server" => {
            let is_server = line.kw() == "server";
            let Some(name) = line.arg(1).map(str::to_string) else {
                // 2.6 ignores an empty `peer`/`server` line.
                return Outcome::Ok;
            };
            if let Some(c) = invalid_name_char(&name) {
                return Outcome::Alert(at(
                    line,
                    Prefix::Bare,
                    format!("character '{c}' is not permitted in peer name '{name}'."),
                ));
            }
            let is_local = local.as_deref() == Some(name.as_str());
            // 2.6 names the peers' internal proxy after the local peer.
            let owner = local.clone().unwrap_or_else(|| section.clone());
            let who = format!("'server {owner}/{name}'");
            // `server NAME` with no address declares the local peer of
            // the bind form; anything after the name is an option.
            let (addr, first_opt) = match line.arg(2) {
                Some(a) if !is_server || !is_local => (Some(a.to_string()), 3),
                Some(a) if PEER_SERVER_OPTIONS.iter().all(|(n, _)| *n != a) => {
                    return Outcome::Alert(at(
                        line,
                        Prefix::Bare,
                        format!("{who} : unknown keyword '{a}'. Hint: no address was expected for this server."),
                    ));
                }
                _ => (None, 2),
            };
            if let Some(a) = &addr {
                let need_port = is_local && !is_server;
                if let Err(e) = inet_endpoint(p, a, need_port) {
                    let d = if e.starts_with("missing port") {
                        at(line, Prefix::Parsing, format!("'peer {name}' : {e}"))
                    } else {
                        at(line, Prefix::Bare, format!("{who} : {e}"))
                    };
                    return Outcome::Alert(d);
                }
            }
            let opts = &line.words[first_opt.min(line.words.len())..];
            if let Some(u) = unknown_option(opts, PEER_SERVER_OPTIONS) {
                return Outcome::Alert(at(
                    line,
                    Prefix::Bare,
                    format!("{who} : {}", unknown_opt_msg(u, PEER_SERVER_OPTIONS)),
                ));
            }
            if opts.iter().any(|o| {
                matches!(
                    o.as_str(),
                    "check" | "agent-check" | "init-addr" | "resolvers"
                )
            }) {
                p.warn(
                    &line.loc,
                    format!("'{} {name}' : init_addr, resolvers, check and agent are ignored for peers.", line.kw()),
                );
            }
            if is_local && !is_server {
                if let Some(prev) = p.cfg.peers[i].peers.iter().find(|x| x.name == name) {
                    return alert(
                        line,
                        format!(
                            "'peer {name}' : local peer name already referenced at {}. {name}",
                            prev.location
                        ),
                    );
                }
            }
            p.cfg.peers[i].peers.push(Peer {
                name,
                address: addr,
                via_server: is_server,
                options: opts.to_vec(),
                location: line.loc.clone(),
            });
            Outcome::Ok
        }
        "bind" | "default-bind" => {
            let kw = line.kw().to_string();
            let first = if kw == "bind" { 2 } else { 1 };
            if kw == "bind" {
                if let Some(a) = line.arg(1) {
                    if let Err(e) = inet_endpoint(p, a, true) {
                        return alert(line, format!("'bind' : {e}"));
                    }
                }
            }
            let opts = &line.words[first.min(line.words.len())..];
            if let Some(u) = unknown_option(opts, PEER_BIND_OPTIONS) {
                let spec = line.words[1..first.min(line.words.len())].join(" ");
                let head = if kw == "bind" {
                    format!("bind {spec}")
                } else {
                    format!("default-bind {u}")
                };
                let m = unknown_opt_msg(u, PEER_BIND_OPTIONS);
                return alert(
                    line,
                    format!(
                        "'{head}' in section 'peers': {}",
                        m.strip_suffix('.').unwrap_or(&m)
                    ),
                );
            }
            if kw == "bind" {
                p.cfg.peers[i].bind = Some((line.arg(1).unwrap_or("").to_string(), opts.to_vec()));
            } else {
                p.cfg.peers[i].default_bind = opts.to_vec();
            }
            Outcome::Ok
        }
        "default-server" => {
            let opts = &line.words[1..];
            if let Some(u) = unknown_option(opts, PEER_SERVER_OPTIONS) {
                return Outcome::Alert(at(
                    line,
                    Prefix::Bare,
                    format!(
                        "{} Hint: no address was expected for this server.",
                        unknown_opt_msg(u, PEER_SERVER_OPTIONS)
                    ),
                ));
            }
            p.cfg.peers[i].default_server = opts.to_vec();
            Outcome::Ok
        }
        "table" => match parse_table(line) {
            Ok(t) => {
                p.cfg.peers[i].tables.push(t);
                Outcome::Ok
            }
            Err(o) => o,
        },
        "disabled" => {
            p.cfg.peers[i].disabled = true;
            Outcome::Ok
        }
        "enabled" => {
            p.cfg.peers[i].disabled = false;
            Outcome::Ok
        }
        _ => Outcome::Alert(
            unknown_keyword("peers", line).unwrap_or_else(|| at(line, Prefix::Parsing, "?")),
        ),
    }
}

// ---- mailers lines -----------------------------------------------------

pub fn kw_mailers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Mailers(i) = p.current else {
        return Outcome::Ok;
    };
    if line.kw() == "timeout" {
        if line.arg(1) != Some("mail") {
            let mut m = "'timeout' expects 'mail' and <time> as arguments".to_string();
            if let Some(x) = line.arg(1) {
                m.push_str(&format!(" got '{x}'"));
            }
            m.push('.');
            return alert(line, m);
        }
        let Some(v) = line.arg(2) else {
            return alert(line, "'timeout mail' expects <time> as argument.");
        };
        return match parse_ms(line, v, "timeout mail") {
            Ok(d) => {
                p.cfg.mailers[i].timeout_mail = Some(d);
                Outcome::Ok
            }
            Err(o) => o,
        };
    }
    let (Some(name), Some(a)) = (line.arg(1), line.arg(2)) else {
        return alert(
            line,
            "'mailer' expects <name> and <addr>[:<port>] as arguments.",
        );
    };
    if let Some(c) = invalid_name_char(name) {
        return alert(
            line,
            format!("character '{c}' is not permitted in server name '{name}'."),
        );
    }
    if let Err(e) = inet_endpoint(p, a, true) {
        return alert(line, format!("'mailer {name}' : {e}"));
    }
    p.cfg.mailers[i].mailers.push(Mailer {
        name: name.to_string(),
        address: a.to_string(),
        location: line.loc.clone(),
    });
    Outcome::Ok
}

// ---- resolvers lines ---------------------------------------------------

pub fn kw_resolvers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Resolvers(i) = p.current else {
        return Outcome::Ok;
    };
    match line.kw() {
        "nameserver" => {
            let (Some(name), Some(a)) = (line.arg(1), line.arg(2)) else {
                return alert(
                    line,
                    "'nameserver' expects <name> and <addr>[:<port>] as arguments.",
                );
            };
            if let Some(c) = invalid_name_char(name) {
                return alert(
                    line,
                    format!("character '{c}' is not permitted in server name '{name}'."),
                );
            }
            if let Some(prev) = p.cfg.resolvers[i]
                .nameservers
                .iter()
                .find(|n| n.name == name)
            {
                return Outcome::Alert(at(
                    line,
                    Prefix::ParsingCapital,
                    format!(
                        "nameserver '{name}' has same name as another nameserver (declared at {}).",
                        prev.location
                    ),
                ));
            }
            // 2.6 accepts a UNIX socket here and fails later, when it
            // creates the socket (see `post_parse`).
            if !is_unix_socket(a) {
                if let Err(e) = inet_endpoint(p, a, true) {
                    return alert(line, format!("'nameserver {name}' : {e}"));
                }
            }
            p.cfg.resolvers[i].nameservers.push(Nameserver {
                name: name.to_string(),
                address: a.to_string(),
                location: line.loc.clone(),
            });
            Outcome::Ok
        }
        "parse-resolv-conf" => {
            p.cfg.resolvers[i].parse_resolv_conf = true;
            Outcome::Ok
        }
        "accepted_payload_size" => {
            let Some(v) = line.arg(1) else {
                return alert(line, "'accepted_payload_size' expects <nb> as argument.");
            };
            let n = units::atol(v).value;
            let full = v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty();
            if !full || !(12..=65535).contains(&n) {
                return alert(
                    line,
                    format!(
                        "'accepted_payload_size' must be between 12 and 65535 inclusive (was {v})."
                    ),
                );
            }
            p.cfg.resolvers[i].accepted_payload_size = Some(n as u32);
            Outcome::Ok
        }
        "resolve_retries" => {
            let Some(v) = line.arg(1) else {
                return alert(line, "'resolve_retries' expects <nb> as argument.");
            };
            p.cfg.resolvers[i].resolve_retries = Some(units::atol(v).value);
            Outcome::Ok
        }
        "hold" => {
            let (Some(st), Some(v)) = (line.arg(1), line.arg(2)) else {
                p.push(at(
                    line,
                    Prefix::Parsing,
                    "'hold' expects an <event> and a <time> as arguments.",
                ));
                return Outcome::Alert(Diagnostic::alert(
                    "<event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'",
                ));
            };
            let d = match parse_ms(line, v, "hold") {
                Ok(d) => d,
                Err(o) => return o,
            };
            if !HOLD_STATUSES.contains(&st) {
                return alert(
                    line,
                    format!("'hold' unknown <event>: '{st}', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'."),
                );
            }
            p.cfg.resolvers[i].hold.insert(st.to_string(), d);
            Outcome::Ok
        }
        "timeout" => {
            let which = line.arg(1).unwrap_or("");
            if !matches!(which, "resolve" | "retry") {
                let mut m =
                    "'timeout' expects 'retry' or 'resolve' and <time> as arguments".to_string();
                if !which.is_empty() {
                    m.push_str(&format!(" got '{which}'"));
                }
                m.push('.');
                return alert(line, m);
            }
            let what = format!("timeout {which}");
            let Some(v) = line.arg(2) else {
                return alert(line, format!("'{what}' expects <time> as argument."));
            };
            match parse_ms(line, v, &what) {
                Ok(d) => {
                    let r = &mut p.cfg.resolvers[i];
                    if which == "resolve" {
                        r.timeout_resolve = Some(d);
                    } else {
                        r.timeout_retry = Some(d);
                    }
                    Outcome::Ok
                }
                Err(o) => o,
            }
        }
        _ => Outcome::Alert(
            unknown_keyword("resolvers", line).unwrap_or_else(|| at(line, Prefix::Parsing, "?")),
        ),
    }
}

// ---- program lines -----------------------------------------------------

pub fn kw_program(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Program(i) = p.current else {
        return Outcome::Ok;
    };
    match line.kw() {
        "command" => {
            if line.arg(1).is_none() {
                return alert_tight(
                    line,
                    "'command' expects a command with optional arguments separated in words.",
                );
            }
            p.cfg.programs[i].command = line.words[1..].to_vec();
            Outcome::Ok
        }
        "user" | "group" => {
            let kw = line.kw().to_string();
            let Some(v) = line.arg(1).map(str::to_string) else {
                return alert_tight(line, format!("'{kw}' expects a {kw} name."));
            };
            let already = if kw == "user" {
                p.cfg.programs[i].user.is_some()
            } else {
                p.cfg.programs[i].group.is_some()
            };
            if already {
                let id = if kw == "user" { "uid" } else { "gid" };
                p.push(
                    at(
                        line,
                        Prefix::Parsing,
                        format!("{kw}/{id} already specified. Continuing."),
                    )
                    .non_fatal(),
                );
                return Outcome::Ok;
            }
            let exists = if kw == "user" {
                p.host.user_exists(&v)
            } else {
                p.host.group_exists(&v)
            };
            if !exists {
                let id = if kw == "user" { "user" } else { "group" };
                return alert(line, format!("cannot find {id} id for '{v}' (0:Success)"));
            }
            if kw == "user" {
                p.cfg.programs[i].user = Some(v);
            } else {
                p.cfg.programs[i].group = Some(v);
            }
            Outcome::Ok
        }
        "option" => {
            let Some(o) = line.arg(1) else {
                return alert_tight(line, "'option' expects an option name.");
            };
            if o != "start-on-reload" {
                return alert(line, format!("unknown option '{o}'."));
            }
            if let Some(x) = line.arg(2) {
                return alert(
                    line,
                    format!("'option start-on-reload' cannot handle unexpected argument '{x}'."),
                );
            }
            p.cfg.programs[i].start_on_reload = Some(line.modifier != Some(Modifier::No));
            Outcome::Ok
        }
        _ => Outcome::Alert(
            unknown_keyword("program", line).unwrap_or_else(|| at(line, Prefix::Parsing, "?")),
        ),
    }
}

// ---- http-errors lines -------------------------------------------------

pub fn kw_http_errors(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::HttpErrors(i) = p.current else {
        return Outcome::Ok;
    };
    let (Some(code), Some(file)) = (line.arg(1), line.arg(2)) else {
        return alert(
            line,
            "errorfile: expects <status_code> and <file> as arguments.",
        );
    };
    let n = units::atol(code).value;
    if !crate::proxy::ERROR_CODES.iter().any(|c| i64::from(*c) == n) {
        return alert(
            line,
            format!("errorfile : status code '{code}' not handled."),
        );
    }
    match p.host.path_kind(file) {
        PathKind::File => {}
        PathKind::Missing => {
            return Outcome::Alert(
                at(
                    line,
                    Prefix::Parsing,
                    format!("errorfile : error opening file '{file}'."),
                )
                .hint("relative paths are resolved from the directory haproxy is started in"),
            )
        }
        _ => return alert(line, format!("errorfile : error reading file '{file}'.")),
    }
    let h = &mut p.cfg.http_errors[i];
    h.errorfiles.push((n as u16, file.to_string()));
    h.directives.push(Directive {
        keyword: "errorfile".into(),
        args: line.words[1..].to_vec(),
        location: line.loc.clone(),
    });
    Outcome::Ok
}

// ---- ring lines --------------------------------------------------------

pub fn kw_ring(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Ring(i) = p.current else {
        return Outcome::Ok;
    };
    let ring_name = p.cfg.rings[i].name.clone();
    match line.kw() {
        "description" => {
            if line.arg(1).is_none() {
                return alert(line, "missing ring description text.");
            }
            p.cfg.rings[i].description = Some(line.words[1..].join(" "));
            Outcome::Ok
        }
        "format" => {
            let f = line.arg(1).unwrap_or("");
            if !RING_FORMATS.contains(&f) {
                return alert(line, format!("unknown format '{f}'."));
            }
            p.cfg.rings[i].format = Some(f.to_string());
            Outcome::Ok
        }
        "maxlen" | "size" => {
            // 2.6 reads both with atol: "1k" is 1.
            let v = line.arg(1).unwrap_or("");
            let n = units::atol(v).value;
            if n <= 0 {
                return alert(line, format!("invalid size '{v}' for new sink buffer."));
            }
            let n = n as u64;
            let r = &mut p.cfg.rings[i];
            if line.kw() == "maxlen" {
                r.maxlen = Some(n);
                return Outcome::Ok;
            }
            let cur = r.size.unwrap_or(RING_DEFAULT_SIZE);
            if n < cur {
                return failing_warning(
                    line,
                    Prefix::Parsing,
                    format!("ignoring new size '{n}' that is smaller than current size '{cur}' for ring '{ring_name}'."),
                );
            }
            r.size = Some(n);
            Outcome::Ok
        }
        "timeout" => {
            let which = line.arg(1).unwrap_or("");
            if !matches!(which, "connect" | "server") {
                // 2.6 silently ignores other timeouts in a ring.
                return Outcome::Ok;
            }
            let what = format!("timeout {which}");
            let Some(v) = line.arg(2) else {
                return alert(line, format!("'{what}' expects <time> as argument."));
            };
            match parse_ms(line, v, &what) {
                Ok(d) => {
                    let r = &mut p.cfg.rings[i];
                    if which == "connect" {
                        r.timeout_connect = Some(d);
                    } else {
                        r.timeout_server = Some(d);
                    }
                    Outcome::Ok
                }
                Err(o) => o,
            }
        }
        "server" => {
            let (Some(name), Some(a)) = (line.arg(1), line.arg(2)) else {
                return Outcome::Alert(at(
                    line,
                    Prefix::Bare,
                    "'server' expects <name> and <addr>[:<port>] as arguments.",
                ));
            };
            let who = format!("'server {ring_name}/{name}'");
            let env = |n: &str| p.env_var(n);
            match addr::parse(a, Use::Server, p.host, &env) {
                Ok(Address::Inet {
                    transport: addr::Transport::Datagram,
                    ..
                }) => {
                    return Outcome::Alert(at(
                        line,
                        Prefix::Bare,
                        format!("{who} : dgram-type address not acceptable in '{a}'\n"),
                    ))
                }
                Ok(_) => {}
                Err(e) => return Outcome::Alert(at(line, Prefix::Bare, format!("{who} : {e}"))),
            }
            let opts = &line.words[3..];
            if let Some(u) = unknown_option(opts, PEER_SERVER_OPTIONS) {
                return Outcome::Alert(at(
                    line,
                    Prefix::Bare,
                    format!("{who} : {}", unknown_opt_msg(u, PEER_SERVER_OPTIONS)),
                ));
            }
            p.cfg.rings[i].servers.push(RingServer {
                name: name.to_string(),
                address: a.to_string(),
                options: opts.to_vec(),
                location: line.loc.clone(),
            });
            Outcome::Ok
        }
        _ => Outcome::Alert(
            unknown_keyword("ring", line).unwrap_or_else(|| at(line, Prefix::Parsing, "?")),
        ),
    }
}

// ---- cache lines -------------------------------------------------------

pub fn kw_cache(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Current::Cache(i) = p.current else {
        return Outcome::Ok;
    };
    let kw = line.kw().to_string();
    let v = line.arg(1).unwrap_or("").to_string();
    let strict = |v: &str| -> Option<i64> {
        let t = v.strip_prefix('-').unwrap_or(v);
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v.parse::<i64>().ok()
    };
    let wrong = || aborting_warning(line, format!("{kw} wrong value '{v}'"));
    match kw.as_str() {
        "total-max-size" => {
            let Some(n) = strict(&v) else { return wrong() };
            if !(0..=4095).contains(&n) {
                return aborting_warning(
                    line,
                    format!("\"total-max-size\" ({n}) must not be greater than 4095"),
                );
            }
            p.cfg.caches[i].total_max_size = n as u32;
            Outcome::Ok
        }
        "max-object-size" => {
            if v.is_empty() {
                warn_tight(
                    p,
                    line,
                    "'max-object-size' expects a maximum file size parameter in bytes.",
                );
            }
            match strict(&v) {
                Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => {
                    p.cfg.caches[i].max_object_size = Some(n as u32);
                    Outcome::Ok
                }
                _ => wrong(),
            }
        }
        "max-age" => {
            if v.is_empty() {
                warn_tight(p, line, "'max-age' expects an age parameter in seconds.");
                return Outcome::Ok;
            }
            p.cfg.caches[i].max_age = Some(units::atol(&v).value.max(0) as u32);
            Outcome::Ok
        }
        "process-vary" => {
            let msg =
                "'process-vary' expects \"on\" or \"off\" (enable or disable vary processing).";
            match v.as_str() {
                "on" | "off" => {
                    p.cfg.caches[i].process_vary = Some(v == "on");
                }
                "" => {
                    // 2.6 says it twice for a missing value.
                    warn_tight(p, line, msg);
                    warn_tight(p, line, msg);
                }
                _ => warn_tight(p, line, msg),
            }
            Outcome::Ok
        }
        "max-secondary-entries" => {
            if v.is_empty() {
                warn_tight(
                    p,
                    line,
                    "'max-secondary-entries' expects a strictly positive number.",
                );
            }
            match strict(&v) {
                Some(n) if n > 0 && n <= i64::from(u32::MAX) => {
                    p.cfg.caches[i].max_secondary_entries = Some(n as u32);
                    Outcome::Ok
                }
                _ => wrong(),
            }
        }
        _ => Outcome::Alert(
            unknown_keyword("cache", line).unwrap_or_else(|| at(line, Prefix::Parsing, "?")),
        ),
    }
}

/// Whole-configuration checks on the small sections, run after parsing
/// succeeded. 2.6 stops at the first userlist error; it walks userlists,
/// users and groups newest first.
pub fn post_parse(
    cfg: &crate::model::Config,
    host: &dyn crate::host::Host,
    out: &mut Vec<crate::diag::Diagnostic>,
) {
    // The last cache section of the last file has not been closed by a
    // following section header.
    for c in cfg.caches.iter().filter(|c| !c.registered) {
        out.extend(cache_end_checks(c));
    }

    'ul: for ul in cfg.userlists.iter().rev() {
        for u in ul.users.iter().rev() {
            for g in &u.groups {
                if !ul.groups.iter().any(|x| &x.name == g) {
                    out.push(Diagnostic::alert(format!(
                        "userlist '{}': no such group '{g}' specified in user '{}'",
                        ul.name, u.name
                    )));
                    break 'ul;
                }
            }
        }
        for g in ul.groups.iter().rev() {
            for u in &g.users {
                if !ul.users.iter().any(|x| &x.name == u) {
                    out.push(Diagnostic::alert(format!(
                        "userlist '{}': no such user '{u}' specified in group '{}'",
                        ul.name, g.name
                    )));
                    break 'ul;
                }
            }
        }
    }

    let local = local_peer_name(&cfg.global, host);
    for pe in &cfg.peers {
        if let Some(l) = &local {
            if !pe.has_peer(l) {
                out.push(Diagnostic::warning(format!(
                    "Removing incomplete section 'peers {}' (no peer named '{l}').",
                    pe.name
                )));
            }
        }
    }

    for m in &cfg.mailers {
        let used = cfg.proxies.iter().chain(cfg.defaults.iter()).any(|px| {
            px.other.iter().any(|d| {
                d.keyword == "email-alert"
                    && d.args.first().map(String::as_str) == Some("mailers")
                    && d.args.get(1) == Some(&m.name)
            })
        });
        if !used {
            out.push(Diagnostic::warning(format!(
                "Removing incomplete section 'mailers {}'.",
                m.name
            )));
        }
    }

    for r in &cfg.resolvers {
        if let Some(ns) = r.nameservers.iter().find(|n| is_unix_socket(&n.address)) {
            out.push(Diagnostic::alert(format!(
                "resolvers '{}': can't create socket for nameserver '{}'.",
                r.name, ns.name
            )));
        }
        if r.nameservers.is_empty() && !r.parse_resolv_conf {
            out.push(Diagnostic::warning(format!(
                "resolvers '{}' [{}] has no nameservers configured!",
                r.name,
                r.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default()
            )));
        }
    }

    for r in &cfg.rings {
        let size = r.size.unwrap_or(RING_DEFAULT_SIZE);
        if let Some(m) = r.maxlen {
            if m > size {
                out.push(Diagnostic::warning(format!(
                    "ring '{}' event max length '{m}' exceeds size, forced to size '{size}'.",
                    r.name
                )));
            }
        }
        if !r.servers.is_empty() && (r.timeout_connect.is_none() || r.timeout_server.is_none()) {
            out.push(
                Diagnostic::warning(format!("missing timeouts for backend '{}'.", r.name))
                    .detail("   | While not properly invalid, you will certainly encounter various problems")
                    .detail("   | with such a configuration. To fix this, please ensure that all following")
                    .detail("   | timeouts are set to a non-zero value: 'client', 'connect', 'server'."),
            );
        }
    }

    for pr in &cfg.programs {
        if pr.command.is_empty() {
            out.push(Diagnostic::alert(format!(
                "The program section '{}' lacks a command to launch.",
                pr.name
            )));
        }
    }
    if !cfg.programs.is_empty() && !cfg.global.master_worker {
        out.push(
            Diagnostic::alert("Can't use a 'program' section without master worker mode.")
                .hint("add 'master-worker' to the global section or start with -W / -Ws"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Severity;
    use crate::host::MemHost;
    use crate::{check, Report, Source, Verdict};

    fn run_with(text: &str, host: &MemHost) -> Report {
        let src = Source {
            name: "t.cfg".into(),
            data: text.as_bytes().to_vec(),
        };
        check(&[src], host)
    }

    fn run(text: &str) -> Report {
        run_with(text, &MemHost::default())
    }

    fn messages(r: &Report) -> Vec<String> {
        r.diags.iter().map(|d| d.body()).collect()
    }

    fn has(r: &Report, needle: &str) -> bool {
        messages(r).iter().any(|m| m.contains(needle))
    }

    const LISTEN: &str = "listen l\n bind 127.0.0.1:8080\n timeout client 1s\n timeout connect 1s\n timeout server 1s\n";

    #[test]
    fn userlist_model_and_references() {
        let r = run(&format!(
            "userlist U\n group ops users alice\n user alice insecure-password pw groups ops\n user bob password $5$x\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        let u = &r.config.userlists[0];
        assert_eq!(u.users.len(), 2);
        assert!(u.users[0].insecure);
        assert_eq!(u.users[0].groups, vec!["ops"]);
        assert_eq!(u.groups[0].users, vec!["alice"]);

        let r = run(&format!(
            "userlist U\n user a insecure-password x groups nope\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::Invalid);
        assert!(has(
            &r,
            "userlist 'U': no such group 'nope' specified in user 'a'"
        ));

        let r = run(&format!("userlist U\n group g users ghost\n{LISTEN}"));
        assert!(has(&r, "no such user 'ghost' specified in group 'g'"));

        let r = run(&format!(
            "userlist U\n user a insecure-password x bogus\n{LISTEN}"
        ));
        assert!(has(
            &r,
            "'user' only supports 'password', 'insecure-password' and 'groups' options."
        ));

        let r = run(&format!("userlist U\n user a\n user a\n{LISTEN}"));
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
        assert!(has(&r, "ignoring duplicated user 'a' in userlist 'U'."));
    }

    #[test]
    fn section_headers() {
        let r = run("userlist\n");
        assert!(has(&r, "'userlist' expects <name> as arguments."));
        let r = run("peers\n");
        assert!(r.aborted && has(&r, "missing name for peers section."));
        let r = run("program p\nprogram p\n");
        assert!(has(
            &r,
            "'p' program section already exists in the configuration."
        ));
        let r = run("http-errors h\nhttp-errors h\n");
        assert!(has(
            &r,
            "http-errors section 'h' already exists (declared at t.cfg:1)."
        ));
        let r = run("ring r\nring r\n");
        assert!(has(&r, "sink named 'r' already exists."));
        let r = run("cache c\n total-max-size 4\ncache c\n total-max-size 4\n");
        assert!(has(&r, "Duplicate cache name 'c'."));
        let r = run("mailers m/x\n");
        assert!(has(
            &r,
            "character '/' is not permitted in 'mailers' name 'm/x'."
        ));
    }

    #[test]
    fn peers_local_peer_and_tables() {
        let base = "global\n localpeer lb1\npeers P\n";
        let r = run(&format!("{base} peer lb1 127.0.0.1:10000\n peer lb2 192.0.2.1:10000\n table t type string len 32 size 1k expire 5m store gpc0,http_req_rate(10s)\n{LISTEN}"));
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        let p = &r.config.peers[0];
        assert_eq!(p.peers.len(), 2);
        assert_eq!(p.tables[0].key_len, Some(32));
        assert_eq!(r.config.global.localpeer.as_deref(), Some("lb1"));

        let r = run(&format!("{base} peer lb1 127.0.0.1\n{LISTEN}"));
        assert!(has(
            &r,
            "'peer lb1' : missing port specification in '127.0.0.1'"
        ));
        let r = run(&format!("{base} peer lb2 192.0.2.1:10000\n{LISTEN}"));
        assert!(has(
            &r,
            "Removing incomplete section 'peers P' (no peer named 'lb1')."
        ));
        let r = run(&format!(
            "{base} peer lb1 127.0.0.1:1\n table t type foo size 1k\n{LISTEN}"
        ));
        assert!(has(&r, "table: unknown type 'foo'."));
        let r = run(&format!(
            "{base} peer lb1 127.0.0.1:1\n table t type ip\n{LISTEN}"
        ));
        assert!(has(&r, "table: missing size."));
        let r = run(&format!("{base} peer lb1 127.0.0.1:1 bogus\n{LISTEN}"));
        assert!(has(&r, "'server lb1/lb1' : unknown keyword 'bogus'"));
    }

    #[test]
    fn mailers_and_resolvers() {
        let r = run(&format!(
            "mailers M\n mailer m 192.0.2.1:25\n timeout mail 10s\n{LISTEN}"
        ));
        assert_eq!(r.config.mailers[0].mailers.len(), 1);
        assert!(has(&r, "Removing incomplete section 'mailers M'."));
        let r = run(&format!("mailers M\n mailer m 192.0.2.1\n{LISTEN}"));
        assert!(has(
            &r,
            "'mailer m' : missing port specification in '192.0.2.1'"
        ));
        let r = run(&format!("mailers M\n timeout foo\n{LISTEN}"));
        assert!(has(
            &r,
            "'timeout' expects 'mail' and <time> as arguments got 'foo'."
        ));

        let r = run(&format!(
            "resolvers R\n nameserver a 192.0.2.53:53\n accepted_payload_size 8192\n hold valid 10s\n timeout retry 1s\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        let res = &r.config.resolvers[0];
        assert_eq!(res.accepted_payload_size, Some(8192));
        assert!(res.hold.contains_key("valid"));
        let r = run(&format!(
            "resolvers R\n accepted_payload_size 65536\n{LISTEN}"
        ));
        assert!(has(
            &r,
            "must be between 12 and 65535 inclusive (was 65536)"
        ));
        let r = run(&format!("resolvers R\n hold foo 1s\n{LISTEN}"));
        assert!(has(&r, "'hold' unknown <event>: 'foo'"));
        let r = run(&format!("resolvers R\n parse-resolv-conf\n{LISTEN}"));
        assert_eq!(r.verdict(), Verdict::Valid);
        let r = run(&format!("resolvers R\n{LISTEN}"));
        assert!(has(
            &r,
            "resolvers 'R' [t.cfg:1] has no nameservers configured!"
        ));
    }

    #[test]
    fn program_needs_master_worker() {
        let r = run(&format!("program p\n command /bin/true\n{LISTEN}"));
        assert_eq!(r.verdict(), Verdict::Invalid);
        assert!(has(
            &r,
            "Can't use a 'program' section without master worker mode."
        ));
        let r = run(&format!(
            "global\n master-worker\nprogram p\n command /bin/true a\n no option start-on-reload\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        assert_eq!(r.config.programs[0].start_on_reload, Some(false));
        assert_eq!(r.config.programs[0].command, vec!["/bin/true", "a"]);
        let r = run(&format!("global\n master-worker\nprogram p\n{LISTEN}"));
        assert!(has(
            &r,
            "The program section 'p' lacks a command to launch."
        ));
        let r = run(&format!(
            "global\n master-worker\nprogram p\n command x\n user nobody-here\n{LISTEN}"
        ));
        assert!(has(&r, "cannot find user id for 'nobody-here' (0:Success)"));
    }

    #[test]
    fn http_errors_checks_codes_and_files() {
        let mut host = MemHost::default();
        host.files
            .insert("e/503.http".into(), b"HTTP/1.0 503 x\r\n\r\n".to_vec());
        let r = run_with(
            &format!("http-errors H\n errorfile 503 e/503.http\n{LISTEN}"),
            &host,
        );
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        assert_eq!(
            r.config.http_errors[0].errorfiles,
            vec![(503, "e/503.http".to_string())]
        );
        let r = run_with(
            &format!("http-errors H\n errorfile 599 e/503.http\n{LISTEN}"),
            &host,
        );
        assert!(has(&r, "errorfile : status code '599' not handled."));
        let r = run_with(
            &format!("http-errors H\n errorfile 503 e/none\n{LISTEN}"),
            &host,
        );
        assert!(has(&r, "errorfile : error opening file 'e/none'."));
        let r = run_with(&format!("http-errors H\n errorfile 503\n{LISTEN}"), &host);
        assert!(has(
            &r,
            "errorfile: expects <status_code> and <file> as arguments."
        ));
    }

    #[test]
    fn ring_checks() {
        let r = run(&format!(
            "ring R\n format rfc5424\n size 32768\n maxlen 1024\n timeout connect 1s\n timeout server 1s\n server s 127.0.0.1:514\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        assert_eq!(r.config.rings[0].size, Some(32768));
        let r = run(&format!("ring R\n size 1k\n{LISTEN}"));
        assert_eq!(r.verdict(), Verdict::Invalid);
        assert!(has(
            &r,
            "ignoring new size '1' that is smaller than current size '16384' for ring 'R'."
        ));
        let r = run(&format!("ring R\n format nope\n{LISTEN}"));
        assert!(has(&r, "unknown format 'nope'."));
        let r = run(&format!("ring R\n server s 127.0.0.1:514\n{LISTEN}"));
        assert!(has(&r, "missing timeouts for backend 'R'."));
    }

    #[test]
    fn cache_checks() {
        let r = run(&format!(
            "cache C\n total-max-size 4\n max-object-size 10000\n max-age 60\n process-vary on\n max-secondary-entries 5\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        let c = &r.config.caches[0];
        assert_eq!((c.total_max_size, c.process_vary), (4, Some(true)));
        let r = run(&format!("cache C\n total-max-size 4096\n{LISTEN}"));
        assert!(
            r.aborted
                && has(
                    &r,
                    "\"total-max-size\" (4096) must not be greater than 4095"
                )
        );
        let r = run(&format!("cache C\n max-age 1\n{LISTEN}"));
        assert!(has(&r, "Size not specified for cache 'C'"));
        let r = run(&format!(
            "cache C\n total-max-size 1\n max-object-size 600000\n{LISTEN}"
        ));
        assert!(has(
            &r,
            "\"max-object-size\" is limited to an half of \"total-max-size\" => 524288"
        ));
        let r = run(&format!(
            "cache C\n total-max-size 1\n process-vary maybe\n{LISTEN}"
        ));
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
        assert!(r.diags.iter().any(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn log_forward_and_fcgi_app() {
        let r = run("log-forward L\n dgram-bind 127.0.0.1:5140\n log 127.0.0.1:514 local0\n maxconn 10\n timeout client 1s\n");
        assert!(!r.has_fatal(), "{:?}", messages(&r));
        let r = run("log-forward L\n bogus\n");
        assert!(r.aborted && has(&r, "unknown keyword 'bogus' in log-forward section."));
        let r = run("fcgi-app F\n bogus\n");
        assert!(has(&r, "unknown keyword 'bogus' in 'fcgi-app' section"));
    }

    #[test]
    fn unknown_keyword_wording() {
        let line = crate::parser::Line {
            words: vec!["x".into()],
            loc: crate::diag::Location {
                file: "f".into(),
                line: 2,
            },
            modifier: None,
        };
        let w = |s: &str| super::unknown_keyword(s, &line).unwrap().body();
        assert_eq!(
            w("userlist"),
            "parsing [f:2]: unknown keyword 'x' in 'users' section"
        );
        assert_eq!(w("ring"), "parsing [f:2] : unknown statement 'x'.");
        assert_eq!(
            w("cache"),
            "parsing [f:2] : unknown keyword 'x' in 'cache' section"
        );
    }
}
