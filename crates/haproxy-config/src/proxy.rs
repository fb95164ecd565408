//! Handlers of `defaults`, `frontend`, `backend` and `listen` keywords
//! (everything except binds, servers, ACLs and rules, which have their
//! own modules).

use crate::acl::condition_in_proxy;
use crate::diag::{Diagnostic, Prefix};
use crate::host::PathKind;
use crate::model::{Balance, CheckKind, Directive, HashType, Mode, Proxy};
use crate::parser::{Line, Modifier, Outcome, Parser};
use crate::units::{self, TimeError, TimeUnit};

fn alert(line: &Line, m: impl Into<String>) -> Outcome {
    Outcome::Alert(Diagnostic::alert(m).at(&line.loc, Prefix::Parsing))
}

fn with_proxy(p: &mut Parser<'_>, f: impl FnOnce(&mut Proxy)) -> Outcome {
    if let Some(px) = p.proxy_mut() {
        f(px);
    }
    Outcome::Ok
}

fn int_arg(p: &mut Parser<'_>, line: &Line, what: &str) -> Result<i64, Outcome> {
    let Some(v) = line.arg(1) else {
        return Err(alert(
            line,
            format!("'{}' expects {what} as argument.", line.kw()),
        ));
    };
    let v = v.to_string();
    Ok(p.lenient_int(line, &v))
}

pub fn kw_mode(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let mode = match line.arg(1) {
        Some("tcp") => Mode::Tcp,
        Some("http") => Mode::Http,
        Some(m) => {
            let mut d = Diagnostic::alert(format!("unknown proxy mode '{m}'."))
                .at(&line.loc, Prefix::Parsing);
            if m == "health" {
                d = d.hint(
                    "'mode health' was removed in 2.4; use 'monitor-uri' in an HTTP frontend",
                );
            } else {
                d = d.hint("valid modes are 'tcp' and 'http'");
            }
            return Outcome::Alert(d);
        }
        None => return alert(line, "'mode' expects one of 'tcp', 'http' as argument."),
    };
    with_proxy(p, |px| {
        px.mode = mode;
        px.mode_set = true;
    })
}

pub fn kw_balance(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let rest: Vec<String> = line.words.get(2..).unwrap_or(&[]).to_vec();
    let Some(algo) = line.arg(1) else {
        return alert(line, "'balance' expects an algorithm.");
    };
    let b = match algo {
        "roundrobin" => Balance::RoundRobin,
        "static-rr" => Balance::StaticRr,
        "leastconn" => Balance::LeastConn,
        "first" => Balance::First,
        "source" => Balance::Source,
        "uri" => Balance::Uri { args: rest },
        "url_param" => match rest.first() {
            Some(param) => Balance::UrlParam {
                param: param.clone(),
                args: rest[1..].to_vec(),
            },
            None => return alert(line, "'balance url_param' requires an URL parameter name."),
        },
        "hash" => {
            if rest.is_empty() {
                return alert(line, "'balance hash' requires a sample expression.");
            }
            Balance::Hash {
                expr: rest.join(" "),
            }
        }
        a if a.starts_with("hdr(") && a.ends_with(')') && a.len() > 5 => Balance::Hdr {
            name: a[4..a.len() - 1].to_string(),
            use_domain_only: rest.first().is_some_and(|x| x == "use_domain_only"),
        },
        a if a == "random" || (a.starts_with("random(") && a.ends_with(')')) => {
            let draws = a
                .strip_prefix("random(")
                .and_then(|s| s.strip_suffix(')'))
                .map(|s| units::atol(s).value.max(1) as u32)
                .unwrap_or(2);
            Balance::Random { draws }
        }
        a if a == "rdp-cookie" || (a.starts_with("rdp-cookie(") && a.ends_with(')')) => {
            Balance::RdpCookie {
                name: a
                    .strip_prefix("rdp-cookie(")
                    .and_then(|s| s.strip_suffix(')'))
                    .map(str::to_string),
            }
        }
        a => {
            const ALGOS: &[&str] = &[
                "roundrobin",
                "static-rr",
                "leastconn",
                "first",
                "source",
                "uri",
                "url_param",
                "hdr",
                "random",
                "rdp-cookie",
                "hash",
            ];
            let mut d = Diagnostic::alert("balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.")
                .at(&line.loc, Prefix::Parsing);
            if let Some(s) = crate::suggest::best_match(a, ALGOS.iter().copied()) {
                d = d.hint(format!(
                    "did you mean '{s}'? ('first', 'random' and 'hash' are valid too)"
                ));
            }
            return Outcome::Alert(d);
        }
    };
    with_proxy(p, |px| px.balance = b)
}

