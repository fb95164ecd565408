//! 1.x directives that 2.1 removed.
//!
//! The `req*`/`rsp*` family is accepted (2.6 rejects it), turned into the
//! modern rule it stands for, and reported with a warning that shows the
//! line to write instead. Directives whose meaning is gone (`block`,
//! `clitimeout`, …) are rejected with 2.6's own words.

use crate::acl::condition_in_proxy;
use crate::diag::{Diagnostic, Prefix};
use crate::model::ProxyKind;
use crate::parser::{Line, Outcome, Parser};
use crate::rules::Rule;

/// Quote a word so the 2.6 tokenizer reads it back unchanged.
pub fn escape_word(w: &str) -> String {
    let mut out = String::new();
    for c in w.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ' ' => out.push_str("\\ "),
            '#' => out.push_str("\\#"),
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        "''".into()
    } else {
        out
    }
}

/// `Name: value` → (`Name`, `value`), dropping the blanks after the colon.
fn split_header(line: &str) -> Option<(&str, &str)> {
    let (n, v) = line.split_once(':')?;
    if n.is_empty() || n.contains(' ') {
        return None;
    }
    Some((n, v.trim_start_matches([' ', '\t'])))
}

/// A regex of the form `^Name:…` names one header literally.
fn literal_header(re: &str) -> Option<(String, String)> {
    let body = re.strip_prefix('^')?;
    let colon = body.find(':')?;
    let name = &body[..colon];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let mut rest = &body[colon + 1..];
    while let Some(r) = rest.strip_prefix("\\ ").or_else(|| rest.strip_prefix(' ')) {
        rest = r;
    }
    let rest = rest
        .strip_prefix("\\ *")
        .or_else(|| rest.strip_prefix("[ ]*"))
        .unwrap_or(rest);
    Some((name.to_string(), rest.to_string()))
}

/// Convert `\1`-style back-references to the same (2.6 keeps `\1`).
fn modern_for(
    kw: &str,
    args: &[String],
    cond_text: &str,
) -> Result<(String, String, Vec<String>), String> {
    let ci = kw.len() > 3 && kw.as_bytes()[3] == b'i';
    let base = if ci {
        format!("{}{}", &kw[..3], &kw[4..])
    } else {
        kw.to_string()
    };
    let side = if kw.starts_with("req") {
        "http-request"
    } else {
        "http-response"
    };
    let hdrs = if kw.starts_with("req") {
        "req.hdrs"
    } else {
        "res.hdrs"
    };
    let icase = if ci { " -i" } else { "" };
    let need = |n: usize| -> Result<(), String> {
        if args.len() < n {
            Err(format!("'{kw}' expects {n} argument(s)."))
        } else {
            Ok(())
        }
    };
    let (action, margs): (String, Vec<String>) = match base.as_str() {
        "reqadd" | "rspadd" => {
            need(1)?;
            let (n, v) = split_header(&args[0]).ok_or_else(|| {
                format!(
                    "'{kw}' expects a header line such as 'Name: value', got '{}'.",
                    args[0]
                )
            })?;
            ("add-header".into(), vec![n.to_string(), v.to_string()])
        }
        "reqrep" | "rsprep" => {
            need(2)?;
            match literal_header(&args[0]) {
                Some((name, rest)) => (
                    "replace-header".into(),
                    vec![
                        name,
                        format!("{}{rest}", if ci { "(?i)" } else { "" }),
                        args[1].clone(),
                    ],
                ),
                None if side == "http-request" => (
                    "replace-uri".into(),
                    vec![
                        format!("{}{}", if ci { "(?i)" } else { "" }, args[0]),
                        args[1].clone(),
                    ],
                ),
                None => (
                    "replace-header".into(),
                    vec![".*".into(), args[0].clone(), args[1].clone()],
                ),
            }
        }
        "reqdel" | "rspdel" => {
            need(1)?;
            match literal_header(&args[0]) {
                Some((name, rest)) if rest.is_empty() || rest == ".*" => {
                    ("del-header".into(), vec![name])
                }
                _ => (
                    "del-header".into(),
                    vec![args[0].clone(), "-m".into(), "reg".into()],
                ),
            }
        }
        "reqallow" | "reqdeny" | "reqtarpit" | "rspdeny" => {
            need(1)?;
            let act = base
                .trim_start_matches("req")
                .trim_start_matches("rsp")
                .to_string();
            let c = format!("{{ {hdrs} -m reg{icase} {} }}", args[0]);
            let mut v = vec!["if".to_string()];
            v.extend(c.split(' ').map(str::to_string));
            if !cond_text.is_empty() {
                // 1.x AND-ed its own condition with the regex match.
                v.extend(cond_text.split(' ').skip(1).map(str::to_string));
            }
            return Ok((side.into(), act, v));
        }
        _ => return Err(format!("'{kw}' has no modern translation.")),
    };
    Ok((side.into(), action, margs))
}

