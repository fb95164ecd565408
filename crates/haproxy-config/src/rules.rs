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

/// One action a ruleset accepts. `prefix` actions take their argument
/// glued to the name (`set-var(txn.x)`, `track-sc0`, `sc-inc-gpc(1)`).
#[derive(Debug, Clone, Copy)]
pub struct ActionName {
    pub name: &'static str,
    pub prefix: bool,
}

const fn a(name: &'static str) -> ActionName {
    ActionName {
        name,
        prefix: false,
    }
}

const fn ap(name: &'static str) -> ActionName {
    ActionName { name, prefix: true }
}

// The action lists below follow the order in which 2.6 lists them in its
// "expects …" error messages.
pub const HTTP_REQUEST: &[ActionName] = &[
    a("wait-for-handshake"),
    a("ot-group"),
    a("set-log-level"),
    a("set-nice"),
    a("use-service"),
    ap("sc-inc-gpc"),
    ap("sc-inc-gpc0"),
    ap("sc-inc-gpc1"),
    ap("sc-set-gpt"),
    ap("sc-set-gpt0"),
    a("send-spoe-group"),
    ap("do-resolve"),
    a("cache-use"),
    ap("add-acl"),
    a("add-header"),
    a("allow"),
    a("auth"),
    a("capture"),
    ap("del-acl"),
    a("del-header"),
    ap("del-map"),
    a("deny"),
    a("disable-l7-retry"),
    a("early-hint"),
    a("normalize-uri"),
    a("redirect"),
    a("reject"),
    a("replace-header"),
    a("replace-path"),
    a("replace-pathq"),
    a("replace-uri"),
    a("replace-value"),
    a("return"),
    a("set-header"),
    ap("set-map"),
    a("set-method"),
    a("set-path"),
    a("set-pathq"),
    a("set-query"),
    a("set-uri"),
    a("strict-mode"),
    a("tarpit"),
    ap("track-sc"),
    a("set-timeout"),
    a("wait-for-body"),
    ap("set-var-fmt"),
    ap("set-var"),
    ap("unset-var"),
    a("set-dst"),
    a("set-dst-port"),
    a("set-mark"),
    a("set-src"),
    a("set-src-port"),
    a("set-tos"),
    a("silent-drop"),
    a("set-priority-class"),
    a("set-priority-offset"),
];
pub const HTTP_RESPONSE: &[ActionName] = &[
    a("ot-group"),
    a("set-log-level"),
    a("set-nice"),
    ap("sc-inc-gpc"),
    ap("sc-inc-gpc0"),
    ap("sc-inc-gpc1"),
    ap("sc-set-gpt"),
    ap("sc-set-gpt0"),
    a("send-spoe-group"),
    a("cache-store"),
    ap("add-acl"),
    a("add-header"),
    a("allow"),
    a("capture"),
    ap("del-acl"),
    a("del-header"),
    ap("del-map"),
    a("deny"),
    a("redirect"),
    a("replace-header"),
    a("replace-value"),
    a("return"),
    a("set-header"),
    ap("set-map"),
    a("set-status"),
    a("strict-mode"),
    ap("track-sc"),
    a("wait-for-body"),
    ap("set-var-fmt"),
    ap("set-var"),
    ap("unset-var"),
    a("set-mark"),
    a("set-tos"),
    a("silent-drop"),
];
pub const HTTP_AFTER: &[ActionName] = &[
    a("ot-group"),
    a("add-header"),
    a("allow"),
    a("capture"),
    a("del-header"),
    a("replace-header"),
    a("replace-value"),
    a("set-header"),
    a("set-status"),
    a("strict-mode"),
    ap("set-var-fmt"),
    ap("set-var"),
    ap("unset-var"),
];
/// Built into every `tcp-request` stage before the registered actions.
const TCP_REQ_BUILTIN: &[ActionName] = &[
    a("accept"),
    a("reject"),
    a("capture"),
    a("expect-proxy"),
    a("expect-netscaler-cip"),
    ap("track-sc"),
];
pub const TCP_CONNECTION: &[ActionName] = &[
    ap("sc-inc-gpc"),
    ap("sc-inc-gpc0"),
    ap("sc-inc-gpc1"),
    ap("sc-set-gpt"),
    ap("sc-set-gpt0"),
    ap("set-var-fmt"),
    ap("set-var"),
    ap("unset-var"),
    a("set-dst"),
    a("set-dst-port"),
    a("set-mark"),
    a("set-src"),
    a("set-src-port"),
    a("set-tos"),
    a("silent-drop"),
];
pub const TCP_CONTENT: &[ActionName] = &[
    a("ot-group"),
    a("set-log-level"),
    a("set-nice"),
    a("switch-mode"),
    a("use-service"),
    ap("sc-inc-gpc"),
    ap("sc-inc-gpc0"),
    ap("sc-inc-gpc1"),
    ap("sc-set-gpt"),
    ap("sc-set-gpt0"),
    a("send-spoe-group"),
    ap("do-resolve"),
    ap("set-var-fmt"),
    ap("set-var"),
    ap("unset-var"),
    a("set-src"),
    a("set-src-port"),
    a("set-dst"),
    a("set-dst-port"),
    a("set-mark"),
    a("set-tos"),
    a("silent-drop"),
    a("set-priority-class"),
    a("set-priority-offset"),
];
const TCP_RES_BUILTIN: &[ActionName] = &[a("accept"), a("close"), a("reject")];
pub const TCP_RES_CONTENT: &[ActionName] = &[
    a("ot-group"),
    a("set-log-level"),
    a("set-nice"),
    ap("sc-inc-gpc"),
    ap("sc-inc-gpc0"),
    ap("sc-inc-gpc1"),
    ap("sc-set-gpt"),
    ap("sc-set-gpt0"),
    a("send-spoe-group"),
    ap("set-var-fmt"),
    ap("set-var"),
    ap("unset-var"),
    a("set-mark"),
    a("set-tos"),
    a("silent-drop"),
];

