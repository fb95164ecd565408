//! Section headers (`frontend NAME [from DEFAULTS]`, …) and the small
//! sections: userlist, peers, mailers, resolvers, program, http-errors,
//! ring, cache, plus the ones kept as plain directives.

use crate::diag::{Diagnostic, Location, Prefix};
use crate::model::{Directive, Proxy, ProxyKind};
use crate::parser::{Current, Line, Outcome, Parser};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenericSection {
    pub kind: String,
    pub name: String,
    pub location: Option<Location>,
    pub directives: Vec<Directive>,
}

pub type Userlist = GenericSection;
pub type Peers = GenericSection;
pub type Mailers = GenericSection;
pub type Resolvers = GenericSection;
pub type Program = GenericSection;
pub type HttpErrors = GenericSection;
pub type Ring = GenericSection;
pub type Cache = GenericSection;

/// The characters 2.6 allows in proxy and section names.
pub fn invalid_name_char(name: &str) -> Option<char> {
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
}

fn generic(kind: &str, line: &Line) -> GenericSection {
    GenericSection {
        kind: kind.to_string(),
        name: line.arg(1).unwrap_or("").to_string(),
        location: Some(line.loc.clone()),
        directives: Vec::new(),
    }
}

pub fn start_section(p: &mut Parser<'_>, kind: &str, line: &Line) -> Outcome {
    match kind {
        "global" => {
            p.current = Current::Global;
            Outcome::Ok
        }
        "defaults" | "frontend" | "backend" | "listen" => start_proxy(p, kind, line),
        _ => {
            if line.arg(1).is_none() && kind != "namespace_list" {
                return Outcome::Abort(
                    Diagnostic::alert(format!("'{kind}' expects <name> as argument."))
                        .at(&line.loc, Prefix::Parsing),
                );
            }
            let s = generic(kind, line);
            let cfg = &mut p.cfg;
            let (list, mk): (&mut Vec<GenericSection>, fn(usize) -> Current) = match kind {
                "userlist" => (&mut cfg.userlists, Current::Userlist),
                "peers" => (&mut cfg.peers, Current::Peers),
                "mailers" => (&mut cfg.mailers, Current::Mailers),
                "resolvers" => (&mut cfg.resolvers, Current::Resolvers),
                "program" => (&mut cfg.programs, Current::Program),
                "http-errors" => (&mut cfg.http_errors, Current::HttpErrors),
                "ring" => (&mut cfg.rings, Current::Ring),
                "cache" => (&mut cfg.caches, Current::Cache),
                _ => (&mut cfg.other_sections, Current::Other),
            };
            list.push(s);
            p.current = mk(list.len() - 1);
            Outcome::Ok
        }
    }
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
        let clash = p.cfg.proxies.iter().find(|o| {
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
            let mut px = Proxy::new(pk, name, line.loc.clone());
            px.from = from;
            p.cfg.proxies.push(px);
            p.current = Current::Proxy(p.cfg.proxies.len() - 1);
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
    }
    Outcome::Ok
}

fn section_mut<'a>(p: &'a mut Parser<'_>) -> Option<&'a mut GenericSection> {
    let c = &mut p.cfg;
    match p.current {
        Current::Userlist(i) => c.userlists.get_mut(i),
        Current::Peers(i) => c.peers.get_mut(i),
        Current::Mailers(i) => c.mailers.get_mut(i),
        Current::Resolvers(i) => c.resolvers.get_mut(i),
        Current::Program(i) => c.programs.get_mut(i),
        Current::HttpErrors(i) => c.http_errors.get_mut(i),
        Current::Ring(i) => c.rings.get_mut(i),
        Current::Cache(i) => c.caches.get_mut(i),
        Current::Other(i) => c.other_sections.get_mut(i),
        _ => None,
    }
}

fn keep(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let d = Directive {
        keyword: line.kw().to_string(),
        args: line.words[1..].to_vec(),
        location: line.loc.clone(),
    };
    if let Some(s) = section_mut(p) {
        s.directives.push(d);
    }
    Outcome::Ok
}

/// Lines of sections we keep verbatim (`log-forward`, `fcgi-app`, …).
pub fn other_section_line(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_userlist(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_peers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_mailers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_resolvers(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_program(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_http_errors(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_ring(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

pub fn kw_cache(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep(p, line)
}

/// Whole-configuration checks on the small sections, run after parsing succeeded.
pub fn post_parse(
    _cfg: &crate::model::Config,
    _host: &dyn crate::host::Host,
    _out: &mut Vec<crate::diag::Diagnostic>,
) {
}
