//! ACL declarations and the conditions that use them.
//!
//! `acl NAME CRITERION [flags] [operator] VALUE…` and
//! `if|unless TERM… [or|'||' TERM…]`, where a term is an ACL name, a
//! predefined ACL, `!term`, or an anonymous `{ CRITERION … }`.

use crate::diag::{Diagnostic, Prefix};
use crate::parser::{Line, Outcome, Parser};
use crate::sample;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acl {
    pub name: String,
    /// The fetch expression as written (`hdr(host)`, `path_beg`,
    /// `req.hdr(host),lower`).
    pub criterion: String,
    /// The base fetch after resolving aliases (`path` for `path_beg`).
    pub fetch: String,
    /// Matching method (`beg` for `path_beg`, or from `-m`), if any.
    pub method: Option<String>,
    /// Flags such as `-i`, `-f file`, `-m beg`, `-n`, `-u id`.
    pub flags: Vec<String>,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Named(String),
    Anonymous(Box<Acl>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub negated: bool,
    pub term: Term,
}

/// `if`/`unless` and an OR of AND-groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub unless: bool,
    pub any_of: Vec<Vec<Factor>>,
}

/// ACLs every proxy knows without declaring them.
pub static PREDEFINED: &[&str] = &[
    "FALSE",
    "HTTP",
    "HTTP_1.0",
    "HTTP_1.1",
    "HTTP_2.0",
    "HTTP_CONTENT",
    "HTTP_URL_ABS",
    "HTTP_URL_SLASH",
    "HTTP_URL_STAR",
    "LOCALHOST",
    "METH_CONNECT",
    "METH_DELETE",
    "METH_GET",
    "METH_HEAD",
    "METH_OPTIONS",
    "METH_POST",
    "METH_PUT",
    "METH_TRACE",
    "RDP_COOKIE",
    "REQ_CONTENT",
    "TRUE",
    "WAIT_END",
];

/// The fetch a predefined ACL is built on, where it matters for checks.
pub fn predefined_fetch(name: &str) -> Option<&'static str> {
    match name {
        "REQ_CONTENT" => Some("req.len"),
        "RDP_COOKIE" => Some("req.rdp_cookie_cnt"),
        "LOCALHOST" => Some("src"),
        "WAIT_END" => Some("wait_end"),
        _ => None,
    }
}

fn valid_acl_name(n: &str) -> Option<char> {
    n.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')))
}

/// Split `hdr(host),lower` into the fetch name and the rest.
fn fetch_name(criterion: &str) -> &str {
    let end = criterion.find(['(', ',']).unwrap_or(criterion.len());
    &criterion[..end]
}

/// Parse an ACL body (`CRITERION [flags] VALUES…`) named `name`.
pub fn parse_acl(name: &str, words: &[String]) -> Result<Acl, String> {
    let Some(criterion) = words.first() else {
        return Err(format!("missing fetch method in ACL expression '{name}'."));
    };
    let fname = fetch_name(criterion);
    let (fetch, mut method) = match sample::acl_alias(fname) {
        Some(a) => (a.fetch.to_string(), Some(a.method.to_string())),
        None => match sample::fetch(fname) {
            Some(f) => (f.name.to_string(), None),
            None => {
                return Err(format!(
                    "unknown fetch method '{fname}' in ACL expression '{criterion}'."
                ))
            }
        },
    };
    let mut flags = Vec::new();
    let mut i = 1;
    while i < words.len() && words[i].starts_with('-') && words[i].len() > 1 {
        let f = words[i].as_str();
        match f {
            "--" => {
                i += 1;
                break;
            }
            "-i" | "-n" => flags.push(f.to_string()),
            "-m" | "-f" | "-u" | "-M" => {
                let Some(v) = words.get(i + 1) else {
                    return Err(format!("missing argument after '{f}' in ACL '{name}'."));
                };
                if f == "-m" {
                    const METHODS: &[&str] = &[
                        "found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg",
                        "end", "dir", "dom",
                    ];
                    if !METHODS.contains(&v.as_str()) {
                        return Err(format!("unknown pattern matching method '{v}'"));
                    }
                    method = Some(v.clone());
                }
                flags.push(f.to_string());
                flags.push(v.clone());
                i += 1;
            }
            _ => break,
        }
        i += 1;
    }
    Ok(Acl {
        name: name.to_string(),
        criterion: criterion.clone(),
        fetch,
        method,
        flags,
        values: words[i..].to_vec(),
    })
}