pub fn kw_hash_type(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let t = match line.arg(1) {
        Some("map-based") => HashType::MapBased,
        Some("consistent") => HashType::Consistent,
        _ => {
            return alert(
                line,
                "'hash-type' requires either 'map-based' or 'consistent' as argument.",
            )
        }
    };
    if let Some(f) = line.arg(2) {
        const FUNCS: &[&str] = &["sdbm", "djb2", "wt6", "crc32", "none"];
        if !FUNCS.contains(&f) {
            return alert(
                line,
                format!("'hash-type {}' only supports 'sdbm', 'djb2', 'wt6', 'crc32' and 'none' hash functions.", line.arg(1).unwrap_or("")),
            );
        }
    }
    with_proxy(p, |px| px.hash_type = t)
}

pub fn kw_timeout(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let which = line.arg(1).unwrap_or("").to_string();
    let name = format!("timeout {which}");
    let Some(v) = line.arg(2) else {
        return alert(
            line,
            format!("'{name}' expects an integer value (in milliseconds)"),
        );
    };
    if let Some(x) = line.arg(3) {
        return alert(
            line,
            format!("'{name}' : unexpected extra argument '{x}' after value '{v}'."),
        );
    }
    let t = match units::parse_time(v, TimeUnit::Ms) {
        Ok(t) => t,
        Err(TimeError::BadChar(c)) => {
            return alert(line, format!("unexpected character '{c}' in '{name}'"))
        }
        Err(TimeError::Overflow) => {
            return alert(
                line,
                format!("timer overflow in argument '{v}' to '{name}' (maximum value is 2147483647 ms or ~24.8 days)"),
            )
        }
        Err(TimeError::Empty) => {
            return alert(line, format!("'{name}' expects an integer value (in milliseconds)"))
        }
    };
    if let Some(c) = t.trailing {
        p.push(
            Diagnostic::warning(units::trailing_time_warning(c, v)).hint(format!(
                "this is read as {} ms; HAProxy takes only one number and unit",
                units::as_ms(t.value)
            )),
        );
    }
    let d = Some(t.value);
    with_proxy(p, |px| {
        let to = &mut px.timeouts;
        match which.as_str() {
            "client" => to.client = d,
            "server" => to.server = d,
            "connect" => to.connect = d,
            "check" => to.check = d,
            "queue" => to.queue = d,
            "tunnel" => to.tunnel = d,
            "http-request" => to.http_request = d,
            "http-keep-alive" => to.http_keep_alive = d,
            "tarpit" => to.tarpit = d,
            "client-fin" => to.client_fin = d,
            "server-fin" => to.server_fin = d,
            _ => {}
        }
    })
}

pub fn kw_maxconn(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match int_arg(p, line, "an integer") {
        Ok(n) => with_proxy(p, |px| px.maxconn = Some(n.max(0) as u32)),
        Err(o) => o,
    }
}

pub fn kw_fullconn(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match int_arg(p, line, "an integer") {
        Ok(n) => with_proxy(p, |px| px.fullconn = Some(n.max(0) as u32)),
        Err(o) => o,
    }
}

pub fn kw_backlog(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match int_arg(p, line, "an integer") {
        Ok(n) => with_proxy(p, |px| px.backlog = Some(n.max(0) as u32)),
        Err(o) => o,
    }
}

pub fn kw_retries(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match int_arg(p, line, "an integer") {
        Ok(n) => with_proxy(p, |px| px.retries = Some(n.max(0) as u32)),
        Err(o) => o,
    }
}

pub fn kw_id(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(v) = line.arg(1) else {
        return Outcome::Alert(
            Diagnostic::alert("'id' expects an integer argument.")
                .at(&line.loc, Prefix::ParsingTight),
        );
    };
    let n = units::atol(v).value;
    if n <= 0 {
        return Outcome::Alert(
            Diagnostic::alert("custom id has to be > 0.".to_string())
                .at(&line.loc, Prefix::ParsingTight),
        );
    }
    with_proxy(p, |px| px.id = Some(n as u32))
}

