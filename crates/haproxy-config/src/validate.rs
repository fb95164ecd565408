//! Checks that need the whole configuration: references between proxies,
//! mode compatibility, timeouts, and the warnings 2.6 emits once parsing
//! is over. Runs only when parsing found no error, as in 2.6.

use crate::diag::Diagnostic;
use crate::model::{Balance, Mode, Proxy, ProxyKind};
use crate::parser::Parser;

fn who(px: &Proxy) -> String {
    format!("{} '{}'", px.kind.label(), px.name)
}

pub fn post_parse(p: &mut Parser<'_>) {
    let cfg = &p.cfg;
    // Name lookups happen once per rule: index the backends once.
    let mut backends: std::collections::HashMap<&str, &Proxy> = std::collections::HashMap::new();
    for px in cfg.proxies.iter().filter(|x| x.kind.has_backend()) {
        backends.entry(px.name.as_str()).or_insert(px);
    }
    let mut out: Vec<Diagnostic> = Vec::new();

    for px in cfg.proxies.iter() {
        if px.kind.has_frontend() {
            check_backend_refs(cfg, &backends, px, &mut out);
        }
        if px.disabled {
            continue;
        }
        mode_warnings(px, &mut out);
        stats_conflict(px, &mut out);
        http_check_without_httpchk(px, &mut out);
        l6_fetch_warning(px, &mut out);
        http_error_statuses(cfg, px, &mut out);
        timeout_warning(px, &mut out);
        log_warnings(cfg, px, &mut out);
        if px.kind.has_backend() {
            for s in &px.servers {
                if s.options.check == Some(true)
                    && matches!(
                        &s.address,
                        crate::addr::Address::Inet {
                            ports: crate::addr::Ports::None,
                            ..
                        }
                    )
                    && s.options.port.is_none()
                {
                    out.push(Diagnostic::alert(format!(
                        "config: {} '{}': server '{}' has neither service port nor check port.",
                        px.kind.label(),
                        px.name,
                        s.name
                    )));
                }
            }
        }
    }

    defaults_usage(cfg, &mut out);
    server_state_file(cfg, p.host, &mut out);
    crate::bind::post_parse(cfg, p.host, &mut out);
    crate::server::post_parse(cfg, p.host, &mut out);
    crate::sections::post_parse(cfg, p.host, &mut out);
    // Giving servers their addresses is 2.6's last step, skipped when
    // anything before it failed; its failure ends the check at once.
    if !out.iter().any(|d| d.fatal) && !crate::server::resolve_addresses(cfg, p.host, &mut out) {
        p.aborted = true;
    }
    p.diags.extend(out);
}

fn check_backend_refs(
    cfg: &crate::model::Config,
    backends: &std::collections::HashMap<&str, &Proxy>,
    px: &Proxy,
    out: &mut Vec<Diagnostic>,
) {
    let mut targets: Vec<(&str, &str)> = Vec::new();
    if let Some((b, _)) = &px.default_backend {
        targets.push((b, "default_backend"));
    }
    for (b, _, _) in &px.use_backends {
        targets.push((b, "use_backend"));
    }
    for (b, what) in targets {
        // Names built at run time from a log-format expression are
        // resolved per request.
        if b.contains("%[") {
            continue;
        }
        let Some(be) = backends.get(b).copied() else {
            out.push(
                Diagnostic::alert(format!(
                    "Proxy '{}': unable to find required {what}: '{b}'.",
                    px.name
                ))
                .hint(
                    match crate::suggest::best_match(
                        b,
                        cfg.proxies
                            .iter()
                            .filter(|x| x.kind.has_backend())
                            .map(|x| x.name.as_str()),
                    ) {
                        Some(s) => format!("did you mean '{s}'?"),
                        None => "declare it with 'backend NAME'".into(),
                    },
                ),
            );
            continue;
        };
        if be.name == px.name && px.kind == ProxyKind::Listen {
            out.push(Diagnostic::alert(format!(
                "Proxy '{}': loop detected for {what}: '{b}'.",
                px.name
            )));
            continue;
        }
        if px.kind.has_frontend() && px.mode == Mode::Http && be.mode == Mode::Tcp {
            let role = if what == "default_backend" {
                "as its default backend"
            } else {
                "in a 'use_backend' rule"
            };
            out.push(
                Diagnostic::alert(format!(
                    "http frontend '{}' ({}) tries to use incompatible tcp backend '{}' ({}) {role} (see 'mode').",
                    px.name, px.location, be.name, be.location
                ))
                .hint(format!("add 'mode http' to backend '{}' (or to the defaults it uses)", be.name)),
            );
        }
    }
}

