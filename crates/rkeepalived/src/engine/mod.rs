//! The VRRP engine: instances from the configuration, driven by packets,
//! timers and tracking, acting through sockets and netlink.

pub mod instance;
pub mod log;
pub mod spec;
pub mod system;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::rc::Rc;

use keepalived_config::model::Config;
use tokio::sync::mpsc;

use crate::net::netlink::Netlink;
use crate::net::socket::{GarpSender, Mode, VrrpSocketV4, VrrpSocketV6};
use crate::track::notify::Notifier;
use crate::track::script::{spawn_script, ScriptSpec};
use crate::vrrp::priority::{TrackKind, TrackStatus};
use instance::{Driver, Input};
use log::{Level, Logger};

/// How the process was asked to log.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub console: bool,
    pub detail: bool,
    pub facility: Option<String>,
    pub no_syslog: bool,
}

/// Run every `vrrp_instance` of `cfg` until SIGTERM/SIGINT; the exit
/// status.
pub fn run(cfg: &Config, conf_path: &str, opts: &RunOptions) -> i32 {
    let log = Logger::new(
        log::facility(opts.facility.as_deref()),
        opts.console,
        opts.detail,
        !opts.no_syslog,
    );
    log.main(
        Level::Info,
        &format!(
            "Starting Keepalived v{} (rkeepalived {})",
            crate::COMPAT,
            crate::VERSION
        ),
    );
    log.main(Level::Info, &format!("Configuration file {conf_path}"));
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            log.main(Level::Err, &format!("cannot start the event loop: {e}"));
            return 1;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, serve(cfg, log))
}