pub fn kw_legacy(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let kw = line.kw().to_string();
    let kind = p.proxy().map(|x| x.kind);
    if kind == Some(ProxyKind::Defaults) {
        return Outcome::Alert(
            Diagnostic::alert(format!("'{kw}' not allowed in 'defaults' section."))
                .at(&line.loc, Prefix::Parsing)
                .hint("1.x did not allow it there either; move it to the frontend or backend"),
        );
    }
    let rest = &line.words[1..];
    let cpos = rest.iter().position(|w| w == "if" || w == "unless");
    let (args, cond_words) = match cpos {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, &rest[rest.len()..]),
    };
    let cond_text = cond_words.join(" ");
    let (side, action, margs) = match modern_for(&kw, args, &cond_text) {
        Ok(t) => t,
        Err(e) => {
            return Outcome::Alert(Diagnostic::alert(e).at(&line.loc, Prefix::Parsing));
        }
    };
    let is_filter = matches!(action.as_str(), "allow" | "deny" | "tarpit");
    let cond = if is_filter {
        match condition_in_proxy(p, &margs) {
            Ok(c) => Some(c),
            Err(e) => {
                return Outcome::Alert(
                    Diagnostic::alert(format!("'{kw}' : {e}")).at(&line.loc, Prefix::Parsing),
                )
            }
        }
    } else if !cond_words.is_empty() {
        match condition_in_proxy(p, cond_words) {
            Ok(c) => Some(c),
            Err(e) => {
                return Outcome::Alert(
                    Diagnostic::alert(format!(
                        "error detected while parsing a '{kw}' condition : {e}."
                    ))
                    .at(&line.loc, Prefix::Parsing),
                )
            }
        }
    } else {
        None
    };
    let mut modern = format!("{side} {action}");
    for a in &margs {
        modern.push(' ');
        // Condition syntax words are already tokens; data words need escaping.
        if is_filter {
            modern.push_str(a);
        } else {
            modern.push_str(&escape_word(a));
        }
    }
    if !is_filter && !cond_text.is_empty() {
        modern.push(' ');
        modern.push_str(&cond_text);
    }
    let rule = Rule {
        kind: side.clone(),
        action,
        args: if is_filter { Vec::new() } else { margs },
        cond,
        location: line.loc.clone(),
    };
    let loc = line.loc.clone();
    if let Some(px) = p.proxy_mut() {
        if side == "http-request" {
            px.http_request.push(rule);
        } else {
            px.http_response.push(rule);
        }
        px.legacy_translations
            .push((loc.clone(), kw.clone(), modern.clone()));
    }
    let mut d = Diagnostic::warning(format!(
        "the '{kw}' directive was removed in HAProxy 2.1; rhaproxy accepts it as '{modern}'."
    ))
    .at(&loc, Prefix::Parsing);
    // Regex rewrites changed meaning: 1.x matched whole lines.
    if matches!(
        kw.trim_start_matches("req").trim_start_matches("rsp"),
        "rep" | "irep" | "deny" | "ideny" | "allow" | "iallow" | "tarpit" | "itarpit"
    ) {
        d = d.hint("1.x matched the regex against whole header lines (and the request line); check that the translation covers what the rule was meant to match");
    }
    p.push(d);
    Outcome::Ok
}