pub fn kw_description(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.arg(1).is_none() {
        return Outcome::Alert(
            Diagnostic::alert("'description' expects a string argument.")
                .at(&line.loc, Prefix::ParsingTight),
        );
    }
    let d = line.words[1..].join(" ");
    with_proxy(p, |px| px.description = Some(d))
}

pub fn kw_disabled(p: &mut Parser<'_>, _line: &Line) -> Outcome {
    with_proxy(p, |px| px.disabled = true)
}

pub fn kw_enabled(p: &mut Parser<'_>, _line: &Line) -> Outcome {
    with_proxy(p, |px| px.disabled = false)
}

pub fn kw_default_backend(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(b) = line.arg(1) else {
        return alert(line, "'default_backend' expects a backend name.");
    };
    if let Some(x) = line.arg(2) {
        return alert(
            line,
            format!("'default_backend' cannot handle unexpected argument '{x}'."),
        );
    }
    let v = (b.to_string(), line.loc.clone());
    with_proxy(p, |px| px.default_backend = Some(v))
}

pub fn kw_use_backend(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(b) = line.arg(1) else {
        return alert(line, "'use_backend' expects a backend name.");
    };
    let cond = match line.arg(2) {
        None => None,
        Some(w) if w != "if" && w != "unless" => {
            return alert(
                line,
                format!("unexpected keyword '{w}' after switching rule, only 'if' and 'unless' are allowed."),
            )
        }
        Some(_) => match condition_in_proxy(p, &line.words[2..]) {
            Ok(c) => Some(c),
            Err(e) => {
                return alert(
                    line,
                    format!("error detected while parsing switching rule : {e}."),
                )
            }
        },
    };
    crate::rules::order_warning(p, "use_backend", &line.loc);
    let v = (b.to_string(), cond, line.loc.clone());
    with_proxy(p, |px| px.use_backends.push(v))
}

pub fn kw_use_server(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(s) = line.arg(1) else {
        return alert(line, "'use-server' expects a server name.");
    };
    let cond = match line.arg(2) {
        None => {
            return alert(
                line,
                "'use-server' requires either 'if' or 'unless' followed by a condition.",
            )
        }
        Some(_) => match condition_in_proxy(p, &line.words[2..]) {
            Ok(c) => Some(c),
            Err(e) => {
                return alert(
                    line,
                    format!("error detected while parsing switching rule : {e}."),
                )
            }
        },
    };
    crate::rules::order_warning(p, "use-server", &line.loc);
    let v = (s.to_string(), cond, line.loc.clone());
    with_proxy(p, |px| px.use_servers.push(v))
}

pub fn kw_log(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.modifier == Some(Modifier::No) {
        return with_proxy(p, |px| {
            px.logs.clear();
            px.log_global = false;
            px.no_log = true;
        });
    }
    if line.arg(1) == Some("global") {
        return with_proxy(p, |px| px.log_global = true);
    }
    match crate::log::parse_log(&line.words[1..]) {
        Ok(t) => with_proxy(p, |px| px.logs.push(t)),
        Err(e) => alert(line, format!("log : {e}")),
    }
}

pub fn kw_log_format(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(f) = line.arg(1) else {
        return alert(line, format!("{} expects an argument.", line.kw()));
    };
    if line.words.len() > 2 {
        return alert(
            line,
            format!(
                "{} expects only one argument, don't forget to escape spaces!",
                line.kw()
            ),
        );
    }
    let f = f.to_string();
    with_proxy(p, |px| px.log_format = Some(f))
}

pub fn kw_unique_id_format(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(f) = line.arg(1) else {
        return alert(line, "unique-id-format expects an argument.");
    };
    let f = f.to_string();
    with_proxy(p, |px| px.unique_id_format = Some(f))
}

pub fn kw_unique_id_header(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(f) = line.arg(1) else {
        return alert(line, "unique-id-header expects an argument.");
    };
    let f = f.to_string();
    with_proxy(p, |px| px.unique_id_header = Some(f))
}