/// Parse a condition starting at `words[0]` (`if` or `unless`), checking
/// named ACLs against `declared`.
pub fn parse_condition(
    words: &[String],
    declared: &dyn Fn(&str) -> bool,
) -> Result<Condition, String> {
    let unless = match words.first().map(String::as_str) {
        Some("if") => false,
        Some("unless") => true,
        other => {
            return Err(format!(
                "expects 'if' or 'unless' followed by a condition, got '{}'",
                other.unwrap_or("")
            ))
        }
    };
    let mut any_of = vec![Vec::new()];
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        if w == "or" || w == "||" {
            if any_of.last().is_some_and(Vec::is_empty) {
                return Err(format!("missing ACL before '{w}'"));
            }
            any_of.push(Vec::new());
            i += 1;
            continue;
        }
        let mut negated = false;
        let mut t = w;
        while let Some(r) = t.strip_prefix('!') {
            negated = !negated;
            t = r;
        }
        if t.is_empty() {
            i += 1;
            if i >= words.len() {
                return Err("missing ACL after '!'".into());
            }
            t = words[i].as_str();
        }
        let term = if t == "{" {
            let close = words[i + 1..]
                .iter()
                .position(|x| x == "}")
                .ok_or_else(|| "missing closing '}' in condition.".to_string())?;
            let body = &words[i + 1..i + 1 + close];
            let acl = parse_acl("anonymous", body)?;
            i += close + 1;
            Term::Anonymous(Box::new(acl))
        } else {
            if !PREDEFINED.contains(&t) && !declared(t) {
                return Err(format!("no such ACL : '{t}'"));
            }
            Term::Named(t.to_string())
        };
        if let Some(g) = any_of.last_mut() {
            g.push(Factor { negated, term });
        }
        i += 1;
    }
    // A bare `if`/`unless` is accepted by 2.6: an empty condition, which
    // always matches.
    if any_of.len() > 1 && any_of.last().is_some_and(Vec::is_empty) {
        any_of.pop();
    }
    Ok(Condition { unless, any_of })
}

/// `acl NAME CRITERION …`
pub fn kw_acl(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(name) = line.arg(1) else {
        return Outcome::Alert(
            Diagnostic::alert("'acl' expects an ACL name and a criterion.")
                .at(&line.loc, Prefix::Parsing),
        );
    };
    if let Some(c) = valid_acl_name(name) {
        return Outcome::Alert(
            Diagnostic::alert(format!(
                "character '{c}' is not permitted in acl name '{name}'."
            ))
            .at(&line.loc, Prefix::Parsing),
        );
    }
    if PREDEFINED.contains(&name) {
        p.warn(
            &line.loc,
            format!("acl '{name}' will never match because it masks a predefined ACL with the same name."),
        );
    }
    match parse_acl(name, &line.words[2..]) {
        Ok(acl) => {
            if let Some(px) = p.proxy_mut() {
                px.acls.push(acl);
            }
            Outcome::Ok
        }
        Err(e) => {
            let mut d =
                Diagnostic::alert(format!("error detected while parsing ACL '{name}' : {e}"))
                    .at(&line.loc, Prefix::Parsing);
            if let Some(bad) = e
                .strip_prefix("unknown fetch method '")
                .and_then(|r| r.split('\'').next())
            {
                let cands = sample::FETCHES
                    .iter()
                    .map(|f| f.name)
                    .chain(sample::ACL_ALIASES.iter().map(|a| a.name));
                if let Some(s) = crate::suggest::best_match(bad, cands) {
                    d = d.hint(format!("did you mean '{s}'?"));
                }
            }
            Outcome::Alert(d)
        }
    }
}

/// Parse the condition at `words[at..]` of a rule in the current proxy.
pub fn condition_in_proxy(p: &Parser<'_>, words: &[String]) -> Result<Condition, String> {
    let px = p.proxy();
    let declared = |n: &str| px.is_some_and(|px| px.acls.iter().any(|a| a.name == n));
    parse_condition(words, &declared)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn acl_aliases_resolve() {
        let a = parse_acl("url_appX", &w("path_beg -i /appX/")).unwrap();
        assert_eq!(
            (a.fetch.as_str(), a.method.as_deref()),
            ("path", Some("beg"))
        );
        assert_eq!(a.flags, ["-i"]);
        assert_eq!(a.values, ["/appX/"]);
        let a = parse_acl("h", &w("hdr(host) -m beg www.")).unwrap();
        assert_eq!(
            (a.fetch.as_str(), a.method.as_deref()),
            ("req.hdr", Some("beg"))
        );
        assert!(parse_acl("x", &w("path_begin /x"))
            .unwrap_err()
            .contains("unknown fetch method 'path_begin'"));
    }

    #[test]
    fn conditions() {
        let known = |n: &str| n == "a" || n == "b";
        let c = parse_condition(&w("if a !b or { src 127.0.0.1 } || TRUE"), &known).unwrap();
        assert!(!c.unless);
        assert_eq!(c.any_of.len(), 3);
        assert!(c.any_of[0][1].negated);
        assert!(matches!(c.any_of[1][0].term, Term::Anonymous(_)));
        assert_eq!(
            parse_condition(&w("unless nope"), &known).unwrap_err(),
            "no such ACL : 'nope'"
        );
        assert!(parse_condition(&w("if { src 1.2.3.4"), &known).is_err());
    }
}