/// Find the action `word` names in `lists`; returns the canonical name.
fn lookup(word: &str, lists: &[&[ActionName]]) -> Option<&'static str> {
    for l in lists {
        for act in l.iter() {
            if act.prefix {
                if let Some(rest) = word.strip_prefix(act.name) {
                    // `set-var` must not swallow `set-var-fmt(…)`.
                    if rest.is_empty() || rest.starts_with('(') || act.name == "track-sc" {
                        return Some(act.name);
                    }
                }
            } else if word == act.name {
                return Some(act.name);
            }
        }
    }
    None
}

fn quoted_list(l: &[ActionName]) -> Vec<String> {
    l.iter()
        .map(|x| {
            if x.prefix {
                format!("'{}(*)'", x.name)
            } else {
                format!("'{}'", x.name)
            }
        })
        .collect()
}

/// How a ruleset reports errors.
struct RuleSet {
    kind: String,
    /// HTTP rulesets abort the file on any error, as 2.6 does.
    http: bool,
    builtin: &'static [ActionName],
    actions: &'static [ActionName],
}

fn proxy_label(p: &Parser<'_>) -> (String, String) {
    match p.proxy() {
        Some(px) => (px.kind.label().to_string(), px.name.clone()),
        None => ("proxy".into(), String::new()),
    }
}

/// The words an action consumed and what it found wrong, if anything.
type ArgCheck = Result<usize, String>;

fn is_cond(w: &str) -> bool {
    w == "if" || w == "unless"
}

/// Count the words before `if`/`unless`.
fn before_cond(args: &[String]) -> usize {
    args.iter().position(|w| is_cond(w)).unwrap_or(args.len())
}

/// Check a sample expression (`fetch[(args)][,conv[(args)]]…`) against
/// the fetch and converter tables.
pub fn check_expr(expr: &str) -> Result<(), String> {
    let mut parts = split_expr(expr).into_iter();
    let first = parts.next().unwrap_or_default();
    let fname = first.split('(').next().unwrap_or("");
    if crate::sample::fetch(fname).is_none() {
        return Err(format!("unknown fetch method '{fname}'"));
    }
    for c in parts {
        let cname = c.split('(').next().unwrap_or("");
        if crate::sample::converter(cname).is_none() {
            return Err(format!("unknown converter '{cname}'"));
        }
    }
    Ok(())
}

/// Split `a(b,c),d(e)` at the commas outside parentheses.
fn split_expr(expr: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0i32;
    for ch in expr.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(ch);
        }
    }
    out
}

/// Status codes an HTTP reply (`return`, `deny_status`) may use.
fn reply_status_ok(code: i64) -> bool {
    (200..=599).contains(&code)
}