pub fn kw_monitor_uri(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(u) = line.arg(1) else {
        return alert(line, "'monitor-uri' expects an URI.");
    };
    let u = u.to_string();
    with_proxy(p, |px| px.monitor_uri = Some(u))
}

pub fn kw_cookie(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.arg(1).is_none() {
        return alert(line, "'cookie' expects <cookie_name> as argument.");
    }
    let c = line.words[1..].to_vec();
    with_proxy(p, |px| px.cookie = Some(c))
}

/// Status codes `errorfile` accepts in 2.6.
pub const ERROR_CODES: &[u16] = &[
    200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504,
];

pub fn kw_errorfile(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let (Some(code), Some(file)) = (line.arg(1), line.arg(2)) else {
        return alert(line, "errorfile : <code> and <file> expected.");
    };
    let n = units::atol(code).value;
    if !ERROR_CODES.iter().any(|c| i64::from(*c) == n) {
        return alert(
            line,
            format!("errorfile : status code '{code}' not handled."),
        );
    }
    match p.host.path_kind(file) {
        PathKind::File => {}
        _ => {
            return Outcome::Alert(
                Diagnostic::alert(format!("errorfile : error opening file '{file}'."))
                    .at(&line.loc, Prefix::Parsing)
                    .hint("relative paths are resolved from the directory haproxy is started in"),
            )
        }
    }
    let v = (n as u16, file.to_string());
    with_proxy(p, |px| px.errorfiles.push(v))
}

/// Options whose arguments or `no` prefix 2.6 ignores entirely.
const LENIENT_OPTIONS: &[&str] = &["redispatch"];

/// Every `option …` line of a proxy section, after the section checks.
///
/// 2.6 handles two families differently:
/// - the on/off options (marked `(*)` in its matrix) reject any argument
///   first, then warn when the proxy lacks the capability and stop there;
/// - the others refuse `no`/`default` first, then warn about a missing
///   capability but still parse (and report errors in) their arguments.
///
/// `warning` is the "ignored because … has no … capability" text when the
/// proxy lacks the capability the option needs.
pub fn option_line(
    p: &mut Parser<'_>,
    line: &Line,
    negatable: bool,
    warning: Option<String>,
) -> Outcome {
    let name = line.arg(1).unwrap_or("").to_string();
    if LENIENT_OPTIONS.contains(&name.as_str()) {
        if let Some(w) = warning {
            p.warn(&line.loc, w);
            return Outcome::Ok;
        }
        return kw_option_redispatch(p, line);
    }
    if negatable {
        // With `default`, 2.6 reads the arguments one word too early, so
        // the option's own name counts as an extra argument.
        let extra = if line.modifier == Some(Modifier::Default) {
            Some(name.as_str())
        } else {
            line.arg(2)
        };
        if let Some(x) = extra {
            return alert(
                line,
                format!("'option {name}' cannot handle unexpected argument '{x}'."),
            );
        }
        if let Some(w) = warning {
            p.warn(&line.loc, w);
            return Outcome::Ok;
        }
        return kw_option_flag(p, line);
    }
    if line.modifier.is_some() {
        return Outcome::Alert(
            Diagnostic::alert(format!(
                "negation/default is not supported for option '{name}'."
            ))
            .at(&line.loc, Prefix::ParsingTight),
        );
    }
    let log_option = matches!(name.as_str(), "httplog" | "httpslog" | "tcplog");
    let warned = match warning {
        Some(w) if !log_option => {
            p.warn(&line.loc, w);
            true
        }
        _ => false,
    };
    if let Err(o) = check_option_args(line, &name) {
        return o;
    }
    if log_option && ignored_in_backend(p, line, &format!("option {name}")) {
        return Outcome::Ok;
    }
    if warned {
        return Outcome::Ok;
    }
    match name.as_str() {
        "httplog" | "httpslog" => kw_option_httplog(p, line),
        "tcplog" => kw_option_tcplog(p, line),
        "httpchk" => kw_option_httpchk(p, line),
        "smtpchk" => kw_option_smtpchk(p, line),
        "mysql-check" | "pgsql-check" | "redis-check" | "ssl-hello-chk" | "ldap-check"
        | "spop-check" | "tcp-check" | "external-check" => kw_option_check_kind(p, line),
        _ => kw_option_generic(p, line),
    }
}

