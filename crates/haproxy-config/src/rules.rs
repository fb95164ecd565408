//! `http-request`, `http-response`, `http-after-response`, `tcp-request`
//! and `tcp-response` rules: an action, its arguments and an optional
//! `if`/`unless` condition.

use crate::acl::{condition_in_proxy, Condition};
use crate::diag::{Diagnostic, Location, Prefix};
use crate::parser::{Line, Outcome, Parser};
use crate::suggest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `http-request`, `tcp-request content`, …
    pub kind: String,
    pub action: String,
    pub args: Vec<String>,
    pub cond: Option<Condition>,
    pub location: Location,
}

const HTTP_REQUEST: &[&str] = &[
    "add-acl",
    "add-header",
    "allow",
    "auth",
    "cache-use",
    "capture",
    "del-acl",
    "del-header",
    "del-map",
    "deny",
    "disable-l7-retry",
    "do-resolve",
    "early-hint",
    "normalize-uri",
    "redirect",
    "reject",
    "replace-header",
    "replace-path",
    "replace-pathq",
    "replace-uri",
    "replace-value",
    "return",
    "sc-inc-gpc",
    "sc-inc-gpc0",
    "sc-inc-gpc1",
    "sc-set-gpt",
    "sc-set-gpt0",
    "send-spoe-group",
    "set-dst",
    "set-dst-port",
    "set-header",
    "set-log-level",
    "set-map",
    "set-mark",
    "set-method",
    "set-nice",
    "set-path",
    "set-pathq",
    "set-priority-class",
    "set-priority-offset",
    "set-query",
    "set-src",
    "set-src-port",
    "set-timeout",
    "set-tos",
    "set-uri",
    "set-var",
    "set-var-fmt",
    "silent-drop",
    "strict-mode",
    "tarpit",
    "track-sc0",
    "track-sc1",
    "track-sc2",
    "unset-var",
    "use-service",
    "wait-for-body",
    "wait-for-handshake",
];
const HTTP_RESPONSE: &[&str] = &[
    "add-acl",
    "add-header",
    "allow",
    "cache-store",
    "capture",
    "del-acl",
    "del-header",
    "del-map",
    "deny",
    "redirect",
    "replace-header",
    "replace-value",
    "return",
    "sc-inc-gpc",
    "sc-inc-gpc0",
    "sc-inc-gpc1",
    "sc-set-gpt",
    "sc-set-gpt0",
    "send-spoe-group",
    "set-header",
    "set-log-level",
    "set-map",
    "set-mark",
    "set-nice",
    "set-status",
    "set-tos",
    "set-var",
    "set-var-fmt",
    "silent-drop",
    "strict-mode",
    "track-sc0",
    "track-sc1",
    "track-sc2",
    "unset-var",
    "wait-for-body",
];
const HTTP_AFTER: &[&str] = &[
    "add-header",
    "allow",
    "capture",
    "del-header",
    "replace-header",
    "replace-value",
    "set-header",
    "set-status",
    "set-var",
    "set-var-fmt",
    "strict-mode",
    "unset-var",
];
const TCP_CONNECTION: &[&str] = &[
    "accept",
    "reject",
    "expect-proxy",
    "expect-netscaler-cip",
    "capture",
    "track-sc0",
    "track-sc1",
    "track-sc2",
    "sc-inc-gpc",
    "sc-inc-gpc0",
    "sc-inc-gpc1",
    "sc-set-gpt",
    "sc-set-gpt0",
    "set-dst",
    "set-dst-port",
    "set-mark",
    "set-src",
    "set-src-port",
    "set-tos",
    "set-var",
    "set-var-fmt",
    "silent-drop",
    "unset-var",
];
const TCP_CONTENT: &[&str] = &[
    "accept",
    "reject",
    "capture",
    "do-resolve",
    "track-sc0",
    "track-sc1",
    "track-sc2",
    "sc-inc-gpc",
    "sc-inc-gpc0",
    "sc-inc-gpc1",
    "sc-set-gpt",
    "sc-set-gpt0",
    "send-spoe-group",
    "set-dst",
    "set-dst-port",
    "set-log-level",
    "set-mark",
    "set-nice",
    "set-priority-class",
    "set-priority-offset",
    "set-src",
    "set-src-port",
    "set-tos",
    "set-var",
    "set-var-fmt",
    "silent-drop",
    "switch-mode",
    "unset-var",
    "use-service",
    "close",
];

