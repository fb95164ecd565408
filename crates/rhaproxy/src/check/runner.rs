//! One task per checked server: wait, probe, count, report, repeat.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use haproxy_config::addr::{self, Address, Use};
use haproxy_config::host::SystemHost;
use haproxy_config::model::{CheckKind, Directive, Proxy, Server};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::fsm::{self, HealthFsm, Params, Transition};
use super::probe::{self, CheckResult, CheckStatus};

pub const DEFAULT_INTER: Duration = Duration::from_millis(2000);
pub const DEFAULT_RISE: u32 = 2;
pub const DEFAULT_FALL: u32 = 3;

/// Everything one server's checks need, resolved from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    pub backend: String,
    pub server: String,
    /// Where checks go, `addr`/`port` overrides applied.
    pub addr: SocketAddr,
    pub kind: CheckKind,
    pub http_check: Vec<Directive>,
    pub tcp_check: Vec<Directive>,
    pub inter: Duration,
    pub fastinter: Duration,
    pub downinter: Duration,
    pub rise: u32,
    pub fall: u32,
    pub timeout_connect: Option<Duration>,
    pub timeout_check: Option<Duration>,
    pub send_proxy: bool,
}

impl CheckSpec {
    /// A plain connect check with HAProxy's defaults, for building on.
    pub fn new(backend: &str, server: &str, addr: SocketAddr) -> Self {
        CheckSpec {
            backend: backend.to_string(),
            server: server.to_string(),
            addr,
            kind: CheckKind::Tcp,
            http_check: Vec::new(),
            tcp_check: Vec::new(),
            inter: DEFAULT_INTER,
            fastinter: DEFAULT_INTER,
            downinter: DEFAULT_INTER,
            rise: DEFAULT_RISE,
            fall: DEFAULT_FALL,
            timeout_connect: None,
            timeout_check: None,
            send_proxy: false,
        }
    }

    pub fn params(&self) -> Params {
        Params {
            rise: self.rise,
            fall: self.fall,
            inter: self.inter,
            fastinter: self.fastinter,
            downinter: self.downinter,
        }
    }
}

/// What one finished check did to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckEvent {
    pub result: CheckResult,
    pub transition: Option<Transition>,
    /// The counter after this check, and before it (`option
    /// log-health-checks` logs only checks that moved it or the state).
    pub health: u32,
    pub previous_health: u32,
    pub rise: u32,
    pub fall: u32,
}

impl CheckEvent {
    /// `3/3 UP`, as in log-health-checks lines.
    pub fn counter_text(&self) -> String {
        fsm::counter_text(self.health, self.rise, self.fall)
    }
}

/// The IP an `addr` option names (a literal, or a name resolved now as
/// the config checker did).
fn check_ip(text: &str) -> Option<std::net::IpAddr> {
    match addr::parse(text, Use::Check, &SystemHost, &|_| None) {
        Ok(Address::Inet { ip, .. }) => ip,
        _ => None,
    }
}

/// Whether the last of `on`/`off` in the server's options was `on`.
fn last_flag(s: &Server, on: &str, off: &str) -> Option<bool> {
    s.options.raw.iter().rev().find_map(|(k, _)| {
        if k == on {
            Some(true)
        } else if k == off {
            Some(false)
        } else {
            None
        }
    })
}

pub fn spec_from_config(p: &Proxy, s: &Server, resolved: SocketAddr) -> CheckSpec {
    let o = &s.options;
    let mut target = resolved;
    let addr_ip = o.addr.as_deref().and_then(check_ip);
    if let Some(ip) = addr_ip {
        target.set_ip(ip);
    }
    if let Some(port) = o.port {
        target.set_port(port);
    }
    let elsewhere = o.addr.is_some() || o.port.is_some();
    // The server's PROXY line is reused only when checks go to the
    // server itself; `check-send-proxy` asks for it anyway.
    let send_proxy = last_flag(s, "check-send-proxy", "no-check-send-proxy")
        .unwrap_or(o.send_proxy == Some(true) && !elsewhere);
    let inter = o.inter.unwrap_or(DEFAULT_INTER);
    CheckSpec {
        backend: p.name.clone(),
        server: s.name.clone(),
        addr: target,
        kind: p.checks.kind.clone(),
        http_check: p.checks.http_check.clone(),
        tcp_check: p.checks.tcp_check.clone(),
        inter,
        fastinter: o.fastinter.unwrap_or(inter),
        downinter: o.downinter.unwrap_or(inter),
        rise: o.rise.unwrap_or(DEFAULT_RISE).max(1),
        fall: o.fall.unwrap_or(DEFAULT_FALL).max(1),
        timeout_connect: p.timeouts.connect,
        timeout_check: p.timeouts.check,
        send_proxy,
    }
}

fn random() -> u64 {
    // A fresh RandomState is seeded per process and bumped per instance,
    // which is all the spreading needs.
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    h.finish()
}

pub type OnEvent = Arc<dyn Fn(&CheckSpec, CheckEvent) + Send + Sync>;