/// Argument rules of the options that take arguments, as 2.6 applies them.
fn check_option_args(line: &Line, name: &str) -> Result<(), Outcome> {
    let a = |i: usize| line.arg(i + 2);
    let extra = |i: usize, who: &str| -> Result<(), Outcome> {
        match a(i) {
            Some(x) => Err(alert(
                line,
                format!("'{who}' cannot handle unexpected argument '{x}'."),
            )),
            None => Ok(()),
        }
    };
    let own = format!("option {name}");
    match name {
        "redis-check" | "ssl-hello-chk" | "ldap-check" | "spop-check" | "tcp-check"
        | "external-check" | "tcpka" | "tcplog" => extra(0, &own),
        "httpslog" => Ok(()),
        "httplog" => match a(0) {
            None => Ok(()),
            Some("clf") => extra(1, &own),
            Some(_) => Err(alert(line, "keyword 'httplog' only supports option 'clf'.")),
        },
        "httpchk" => extra(3, &own),
        "smtpchk" => extra(2, &own),
        "mysql-check" => match a(0) {
            None => Ok(()),
            Some("user") => {
                if a(1).is_none() {
                    return Err(alert(
                        line,
                        "'option mysql-check user' expects <username> as argument.",
                    ));
                }
                match a(2) {
                    None | Some("post-41" | "pre-41") => extra(3, &own),
                    Some(x) => Err(alert(
                        line,
                        format!("keyword 'user' only supports 'post-41' and 'pre-41' (got '{x}')."),
                    )),
                }
            }
            Some(x) => Err(alert(
                line,
                format!("'option mysql-check' only supports optional values: 'user' (got '{x}')."),
            )),
        },
        "pgsql-check" => match a(0) {
            Some("user") if a(1).is_some() => extra(2, &own),
            _ if a(1).is_none() => Err(alert(
                line,
                "'option pgsql-check' expects 'user <username>' as argument.",
            )),
            _ => Err(alert(
                line,
                "'option pgsql-check' only supports optional values: 'user'.",
            )),
        },
        "forwardfor" | "originalto" => {
            let mut i = 0;
            while let Some(w) = a(i) {
                let takes = match w {
                    "except" => "<address>[/mask]",
                    "header" => "<header_name>",
                    "if-none" if name == "forwardfor" => {
                        i += 1;
                        continue;
                    }
                    _ => {
                        let supported = if name == "forwardfor" {
                            "'except', 'header' and 'if-none'"
                        } else {
                            "'except' and 'header'"
                        };
                        return Err(alert(
                            line,
                            format!("'{own}' only supports optional values: {supported}."),
                        ));
                    }
                };
                if a(i + 1).is_none() {
                    return Err(alert(
                        line,
                        format!("'{own} {w}' expects {takes} as argument."),
                    ));
                }
                i += 2;
            }
            Ok(())
        }
        "http-restrict-req-hdr-names" => {
            const WHAT: &str =
                "option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.";
            match a(0) {
                None => Err(alert(line, format!("missing parameter. {WHAT}"))),
                Some("preserve" | "reject" | "delete") => extra(1, "option"),
                Some(x) => Err(alert(line, format!("invalid parameter '{x}'. {WHAT}"))),
            }
        }
        _ => Ok(()),
    }
}

/// `option redispatch [interval]`: 2.6 reads an optional interval and
/// otherwise ignores what follows.
pub fn kw_option_redispatch(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let on = line.modifier != Some(Modifier::No);
    let default = line.modifier == Some(Modifier::Default);
    let interval = line.arg(2).map(|v| units::atol(v).value);
    with_proxy(p, |px| {
        if default {
            px.options.remove("redispatch");
            px.option_args.remove("redispatch");
        } else {
            px.options.insert("redispatch".into(), on);
            match interval {
                Some(n) if on => {
                    px.option_args
                        .insert("redispatch".into(), vec![n.to_string()]);
                }
                _ => {
                    px.option_args.remove("redispatch");
                }
            }
        }
    })
}

/// On/off options (a `(*)` in the 2.6 matrix): `no` turns them off,
/// `default` restores the built-in setting.
pub fn kw_option_flag(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = line.arg(1).unwrap_or("").to_string();
    let on = line.modifier != Some(Modifier::No);
    let default = line.modifier == Some(Modifier::Default);
    with_proxy(p, |px| {
        if default {
            px.options.remove(&name);
        } else {
            px.options.insert(name, on);
        }
    })
}

