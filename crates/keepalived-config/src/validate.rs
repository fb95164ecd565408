//! Checks keepalived makes once the VRRP pass has read everything: the
//! messages without a line number.

use crate::diag::Class;
use crate::engine::Ctx;
use crate::model::{AuthType, InitialState};

pub fn vrrp(ctx: &mut Ctx<'_>) {
    ctx.line = None;
    let strict = ctx.cfg.global.vrrp_strict;
    let default_version = ctx.cfg.global.vrrp_version.unwrap_or(2);

    // Script users and security come first, as scripts are set up before
    // instances are checked.
    let has_scripts = !ctx.cfg.scripts.is_empty()
        || ctx.cfg.instances.iter().any(|i| {
            i.notify.is_some()
                || i.notify_master.is_some()
                || i.notify_backup.is_some()
                || i.notify_fault.is_some()
                || i.notify_stop.is_some()
                || i.notify_deleted.is_some()
        })
        || ctx.cfg.sync_groups.iter().any(|g| {
            g.notify.is_some()
                || g.notify_master.is_some()
                || g.notify_backup.is_some()
                || g.notify_fault.is_some()
        });
    if ctx.cfg.global.enable_script_security && ctx.cfg.global.script_user.is_none() && has_scripts
    {
        if !ctx.host.user_exists("keepalived_script") {
            ctx.report(
                Class::General,
                "Unable to set default user keepalived_script for script",
            );
            let unowned: Vec<String> = ctx
                .cfg
                .scripts
                .iter()
                .filter(|s| s.user.is_none())
                .map(|s| s.name.clone())
                .collect();
            for n in unowned {
                ctx.report(
                    Class::General,
                    format!("Unable to set default user for vrrp script {n} - removing"),
                );
                ctx.cfg.scripts.retain(|s| s.name != n);
            }
        }
    }
    if let Some((u, _)) = ctx.cfg.global.script_user.clone() {
        if !ctx.host.user_exists(&u) {
            ctx.report(
                Class::General,
                format!("Unable to set default user {u} for script"),
            );
        }
    }
    if has_scripts && !ctx.cfg.global.enable_script_security {
        ctx.diags.push(
            crate::diag::Diagnostic::new(
                Class::Security,
                "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
            )
            .hint("add 'enable_script_security' to global_defs (and a 'script_user') so scripts do not run as root from writable paths"),
        );
    } else if ctx.cfg.global.enable_script_security {
        let insecure: Vec<(String, String)> = ctx
            .cfg
            .scripts
            .iter()
            .filter_map(|s| s.argv.first().map(|a| (s.name.clone(), a.clone())))
            .filter(|(_, p)| p.starts_with('/') && ctx.host.insecure_path(p))
            .collect();
        for (n, p) in insecure {
            ctx.report(
                Class::Security,
                format!("Unsafe permissions found for script '{p}' - disabling."),
            );
            ctx.cfg.scripts.retain(|s| s.name != n);
        }
    }

    let mut seen: Vec<(String, u8, bool, String)> = Vec::new();
    let mut missing_if = false;
    for idx in 0..ctx.cfg.instances.len() {
        let inst = ctx.cfg.instances[idx].clone();
        let n = inst.name.clone();
        let v6 = inst.vips.first().is_some_and(|v| v.addr.is_ipv6());
        let version = inst.version.unwrap_or(if v6 { 3 } else { default_version });
        if inst.interface.is_none() && inst.unicast_peers.is_empty() {
            ctx.report(Class::General, format!("({n}) Unknown interface!"));
        }
        if let Some(ifn) = &inst.interface {
            if !ctx.host.interface_exists(ifn) && !ctx.cfg.global.dynamic_interfaces {
                missing_if = true;
                for v in &inst.vips {
                    if v.dev.is_none() {
                        ctx.report(
                            Class::Warning,
                            format!(
                                "WARNING - interface {ifn} for ip address {}/{} doesn't exist",
                                v.addr, v.prefix
                            ),
                        );
                    }
                }
            }
        }
        if inst.vrid.is_none() {
            ctx.report(
                Class::General,
                format!("({n}) the virtual router id must be set"),
            );
        }
        if inst.nopreempt && inst.state == InitialState::Master {
            ctx.report(
                Class::General,
                format!(
                    "({n}) Warning - nopreempt will not work with initial state MASTER - clearing"
                ),
            );
            ctx.cfg.instances[idx].nopreempt = false;
        }
        if inst.preempt_delay.is_some() && inst.state == InitialState::Master {
            ctx.report(
                Class::General,
                format!("({n}) Warning - preempt delay will not work with initial state MASTER - clearing"),
            );
            ctx.cfg.instances[idx].preempt_delay = None;
        }
        if let Some((t, _)) = &inst.auth {
            if version == 3 {
                ctx.report(
                    Class::General,
                    format!("({n}) VRRP version 3 does not support authentication. Ignoring."),
                );
                ctx.cfg.instances[idx].auth = None;
            } else if strict || inst.strict_mode == Some(true) {
                ctx.report(
                    Class::General,
                    format!("({n}) Strict mode does not support authentication. Ignoring."),
                );
                ctx.cfg.instances[idx].auth = None;
            }
            let _ = t == &AuthType::Pass;
        }
        if version == 2 && !v6 {
            let us = inst.advert_int.as_micros();
            if us % 1_000_000 != 0 {
                let secs = inst.advert_int.as_secs_f64();
                ctx.report(
                    Class::General,
                    format!("({n}) VRRPv2 advertisement interval {secs:.6}s must be an integer. rounding"),
                );
                let r = secs.round().max(1.0) as u64;
                ctx.cfg.instances[idx].advert_int = std::time::Duration::from_secs(r);
            }
        }
        // Addresses of the other family are dropped.
        let fam6 = inst.vips.first().map(|v| v.addr.is_ipv6());
        if let Some(f6) = fam6 {
            let bad: Vec<String> = inst
                .vips
                .iter()
                .filter(|v| v.addr.is_ipv6() != f6)
                .map(|v| format!("{}/{}", v.addr, v.prefix))
                .collect();
            for b in &bad {
                ctx.report(
                    Class::General,
                    format!("({n}): address family must match VRRP instance [{b}] - ignoring"),
                );
            }
            ctx.cfg.instances[idx]
                .vips
                .retain(|v| v.addr.is_ipv6() == f6);
        }
        if inst.vips.is_empty() {
            ctx.report(
                Class::General,
                format!("({n}) No VIP specified; at least one is sensible"),
            );
        }
        // Tracking references.
        let mut kept = Vec::new();
        for t in &inst.track_scripts {
            if ctx.cfg.script(&t.name).is_none() {
                ctx.report(
                    Class::General,
                    format!("({n}) track script {} not found, ignoring...", t.name),
                );
            } else {
                kept.push(t.clone());
            }
        }
        ctx.cfg.instances[idx].track_scripts = kept;
        let mut kept = Vec::new();
        for t in &inst.track_interfaces {
            if Some(&t.name) == inst.interface.as_ref() {
                ctx.report(
                    Class::General,
                    format!(
                        "({n}) Ignoring track_interface {} since own interface",
                        t.name
                    ),
                );
                continue;
            }
            if !ctx.host.interface_exists(&t.name) && !ctx.cfg.global.dynamic_interfaces {
                ctx.report(
                    Class::General,
                    format!("({n}) tracked interface {} doesn't exist", t.name),
                );
                missing_if = true;
                continue;
            }
            kept.push(t.clone());
        }
        ctx.cfg.instances[idx].track_interfaces = kept;
        // One VRID per interface and family.
        if let (Some(vrid), Some(ifn)) = (inst.vrid, inst.interface.clone()) {
            if let Some((other, ..)) = seen
                .iter()
                .find(|(_, v, f6, i)| *v == vrid && *f6 == v6 && *i == ifn)
            {
                ctx.report(
                    Class::General,
                    format!(
                        "{other} and {n} both use VRID {vrid} with {} on interface {ifn}",
                        if v6 { "IPv6" } else { "IPv4" }
                    ),
                );
            }
            seen.push((n.clone(), vrid, v6, ifn));
        }
    }

    let groups = ctx.cfg.sync_groups.clone();
    for (gi, g) in groups.iter().enumerate() {
        let mut members = Vec::new();
        for m in &g.members {
            if ctx.cfg.instance(m).is_none() {
                ctx.report(
                    Class::General,
                    format!(
                        "Virtual router {m} specified in sync group {} doesn't exist - ignoring",
                        g.name
                    ),
                );
            } else {
                members.push(m.clone());
            }
        }
        if members.len() == 1 {
            ctx.report(
                Class::General,
                format!("Sync group {} has only 1 virtual router(s) - this probably isn't what you want", g.name),
            );
        }
        ctx.cfg.sync_groups[gi].members = members;
    }

    if missing_if {
        ctx.report(
            Class::BadInterface,
            "Non-existent interface specified in configuration",
        );
    }
}