fn mode_warnings(px: &Proxy, out: &mut Vec<Diagnostic>) {
    if px.mode == Mode::Http {
        return;
    }
    let w = who(px);
    let mut warn = |m: String| out.push(Diagnostic::warning(m));
    if px.option("httplog") {
        warn(format!("'option httplog' not usable with {w} (needs 'mode http'). Falling back to 'option tcplog'."));
    }
    if px.option("forwardfor") {
        warn(format!(
            "'option forwardfor' ignored for {w} as it requires HTTP mode."
        ));
    }
    if px.stats.enabled || px.stats.uri.is_some() {
        warn(format!(
            "'stats' statement ignored for {w} as it requires HTTP mode."
        ));
    }
    if !px.http_request.is_empty() {
        warn(format!(
            "'http-request' rules ignored for {w} as they require HTTP mode."
        ));
    }
    if !px.http_response.is_empty() {
        warn(format!(
            "'http-response' rules ignored for {w} as they require HTTP mode."
        ));
    }
    if !px.http_after_response.is_empty() {
        warn(format!(
            "'http-after-response' rules ignored for {w} as they require HTTP mode."
        ));
    }
    if px.other.iter().any(|d| d.keyword == "redirect") {
        warn(format!(
            "'redirect' rules ignored for {w} as they require HTTP mode."
        ));
    }
    if px.kind.has_backend()
        && matches!(
            px.balance,
            Balance::Uri { .. }
                | Balance::UrlParam { .. }
                | Balance::Hdr { .. }
                | Balance::RdpCookie { .. }
        )
        && !matches!(px.balance, Balance::RdpCookie { .. })
    {
        warn(format!(
            "Layer 7 hash not possible for {w} (needs 'mode http'). Falling back to round robin."
        ));
    }
    if px.cookie.is_some() && px.kind.has_backend() {
        warn(format!(
            "cookie will be ignored for {w} (needs 'mode http')."
        ));
    }
    if px.monitor_uri.is_some() {
        warn(format!(
            "monitor-uri will be ignored for {w} (needs 'mode http')."
        ));
    }
}

fn timeout_warning(px: &Proxy, out: &mut Vec<Diagnostic>) {
    let zero = |d: Option<std::time::Duration>| d.is_none_or(|d| d.is_zero());
    let t = &px.timeouts;
    let missing = (px.kind.has_frontend() && zero(t.client))
        || (px.kind.has_backend() && (zero(t.connect) || zero(t.server)));
    if missing {
        out.push(
            Diagnostic::warning(format!("missing timeouts for {}.", who(px)))
                .detail("   | Connections may then stay open forever on an unresponsive peer.")
                .detail("   | Set non-zero values for all of these timeouts:")
                .detail("   | 'client', 'connect', 'server'.")
                .hint("put them in the 'defaults' section so every proxy inherits them"),
        );
    }
}

fn log_warnings(cfg: &crate::model::Config, px: &Proxy, out: &mut Vec<Diagnostic>) {
    let has_log = !px.logs.is_empty() || (px.log_global && !cfg.global.logs.is_empty());
    let wants_format = px.kind.has_frontend()
        && (px.option("httplog") || px.option("tcplog") || px.log_format.is_some());
    if wants_format && !has_log {
        out.push(Diagnostic::warning(format!(
            "log format ignored for {} since it has no log address.",
            who(px)
        )));
    }
}

