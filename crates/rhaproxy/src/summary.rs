//! A human-readable outline of a parsed configuration, for `make demo` and
//! for operators who want to see what the parser understood.

use std::fmt::Write;

use haproxy_config::model::{Balance, Config, Mode, ProxyKind};
use haproxy_config::units::as_ms;

fn ms(d: Option<std::time::Duration>) -> String {
    d.map_or("-".into(), |d| format!("{} ms", as_ms(d)))
}

pub fn render(cfg: &Config) -> String {
    let mut o = String::new();
    let g = &cfg.global;
    let _ = writeln!(o, "global:");
    let _ = writeln!(
        o,
        "  daemon={} maxconn={} nbthread={} user={} group={} chroot={} pidfile={}",
        g.daemon,
        g.maxconn.map_or("-".into(), |v| v.to_string()),
        g.nbthread.map_or("-".into(), |v| v.to_string()),
        g.user.as_deref().unwrap_or("-"),
        g.group.as_deref().unwrap_or("-"),
        g.chroot.as_deref().unwrap_or("-"),
        g.pidfile.as_deref().unwrap_or("-"),
    );
    for l in &g.logs {
        let _ = writeln!(
            o,
            "  log {} facility={} level={}",
            l.target,
            l.facility,
            l.level.as_deref().unwrap_or("(all)")
        );
    }
    for s in &g.stats_sockets {
        let _ = writeln!(o, "  stats socket {}", s.address);
    }
    for (i, d) in cfg.defaults.iter().enumerate() {
        let name = if d.name.is_empty() {
            "(anonymous)"
        } else {
            &d.name
        };
        let _ = writeln!(
            o,
            "defaults #{i} {name}: mode={:?} timeouts client={} connect={} server={}",
            d.mode,
            ms(d.timeouts.client),
            ms(d.timeouts.connect),
            ms(d.timeouts.server)
        );
    }
    for p in &cfg.proxies {
        let kind = match p.kind {
            ProxyKind::Frontend => "frontend",
            ProxyKind::Backend => "backend",
            ProxyKind::Listen => "listen",
            ProxyKind::Defaults => "defaults",
        };
        let mode = match p.mode {
            Mode::Http => "http",
            Mode::Tcp => "tcp",
            Mode::Log => "log",
        };
        let _ = writeln!(
            o,
            "{kind} {} (mode {mode}, line {}):",
            p.name, p.location.line
        );
        for b in &p.binds {
            let _ = writeln!(o, "  bind {}{}", b.spec, if b.ssl { " (TLS)" } else { "" });
        }
        if let Some((b, _)) = &p.default_backend {
            let _ = writeln!(o, "  default backend -> {b}");
        }
        for (b, c, _) in &p.use_backends {
            let _ = writeln!(
                o,
                "  use_backend {b}{}",
                if c.is_some() { " (conditional)" } else { "" }
            );
        }
        for a in &p.acls {
            let _ = writeln!(
                o,
                "  acl {} = {} {:?} {}",
                a.name,
                a.fetch,
                a.method.as_deref().unwrap_or("-"),
                a.values.join(" ")
            );
        }
        for r in p.http_request.iter().chain(&p.http_response) {
            let _ = writeln!(o, "  {} {} {}", r.kind, r.action, r.args.join(" "));
        }
        for (loc, old, new) in &p.legacy_translations {
            let _ = writeln!(o, "  legacy '{old}' at line {} runs as: {new}", loc.line);
        }
        if p.kind.has_backend() && !p.servers.is_empty() {
            let algo = match &p.balance {
                Balance::RoundRobin => "roundrobin".to_string(),
                other => format!("{other:?}"),
            };
            let _ = writeln!(o, "  balance {algo}, check: {:?}", p.checks.kind);
            for s in &p.servers {
                let so = &s.options;
                let _ = writeln!(
                    o,
                    "  server {} {} weight={} check={} backup={}",
                    s.name,
                    s.address_text,
                    so.weight.unwrap_or(1),
                    so.check.unwrap_or(false),
                    so.backup.unwrap_or(false)
                );
            }
        }
        if p.stats.enabled {
            let _ = writeln!(
                o,
                "  stats page uri={} realm={} users={} admin-rules={}",
                p.stats.uri.as_deref().unwrap_or("/haproxy?stats"),
                p.stats.realm.as_deref().unwrap_or("-"),
                p.stats.auth.len(),
                p.stats.admin.len()
            );
        }
    }
    o
}
