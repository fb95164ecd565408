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
    let mut out: Vec<Diagnostic> = Vec::new();

    for px in cfg.proxies.iter() {
        if px.kind.has_frontend() {
            check_backend_refs(cfg, px, &mut out);
        }
        if px.disabled {
            continue;
        }
        mode_warnings(px, &mut out);
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
    crate::bind::post_parse(cfg, p.host, &mut out);
    crate::server::post_parse(cfg, p.host, &mut out);
    crate::sections::post_parse(cfg, p.host, &mut out);
    p.diags.extend(out);
}

fn check_backend_refs(cfg: &crate::model::Config, px: &Proxy, out: &mut Vec<Diagnostic>) {
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
        let Some(be) = cfg.backend(b) else {
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
            let fe = users.iter().any(|p| p.kind == ProxyKind::Frontend);
            let be = users.iter().any(|p| p.kind == ProxyKind::Backend);
            if fe && be {
                out.push(Diagnostic::alert(format!(
                    "frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at {}).",
                    d.location
                )));
            }
        }
    }
}