/// 2.6 forbids using one defaults section both explicitly (`from`) and
/// implicitly, and a rule-carrying defaults by both sides.
fn defaults_usage(cfg: &crate::model::Config, out: &mut Vec<Diagnostic>) {
    for (i, d) in cfg.defaults.iter().enumerate() {
        let users: Vec<&Proxy> = cfg
            .proxies
            .iter()
            .filter(|p| p.defaults_index == Some(i))
            .collect();
        let explicit = users.iter().any(|p| p.from.is_some())
            || cfg
                .defaults
                .iter()
                .any(|x| x.from.as_deref() == Some(&d.name) && !d.name.is_empty());
        if let Some(implicit) = users.iter().find(|p| p.from.is_none()) {
            if explicit {
                out.push(
                    Diagnostic::alert(format!(
                        "defaults section '{}' (declared at {}) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.",
                        d.name, d.location
                    ))
                    .at(&implicit.location, crate::diag::Prefix::Parsing)
                    .non_fatal(),
                );
            }
        }
        if d.has_rules() {
            let fe = users.iter().find(|p| p.kind == ProxyKind::Frontend);
            let be = users.iter().find(|p| p.kind == ProxyKind::Backend);
            if let (Some(fe), Some(be)) = (fe, be) {
                // 2.6 reports it on the first proxy that completes the
                // mix, while parsing.
                let later = if fe.location.line > be.location.line
                    && fe.location.file == be.location.file
                {
                    fe
                } else {
                    be
                };
                out.push(
                    Diagnostic::alert(format!(
                        "frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at {}).",
                        d.location
                    ))
                    .at(&later.location, crate::diag::Prefix::ParsingTight),
                );
            }
        }
    }
}

/// `stats auth`/`stats realm` build an implicit `http-request auth` rule,
/// which 2.6 refuses to mix with explicit `stats http-request` rules.
fn stats_conflict(px: &Proxy, out: &mut Vec<Diagnostic>) {
    let s = &px.stats;
    if (!s.auth.is_empty() || s.realm.is_some()) && !s.http_request.is_empty() {
        out.push(
            Diagnostic::alert(format!(
                "proxy '{}': stats 'auth'/'realm' and 'http-request' can't be used at the same time.",
                px.name
            ))
            .hint("keep either the 'stats auth'/'stats realm' lines or the 'stats http-request' rules"),
        );
    }
}

/// `http-check` steps only run for `option httpchk`.
fn http_check_without_httpchk(px: &Proxy, out: &mut Vec<Diagnostic>) {
    if !px.kind.has_backend() || matches!(px.checks.kind, crate::model::CheckKind::Http { .. }) {
        return;
    }
    let has_rules = px.checks.http_check.iter().any(|d| {
        !matches!(
            d.keyword.as_str(),
            "http-check disable-on-404" | "http-check send-state"
        )
    });
    if has_rules {
        out.push(Diagnostic::warning(format!(
            "{} uses http-check rules without 'option httpchk', so the rules are ignored.",
            who(px)
        )));
    }
}

/// Conditions on layer-6 request/response contents never wait for data
/// in an HTTP proxy; 2.6 warns once per rule.
fn l6_fetch_warning(px: &Proxy, out: &mut Vec<Diagnostic>) {
    if px.mode != Mode::Http {
        return;
    }
    let acl_l6 = |a: &crate::acl::Acl| crate::sample::is_l6(&a.fetch);
    let cond_l6 = |c: &crate::acl::Condition| {
        c.any_of.iter().flatten().any(|f| match &f.term {
            crate::acl::Term::Anonymous(a) => acl_l6(a),
            crate::acl::Term::Named(n) => {
                crate::acl::predefined_fetch(n).is_some_and(crate::sample::is_l6)
                    || px.acls.iter().any(|a| &a.name == n && acl_l6(a))
            }
        })
    };
    let mut locs: Vec<&crate::diag::Location> = Vec::new();
    for r in px
        .tcp_request
        .iter()
        .chain(&px.http_request)
        .chain(&px.http_response)
        .chain(&px.tcp_response)
    {
        if r.cond.as_ref().is_some_and(cond_l6) {
            locs.push(&r.location);
        }
    }
    for (_, c, loc) in px.use_backends.iter().chain(&px.use_servers) {
        if c.as_ref().is_some_and(cond_l6) {
            locs.push(loc);
        }
    }
    locs.sort_by_key(|l| l.line);
    for loc in locs {
        out.push(
            Diagnostic::warning(format!(
                "Proxy '{}': L6 sample fetches ignored on HTTP proxies (declared at {loc}).",
                px.name
            ))
            .hint("in 'mode http' the request is already parsed; use HTTP fetches instead"),
        );
    }
}

