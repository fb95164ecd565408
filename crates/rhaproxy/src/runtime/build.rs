//! From a checked `Config` to a [`Process`]: resolved server addresses,
//! balancers, loggers, switching rules, and the checks to start.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
use std::sync::Arc;

use haproxy_config::addr::{Address, Ports};
use haproxy_config::model::{Balance, Config, LogTarget, Mode, Proxy, ProxyKind, Server};
use tokio::sync::Semaphore;

use super::backend::{Backend, BackendTimeouts, Port, ServerState};
use super::console;
use super::frontend::{ConnRule, Frontend};
use super::health::CheckTask;
use super::serve::Process;
use crate::check::runner;
use crate::lb;
use crate::log::format::LogFormat;
use crate::log::syslog::Logger;

/// Semaphores cannot hold more permits than this; it also stands for
/// "no limit".
const UNLIMITED: usize = Semaphore::MAX_PERMITS;

/// A reason the configuration cannot run.
#[derive(Debug)]
pub struct BuildError(pub String);

pub struct Built {
    pub process: Process,
    pub checks: Vec<CheckTask>,
}

fn log_targets(cfg: &Config, p: &Proxy) -> Vec<LogTarget> {
    if p.no_log {
        return Vec::new();
    }
    let mut t = p.logs.clone();
    if p.log_global {
        t.extend(cfg.global.logs.iter().cloned());
    }
    t
}

fn logger(cfg: &Config, p: &Proxy) -> Logger {
    let tag = p
        .log_tag
        .clone()
        .or_else(|| cfg.global.log_tag.clone())
        .unwrap_or_else(|| "haproxy".into());
    let hostname = cfg
        .global
        .log_send_hostname
        .clone()
        .map(|h| h.unwrap_or_else(|| crate::log::format::hostname().to_string()));
    match Logger::from_targets(&log_targets(cfg, p), &tag, hostname) {
        Ok(l) => l,
        Err(e) => {
            console::warning(&format!(
                "proxy '{}': cannot open a log target: {e}",
                p.name
            ));
            Logger::none()
        }
    }
}