async fn serve(cfg: &Config, log: Logger) -> i32 {
    use tokio::signal::unix::{signal, SignalKind};
    let netlink = match Netlink::new() {
        Ok(n) => Rc::new(n),
        Err(e) => {
            log.vrrp(Level::Err, &format!("cannot open netlink: {e}"));
            return 1;
        }
    };
    let routing = crate::net::route::RouteNetlink::new().ok();
    let default_user = cfg.global.script_user.clone();
    // notify_fifo: one FIFO shared by every instance.
    let mut fifos = Vec::new();
    for path in [&cfg.global.notify_fifo, &cfg.global.vrrp_notify_fifo]
        .into_iter()
        .flatten()
    {
        match crate::track::notify::NotifyFifo::open(path) {
            Ok(f) => fifos.push(std::sync::Arc::new(f)),
            Err(e) => log.vrrp(Level::Err, &format!("notify_fifo {path}: {e}")),
        }
    }
    let hostname = crate::host_name();
    let router_id = cfg
        .global
        .router_id
        .clone()
        .unwrap_or_else(|| hostname.clone());
    let smtp =
        crate::track::smtp::SmtpConfig::from_global(&cfg.global, &hostname, &router_id, "root")
            .map(Rc::new);
    let mut inputs: Vec<mpsc::UnboundedSender<Input>> = Vec::new();
    let mut drivers = Vec::new();
    let mut prepared = Vec::new();
    let mut interfaces = BTreeSet::new();
    let mut scripts = BTreeSet::new();
    let mut files = BTreeSet::new();
    let mut procs = BTreeSet::new();
    for vi in &cfg.instances {
        let spec = match spec::instance_spec(cfg, vi) {
            Ok(s) => s,
            Err(e) => {
                log.vrrp(Level::Err, &e.0);
                continue;
            }
        };
        let mode = if spec.unicast() {
            Mode::Unicast
        } else {
            Mode::Multicast
        };
        // The family of the first VIP decides; IPv6 adverts go from the
        // interface's link-local address unless unicast_src_ip says.
        let opened = if spec.is_ipv6() {
            open_v6(&netlink, &spec.ifname, spec.unicast_src, mode).await
        } else {
            let src = match spec.unicast_src {
                Some(IpAddr::V4(a)) => Some(a),
                _ => netlink.primary_v4(&spec.ifname).await.ok().flatten(),
            };
            // AH-authenticated adverts are IP protocol 51, not 112.
            let proto = match spec.auth {
                crate::vrrp::packet::AuthConfig::Ah(_) => crate::vrrp::packet::PROTO_AH,
                _ => crate::vrrp::packet::PROTO_VRRP,
            };
            src.map(|src| {
                VrrpSocketV4::open_protocol(&spec.ifname, src, mode, proto)
                    .map(|s| (IpAddr::V4(src), system::SocketWire::V4(s)))
            })
        };
        let (src, wire) = match opened {
            Some(Ok(w)) => w,
            Some(Err(e)) => {
                system::setup_failed(&log, &spec.name, "cannot open the VRRP socket", &e);
                continue;
            }
            None => {
                log.vrrp(
                    Level::Err,
                    &format!(
                        "({}) interface {} has no {} address; instance not started",
                        spec.name,
                        spec.ifname,
                        if spec.is_ipv6() {
                            "IPv6 link-local"
                        } else {
                            "IPv4"
                        }
                    ),
                );
                continue;
            }
        };
        let garp = match GarpSender::open(&spec.ifname) {
            Ok(g) => g,
            Err(e) => {
                system::setup_failed(&log, &spec.name, "cannot open the ARP socket", &e);
                continue;
            }
        };
        let mac = garp.mac().unwrap_or([0; 6]);
        let (notifier, errs) = Notifier::from_instance(vi, default_user.as_ref(), fifos.clone());
        for e in errs {
            log.vrrp(Level::Warning, &e);
        }
        let notifier = Rc::new(notifier);
        let mail = smtp
            .clone()
            .filter(|_| crate::track::smtp::instance_alerts(vi, &cfg.global));
        let mail_log = log.clone();
        let notify: system::Notify = Rc::new(move |name: &str, state, prio| {
            drop(notifier.notify(state, prio));
            let Some(m) = mail.clone() else { return };
            let Some(alert) =
                crate::track::smtp::alert_for(&m, crate::track::smtp::Who::Instance, name, state)
            else {
                return;
            };
            let l = mail_log.clone();
            tokio::task::spawn_local(async move {
                let report = crate::track::smtp::send(&m, &alert).await;
                for line in report.logs {
                    if line.detail {
                        l.vrrp_detail(&line.text);
                    } else {
                        l.vrrp(Level::Info, &line.text);
                    }
                }
            });
        });
        let ops = system::SystemOps {
            netlink: netlink.clone(),
            routing: routing.clone(),
            garp,
            mac,
            log: log.clone(),
            notify,
        };
        for t in &spec.tracked {
            match t.kind {
                TrackKind::Interface => {
                    interfaces.insert(t.name.clone());
                }
                TrackKind::Script => {
                    scripts.insert(t.name.clone());
                }
                TrackKind::File => {
                    files.insert(t.name.clone());
                }
                TrackKind::Process => {
                    procs.insert(t.name.clone());
                }
                _ => {}
            }
        }
        let mut spec = spec;
        // The instance's own interface always counts: down means FAULT.
        interfaces.insert(spec.ifname.clone());
        spec.tracked.push(crate::vrrp::priority::Tracked {
            kind: TrackKind::Interface,
            name: spec.ifname.clone(),
            weight: 0,
            reverse: false,
            status: TrackStatus::Unknown,
        });
        prepared.push((vi.name.clone(), spec, src, wire, ops));
    }
    // Sync groups: their members share one loop and move together.
    for g in &cfg.sync_groups {
        let mut members = Vec::new();
        for name in &g.members {
            if let Some(pos) = prepared.iter().position(|p| &p.0 == name) {
                let (_, spec, src, wire, ops) = prepared.remove(pos);
                members.push((spec, src, wire, ops));
            }
        }
        if members.is_empty() {
            continue;
        }
        let (notifier, errs) = Notifier::from_group(g, default_user.as_ref(), fifos.clone());
        for e in errs {
            log.vrrp(Level::Warning, &e);
        }
        let mail = smtp.clone().filter(|_| {
            g.smtp_alert
                .or(cfg.global.smtp_alert_vrrp)
                .or(cfg.global.smtp_alert)
                .unwrap_or(false)
        });
        let (name, mail_log) = (g.name.clone(), log.clone());
        let notify: instance::GroupNotify = Rc::new(move |state| {
            drop(notifier.notify(state, 0));
            let Some(m) = mail.clone() else { return };
            let Some(alert) =
                crate::track::smtp::alert_for(&m, crate::track::smtp::Who::Group, &name, state)
            else {
                return;
            };
            let l = mail_log.clone();
            tokio::task::spawn_local(async move {
                for line in crate::track::smtp::send(&m, &alert).await.logs {
                    l.vrrp(Level::Info, &line.text);
                }
            });
        });
        let (tx, rx) = mpsc::unbounded_channel();
        inputs.push(tx);
        let d = Driver::group(&g.name, members, Some(notify), log.clone());
        drivers.push(tokio::task::spawn_local(d.run(rx)));
    }
    for (_, spec, src, wire, ops) in prepared {
        let (tx, rx) = mpsc::unbounded_channel();
        inputs.push(tx);
        let d = Driver::new(spec, src, wire, ops, log.clone());
        drivers.push(tokio::task::spawn_local(d.run(rx)));
    }
    if drivers.is_empty() {
        log.main(Level::Err, "no VRRP instance could be started");
        return 1;
    }
    // Interfaces: their state now, then netlink's reports.
    for name in &interfaces {
        let up = netlink.link_is_up(name).await.unwrap_or(false);
        broadcast(&inputs, TrackKind::Interface, name, up);
    }
    let links = crate::net::netlink::watch_links();
    // Scripts, each on its own schedule.
    let (stx, mut srx) = mpsc::unbounded_channel();
    for name in &scripts {
        let Some(s) = cfg.script(name) else { continue };
        match ScriptSpec::from_model(s, default_user.as_ref()) {
            Ok(spec) => {
                spawn_script(spec, stx.clone());
            }
            Err(e) => log.vrrp(Level::Err, &format!("VRRP_Script({name}) {e}")),
        }
    }
    drop(stx);
    // Track files, read once a second.
    let (ftx, mut frx) = mpsc::unbounded_channel();
    for f in crate::track::file::specs(cfg) {
        if !files.contains(&f.name) {
            continue;
        }
        if let Err(e) = crate::track::file::init_file(&f) {
            log.vrrp(
                Level::Err,
                &format!("track_file {}: cannot initialise {}: {e}", f.name, f.path),
            );
        }
        crate::track::file::spawn_watch(f, ftx.clone());
    }
    drop(ftx);
    // Tracked processes, from /proc once a second.
    let (ptx, mut prx) = mpsc::unbounded_channel();
    for p in crate::track::process::specs(cfg) {
        if procs.contains(&p.name) {
            crate::track::process::spawn_watch(p, ptx.clone());
        }
    }
    drop(ptx);
    log.main(Level::Info, "Startup complete");

    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        log.main(Level::Err, "cannot install signal handlers");
        return 1;
    };
    let mut links = links.ok();
    loop {
        let link_ev = async {
            match links.as_mut() {
                Some(w) => w.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            Some(ev) = srx.recv() => {
                for l in &ev.logs {
                    log.vrrp(Level::Info, l);
                }
                if ev.changed.is_some() {
                    let status = match ev.state {
                        crate::vrrp::priority::ScriptState::Good => TrackStatus::Up,
                        crate::vrrp::priority::ScriptState::Bad => TrackStatus::Down,
                        crate::vrrp::priority::ScriptState::Init => TrackStatus::Unknown,
                    };
                    for tx in &inputs {
                        let _ = tx.send(Input::Track { kind: TrackKind::Script, name: ev.name.clone(), status });
                    }
                }
            }
            Some(ev) = prx.recv() => {
                broadcast(&inputs, TrackKind::Process, &ev.name, ev.up);
            }
            Some(ev) = frx.recv() => {
                for tx in &inputs {
                    let _ = tx.send(Input::Track { kind: TrackKind::File, name: ev.name.clone(), status: TrackStatus::Value(ev.value) });
                }
            }
            Some(ev) = link_ev => {
                if interfaces.contains(&ev.name) {
                    log.vrrp(Level::Info, &format!("Netlink reports {} {}", ev.name, if ev.up { "up" } else { "down" }));
                    broadcast(&inputs, TrackKind::Interface, &ev.name, ev.up && !ev.removed);
                }
            }
        }
    }
    log.main(Level::Info, "Stopping");
    for tx in &inputs {
        let _ = tx.send(Input::Shutdown);
    }
    for d in drivers {
        let _ = d.await;
    }
    log.vrrp(Level::Info, "Stopped");
    log.main(
        Level::Info,
        &format!("Stopped Keepalived v{}", crate::COMPAT),
    );
    0
}