/// `http-error status N errorfiles NAME` must name a status the
/// `http-errors NAME` section declares.
fn http_error_statuses(cfg: &crate::model::Config, px: &Proxy, out: &mut Vec<Diagnostic>) {
    for d in px.other.iter().filter(|d| d.keyword == "http-error") {
        let arg = |k: &str| {
            d.args
                .iter()
                .position(|a| a == k)
                .and_then(|i| d.args.get(i + 1))
        };
        let (Some(status), Some(section)) = (arg("status"), arg("errorfiles")) else {
            continue;
        };
        let Some(sec) = cfg.http_errors.iter().find(|h| &h.name == section) else {
            continue;
        };
        let declared = sec
            .directives
            .iter()
            .any(|e| e.keyword == "errorfile" && e.args.first() == Some(status));
        if !declared {
            out.push(Diagnostic::warning(format!(
                "config: proxy '{}' : status '{status}' not declared in http-errors section '{section}' (at {}).",
                px.name, d.location
            )));
        }
    }
}

/// `load-server-state-from-file global` reads the global
/// `server-state-file`; a missing file only warns.
fn server_state_file(
    cfg: &crate::model::Config,
    host: &dyn crate::host::Host,
    out: &mut Vec<Diagnostic>,
) {
    let global_arg = |k: &str| {
        cfg.global
            .other
            .iter()
            .rev()
            .find(|d| d.keyword == k)
            .and_then(|d| d.args.first().cloned())
    };
    let Some(file) = global_arg("server-state-file") else {
        return;
    };
    let uses_global = |px: &Proxy| {
        let own = px
            .other
            .iter()
            .rev()
            .find(|d| d.keyword == "load-server-state-from-file");
        let inherited = px.defaults_index.and_then(|i| {
            cfg.defaults[i]
                .other
                .iter()
                .rev()
                .find(|d| d.keyword == "load-server-state-from-file")
        });
        own.or(inherited)
            .is_some_and(|d| d.args.first().map(String::as_str) == Some("global"))
    };
    if !cfg
        .proxies
        .iter()
        .any(|px| px.kind.has_backend() && uses_global(px))
    {
        return;
    }
    let path = match global_arg("server-state-base") {
        Some(base) if !file.starts_with('/') => format!("{}/{file}", base.trim_end_matches('/')),
        _ => file,
    };
    if host.path_kind(&path) != crate::host::PathKind::File {
        out.push(Diagnostic::warning(format!(
            "config: Can't open global server state file '{path}': No such file or directory"
        )));
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Severity;
    use crate::host::MemHost;
    use crate::{check, Report, Source, Verdict};

    const TIMEOUTS: &str = "    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n";

    fn run(text: &str) -> Report {
        let host = MemHost::default();
        let src = Source {
            name: "t.cfg".into(),
            data: text.as_bytes().to_vec(),
        };
        check(&[src], &host)
    }

    fn messages(r: &Report, sev: Severity) -> Vec<String> {
        r.diags
            .iter()
            .filter(|d| d.severity == sev)
            .map(|d| d.message.clone())
            .collect()
    }

    fn has(r: &Report, sev: Severity, needle: &str) -> bool {
        messages(r, sev).iter().any(|m| m.contains(needle))
    }

    #[test]
    fn last_anonymous_defaults_wins() {
        let cfg = format!(
            "defaults\n    mode http\n{TIMEOUTS}defaults\n    mode http\nfrontend fe\n    bind :8080\n"
        );
        let r = run(&cfg);
        assert!(has(
            &r,
            Severity::Warning,
            "missing timeouts for frontend 'fe'."
        ));
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
    }

    #[test]
    fn from_picks_a_named_defaults() {
        let cfg = format!(
            "defaults base\n    mode http\n{TIMEOUTS}defaults\n    mode tcp\nfrontend fe from base\n    bind :8080\n"
        );
        let r = run(&cfg);
        assert!(messages(&r, Severity::Warning).is_empty(), "{:?}", r.diags);
        assert_eq!(r.verdict(), Verdict::Valid);
        let fe = r.config.proxy("fe").unwrap();
        assert_eq!(fe.mode, crate::model::Mode::Http);
    }

    #[test]
    fn named_defaults_inherit_from_another() {
        let cfg = format!(
            "defaults a\n    mode http\n{TIMEOUTS}defaults b from a\n    retries 5\ndefaults\n{TIMEOUTS}frontend fe from b\n    bind :8080\n"
        );
        let r = run(&cfg);
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", r.diags);
        let fe = r.config.proxy("fe").unwrap();
        assert_eq!(fe.mode, crate::model::Mode::Http);
        assert_eq!(fe.retries, Some(5));
    }

    #[test]
    fn missing_defaults_name() {
        let r = run("frontend f1 from nosuch\n    bind :8080\n");
        assert!(has(
            &r,
            Severity::Alert,
            "defaults section 'nosuch' not found for frontend 'f1'."
        ));
        assert_eq!(r.verdict(), Verdict::Invalid);
    }

    #[test]
    fn ambiguous_defaults_name() {
        let cfg = format!(
            "defaults d\n{TIMEOUTS}defaults d\n{TIMEOUTS}frontend f1 from d\n    bind :8080\n"
        );
        let r = run(&cfg);
        assert!(has(
            &r,
            Severity::Alert,
            "ambiguous defaults section name 'd' referenced by frontend 'f1'"
        ));
        assert_eq!(r.verdict(), Verdict::Invalid);
    }

    #[test]
    fn rules_only_in_named_defaults() {
        let r = run("defaults\n    http-request deny\n");
        assert!(has(
            &r,
            Severity::Alert,
            "'http-request' not allowed in anonymous 'defaults' section."
        ));
        let r = run("defaults\n    acl a src 1.2.3.4\n");
        assert!(has(
            &r,
            Severity::Alert,
            "'acl' not allowed in anonymous 'defaults' section."
        ));
        let cfg = format!(
            "defaults d\n    mode http\n{TIMEOUTS}    http-request deny\nfrontend fe from d\n    bind :8080\n"
        );
        assert_eq!(run(&cfg).verdict(), Verdict::Valid);
    }

    #[test]
    fn rule_defaults_cannot_serve_both_sides() {
        let cfg = format!(
            "defaults d\n    mode http\n{TIMEOUTS}    http-request deny\nfrontend fe from d\n    bind :8080\n    default_backend be\nbackend be from d\n    server s 127.0.0.1:80\n"
        );
        let r = run(&cfg);
        assert!(has(
            &r,
            Severity::Alert,
            "frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at t.cfg:1)."
        ));
        assert_eq!(r.verdict(), Verdict::Invalid);
    }

    #[test]
    fn mixed_explicit_and_implicit_use_is_a_non_fatal_alert() {
        let cfg = format!(
            "defaults d\n    mode http\n{TIMEOUTS}frontend f1 from d\n    bind :8080\nfrontend f2\n    bind :8081\n"
        );
        let r = run(&cfg);
        assert!(has(
            &r,
            Severity::Alert,
            "defaults section 'd' (declared at t.cfg:1) is explicitly referenced by another proxy and implicitly used here."
        ));
        assert!(!r.has_fatal());
        assert_eq!(r.verdict(), Verdict::Valid);
    }

    #[test]
    fn stats_auth_and_stats_http_request_conflict() {
        let cfg = format!(
            "defaults\n    mode http\n{TIMEOUTS}listen stats\n    bind :9000\n    stats enable\n    stats auth a:b\n    stats http-request deny\n"
        );
        let r = run(&cfg);
        assert!(has(
            &r,
            Severity::Alert,
            "proxy 'stats': stats 'auth'/'realm' and 'http-request' can't be used at the same time."
        ));
        assert_eq!(r.verdict(), Verdict::Invalid);
    }
}