/// Split `ACTION ARGS… [if|unless COND…]` and store the rule.
fn parse_rule(
    p: &mut Parser<'_>,
    line: &Line,
    kind: &str,
    first: usize,
    actions: &[&str],
) -> Result<Rule, Diagnostic> {
    let here = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::Parsing);
    let Some(action_word) = line.arg(first) else {
        return Err(here(format!("'{kind}' expects an action.")));
    };
    // Actions with a parenthesised argument: set-var(txn.x), track-sc0 …
    let action = action_word
        .split('(')
        .next()
        .unwrap_or(action_word)
        .to_string();
    if !actions.contains(&action.as_str()) {
        let mut d = here(format!(
            "'{kind}' expects {} but got '{action}'.",
            actions
                .iter()
                .map(|a| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(s) = suggest::best_match(&action, actions.iter().copied()) {
            d = d.hint(format!("did you mean '{s}'?"));
        }
        return Err(d);
    }
    let rest = &line.words[first + 1..];
    let cpos = rest.iter().position(|w| w == "if" || w == "unless");
    let (args, cond_words) = match cpos {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let cond = match cond_words {
        None => None,
        Some(cw) => Some(condition_in_proxy(p, cw).map_err(|e| {
            here(format!(
                "error detected while parsing an '{kind} {action}' condition : {e}."
            ))
        })?),
    };
    Ok(Rule {
        kind: kind.to_string(),
        action,
        args: args.to_vec(),
        cond,
        location: line.loc.clone(),
    })
}

fn store(
    p: &mut Parser<'_>,
    r: Result<Rule, Diagnostic>,
    pick: fn(&mut crate::model::Proxy) -> &mut Vec<Rule>,
) -> Outcome {
    match r {
        Ok(rule) => {
            if let Some(px) = p.proxy_mut() {
                pick(px).push(rule);
            }
            Outcome::Ok
        }
        Err(d) => Outcome::Alert(d),
    }
}

pub fn kw_http_request(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let r = parse_rule(p, line, "http-request", 1, HTTP_REQUEST);
    store(p, r, |px| &mut px.http_request)
}

pub fn kw_http_response(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let r = parse_rule(p, line, "http-response", 1, HTTP_RESPONSE);
    store(p, r, |px| &mut px.http_response)
}

pub fn kw_http_after_response(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let r = parse_rule(p, line, "http-after-response", 1, HTTP_AFTER);
    store(p, r, |px| &mut px.http_after_response)
}

fn inspect_delay(p: &mut Parser<'_>, line: &Line, kind: &str) -> Outcome {
    let here = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::Parsing);
    let Some(v) = line.arg(2) else {
        return Outcome::Alert(here(format!(
            "'{kind} inspect-delay' expects a delay as argument."
        )));
    };
    if let Err(e) = crate::units::parse_time(v, crate::units::TimeUnit::Ms) {
        let _ = e;
        return Outcome::Alert(here(format!(
            "'{kind} inspect-delay' : invalid time value '{v}'."
        )));
    }
    if let Some(px) = p.proxy_mut() {
        px.other.push(crate::model::Directive {
            keyword: format!("{kind} inspect-delay"),
            args: vec![v.to_string()],
            location: line.loc.clone(),
        });
    }
    Outcome::Ok
}

pub fn kw_tcp_request(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match line.arg(1) {
        Some("inspect-delay") => inspect_delay(p, line, "tcp-request"),
        Some(stage @ ("connection" | "session" | "content")) => {
            let kind = format!("tcp-request {stage}");
            let acts = if stage == "content" { TCP_CONTENT } else { TCP_CONNECTION };
            let r = parse_rule(p, line, &kind, 2, acts);
            store(p, r, |px| &mut px.tcp_request)
        }
        other => Outcome::Alert(
            Diagnostic::alert(format!(
                "'tcp-request' expects 'connection', 'session', 'content', 'inspect-delay', got '{}'.",
                other.unwrap_or("")
            ))
            .at(&line.loc, Prefix::Parsing),
        ),
    }
}

pub fn kw_tcp_response(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match line.arg(1) {
        Some("inspect-delay") => inspect_delay(p, line, "tcp-response"),
        Some("content") => {
            let r = parse_rule(p, line, "tcp-response content", 2, TCP_CONTENT);
            store(p, r, |px| &mut px.tcp_response)
        }
        other => Outcome::Alert(
            Diagnostic::alert(format!(
                "'tcp-response' expects 'content' or 'inspect-delay', got '{}'.",
                other.unwrap_or("")
            ))
            .at(&line.loc, Prefix::Parsing),
        ),
    }
}