/// Options that take arguments we keep as words.
pub fn kw_option_generic(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = line.arg(1).unwrap_or("").to_string();
    let on = line.modifier != Some(Modifier::No);
    let args = line.words[2..].to_vec();
    with_proxy(p, |px| {
        px.options.insert(name.clone(), on);
        px.option_args.insert(name, args);
    })
}

/// `option forwardfor [except NET] [header NAME] [if-none]` (arguments
/// are checked by [`option_line`]).
pub fn kw_option_forwardfor(p: &mut Parser<'_>, line: &Line) -> Outcome {
    kw_option_generic(p, line)
}

fn ignored_in_backend(p: &mut Parser<'_>, line: &Line, what: &str) -> bool {
    if let Some(px) = p.proxy() {
        if px.kind == crate::model::ProxyKind::Backend {
            let name = px.name.clone();
            p.warn(
                &line.loc,
                format!("backend '{name}' : '{what}' directive is ignored in backends."),
            );
            return true;
        }
    }
    false
}

pub fn kw_option_tcplog(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let on = line.modifier != Some(Modifier::No);
    with_proxy(p, |px| {
        px.options.insert("tcplog".into(), on);
        px.options.remove("httplog");
    })
}

/// `option httplog [clf]` and `option httpslog`.
pub fn kw_option_httplog(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let https = line.arg(1) == Some("httpslog");
    let clf = !https && line.arg(2) == Some("clf");
    with_proxy(p, |px| {
        px.options.insert("httplog".into(), true);
        px.options.remove("tcplog");
        if https {
            px.options.insert("httpslog".into(), true);
        }
        if clf {
            px.option_args.insert("httplog".into(), vec!["clf".into()]);
        } else {
            px.option_args.remove("httplog");
        }
    })
}

pub fn kw_option_httpchk(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let a = &line.words[2..];
    // One argument is the URI; two or three are method, URI, version.
    let (method, uri, version) = match a.len() {
        0 => (None, None, None),
        1 => (None, Some(a[0].clone()), None),
        2 => (Some(a[0].clone()), Some(a[1].clone()), None),
        _ => (
            Some(a[0].clone()),
            Some(a[1].clone()),
            Some(a[2..].join(" ")),
        ),
    };
    with_proxy(p, |px| {
        px.checks.kind = CheckKind::Http {
            method,
            uri,
            version,
            host: None,
        };
        px.options.insert("httpchk".into(), true);
    })
}

pub fn kw_option_smtpchk(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let (verb, domain) = match (line.arg(2), line.arg(3)) {
        (Some(v), Some(d)) if v == "HELO" || v == "EHLO" => (v.to_string(), d.to_string()),
        _ => ("HELO".to_string(), "localhost".to_string()),
    };
    with_proxy(p, |px| {
        px.checks.kind = CheckKind::Smtp { verb, domain };
        px.options.insert("smtpchk".into(), true);
    })
}

pub fn kw_option_check_kind(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let name = line.arg(1).unwrap_or("").to_string();
    let user = match line.arg(2) {
        Some("user") => line.arg(3).map(str::to_string),
        _ => None,
    };
    let kind = match name.as_str() {
        "mysql-check" => CheckKind::Mysql { user },
        "pgsql-check" => CheckKind::Pgsql { user },
        "redis-check" => CheckKind::Redis,
        "ssl-hello-chk" => CheckKind::SslHello,
        "ldap-check" => CheckKind::Ldap,
        "spop-check" => CheckKind::Spop,
        "tcp-check" => CheckKind::TcpCheck,
        _ => CheckKind::External,
    };
    with_proxy(p, |px| {
        px.checks.kind = kind;
        px.options.insert(name, true);
    })
}

fn keep_step(p: &mut Parser<'_>, line: &Line, http: bool) -> Outcome {
    let d = Directive {
        keyword: line.words[..2.min(line.words.len())].join(" "),
        args: line.words.get(2..).unwrap_or(&[]).to_vec(),
        location: line.loc.clone(),
    };
    with_proxy(p, |px| {
        if http {
            px.checks.http_check.push(d);
        } else {
            px.checks.tcp_check.push(d);
        }
    })
}