/// Directives 2.6 rejects with a message of its own; we keep the verdict.
pub fn kw_removed(_p: &mut Parser<'_>, line: &Line) -> Outcome {
    let kw = line.kw();
    let two = format!("{} {}", kw, line.arg(1).unwrap_or(""));
    let (msg, prefix, hint): (String, Prefix, Option<&str>) = match kw {
        "reqpass" => ("The 'reqpass' not supported anymore since HAProxy 2.1.".into(), Prefix::Parsing, None),
        "reqipass" => ("The 'reqipass' directive is not supported anymore since HAProxy 2.1.".into(), Prefix::Parsing, None),
        "block" => (
            "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.".into(),
            Prefix::Parsing,
            Some("replace 'block' by 'http-request deny' and keep the condition"),
        ),
        "clitimeout" | "srvtimeout" | "contimeout" => {
            let modern = match kw {
                "clitimeout" => "timeout client",
                "srvtimeout" => "timeout server",
                _ => "timeout connect",
            };
            (
                format!("the '{kw}' directive is not supported anymore since HAProxy 2.1. Use '{modern}'."),
                Prefix::Parsing,
                None,
            )
        }
        "redispatch" => (
            "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.".into(),
            Prefix::Parsing,
            None,
        ),
        "monitor-net" => (
            "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src ... }' instead.".into(),
            Prefix::Parsing,
            None,
        ),
        "appsession" => ("'appsession' is not supported anymore since HAProxy 1.6.".into(), Prefix::Parsing, Some("use 'cookie' persistence or stick tables")),
        "stats" => (
            "'stats bind-process' is not supported anymore, please use 'bind ... process' instead.".into(),
            Prefix::Parsing,
            None,
        ),
        _ if two == "option http-tunnel" => (
            "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.".into(),
            Prefix::ParsingTight,
            None,
        ),
        _ if two == "option forceclose" => (
            "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.".into(),
            Prefix::ParsingTight,
            None,
        ),
        _ => (format!("'{kw}' is not supported anymore."), Prefix::Parsing, None),
    };
    let mut d = Diagnostic::alert(msg).at(&line.loc, prefix);
    if let Some(h) = hint {
        d = d.hint(h);
    }
    Outcome::Alert(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn guide_rspadd_translates_to_one_header() {
        let (side, action, args) =
            modern_for("rspadd", &w(&[r"X-Forwarded-Host: http:\\example.com"]), "").unwrap();
        assert_eq!(
            (side.as_str(), action.as_str()),
            ("http-response", "add-header")
        );
        assert_eq!(args, w(&["X-Forwarded-Host", r"http:\\example.com"]));
        assert_eq!(escape_word(&args[1]), r"http:\\\\example.com");
    }

    #[test]
    fn header_regex_becomes_replace_header() {
        let (_, action, args) =
            modern_for("reqrep", &w(&[r"^Host:\ (.*)", r"www.\1"]), "").unwrap();
        assert_eq!(action, "replace-header");
        assert_eq!(args, w(&["Host", "(.*)", r"www.\1"]));
        let (_, action, args) =
            modern_for("reqrep", &w(&[r"^([^\ ]*)\ /old/(.*)", r"\1\ /new/\2"]), "").unwrap();
        assert_eq!(action, "replace-uri");
        assert_eq!(args[1], r"\1\ /new/\2");
        let (_, action, args) = modern_for("reqidel", &w(&["^X-Forwarded-For:.*"]), "").unwrap();
        assert_eq!(
            (action.as_str(), args),
            ("del-header", w(&["X-Forwarded-For"]))
        );
    }

    #[test]
    fn filters_become_conditions() {
        let (side, action, args) = modern_for("reqideny", &w(&["^User-Agent:.*curl"]), "").unwrap();
        assert_eq!((side.as_str(), action.as_str()), ("http-request", "deny"));
        assert_eq!(
            args.join(" "),
            "if { req.hdrs -m reg -i ^User-Agent:.*curl }"
        );
    }
}