/// Arguments of `return`, `deny` and `tarpit`: an HTTP reply.
fn check_reply(p: &Parser<'_>, args: &[String], deny: bool) -> ArgCheck {
    let mut i = 0;
    let mut status: i64 = if deny { 403 } else { 200 };
    let mut ctype = false;
    let mut body: Option<(&str, bool)> = None;
    while i < args.len() && !is_cond(&args[i]) {
        let w = args[i].as_str();
        let next = args.get(i + 1).map(String::as_str);
        match w {
            "status" | "deny_status" if deny || w == "status" => {
                let Some(v) = next else {
                    return Err("'status' expects <status_code> as argument".into());
                };
                status = crate::units::atol(v).value;
                if !reply_status_ok(status) {
                    return Err(format!("Unexpected status code '{status}'"));
                }
                i += 2;
            }
            "content-type" => {
                if next.is_none() {
                    return Err("'content-type' expects <ctype> as argument".into());
                }
                ctype = true;
                i += 2;
            }
            "string" | "lf-string" | "file" | "lf-file" | "errorfile" | "errorfiles" => {
                if let Some((prev, _)) = body {
                    return Err(format!(
                        "unexpected '{w}' argument, '{prev}' already defined"
                    ));
                }
                let Some(v) = next else {
                    let what = match w {
                        "string" => "<str>",
                        "lf-string" => "<fmt>",
                        "errorfiles" => "<name>",
                        _ => "<file>",
                    };
                    return Err(format!("'{w}' expects {what} as argument"));
                };
                if matches!(w, "file" | "lf-file" | "errorfile")
                    && p.host.path_kind(v) != crate::host::PathKind::File
                {
                    let dot = if w == "errorfile" { "." } else { "" };
                    return Err(format!("error opening file '{v}'.{dot}"));
                }
                body = Some((args[i].as_str(), !v.is_empty()));
                // Keep the keyword name stable for the duplicate message.
                body = body.map(|(_, ne)| (w_static(w), ne));
                i += 2;
            }
            "hdr" => {
                if args.get(i + 2).is_none() {
                    return Err("'hdr' expects <name> and <value> as arguments".into());
                }
                i += 3;
            }
            _ => break,
        }
    }
    if let Some((kind, non_empty)) = body {
        if matches!(kind, "string" | "lf-string" | "file" | "lf-file") {
            if status == 204 || status == 304 {
                return Err(format!("No body expected for {status} responses"));
            }
            if non_empty && !ctype {
                return Err(
                    "a content type must be defined when non-empty payload is configured".into(),
                );
            }
        }
    }
    Ok(i)
}

fn w_static(w: &str) -> &'static str {
    match w {
        "string" => "string",
        "lf-string" => "lf-string",
        "file" => "file",
        "lf-file" => "lf-file",
        "errorfile" => "errorfile",
        _ => "errorfiles",
    }
}

/// Typed form of a `redirect` rule (the keyword and the action).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redirect {
    /// `location`, `prefix` or `scheme`.
    pub kind: String,
    pub target: String,
    pub code: Option<u16>,
    pub drop_query: bool,
    pub append_slash: bool,
    pub ignore_empty: bool,
    pub set_cookie: Option<String>,
    pub clear_cookie: Option<String>,
}

/// Parse `redirect` arguments up to `if`/`unless`.
pub fn parse_redirect(args: &[String]) -> Result<(Redirect, usize), String> {
    let mut r = Redirect::default();
    let mut i = 0;
    while i < args.len() && !is_cond(&args[i]) {
        let w = args[i].as_str();
        let need = |i: usize| -> Result<String, String> {
            args.get(i + 1)
                .cloned()
                .ok_or_else(|| format!("missing argument for '{w}'"))
        };
        match w {
            "location" | "prefix" | "scheme" => {
                r.target = need(i)?;
                r.kind = w.to_string();
                i += 2;
            }
            "code" => {
                let v = need(i)?;
                let n = crate::units::atol(&v).value;
                if ![301, 302, 303, 307, 308].contains(&n) {
                    return Err(format!(
                        "'code': unsupported HTTP code '{n}' (must be one of 301, 302, 303, 307 or 308)"
                    ));
                }
                r.code = Some(n as u16);
                i += 2;
            }
            "set-cookie" => {
                r.set_cookie = Some(need(i)?);
                i += 2;
            }
            "clear-cookie" => {
                r.clear_cookie = Some(need(i)?);
                i += 2;
            }
            "drop-query" => {
                r.drop_query = true;
                i += 1;
            }
            "append-slash" => {
                r.append_slash = true;
                i += 1;
            }
            "ignore-empty" => {
                r.ignore_empty = true;
                i += 1;
            }
            x => {
                return Err(format!(
                    "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '{x}')"
                ))
            }
        }
    }
    if r.kind.is_empty() {
        return Err("redirection type expected ('prefix', 'location', or 'scheme')".into());
    }
    Ok((r, i))
}