fn resolve(s: &Server, px: &Proxy) -> Result<(IpAddr, Port), BuildError> {
    let Address::Inet {
        ip,
        hostname,
        ports,
        ..
    } = &s.address
    else {
        return Err(BuildError(format!(
            "server '{}/{}' : only IPv4/IPv6 server addresses are supported by this build",
            px.name, s.name
        )));
    };
    let port = match ports {
        Ports::Range(p, _) => Port::Fixed(*p),
        Ports::None => Port::Same,
        Ports::Offset(o) => Port::Offset(*o),
    };
    if let Some(ip) = ip {
        return Ok((*ip, port));
    }
    let host = hostname.as_deref().unwrap_or_default();
    let found = (host, 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .map(|a| a.ip());
    match found {
        Some(ip) => Ok((ip, port)),
        None => Err(BuildError(format!(
            "'server {}/{}' : could not resolve address '{host}'.",
            px.name, s.name
        ))),
    }
}

fn splice(p: &Proxy) -> bool {
    ["splice-auto", "splice-request", "splice-response"]
        .iter()
        .any(|o| p.option(o))
}

fn build_backend(
    cfg: &Config,
    p: &Proxy,
    checks: &mut Vec<CheckTask>,
) -> Result<Arc<Backend>, BuildError> {
    let mut states = Vec::new();
    let mut resolved = Vec::new();
    for (i, s) in p.servers.iter().enumerate() {
        let (ip, port) = resolve(s, p)?;
        let o = &s.options;
        states.push(Arc::new(ServerState {
            name: s.name.clone(),
            index: i,
            ip,
            port,
            backup: o.backup.unwrap_or(false),
            send_proxy: o.send_proxy.unwrap_or(false),
            up: AtomicBool::new(!o.disabled.unwrap_or(false)),
            disabled: o.disabled.unwrap_or(false),
            cur: AtomicU32::new(0),
            total: AtomicU64::new(0),
        }));
        resolved.push((ip, port));
    }
    let algo = lb::algo_from_config(&p.balance, p.hash_type);
    let balancer = lb::new_balancer(&algo, lb::servers_from_config(p), p.option("allbackups"));
    let t = &p.timeouts;
    let be = Arc::new(Backend::new(
        p.name.clone(),
        states,
        balancer,
        BackendTimeouts {
            connect: t.connect,
            server: t.server,
            queue: t.queue,
            tunnel: t.tunnel,
            server_fin: t.server_fin,
        },
        p.retries.unwrap_or(3),
        p.option("redispatch"),
        matches!(p.balance, Balance::Source),
        logger(cfg, p),
        splice(p),
    ));
    for (i, s) in p.servers.iter().enumerate() {
        if s.options.check != Some(true) || s.options.disabled == Some(true) {
            continue;
        }
        let (ip, port) = resolved[i];
        let port = match (s.options.port, port) {
            (Some(cp), _) => cp,
            (None, Port::Fixed(p)) => p,
            // HAProxy refuses `check` without a port at parse time.
            _ => continue,
        };
        let spec = runner::spec_from_config(p, s, SocketAddr::new(ip, port));
        checks.push(CheckTask {
            spec,
            backend: be.clone(),
            index: i,
            kind: p.kind,
        });
    }
    Ok(be)
}

fn log_format(p: &Proxy) -> Result<Option<LogFormat>, BuildError> {
    if let Some(f) = &p.log_format {
        let mode = if p.mode == Mode::Http {
            crate::log::format::Mode::Http
        } else {
            crate::log::format::Mode::Tcp
        };
        return LogFormat::parse_for(f, mode)
            .map(Some)
            .map_err(|e| BuildError(format!("proxy '{}': log-format: {e}", p.name)));
    }
    let any = ["tcplog", "httplog", "httpslog"]
        .iter()
        .any(|o| p.option(o));
    Ok(any.then(LogFormat::tcplog))
}

pub fn build(cfg: &Config) -> Result<Built, BuildError> {
    let mut checks = Vec::new();
    let mut backends: Vec<Arc<Backend>> = Vec::new();
    for p in &cfg.proxies {
        if p.kind.has_backend() && p.kind != ProxyKind::Defaults && !p.disabled {
            backends.push(build_backend(cfg, p, &mut checks)?);
        }
    }
    let find = |name: &str| backends.iter().find(|b| b.name == name).cloned();
    let global_max = cfg.global.maxconn;
    let mut frontends = Vec::new();
    for p in &cfg.proxies {
        if !runs(p) {
            continue;
        }
        let mut switching = Vec::new();
        for (name, cond, _) in &p.use_backends {
            match find(name) {
                Some(b) => switching.push((b, cond.clone())),
                // Dynamic names (`%[...]`) need HTTP samples: not in TCP.
                None => console::warning(&format!(
                    "proxy '{}': use_backend '{name}' cannot be resolved at run time; rule skipped",
                    p.name
                )),
            }
        }
        let default_backend = match (&p.default_backend, p.kind) {
            (Some((n, _)), _) => find(n),
            (None, ProxyKind::Listen) => find(&p.name),
            _ => None,
        };
        let rules = p
            .tcp_request
            .iter()
            .filter(|r| {
                r.kind.starts_with("tcp-request connection")
                    || r.kind.starts_with("tcp-request content")
            })
            .filter(|r| r.action == "accept" || r.action == "reject")
            .map(|r| ConnRule {
                accept: r.action == "accept",
                cond: r.cond.clone(),
            })
            .collect();
        let maxconn = p
            .maxconn
            .or(global_max)
            .map_or(UNLIMITED, |m| (m as usize).clamp(1, UNLIMITED));
        frontends.push(Arc::new(Frontend {
            name: p.name.clone(),
            mode_label: if p.mode == Mode::Http { "HTTP" } else { "TCP" },
            acls: p.acls.clone(),
            rules,
            switching,
            default_backend,
            conns: AtomicU32::new(0),
            total: AtomicU64::new(0),
            timeout_client: p.timeouts.client,
            timeout_client_fin: p.timeouts.client_fin,
            logger: logger(cfg, p),
            format: log_format(p)?,
            dontlognull: p.option("dontlognull"),
            splice: splice(p),
            slots: Arc::new(Semaphore::new(maxconn)),
        }));
    }
    Ok(Built {
        process: Process {
            actconn: AtomicU32::new(0),
            frontends,
            backends,
            global_slots: global_max
                .map(|m| Arc::new(Semaphore::new((m as usize).clamp(1, UNLIMITED)))),
            stopping: AtomicBool::new(false),
        },
        checks,
    })
}

/// The proxies this build runs, in the order of `Process::frontends`
/// (used to tie listeners to frontends).
pub fn running_frontends(cfg: &Config) -> Vec<(usize, &Proxy)> {
    cfg.proxies.iter().filter(|p| runs(p)).enumerate().collect()
}

/// Whether this build opens the proxy's listeners: TCP-mode frontends
/// and listens with at least one bind. HTTP mode is not served yet.
fn runs(p: &Proxy) -> bool {
    p.kind.has_frontend()
        && p.kind != ProxyKind::Defaults
        && !p.disabled
        && !p.binds.is_empty()
        && p.mode == Mode::Tcp
}

/// The proxies that have listeners but that this build does not serve.
pub fn not_served(cfg: &Config) -> Vec<&Proxy> {
    cfg.proxies
        .iter()
        .filter(|p| {
            p.kind.has_frontend()
                && p.kind != ProxyKind::Defaults
                && !p.disabled
                && !p.binds.is_empty()
                && p.mode != Mode::Tcp
        })
        .collect()
}