pub fn kw_http_check(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.arg(1) == Some("expect") {
        const MATCHERS: &[&str] = &[
            "status", "rstatus", "string", "rstring", "hdr", "fhdr", "custom",
        ];
        let mut i = 2;
        while let Some(w) = line.arg(i) {
            if w == "!"
                || w.starts_with("min-recv")
                || w.starts_with("ok-status")
                || w.starts_with("error-status")
                || w.starts_with("tout-status")
                || w.starts_with("on-success")
                || w.starts_with("on-error")
                || w.starts_with("status-code")
                || w == "comment"
            {
                i += if w == "!" { 1 } else { 2 };
                continue;
            }
            if !MATCHERS.contains(&w) {
                return alert(line, format!("'http-check expect' : unknown keyword '{w}'"));
            }
            if line.arg(i + 1).is_none() && w != "custom" {
                return alert(
                    line,
                    format!("'http-check expect' : '{w}' expects a pattern as argument."),
                );
            }
            break;
        }
    }
    keep_step(p, line, true)
}

pub fn kw_tcp_check(p: &mut Parser<'_>, line: &Line) -> Outcome {
    keep_step(p, line, false)
}

pub fn kw_stats(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let sub = line.arg(1).unwrap_or("").to_string();
    let tight =
        |m: String| Outcome::Alert(Diagnostic::alert(m).at(&line.loc, Prefix::ParsingTight));
    match sub.as_str() {
        "enable" => with_proxy(p, |px| px.stats.enabled = true),
        "hide-version" => with_proxy(p, |px| {
            px.stats.enabled = true;
            px.stats.hide_version = true;
        }),
        "show-legends" => with_proxy(p, |px| px.stats.show_legends = true),
        "show-node" => {
            let v = line.arg(2).map(str::to_string);
            with_proxy(p, |px| px.stats.show_node = Some(v))
        }
        "show-desc" => {
            let v = (line.words.len() > 2).then(|| line.words[2..].join(" "));
            with_proxy(p, |px| px.stats.show_desc = Some(v))
        }
        "uri" => match line.arg(2) {
            Some(u) => {
                let u = u.to_string();
                with_proxy(p, |px| {
                    px.stats.enabled = true;
                    px.stats.uri = Some(u);
                })
            }
            None => tight("'uri' needs an URI prefix.".into()),
        },
        "realm" => match line.arg(2) {
            Some(r) => {
                let r = r.to_string();
                with_proxy(p, |px| {
                    px.stats.enabled = true;
                    px.stats.realm = Some(r);
                })
            }
            None => tight("'realm' needs an realm name.".into()),
        },
        "auth" => match line.arg(2).and_then(|a| a.split_once(':')) {
            Some((u, pw)) => {
                let v = (u.to_string(), pw.to_string());
                with_proxy(p, |px| {
                    px.stats.enabled = true;
                    px.stats.auth.push(v);
                })
            }
            None => tight("'auth' needs a user:password account.".into()),
        },
        "scope" => match line.arg(2) {
            Some(s) => {
                let s = s.to_string();
                with_proxy(p, |px| px.stats.scope.push(s))
            }
            None => tight("'scope' needs a proxy name.".into()),
        },
        "refresh" => match line.arg(2).map(|v| units::parse_time(v, TimeUnit::S)) {
            Some(Ok(t)) => with_proxy(p, |px| {
                px.stats.enabled = true;
                px.stats.refresh = Some(t.value);
            }),
            _ => tight("'refresh' needs a positive interval in seconds.".into()),
        },
        "admin" => {
            if !matches!(line.arg(2), Some("if" | "unless")) {
                return tight(
                    "'admin' requires either 'if' or 'unless' followed by a condition.".into(),
                );
            }
            match condition_in_proxy(p, &line.words[2..]) {
                Ok(c) => with_proxy(p, |px| px.stats.admin.push(c)),
                Err(e) => tight(format!(
                    "error detected while parsing an 'stats admin' condition : {e}."
                )),
            }
        }
        "http-request" => {
            let l2 = Line {
                words: line.words[1..].to_vec(),
                loc: line.loc.clone(),
                modifier: None,
            };
            let before = p.proxy().map_or(0, |px| px.http_request.len());
            let out = crate::rules::kw_http_request(p, &l2);
            if let Some(px) = p.proxy_mut() {
                let moved: Vec<_> = px.http_request.drain(before..).collect();
                px.stats.http_request.extend(moved);
            }
            out
        }
        _ => kw_store(p, line),
    }
}