fn check_var_name(word: &str, action: &str) -> Result<(), String> {
    let inner = word
        .strip_prefix(action)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'));
    let Some(inner) = inner else {
        return Err(format!(
            "invalid or incomplete action '{word}'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"
        ));
    };
    let name = inner.split(',').next().unwrap_or("");
    let ok = ["proc.", "sess.", "txn.", "req.", "res.", "check."]
        .iter()
        .any(|s| name.starts_with(s) && name.len() > s.len());
    if !ok {
        return Err(format!("invalid variable name '{name}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'"));
    }
    Ok(())
}

fn check_fetch_arg(args: &[String]) -> ArgCheck {
    match args.first() {
        Some(e) if !is_cond(e) => {
            check_expr(e)?;
            Ok(1)
        }
        _ => Err("missing fetch method".into()),
    }
}

/// Per-action argument checks. Returns how many words the action used.
fn check_action(p: &Parser<'_>, action: &str, word: &str, args: &[String], http: bool) -> ArgCheck {
    let n = before_cond(args);
    let exactly = |k: usize, extra: &str| -> ArgCheck {
        if n < k {
            Err(format!("expects exactly {k} arguments{extra}"))
        } else {
            Ok(k)
        }
    };
    let (is_fe, is_be, pname) = match p.proxy() {
        Some(px) => (
            px.kind.has_frontend(),
            px.kind.has_backend(),
            px.name.clone(),
        ),
        None => (true, true, String::new()),
    };
    match action {
        "return" => check_reply(p, args, false),
        "deny" | "tarpit" if http => check_reply(p, args, true),
        "redirect" if http => parse_redirect(args).map(|(_, used)| used),
        "set-header" | "add-header" => exactly(2, ""),
        "replace-header" | "replace-value" => exactly(3, ""),
        "replace-uri" | "replace-path" | "replace-pathq" => {
            exactly(2, " <match-regex> and <replace-format>")
        }
        "del-header" => {
            if n < 1 {
                return Err("expects at least 1 argument".into());
            }
            if args.get(1).map(String::as_str) == Some("-m") {
                match args.get(2) {
                    None => return Err("-m flag expects exactly 1 argument".into()),
                    Some(m) if !matches!(m.as_str(), "str" | "beg" | "end" | "sub" | "reg") => {
                        return Err(format!("-m with unsupported matching method '{m}'"))
                    }
                    Some(_) => return Ok(3),
                }
            }
            Ok(1)
        }
        "set-var" | "set-var-fmt" | "unset-var" => {
            check_var_name(word, action)?;
            match action {
                "unset-var" => Ok(0),
                "set-var-fmt" => Ok(n.min(1)),
                _ => check_fetch_arg(args),
            }
        }
        "auth" if http => match args.first().map(String::as_str) {
            Some("realm") => {
                if args.get(1).is_none() {
                    Err("missing realm value.\n".into())
                } else {
                    Ok(2)
                }
            }
            _ => Ok(0),
        },
        "set-timeout" => {
            if !is_be {
                return Err(format!("proxy '{pname}' has no backend capability"));
            }
            if n < 2 {
                return Err("expects exactly 2 arguments".into());
            }
            let which = args[0].as_str();
            if which != "server" && which != "tunnel" {
                return Err(format!(
                    "'set-timeout' rule supports 'server'/'tunnel' (got '{which}')"
                ));
            }
            if let Err(crate::units::TimeError::BadChar(c)) =
                crate::units::parse_time(&args[1], crate::units::TimeUnit::Ms)
            {
                return Err(format!(
                    "unexpected character '{c}' in rule 'set-timeout {which}'"
                ));
            }
            Ok(2)
        }
        "capture" if http => {
            let usage = "expects <expression> [ 'len' <length> | id <idx> ]";
            if n < 3 {
                return Err(usage.into());
            }
            if !is_fe {
                return Err(format!("proxy '{pname}' has no frontend capability"));
            }
            check_expr(&args[0])?;
            if !matches!(args[1].as_str(), "len" | "id") {
                return Err(usage.into());
            }
            Ok(3)
        }
        "track-sc" => {
            let num = word.strip_prefix("track-sc").unwrap_or("");
            let k = crate::units::atol(num).value;
            if k > 2 {
                return Err(format!(
                    "{k} track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value"
                ));
            }
            let used = check_fetch_arg(args)?;
            if args.get(1).map(String::as_str) == Some("table") && args.get(2).is_some() {
                return Ok(3);
            }
            Ok(used)
        }
        "allow" | "reject" | "deny" | "tarpit" | "accept" | "close" | "silent-drop"
        | "disable-l7-retry" | "wait-for-handshake" | "expect-proxy" => {
            if action == "expect-proxy" && args.first().map(String::as_str) == Some("layer4") {
                return Ok(1);
            }
            Ok(0)
        }
        // Not modelled yet: take everything up to the condition.
        _ => Ok(n),
    }
}

