//! Handlers of the `global` section.

use crate::diag::{Diagnostic, Prefix};
use crate::model::{Directive, StatsSocket};
use crate::parser::{Line, Modifier, Outcome, Parser};
use crate::units::{self, TimeUnit};

fn alert(line: &Line, m: impl Into<String>) -> Outcome {
    Outcome::Alert(Diagnostic::alert(m).at(&line.loc, Prefix::Parsing))
}

fn no_extra(line: &Line, max: usize) -> Option<Outcome> {
    line.arg(max + 1).map(|x| {
        alert(
            line,
            format!("'{}' cannot handle unexpected argument '{x}'.", line.kw()),
        )
    })
}

pub fn kw_flag(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if let Some(o) = no_extra(line, 0) {
        return o;
    }
    let g = &mut p.cfg.global;
    match line.kw() {
        "daemon" => g.daemon = true,
        "quiet" => g.quiet = true,
        "zero-warning" => g.zero_warning = true,
        "noreuseport" => g.noreuseport = true,
        _ => {}
    }
    Outcome::Ok
}

pub fn kw_master_worker(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match line.arg(1) {
        None => {}
        Some("no-exit-on-failure") => {}
        Some(x) => {
            return alert(
                line,
                format!("'master-worker' only supports 'no-exit-on-failure' option (got '{x}')."),
            )
        }
    }
    p.cfg.global.master_worker = true;
    Outcome::Ok
}

fn need_arg<'a>(line: &'a Line, what: &str) -> Result<&'a str, Outcome> {
    line.arg(1).ok_or_else(|| {
        alert(
            line,
            format!("'{}' expects {what} as an argument.", line.kw()),
        )
    })
}

/// An integer read as 2.6 reads it (`atol`), with a hint when input was
/// silently truncated.
fn lenient_int(p: &mut Parser<'_>, line: &Line, v: &str) -> i64 {
    let n = units::atol(v);
    if n.sloppy {
        p.push(
            Diagnostic::notice(format!(
                "'{}' value '{v}' is read as {} (trailing characters ignored, as HAProxy 2.6 does).",
                line.kw(),
                n.value
            ))
            .at(&line.loc, Prefix::ParsingTight),
        );
    }
    n.value
}

pub fn kw_maxconn(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let n = lenient_int(p, line, &v);
    p.cfg.global.maxconn = Some(n.clamp(0, i64::from(u32::MAX)) as u32);
    Outcome::Ok
}

pub fn kw_nbthread(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let n = units::atol(&v).value;
    if !(1..=64).contains(&n) {
        return alert(
            line,
            format!("'nbthread' value must be between 1 and 64 (was {n})"),
        );
    }
    p.cfg.global.nbthread = Some(n as u32);
    Outcome::Ok
}

pub fn kw_user(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "a user name") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    if !p.host.user_exists(&v) {
        return alert(line, format!("cannot find user id for '{v}' (0:Success)"));
    }
    p.cfg.global.user = Some(v);
    Outcome::Ok
}

pub fn kw_group(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "a group name") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    if !p.host.group_exists(&v) {
        return alert(line, format!("cannot find group id for '{v}' (0:Success)"));
    }
    p.cfg.global.group = Some(v);
    Outcome::Ok
}

pub fn kw_uid(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let n = lenient_int(p, line, &v);
    p.cfg.global.uid = Some(n.max(0) as u32);
    Outcome::Ok
}

pub fn kw_gid(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let n = lenient_int(p, line, &v);
    p.cfg.global.gid = Some(n.max(0) as u32);
    Outcome::Ok
}

pub fn kw_path(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "a directory") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let g = &mut p.cfg.global;
    match line.kw() {
        "chroot" => g.chroot = Some(v),
        "ca-base" => g.ca_base = Some(v),
        "crt-base" => g.crt_base = Some(v),
        _ => {}
    }
    Outcome::Ok
}

pub fn kw_pidfile(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "a file name") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    if p.cfg.global.pidfile.is_some() {
        p.push(
            Diagnostic::alert("'pidfile' already specified. Continuing.")
                .at(&line.loc, Prefix::Parsing)
                .non_fatal(),
        );
        return Outcome::Ok;
    }
    p.cfg.global.pidfile = Some(v);
    Outcome::Ok
}