/// Recognised keywords without a typed field yet: kept as words.
pub fn kw_store(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let d = Directive {
        keyword: line.kw().to_string(),
        args: line.words[1..].to_vec(),
        location: line.loc.clone(),
    };
    with_proxy(p, |px| px.other.push(d))
}

/// `capture cookie NAME len N`, `capture request header NAME len N`,
/// `capture response header NAME len N`. Lines are checked even in a
/// backend (where 2.6 has already warned that they are ignored).
pub fn kw_capture(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let w = |i: usize| line.arg(i);
    let dir = w(1).unwrap_or("");
    let (name, len) = match dir {
        "cookie" => {
            if line.words.len() < 5 || w(3) != Some("len") {
                return alert(
                    line,
                    "'capture' expects 'cookie' <cookie_name> 'len' <len>.",
                );
            }
            (w(2), w(4))
        }
        "request" | "response" => {
            if line.words.len() < 6 || w(2) != Some("header") || w(4) != Some("len") {
                return alert(
                    line,
                    format!("'capture {dir}' expects 'header' <header_name> 'len' <len>."),
                );
            }
            if let Some(x) = w(6) {
                return alert(
                    line,
                    format!("'capture {dir}' cannot handle unexpected argument '{x}'."),
                );
            }
            (w(3), w(5))
        }
        _ => {
            return alert(
                line,
                "'capture' expects 'cookie' or 'request header' or 'response header'.",
            )
        }
    };
    if p.proxy()
        .is_some_and(|px| px.kind == crate::model::ProxyKind::Backend)
    {
        return Outcome::Ok;
    }
    let _ = (name, len.map(|l| units::atol(l).value));
    kw_store(p, line)
}

/// `declare capture request|response len N`.
pub fn kw_declare_capture(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if !matches!(line.arg(2), Some("request" | "response")) {
        return alert(
            line,
            "'declare capture' requires a direction ('request' or 'response')",
        );
    }
    if line.arg(3) != Some("len") {
        return alert(line, "'declare capture' requires a capture length ('len')");
    }
    match line.arg(4) {
        Some(v) if v.bytes().next().is_some_and(|b| b.is_ascii_digit()) => kw_store(p, line),
        _ => alert(
            line,
            "'declare capture': 'len' requires a numeric value that represents the capture length",
        ),
    }
}

/// `redirect location|prefix|scheme TARGET [options] [if|unless COND]`.
/// The typed form is [`crate::rules::Redirect`]; the line is kept as a
/// directive so later passes can re-read it with
/// [`crate::rules::parse_redirect`].
pub fn kw_redirect(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let (label, name) = p
        .proxy()
        .map(|px| (px.kind.label(), px.name.clone()))
        .unwrap_or(("proxy", String::new()));
    let fail = |e: String| {
        alert(
            line,
            format!("error detected in {label} '{name}' while parsing redirect rule : {e}."),
        )
    };
    let rest = &line.words[1..];
    let used = match crate::rules::parse_redirect(rest) {
        Ok((_, used)) => used,
        Err(e) => return fail(e),
    };
    if rest.len() > used + 1 {
        if let Err(e) = condition_in_proxy(p, &rest[used..]) {
            return fail(format!("error in condition: {e}"));
        }
    }
    crate::rules::order_warning(p, "redirect", &line.loc);
    kw_store(p, line)
}

/// `monitor fail if|unless COND`.
pub fn kw_monitor(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.arg(1) != Some("fail") {
        return alert(line, "'monitor' only supports 'fail'.");
    }
    if !matches!(line.arg(2), Some("if" | "unless")) {
        return alert(
            line,
            "'monitor fail' requires either 'if' or 'unless' followed by a condition.",
        );
    }
    if let Err(e) = condition_in_proxy(p, &line.words[2..]) {
        return alert(
            line,
            format!("error detected while parsing a 'monitor fail' condition : {e}."),
        );
    }
    crate::rules::order_warning(p, "monitor fail", &line.loc);
    kw_store(p, line)
}