/// Split `ACTION ARGS… [if|unless COND…]`, check the action's arguments
/// and return the rule.
fn parse_rule(
    p: &mut Parser<'_>,
    line: &Line,
    set: &RuleSet,
    first: usize,
) -> Result<Rule, Outcome> {
    let kind = set.kind.as_str();
    let (label, pname) = proxy_label(p);
    let fail = |d: Diagnostic| -> Outcome {
        if set.http {
            Outcome::Abort(d)
        } else {
            Outcome::Alert(d)
        }
    };
    let action_word = line.arg(first).unwrap_or("");
    let Some(action) = lookup(action_word, &[set.builtin, set.actions]) else {
        let mut names = quoted_list(set.builtin);
        if set.builtin.iter().any(|x| x.name == "track-sc") {
            names.pop();
            names.push("'track-sc0' ... 'track-sc2'".into());
        }
        names.extend(quoted_list(set.actions));
        let d = if set.http {
            let got = if action_word.is_empty() {
                "'' (missing argument)".to_string()
            } else {
                format!("'{action_word}'")
            };
            Diagnostic::alert(format!(
                "'{kind}' expects {}, but got {got}.",
                names.join(", ")
            ))
            .at(&line.loc, Prefix::ParsingTight)
        } else {
            Diagnostic::alert(format!(
                "'{kind}' expects {} in {label} '{pname}' (got '{action_word}').",
                names.join(", ")
            ))
            .at(&line.loc, Prefix::Parsing)
        };
        let all: Vec<&str> = set
            .builtin
            .iter()
            .chain(set.actions.iter())
            .map(|x| x.name)
            .collect();
        let d = match suggest::best_match(action_word, all.iter().copied()) {
            Some(s) if !action_word.is_empty() => d.hint(format!("did you mean '{s}'?")),
            _ => d,
        };
        return Err(fail(d));
    };
    if action == "normalize-uri" && !experimental_allowed(p) {
        return Err(fail(
            Diagnostic::alert(
                "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'",
            )
            .at(&line.loc, Prefix::Parsing)
            .hint("add 'expose-experimental-directives' to the global section, before this line"),
        ));
    }
    let rest = &line.words[first + 1..];
    let used = match check_action(p, action, action_word, rest, set.http) {
        Ok(u) => u,
        Err(e) => {
            let msg = if let Some(e) = e.strip_suffix('\n') {
                format!(
                    "error detected in {label} '{pname}' while parsing '{kind} {action_word}' rule : {e}"
                )
            } else {
                format!(
                    "error detected in {label} '{pname}' while parsing '{kind} {action_word}' rule : {e}."
                )
            };
            let mut d = Diagnostic::alert(msg).at(&line.loc, Prefix::Parsing);
            if e.ends_with('\n') {
                d = d.detail(".");
            }
            return Err(fail(d));
        }
    };
    let (args, cond_words) = rest.split_at(used.min(rest.len()));
    let cond = match cond_words.first() {
        None => None,
        Some(w) if !is_cond(w) => {
            let prefix = if set.http {
                Prefix::ParsingTight
            } else {
                Prefix::Parsing
            };
            return Err(fail(
                Diagnostic::alert(format!(
                    "'{kind} {action_word}' expects either 'if' or 'unless' followed by a condition but found '{w}'."
                ))
                .at(&line.loc, prefix),
            ));
        }
        Some(_) if cond_words.len() == 1 => None,
        Some(_) => Some(condition_in_proxy(p, cond_words).map_err(|e| {
            fail(
                Diagnostic::alert(format!(
                    "error detected while parsing an '{kind} {action_word}' condition : {e}."
                ))
                .at(&line.loc, Prefix::Parsing),
            )
        })?),
    };
    Ok(Rule {
        kind: kind.to_string(),
        action: action_word
            .split('(')
            .next()
            .unwrap_or(action_word)
            .to_string(),
        args: args.to_vec(),
        cond,
        location: line.loc.clone(),
    })
}