/// The IPv6 sockets of an instance, from `unicast_src_ip` or the
/// interface's link-local address. A link-local address still tentative
/// (duplicate address detection) cannot be bound yet: retry for up to 3 s.
async fn open_v6(
    netlink: &Netlink,
    ifname: &str,
    configured: Option<IpAddr>,
    mode: Mode,
) -> Option<std::io::Result<(IpAddr, system::SocketWire)>> {
    let mut last = None;
    for _ in 0..30 {
        let src = match configured {
            Some(IpAddr::V6(a)) => Some(a),
            _ => netlink.primary_v6_linklocal(ifname).await.ok().flatten(),
        };
        if let Some(src) = src {
            match VrrpSocketV6::open(ifname, src, mode) {
                Ok(s) => return Some(Ok((IpAddr::V6(src), system::SocketWire::V6(s)))),
                Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => last = Some(Err(e)),
                Err(e) => return Some(Err(e)),
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

fn broadcast(inputs: &[mpsc::UnboundedSender<Input>], kind: TrackKind, name: &str, up: bool) {
    let status = if up {
        TrackStatus::Up
    } else {
        TrackStatus::Down
    };
    for tx in inputs {
        let _ = tx.send(Input::Track {
            kind,
            name: name.to_string(),
            status,
        });
    }
}