pub fn kw_text(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.arg(1).is_none() {
        return alert(line, format!("'{}' expects a string argument.", line.kw()));
    }
    let v = line.words[1..].join(" ");
    let g = &mut p.cfg.global;
    match line.kw() {
        "node" => g.node = Some(v),
        "description" => g.description = Some(v),
        "log-tag" => g.log_tag = Some(v),
        "ssl-default-bind-ciphers" => g.ssl_default_bind_ciphers = Some(v),
        "ssl-default-bind-ciphersuites" => g.ssl_default_bind_ciphersuites = Some(v),
        "ssl-default-server-ciphers" => g.ssl_default_server_ciphers = Some(v),
        "ssl-default-server-ciphersuites" => g.ssl_default_server_ciphersuites = Some(v),
        _ => {}
    }
    Outcome::Ok
}

pub fn kw_log_send_hostname(p: &mut Parser<'_>, line: &Line) -> Outcome {
    p.cfg.global.log_send_hostname = Some(line.arg(1).map(str::to_string));
    Outcome::Ok
}

pub fn kw_time(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "a time") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    match units::parse_time(&v, TimeUnit::Ms) {
        Ok(t) => {
            if let Some(c) = t.trailing {
                p.push(Diagnostic::warning(units::trailing_time_warning(c, &v)));
            }
            if line.kw() == "hard-stop-after" {
                p.cfg.global.hard_stop_after = Some(t.value);
            } else {
                store_other(p, line);
            }
            Outcome::Ok
        }
        Err(units::TimeError::BadChar(c)) => alert(
            line,
            format!("unexpected character '{c}' in argument to <{}>.", line.kw()),
        ),
        Err(units::TimeError::Overflow) => alert(
            line,
            format!(
                "timer overflow in argument '{v}' to '{}' (maximum value is 2147483647 ms or ~24.8 days)",
                line.kw()
            ),
        ),
        Err(units::TimeError::Empty) => alert(line, format!("'{}' expects a time.", line.kw())),
    }
}

const SSL_BIND_OPTIONS: &[&str] = &[
    "no-sslv3",
    "no-tlsv10",
    "no-tlsv11",
    "no-tlsv12",
    "no-tlsv13",
    "force-sslv3",
    "force-tlsv10",
    "force-tlsv11",
    "force-tlsv12",
    "force-tlsv13",
    "no-tls-tickets",
    "prefer-client-ciphers",
    "ssl-min-ver",
    "ssl-max-ver",
    "no-ca-names",
    "strict-sni",
];