/// Whether `expose-experimental-directives` appeared in `global` before
/// the current line.
fn experimental_allowed(p: &Parser<'_>) -> bool {
    p.cfg
        .global
        .other
        .iter()
        .any(|d| d.keyword == "expose-experimental-directives")
}

fn store(
    p: &mut Parser<'_>,
    r: Result<Rule, Outcome>,
    pick: fn(&mut crate::model::Proxy) -> &mut Vec<Rule>,
) -> Outcome {
    match r {
        Ok(rule) => {
            let loc = rule.location.clone();
            order_warning(p, &rule.kind, &loc);
            if let Some(px) = p.proxy_mut() {
                pick(px).push(rule);
            }
            Outcome::Ok
        }
        Err(o) => o,
    }
}

/// Rule families in the order 2.6 evaluates them, whatever their place
/// in the file: (name in messages, name when it is the later line).
const RULE_ORDER: &[(&str, &str)] = &[
    ("tcp-request connection", "tcp-request"),
    ("tcp-request session", "tcp-request"),
    ("tcp-request content", "tcp-request"),
    ("monitor fail", "monitor fail"),
    ("http-request", "http-request"),
    ("redirect", "redirect"),
    ("use_backend", "use_backend"),
    ("use-server", "use-server"),
];

fn family_present(px: &crate::model::Proxy, fam: &str) -> bool {
    match fam {
        "tcp-request connection" | "tcp-request session" | "tcp-request content" => {
            px.tcp_request.iter().any(|r| r.kind == fam)
        }
        "monitor fail" => px.other.iter().any(|d| d.keyword == "monitor"),
        "http-request" => !px.http_request.is_empty(),
        "redirect" => px.other.iter().any(|d| d.keyword == "redirect"),
        "use_backend" => !px.use_backends.is_empty(),
        "use-server" => !px.use_servers.is_empty(),
        _ => false,
    }
}

/// Warn when a rule of family `fam` (a [`RULE_ORDER`] name) comes after
/// a rule 2.6 evaluates later. Call before storing the new rule.
pub fn order_warning(p: &mut Parser<'_>, fam: &str, loc: &Location) {
    let Some(px) = p.proxy() else { return };
    if px.kind == crate::model::ProxyKind::Defaults {
        return;
    }
    let Some(rank) = RULE_ORDER.iter().position(|(n, _)| *n == fam) else {
        return;
    };
    let Some((later, _)) = RULE_ORDER[rank + 1..]
        .iter()
        .find(|(n, _)| family_present(px, n))
    else {
        return;
    };
    let art = if later.starts_with("http") { "an" } else { "a" };
    let msg = format!(
        "a '{}' rule placed after {art} '{later}' rule will still be processed before.",
        RULE_ORDER[rank].1
    );
    p.warn(loc, msg);
}

fn http_set(kind: &str, actions: &'static [ActionName]) -> RuleSet {
    RuleSet {
        kind: kind.into(),
        http: true,
        builtin: &[],
        actions,
    }
}

pub fn kw_http_request(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let r = parse_rule(p, line, &http_set("http-request", HTTP_REQUEST), 1);
    store(p, r, |px| &mut px.http_request)
}

pub fn kw_http_response(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let r = parse_rule(p, line, &http_set("http-response", HTTP_RESPONSE), 1);
    store(p, r, |px| &mut px.http_response)
}

pub fn kw_http_after_response(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let r = parse_rule(p, line, &http_set("http-after-response", HTTP_AFTER), 1);
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
            let set = RuleSet {
                kind: format!("tcp-request {stage}"),
                http: false,
                builtin: TCP_REQ_BUILTIN,
                actions: if stage == "content" {
                    TCP_CONTENT
                } else {
                    TCP_CONNECTION
                },
            };
            let r = parse_rule(p, line, &set, 2);
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
            let set = RuleSet {
                kind: "tcp-response content".into(),
                http: false,
                builtin: TCP_RES_BUILTIN,
                actions: TCP_RES_CONTENT,
            };
            let r = parse_rule(p, line, &set, 2);
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