/// Checks the server for ever (until the handle is aborted). The first
/// check starts after a random part of `inter`, as HAProxy spreads them.
pub fn spawn(spec: CheckSpec, on_event: OnEvent) -> JoinHandle<()> {
    tokio::spawn(async move {
        let plan = probe::plan(&spec);
        let epoch = Instant::now();
        let mut health = HealthFsm::new(
            spec.params(),
            Duration::ZERO,
            fsm::first_delay(spec.inter, random()),
        );
        loop {
            tokio::time::sleep_until(epoch + health.next_due()).await;
            let result = match &plan {
                Ok(p) => probe::run_plan(p, &spec).await,
                Err(e) => CheckResult::new(CheckStatus::Unknown, None, Some(e.to_string())),
            };
            let previous_health = health.health();
            let transition = health.record(result.passed(), epoch.elapsed());
            let event = CheckEvent {
                result,
                transition,
                health: health.health(),
                previous_health,
                rise: health.params().rise,
                fall: health.params().fall,
            };
            on_event(&spec, event);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use haproxy_config::host::MemHost;
    use haproxy_config::Source;

    fn backend(text: &str) -> Proxy {
        let src = Source {
            name: "t.cfg".into(),
            data: text.as_bytes().to_vec(),
        };
        let report = haproxy_config::check(&[src], &MemHost::default());
        report
            .config
            .backend("bk")
            .cloned()
            .unwrap_or_else(|| panic!("no backend: {:?}", report.diags))
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn defaults() {
        let p = backend("backend bk\n    server s1 127.0.0.1:25 check\n");
        let s = spec_from_config(&p, &p.servers[0], addr("127.0.0.1:25"));
        assert_eq!(s, CheckSpec::new("bk", "s1", addr("127.0.0.1:25")));
    }

    #[test]
    fn timers_kind_and_timeouts() {
        let p = backend(
            "defaults\n    timeout connect 5s\n    timeout check 3s\n\
             backend bk\n    option smtpchk EHLO example.org\n    \
             default-server inter 10s fastinter 1s rise 4\n    \
             server s1 127.0.0.1:25 check fall 5 downinter 30s\n",
        );
        let s = spec_from_config(&p, &p.servers[0], addr("127.0.0.1:25"));
        assert_eq!(
            (s.inter, s.fastinter, s.downinter),
            (
                Duration::from_secs(10),
                Duration::from_secs(1),
                Duration::from_secs(30)
            )
        );
        assert_eq!((s.rise, s.fall), (4, 5));
        assert_eq!(s.timeout_connect, Some(Duration::from_secs(5)));
        assert_eq!(s.timeout_check, Some(Duration::from_secs(3)));
        assert_eq!(
            s.kind,
            CheckKind::Smtp {
                verb: "EHLO".into(),
                domain: "example.org".into()
            }
        );
    }

    #[test]
    fn port_and_addr_overrides() {
        let p = backend(
            "backend bk\n    server s1 127.0.0.1:25 check port 2525\n    \
             server s2 127.0.0.1:25 check addr 127.0.0.9\n    \
             server s3 127.0.0.1:25 check addr 127.0.0.8:8080\n",
        );
        let r = addr("127.0.0.1:25");
        assert_eq!(
            spec_from_config(&p, &p.servers[0], r).addr,
            addr("127.0.0.1:2525")
        );
        assert_eq!(
            spec_from_config(&p, &p.servers[1], r).addr,
            addr("127.0.0.9:25")
        );
        assert_eq!(
            spec_from_config(&p, &p.servers[2], r).addr,
            addr("127.0.0.8:8080")
        );
    }

    #[test]
    fn proxy_header_choice() {
        let p = backend(
            "backend bk\n    server a 127.0.0.1:25 check send-proxy\n    \
             server b 127.0.0.1:25 check send-proxy port 26\n    \
             server c 127.0.0.1:25 check check-send-proxy port 26\n    \
             server d 127.0.0.1:25 check\n",
        );
        let r = addr("127.0.0.1:25");
        let sp: Vec<bool> = p
            .servers
            .iter()
            .map(|s| spec_from_config(&p, s, r).send_proxy)
            .collect();
        assert_eq!(sp, [true, false, true, false]);
    }

    #[test]
    fn tcp_check_rules_are_carried() {
        let p = backend(
            "backend bk\n    option tcp-check\n    tcp-check send PING\\r\\n\n    \
             tcp-check expect string +PONG\n    server s1 127.0.0.1:6379 check\n",
        );
        let s = spec_from_config(&p, &p.servers[0], addr("127.0.0.1:6379"));
        assert_eq!(s.kind, CheckKind::TcpCheck);
        assert_eq!(s.tcp_check.len(), 2);
        assert_eq!(s.tcp_check[0].args, ["PING\r\n"]);
    }

    #[test]
    fn random_values_differ() {
        let v: std::collections::HashSet<u64> = (0..8).map(|_| random()).collect();
        assert!(v.len() > 1);
    }
}