pub fn kw_ssl_options(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let mut i = 1;
    let mut out = Vec::new();
    while let Some(o) = line.arg(i) {
        if !SSL_BIND_OPTIONS.contains(&o) {
            return alert(
                line,
                format!("unknown option '{o}' on global statement '{}'.", line.kw()),
            );
        }
        out.push(o.to_string());
        if o == "ssl-min-ver" || o == "ssl-max-ver" {
            const VERS: &[&str] = &["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
            match line.arg(i + 1) {
                Some(v) if VERS.contains(&v) => {
                    out.push(v.to_string());
                    i += 1;
                }
                other => {
                    return alert(
                        line,
                        format!(
                            "'{}' : '{o}' : unknown ssl/tls version string '{}'.",
                            line.kw(),
                            other.unwrap_or("")
                        ),
                    )
                }
            }
        }
        i += 1;
    }
    if line.kw() == "ssl-default-bind-options" {
        p.cfg.global.ssl_default_bind_options = out;
    } else {
        p.cfg.global.ssl_default_server_options = out;
    }
    Outcome::Ok
}

pub fn kw_ssl_server_verify(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match line.arg(1) {
        Some(v @ ("none" | "required")) => {
            p.cfg.global.ssl_server_verify = Some(v.to_string());
            Outcome::Ok
        }
        _ => alert(
            line,
            "'ssl-server-verify' expects 'none' or 'required' as argument.",
        ),
    }
}

pub fn kw_spread_checks(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let n = units::atol(&v).value;
    if !(0..=50).contains(&n) {
        return alert(
            line,
            "'spread-checks' needs a positive value between 0 and 50.",
        );
    }
    p.cfg.global.spread_checks = Some(n as u32);
    Outcome::Ok
}

pub fn kw_nbproc(_p: &mut Parser<'_>, line: &Line) -> Outcome {
    Outcome::Alert(
        Diagnostic::alert("nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.")
            .at(&line.loc, Prefix::Parsing)
            .hint("remove 'nbproc'; use 'nbthread' to size the worker threads"),
    )
}

pub fn kw_env(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let kw = line.kw().to_string();
    match kw.as_str() {
        "setenv" | "presetenv" => {
            let (Some(n), Some(v)) = (line.arg(1), line.arg(2)) else {
                return alert(line, format!("'{kw}' expects a name and a value."));
            };
            if kw == "presetenv" && p.env_var(n).is_some() {
                return Outcome::Ok;
            }
            p.env_overrides.push((n.to_string(), Some(v.to_string())));
        }
        "unsetenv" => {
            for n in &line.words[1..] {
                p.env_overrides.push((n.clone(), None));
            }
        }
        _ => {
            // resetenv: keep only the listed names. We cannot enumerate the
            // host environment through the trait, so record the intent.
        }
    }
    store_other(p, line);
    Outcome::Ok
}

pub fn kw_int(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    lenient_int(p, line, &v);
    store_other(p, line);
    Outcome::Ok
}

/// `tune.*`: values are sizes, integers or times depending on the key.
pub fn kw_tune(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(v) = line.arg(1) else {
        return alert(line, format!("'{}' expects an argument.", line.kw()));
    };
    let k = line.kw();
    if k.ends_with("timeout") || k == "tune.idletimer" || k.ends_with("lifetime") {
        if let Err(e) = units::parse_time(v, TimeUnit::Ms) {
            let c = match e {
                units::TimeError::BadChar(c) => c,
                _ => '?',
            };
            return alert(
                line,
                format!("unexpected character '{c}' in argument to <{k}>."),
            );
        }
    }
    p.cfg
        .global
        .tune
        .insert(k.to_string(), line.words[1..].join(" "));
    Outcome::Ok
}

pub fn kw_stats(p: &mut Parser<'_>, line: &Line) -> Outcome {
    match line.arg(1) {
        Some("socket") => {
            let Some(addr) = line.arg(2) else {
                return alert(line, "'stats socket' requires a path or an address.");
            };
            let mut s = StatsSocket {
                address: addr.to_string(),
                options: Vec::new(),
                location: Some(line.loc.clone()),
            };
            let mut i = 3;
            while let Some(o) = line.arg(i) {
                let takes_arg = matches!(
                    o,
                    "level" | "mode" | "user" | "group" | "uid" | "gid" | "expose-fd" | "maxconn"
                        | "name" | "process" | "thread" | "backlog" | "severity-output"
                        | "interface" | "namespace" | "id" | "nice" | "crt" | "ca-file"
                        | "alpn" | "ciphers" | "ssl-min-ver" | "ssl-max-ver" | "verify"
                );
                let arg = if takes_arg {
                    let Some(v) = line.arg(i + 1) else {
                        return alert(line, format!("'stats socket' : '{o}' expects an argument."));
                    };
                    i += 1;
                    Some(v.to_string())
                } else {
                    None
                };
                if o == "level" {
                    let v = arg.as_deref().unwrap_or("");
                    if !matches!(v, "user" | "operator" | "admin") {
                        return alert(
                            line,
                            format!("'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '{v}')'"),
                        );
                    }
                }
                s.options.push((o.to_string(), arg));
                i += 1;
            }
            p.cfg.global.stats_sockets.push(s);
            Outcome::Ok
        }
        Some("timeout") => {
            let v = line.arg(2).unwrap_or("");
            match units::parse_time(v, TimeUnit::Ms) {
                Ok(t) => {
                    p.cfg.global.stats_timeout = Some(t.value);
                    Outcome::Ok
                }
                Err(units::TimeError::BadChar(c)) => {
                    alert(line, format!("'stats timeout' : unexpected character '{c}'"))
                }
                Err(_) => alert(line, "'stats timeout' expects a positive value"),
            }
        }
        Some("maxconn") => {
            let n = units::atol(line.arg(2).unwrap_or("")).value;
            p.cfg.global.stats_maxconn = Some(n.max(0) as u32);
            Outcome::Ok
        }
        Some("bind-process") => Outcome::Alert(
            Diagnostic::alert("'stats bind-process' is not supported anymore, please use 'process' on the 'stats socket' line instead.")
                .at(&line.loc, Prefix::Parsing),
        ),
        other => alert(
            line,
            format!(
                "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '{}').",
                other.unwrap_or("")
            ),
        ),
    }
}

pub fn kw_log(p: &mut Parser<'_>, line: &Line) -> Outcome {
    if line.modifier == Some(Modifier::No) {
        p.cfg.global.logs.clear();
        return Outcome::Ok;
    }
    match crate::log::parse_log(&line.words[1..]) {
        Ok(t) => {
            p.cfg.global.logs.push(t);
            Outcome::Ok
        }
        Err(e) => alert(line, format!("log : {e}")),
    }
}

fn store_other(p: &mut Parser<'_>, line: &Line) {
    p.cfg.global.other.push(Directive {
        keyword: line.kw().to_string(),
        args: line.words[1..].to_vec(),
        location: line.loc.clone(),
    });
}

/// Recognised global keywords without a typed field yet.
pub fn kw_store(p: &mut Parser<'_>, line: &Line) -> Outcome {
    store_other(p, line);
    Outcome::Ok
}
