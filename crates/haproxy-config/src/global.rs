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
        Some(_) => {
            return alert(
                line,
                "'master-worker' only supports 'no-exit-on-failure' option.",
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

pub fn kw_maxconn(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let n = p.lenient_int(line, &v);
    p.cfg.global.maxconn = Some(n.clamp(0, i64::from(u32::MAX)) as u32);
    Outcome::Ok
}

pub fn kw_nbthread(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    let parsed = units::atol(&v);
    if parsed.sloppy && !v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return alert(
            line,
            format!("'nbthread' passed a missing or unparsable integer value in '{v}'"),
        );
    }
    let n = parsed.value;
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

/// `uid x` / `gid x`: 2.6 only warns when the value is not a number.
fn id_is_number(p: &mut Parser<'_>, line: &Line, v: &str, by_name: &str) -> bool {
    if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() {
        return true;
    }
    p.push(
        Diagnostic::warning(format!(" {}: string '{v}' is not a number.", line.kw()))
            .at(&line.loc, Prefix::Parsing)
            .detail(format!(
                "   | You might want to use the '{by_name}' parameter to use a system {by_name} name."
            )),
    );
    false
}

pub fn kw_uid(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    if !id_is_number(p, line, &v, "user") {
        return Outcome::Ok;
    }
    let n = p.lenient_int(line, &v);
    p.cfg.global.uid = Some(n.max(0) as u32);
    Outcome::Ok
}

pub fn kw_gid(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    if !id_is_number(p, line, &v, "group") {
        return Outcome::Ok;
    }
    let n = p.lenient_int(line, &v);
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
    // 2.6 ends its hard-stop-after messages with an empty line.
    let nl = if line.kw() == "hard-stop-after" {
        "\n"
    } else {
        ""
    };
    let v = match line.arg(1) {
        Some(v) => v.to_string(),
        None if line.kw() == "hard-stop-after" => {
            return alert(
                line,
                format!("'hard-stop-after' expects <time> as argument.{nl}"),
            )
        }
        None => match need_arg(line, "a time") {
            Ok(v) => v.to_string(),
            Err(o) => return o,
        },
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
            format!("unexpected character '{c}' in argument to <{}>.{nl}", line.kw()),
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

/// Pushed into `Parser::env_overrides` by `resetenv`.
pub const RESETENV_MARK: &str = "\u{0}resetenv";

pub fn kw_env(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let kw = line.kw().to_string();
    match kw.as_str() {
        "setenv" | "presetenv" => {
            let (Some(n), Some(v)) = (line.arg(1), line.arg(2)) else {
                return Outcome::Alert(
                    Diagnostic::alert(format!("'{kw}' expects a name and a value."))
                        .at(&line.loc, Prefix::ParsingTight),
                );
            };
            // presetenv only sets a variable that is not set yet.
            if kw == "setenv" || p.env_var(n).is_none() {
                p.env_overrides.push((n.to_string(), Some(v.to_string())));
            }
        }
        "unsetenv" => {
            if line.arg(1).is_none() {
                return Outcome::Alert(
                    Diagnostic::alert("'unsetenv' expects at least one variable name.")
                        .at(&line.loc, Prefix::ParsingTight),
                );
            }
            for n in &line.words[1..] {
                p.env_overrides.push((n.clone(), None));
            }
        }
        _ => {
            // resetenv: keep only the listed names. The host environment
            // cannot be enumerated through the trait, so names are dropped
            // as they are looked up: every variable not listed and not set
            // by a later setenv reads as unset. Record a marker for that.
            p.env_overrides.push((RESETENV_MARK.to_string(), None));
            for n in &line.words[1..] {
                if let Some(v) = p.host.env(n) {
                    p.env_overrides.push((n.clone(), Some(v)));
                }
            }
        }
    }
    p.cfg
        .global
        .env_changes
        .push((kw.clone(), line.words[1..].to_vec()));
    store_other(p, line);
    Outcome::Ok
}

pub fn kw_int(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let v = match need_arg(line, "an integer") {
        Ok(v) => v.to_string(),
        Err(o) => return o,
    };
    p.lenient_int(line, &v);
    store_other(p, line);
    Outcome::Ok
}

/// The smallest `tune.bufsize` 2.6.12 accepts during `-c` (measured).
pub const TUNE_BUFSIZE_MIN: i64 = 337;

/// `tune.*`: values are sizes, integers or times depending on the key.
pub fn kw_tune(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let Some(v) = line.arg(1) else {
        return alert(line, format!("'{}' expects an argument.", line.kw()));
    };
    let k = line.kw();
    if k == "tune.bufsize" {
        let n = units::atol(v);
        if n.value <= 0 {
            return alert(line, "'tune.bufsize' expects a positive integer argument.");
        }
        if n.value < TUNE_BUFSIZE_MIN {
            // 2.6 crashes (SIGSEGV) below ~33 bytes and fails to build its
            // default error pages below ~337; `16k` is read as 16.
            let mut d = Diagnostic::alert(format!(
                "'tune.bufsize' value '{v}' is read as {} bytes, too small to hold HAProxy's default error pages (2.6 crashes or fails on it).",
                n.value
            ))
            .at(&line.loc, Prefix::Parsing);
            d = d.hint(if n.sloppy {
                "size suffixes are not supported here: write the value in bytes, e.g. 16384"
            } else {
                "use at least a few kilobytes (the default is 16384)"
            });
            return Outcome::Alert(d);
        }
    }
    if k == "tune.http.maxhdr" {
        let n = units::atol(v).value;
        if !(1..=32767).contains(&n) {
            return alert(
                line,
                "'tune.http.maxhdr' expects a numeric value between 1 and 32767",
            );
        }
    }
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
                if o == "expose-fd" && arg.as_deref() != Some("listeners") {
                    return alert(
                        line,
                        format!(
                            "'stats socket' : ''expose-fd' only supports 'listeners' (got '{}')'",
                            arg.as_deref().unwrap_or("")
                        ),
                    );
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
                Err(units::TimeError::Empty) => {
                    // 2.6 prints the (empty) offending character.
                    alert(line, "'stats timeout' : unexpected character '")
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

/// Recognised global keywords without a dedicated handler: a few get
/// their 2.6 argument checks here, all are kept as words.
pub fn kw_store(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let kw = line.kw();
    let a1 = line.arg(1);
    match kw {
        "localpeer" => {
            let Some(n) = a1 else {
                return alert(line, "'localpeer' expects a name as an argument.");
            };
            if let Some(o) = no_extra(line, 1) {
                return o;
            }
            p.cfg.global.localpeer = Some(n.to_string());
        }
        "busy-polling" => {
            if let Some(o) = no_extra(line, 0) {
                return o;
            }
            p.cfg.global.busy_polling = Some(line.modifier != Some(Modifier::No));
        }
        "expose-experimental-directives" => p.cfg.global.expose_experimental = true,
        "server-state-file" | "server-state-base" if a1.is_none() => {
            return alert(line, format!("'{kw}' expect one argument: a file path."));
        }
        "h1-case-adjust" => {
            if line.arg(2).is_none() {
                return alert(
                    line,
                    "'h1-case-adjust' expects <from> and <to> as argument.",
                );
            }
            if let Some(o) = no_extra(line, 2) {
                return o;
            }
        }
        "lua-load" | "lua-load-per-thread" => {
            let Some(f) = a1 else {
                return alert(line, format!("'{kw}' expects a file name as parameter."));
            };
            if p.host.path_kind(f) == crate::host::PathKind::Missing {
                return alert(
                    line,
                    format!("error in Lua file '{f}': cannot open {f}: No such file or directory"),
                );
            }
        }
        "cpu-map" => {
            if let Err(m) = check_cpu_map(line) {
                return alert(line, m);
            }
        }
        _ => {}
    }
    store_other(p, line);
    Outcome::Ok
}

/// `cpu-map [auto:]<set>[/<thread-set>] <cpu-set>...`.
fn check_cpu_map(line: &Line) -> Result<(), String> {
    let usage = "cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.";
    let (Some(first), Some(_)) = (line.arg(1), line.arg(2)) else {
        return Err(usage.into());
    };
    let first = first.strip_prefix("auto:").unwrap_or(first);
    for part in first.split('/') {
        if matches!(part, "all" | "odd" | "even") {
            continue;
        }
        let mut ends = part.splitn(2, '-');
        for e in ends.by_ref() {
            if e.is_empty() && part.contains('-') {
                continue;
            }
            match e.parse::<u32>() {
                Ok(n) if (1..=64).contains(&n) => {}
                Ok(_) => {
                    return Err(format!(
                        "cpu-map : '{part}' is not a valid number/range. It supports numbers from 1 to 64.\n"
                    ))
                }
                Err(_) => return Err(format!("cpu-map : '{part}' is not a valid number/range.")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::host::MemHost;
    use crate::{check, Report, Source, Verdict};

    fn run_with(text: &str, host: &MemHost) -> Report {
        let src = Source {
            name: "g.cfg".into(),
            data: text.as_bytes().to_vec(),
        };
        check(&[src], host)
    }

    fn run(text: &str) -> Report {
        run_with(text, &MemHost::default())
    }

    fn has(r: &Report, needle: &str) -> bool {
        r.diags.iter().any(|d| d.body().contains(needle))
    }

    const LISTEN: &str = "listen l\n bind 127.0.0.1:8080\n timeout client 1s\n timeout connect 1s\n timeout server 1s\n";

    #[test]
    fn setenv_feeds_later_expansion() {
        let r = run(&"global\n setenv PORT 8081\n presetenv PORT 9999\nlisten l2\n bind \"127.0.0.1:${PORT}\"\n timeout client 1s\n timeout connect 1s\n timeout server 1s\n".to_string());
        assert_eq!(r.verdict(), Verdict::Valid);
        assert_eq!(r.config.proxies[0].binds[0].spec, "127.0.0.1:8081");
        assert_eq!(r.config.global.env_changes.len(), 2);
    }

    #[test]
    fn presetenv_keeps_existing_and_unsetenv_clears() {
        let mut host = MemHost::default();
        host.env.insert("NAME".into(), "fromhost".into());
        let r = run_with(
            "global\n presetenv NAME x\n node \"${NAME}\"\n unsetenv NAME\n description \"${NAME-gone}\"\n",
            &host,
        );
        assert_eq!(r.config.global.node.as_deref(), Some("fromhost"));
        assert_eq!(r.config.global.description.as_deref(), Some("gone"));
        let r = run("global\n unsetenv\n");
        assert!(has(&r, "'unsetenv' expects at least one variable name."));
        let r = run("global\n setenv A\n");
        assert!(has(
            &r,
            "parsing [g.cfg:2]: 'setenv' expects a name and a value."
        ));
    }

    #[test]
    fn argument_checks_measured_on_2_6() {
        let bad = [
            (
                "nbthread x",
                "'nbthread' passed a missing or unparsable integer value in 'x'",
            ),
            (
                "nbthread 65",
                "'nbthread' value must be between 1 and 64 (was 65)",
            ),
            ("localpeer", "'localpeer' expects a name as an argument."),
            (
                "localpeer a b",
                "'localpeer' cannot handle unexpected argument 'b'.",
            ),
            (
                "busy-polling x",
                "'busy-polling' cannot handle unexpected argument 'x'.",
            ),
            ("lua-load", "'lua-load' expects a file name as parameter."),
            (
                "lua-load /no.lua",
                "error in Lua file '/no.lua': cannot open /no.lua: No such file or directory",
            ),
            ("cpu-map 1", "cpu-map expects a process number"),
            ("cpu-map x 0", "cpu-map : 'x' is not a valid number/range."),
            (
                "h1-case-adjust a",
                "'h1-case-adjust' expects <from> and <to> as argument.",
            ),
            (
                "server-state-file",
                "'server-state-file' expect one argument: a file path.",
            ),
            (
                "master-worker x",
                "'master-worker' only supports 'no-exit-on-failure' option.",
            ),
            (
                "hard-stop-after 1x",
                "unexpected character 'x' in argument to <hard-stop-after>.",
            ),
            (
                "tune.bufsize x",
                "'tune.bufsize' expects a positive integer argument.",
            ),
            (
                "tune.bufsize 16k",
                "'tune.bufsize' value '16k' is read as 16 bytes",
            ),
            (
                "tune.http.maxhdr 0",
                "'tune.http.maxhdr' expects a numeric value between 1 and 32767",
            ),
            (
                "stats socket /tmp/s expose-fd all",
                "''expose-fd' only supports 'listeners' (got 'all')'",
            ),
            (
                "stats socket /tmp/s level root",
                "''level' only supports 'user', 'operator', and 'admin' (got 'root')'",
            ),
        ];
        for (l, m) in bad {
            let r = run(&format!("global\n {l}\n{LISTEN}"));
            assert_eq!(r.verdict(), Verdict::Invalid, "{l}");
            assert!(has(&r, m), "{l}: {:?}", r.diags);
        }
        let good = [
            "nbthread 4",
            "cpu-map auto:1/1-2 0-1",
            "h1-case-adjust content-length Content-Length",
            "no busy-polling",
            "expose-experimental-directives",
            "master-worker no-exit-on-failure",
            "tune.bufsize 16384",
            "stats socket /tmp/s mode 600 expose-fd listeners level admin",
            "hard-stop-after 30s",
        ];
        for l in good {
            let r = run(&format!("global\n {l}\n{LISTEN}"));
            assert_eq!(r.verdict(), Verdict::Valid, "{l}: {:?}", r.diags);
        }
        let r = run(&format!(
            "global\n no busy-polling\n expose-experimental-directives\n{LISTEN}"
        ));
        assert_eq!(r.config.global.busy_polling, Some(false));
        assert!(r.config.global.expose_experimental);
    }

    #[test]
    fn uid_not_a_number_only_warns() {
        let r = run(&format!("global\n uid x\n{LISTEN}"));
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
        assert!(has(&r, " uid: string 'x' is not a number."));
    }
}
