//! Checks keepalived makes once the VRRP pass has read everything: the
//! messages without a line number.
//!
//! The order is 2.2.7's: a missing interface stops the pass at once;
//! then script security, the minimal instance settings (the first
//! instance without a VRID or an interface stops everything), the sync
//! groups, each instance in turn (an instance that needs a VIP and has
//! none stops everything), and finally the VRID conflicts.

use std::time::Duration;

use crate::diag::{Class, Diagnostic};
use crate::engine::Ctx;
use crate::model::{InitialState, VrrpInstance};

pub fn vrrp(ctx: &mut Ctx<'_>) {
    ctx.line = None;
    if ctx.cfg.nonexistent_interface {
        ctx.report(
            Class::BadInterface,
            "Non-existent interface specified in configuration",
        );
        return;
    }
    if ctx.cfg.instances.is_empty() {
        return;
    }
    script_security(ctx);

    for i in 0..ctx.cfg.instances.len() {
        let inst = &ctx.cfg.instances[i];
        let n = inst.name.clone();
        if inst.vrid.is_none() {
            ctx.report(
                Class::General,
                format!("({n}) the virtual router id must be set"),
            );
            return;
        }
        if inst.interface.is_none() && inst.unicast_peers.is_empty() {
            ctx.report(Class::General, format!("({n}) Unknown interface!"));
            return;
        }
    }

    sync_groups(ctx);

    for idx in 0..ctx.cfg.instances.len() {
        if !instance(ctx, idx) {
            return;
        }
    }

    vrid_conflicts(ctx);
}

/// Whether any script (track script or notify command) is configured.
fn has_scripts(ctx: &Ctx<'_>) -> bool {
    !ctx.cfg.scripts.is_empty()
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
                || g.notify_stop.is_some()
        })
}

fn script_security(ctx: &mut Ctx<'_>) {
    // Under enable_script_security, scripts on paths a non-root user could
    // change are disabled (and dropped from the instances tracking them).
    let mut insecure_found = false;
    if ctx.cfg.global.enable_script_security {
        let insecure: Vec<(String, String)> = ctx
            .cfg
            .scripts
            .iter()
            .filter_map(|s| s.argv.first().map(|a| (s.name.clone(), a.clone())))
            .filter(|(_, p)| p.starts_with('/') && ctx.host.insecure_path(p))
            .collect();
        for (n, p) in insecure {
            insecure_found = true;
            ctx.report(
                Class::Security,
                format!("Unsafe permissions found for script '{p}' - disabling."),
            );
            ctx.cfg.scripts.retain(|s| s.name != n);
            for i in &mut ctx.cfg.instances {
                i.track_scripts.retain(|t| t.name != n);
            }
            for g in &mut ctx.cfg.sync_groups {
                g.track_scripts.retain(|t| t.name != n);
            }
        }
    }
    if has_scripts(ctx) && !ctx.cfg.global.enable_script_security {
        let extra = if insecure_found {
            " There are insecure scripts."
        } else {
            ""
        };
        ctx.diags.push(
            Diagnostic::new(
                Class::Security,
                format!("SECURITY VIOLATION - scripts are being executed but script_security not enabled.{extra}"),
            )
            .hint("add 'enable_script_security' to global_defs (and a 'script_user') so scripts do not run as root from writable paths"),
        );
    }
}

fn sync_groups(ctx: &mut Ctx<'_>) {
    let groups = ctx.cfg.sync_groups.clone();
    let mut keep = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for mut g in groups {
        if g.members.is_empty() {
            ctx.report(
                Class::General,
                format!("Sync group {} has no virtual router(s). removing", g.name),
            );
            continue;
        }
        let mut members = Vec::new();
        let mut master_owner: Option<bool> = None;
        for m in &g.members {
            let Some(inst) = ctx.cfg.instance(m).cloned() else {
                ctx.report(
                    Class::General,
                    format!(
                        "Virtual router {m} specified in sync group {} doesn't exist - ignoring",
                        g.name
                    ),
                );
                continue;
            };
            if taken.contains(m) {
                ctx.report(
                    Class::General,
                    format!(
                        "Virtual router {m} cannot exist in more than one sync group; ignoring {}",
                        g.name
                    ),
                );
                continue;
            }
            taken.push(m.clone());
            let (state, prio) = effective_state(&inst);
            let is_master = state == InitialState::Master;
            if master_owner == Some(true) && !is_master {
                ctx.report(
                    Class::General,
                    format!("Sync group {} has some member(s) as address owner and some not as address owner. This won't work.", g.name),
                );
            }
            if master_owner != Some(false) {
                master_owner = Some(is_master && prio == 255);
            }
            members.push(m.clone());
        }
        if members.is_empty() {
            ctx.report(
                Class::General,
                format!(
                    "Sync group {}, no matching virtual router found in group declaration - removing",
                    g.name
                ),
            );
            continue;
        }
        if members.len() == 1 {
            ctx.report(
                Class::General,
                format!("Sync group {} has only 1 virtual router(s) - this probably isn't what you want", g.name),
            );
        }
        g.members = members;
        keep.push(g);
    }
    ctx.cfg.sync_groups = keep;
}

/// The initial state and priority once the unset one follows the other:
/// an unset priority is 255 for `state MASTER` (100 otherwise), an unset
/// state is MASTER only for priority 255.
fn effective_state(i: &VrrpInstance) -> (InitialState, u8) {
    let prio = if i.priority_set {
        i.priority
    } else if i.state_set && i.state == InitialState::Master {
        255
    } else {
        100
    };
    let state = if i.state_set {
        i.state
    } else if prio == 255 {
        InitialState::Master
    } else {
        InitialState::Backup
    };
    (state, prio)
}

/// One instance's checks; false stops the whole pass.
fn instance(ctx: &mut Ctx<'_>, idx: usize) -> bool {
    let g_strict = ctx.cfg.global.vrrp_strict;
    let g_version = ctx.cfg.global.vrrp_version.unwrap_or(2);
    let mut inst = ctx.cfg.instances[idx].clone();
    let n = inst.name.clone();
    let strict = inst.strict_mode.unwrap_or(g_strict);
    let v6 = inst.vips.first().is_some_and(|v| v.addr.is_ipv6());

    let mut version = inst.version.unwrap_or(0);
    if v6 {
        if version == 2 && strict {
            ctx.report(
                Class::General,
                format!("({n}) cannot use IPv6 with VRRP version 2; setting version 3"),
            );
            version = 3;
        } else if version == 0 {
            version = 3;
        }
    }
    if version == 0 {
        version = g_version;
    }
    inst.version = Some(version);

    if inst.vips.is_empty() {
        if version == 3 || strict {
            ctx.report(
                Class::General,
                format!("({n}) No VIP specified; at least one is required"),
            );
            return false;
        }
        ctx.report(
            Class::General,
            format!("({n}) No VIP specified; at least one is sensible"),
        );
    }

    let (mut state, prio) = effective_state(&inst);
    if inst.state_set && strict && ((state == InitialState::Master) != (prio == 255)) {
        ctx.report(
            Class::General,
            format!("({n}) State MASTER must match being address owner"),
        );
        state = if prio == 255 {
            InitialState::Master
        } else {
            InitialState::Backup
        };
    }
    inst.priority = prio;
    inst.state = state;

    if let Some((t, pw)) = &inst.auth {
        let msg = if strict {
            Some("Strict mode does not support authentication. Ignoring.")
        } else if version == 3 {
            Some("VRRP version 3 does not support authentication. Ignoring.")
        } else if pw.is_empty() {
            Some("Authentication specified but no password given. Ignoring")
        } else if v6 && *t == crate::model::AuthType::Ah {
            Some("Cannot use AH authentication with IPv6. ignoring")
        } else {
            None
        };
        if let Some(m) = msg {
            ctx.report(Class::General, format!("({n}) {m}"));
            inst.auth = None;
        } else if *t == crate::model::AuthType::Ah && state == InitialState::Master && prio != 255 {
            ctx.report(
                Class::General,
                format!(
                    "({n}) Initial state master is incompatible with AH authentication - clearing"
                ),
            );
            inst.state = InitialState::Backup;
            state = InitialState::Backup;
        }
    }

    if inst.unicast_configured && inst.unicast_peers.is_empty() && !inst.unicast_fault_no_peer {
        ctx.report(
            Class::Deprecated,
            format!("({n}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration."),
        );
    }
    let unicast = !inst.unicast_peers.is_empty();

    if prio == 255 && inst.nopreempt {
        ctx.report(
            Class::General,
            format!("({n}) nopreempt is incompatible with priority 255. resetting nopreempt"),
        );
        inst.nopreempt = false;
    }
    if state == InitialState::Master {
        if inst.nopreempt {
            ctx.report(
                Class::General,
                format!(
                    "({n}) Warning - nopreempt will not work with initial state MASTER - clearing"
                ),
            );
            inst.nopreempt = false;
        }
        if inst.preempt_delay.is_some_and(|d| !d.is_zero()) {
            ctx.report(
                Class::General,
                format!("({n}) Warning - preempt delay will not work with initial state MASTER - clearing"),
            );
            inst.preempt_delay = None;
        }
    }
    if inst.preempt_delay.is_some_and(|d| !d.is_zero()) {
        if strict {
            ctx.report(
                Class::General,
                format!("({n}) preempt_delay is incompatible with strict mode - resetting"),
            );
            inst.preempt_delay = None;
        }
        if inst.nopreempt {
            ctx.report(
                Class::General,
                format!("({n}) preempt_delay is incompatible with nopreempt mode - resetting"),
            );
            inst.preempt_delay = None;
        }
    }
    if strict && inst.down_timer_adverts.is_some_and(|d| d != 3) {
        ctx.report(
            Class::General,
            format!("({n}) down_timer_adverts is incompatible with strict mode - resetting"),
        );
        inst.down_timer_adverts = None;
    }
    let accept = inst.accept.unwrap_or(prio == 255 || !strict);
    if accept && prio != 255 && strict && version == 2 {
        ctx.report(
            Class::General,
            format!(
                "({n}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting"
            ),
        );
        inst.accept = Some(false);
    }
    if unicast && inst.mcast_dst_ip.is_some() {
        ctx.report(
            Class::General,
            format!("({n}) multicast destination specified with unicast - ignoring"),
        );
        inst.mcast_dst_ip = None;
    }
    if strict {
        if inst.garp_lower_prio_repeat.is_some_and(|v| v != 0) {
            ctx.report(
                Class::General,
                format!("({n}) Strict mode requires no repeat garps. resetting"),
            );
            inst.garp_lower_prio_repeat = Some(0);
        }
        if inst.garp_lower_prio_delay.is_some_and(|v| v != 0) {
            ctx.report(
                Class::General,
                format!("({n}) Strict mode requires no repeat garp delay. resetting"),
            );
            inst.garp_lower_prio_delay = Some(0);
        }
        if inst.lower_prio_no_advert == Some(false) {
            ctx.report(
                Class::General,
                format!("({n}) Strict mode requires no lower priority advert. resetting"),
            );
            inst.lower_prio_no_advert = Some(true);
        }
        if inst.higher_prio_send_advert == Some(true) {
            ctx.report(
                Class::General,
                format!(
                    "({n}) strict mode requires higher_prio_send_advert to be clear. resetting"
                ),
            );
            inst.higher_prio_send_advert = Some(false);
        }
    }

    advert_interval(ctx, &mut inst, version);

    // The own interface is tracked anyway.
    if let Some(own) = inst.interface.clone() {
        if inst.track_interfaces.iter().any(|t| t.name == own) {
            ctx.report(
                Class::General,
                format!("({n}) Ignoring track_interface {own} since own interface"),
            );
            inst.track_interfaces.retain(|t| t.name != own);
        }
    }
    if inst.vmac_xmit_base && inst.use_vmac.is_none() {
        ctx.report(
            Class::General,
            format!("({n}) vmac_xmit_base is only valid with a vmac"),
        );
        inst.vmac_xmit_base = false;
    }

    if inst.vips.is_empty() {
        ctx.report(
            Class::Warning,
            format!("({n}) No VIP specified; at least one is sensible"),
        );
    }
    ctx.cfg.instances[idx] = inst;
    true
}

/// VRRPv2 intervals are whole seconds below 256; v3 ones are centiseconds
/// below 40.96 s.
fn advert_interval(ctx: &mut Ctx<'_>, inst: &mut VrrpInstance, version: u8) {
    let n = inst.name.clone();
    let us = inst.advert_int.as_micros() as u64;
    let us = if us == 0 { 1_000_000 } else { us };
    let secs = us as f64 / 1e6;
    let out = if version == 2 {
        if us >= 256 * 1_000_000 {
            ctx.report(
                Class::General,
                format!("({n}) VRRPv2 advertisement interval {secs:.2}s is out of range. Must be less than 256s. Setting to 255s"),
            );
            255 * 1_000_000
        } else if us % 1_000_000 != 0 {
            ctx.report(
                Class::General,
                format!(
                    "({n}) VRRPv2 advertisement interval {secs:.6}s must be an integer. rounding"
                ),
            );
            let r = (us + 500_000) / 1_000_000 * 1_000_000;
            r.max(1_000_000)
        } else {
            us
        }
    } else if us >= 4096 * 10_000 {
        ctx.report(
            Class::General,
            format!("({n}) VRRPv3 advertisement interval {secs:.2}s is out of range. Must be less than 40.96s. Setting to 40.95s"),
        );
        4095 * 10_000
    } else if us % 10_000 != 0 {
        ctx.report(
            Class::General,
            format!("({n}) VRRPv3 advertisement interval {secs:.6}s must be in units of 10ms - rounding"),
        );
        let r = (us + 5_000) / 10_000 * 10_000;
        r.max(10_000)
    } else {
        us
    };
    inst.advert_int = Duration::from_micros(out);
}

/// Two instances on one interface may not share a VRID within a family.
fn vrid_conflicts(ctx: &mut Ctx<'_>) {
    let list: Vec<(String, u8, bool, Option<String>)> = ctx
        .cfg
        .instances
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                i.vrid.unwrap_or(0),
                i.vips.first().is_some_and(|v| v.addr.is_ipv6()),
                i.interface.clone(),
            )
        })
        .collect();
    for (a, (n1, vrid1, f1, if1)) in list.iter().enumerate() {
        let Some(ifn) = if1 else { continue };
        for (n2, vrid2, f2, if2) in &list[a + 1..] {
            if vrid1 == vrid2 && f1 == f2 && if2.as_ref() == Some(ifn) {
                ctx.report(
                    Class::General,
                    format!(
                        "{n1} and {n2} both use VRID {vrid1} with IPv{} on interface {ifn}",
                        if *f1 { 6 } else { 4 }
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::host::MemHost;
    use crate::{check, Options, Report};

    fn run(text: &str) -> (Vec<String>, i32) {
        run_with(MemHost::with_interfaces(&["eth0", "eth1"]), text)
    }

    fn run_with(mut h: MemHost, text: &str) -> (Vec<String>, i32) {
        h.files.insert("/k.conf".into(), text.as_bytes().to_vec());
        let r: Report = check("/k.conf", &h, &Options::default());
        let code = r.exit_code();
        (r.diags.iter().map(|d| d.render()).collect(), code)
    }

    const VI: &str =
        "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 50\n virtual_ipaddress {\n 198.51.100.1\n }\n";

    #[test]
    fn no_vip_is_reported_twice_around_the_other_checks() {
        let (d, c) = run(
            "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 50\n state MASTER\n nopreempt\n track_interface {\n eth0\n }\n}\n",
        );
        assert_eq!(
            d,
            [
                "(VI_1) No VIP specified; at least one is sensible",
                "(VI_1) nopreempt is incompatible with priority 255. resetting nopreempt",
                "(VI_1) Ignoring track_interface eth0 since own interface",
                "(VI_1) No VIP specified; at least one is sensible",
            ]
        );
        assert_eq!(c, 5);
    }

    #[test]
    fn missing_vrid_stops_the_checks() {
        let (d, _) = run("vrrp_instance VI_1 {\n interface eth0\n}\nvrrp_instance VI_2 {\n}\n");
        assert_eq!(d, ["(VI_1) the virtual router id must be set"]);
    }

    #[test]
    fn v3_without_vip_is_required_and_stops() {
        let (d, _) = run("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n version 3\n state MASTER\n nopreempt\n}\n");
        assert_eq!(d, ["(VI_1) No VIP specified; at least one is required"]);
    }

    #[test]
    fn nonexistent_interface_ends_the_pass() {
        let (d, c) = run(&format!(
            "{VI} virtual_ipaddress {{\n 198.51.100.2 dev eth9\n }}\n state MASTER\n nopreempt\n}}\n"
        ));
        assert_eq!(
            d,
            [
                "(/k.conf: Line 8) WARNING - interface eth9 for ip address 198.51.100.2 doesn't exist",
                "Non-existent interface specified in configuration",
            ]
        );
        assert_eq!(c, 5);
    }

    #[test]
    fn track_lookups_happen_while_reading() {
        let (d, _) = run(&format!(
            "{VI} track_script {{\n later\n }}\n track_interface {{\n eth9\n }}\n}}\nvrrp_script later {{\n script /bin/true\n}}\n"
        ));
        assert_eq!(
            d[0],
            "(/k.conf: Line 8) (VI_1) track script later not found, ignoring..."
        );
        assert_eq!(
            d[1],
            "(/k.conf: Line 11) (VI_1) tracked interface eth9 doesn't exist"
        );
        assert_eq!(d[2], "Non-existent interface specified in configuration");
    }

    #[test]
    fn script_security_default_user() {
        let (d, c) = run(&format!(
            "global_defs {{\n enable_script_security\n}}\nvrrp_script s {{\n script /bin/true\n}}\n{VI} track_script {{\n s\n }}\n}}\n"
        ));
        assert_eq!(
            d,
            [
                "(/k.conf: Line 6) Unable to set default user keepalived_script for script",
                "(/k.conf: Line 6) Unable to set default user for vrrp script s - removing",
                "(/k.conf: Line 14) (VI_1) track script s not found, ignoring...",
            ]
        );
        assert_eq!(c, 5);
        let mut h = MemHost::with_interfaces(&["eth0"]);
        h.users.push("keepalived_script".into());
        let (d, c) = run_with(
            h,
            &format!("global_defs {{\n enable_script_security\n}}\nvrrp_script s {{\n script /bin/true\n}}\n{VI}}}\n"),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c, 0);
        let (d, c) = run(&format!(
            "vrrp_script s {{\n script /bin/true\n}}\n{VI}}}\n"
        ));
        assert_eq!(
            d,
            ["SECURITY VIOLATION - scripts are being executed but script_security not enabled."]
        );
        assert_eq!(c, 6);
    }

    #[test]
    fn routes_and_rules() {
        let (d, _) = run(&format!(
            "{VI} virtual_routes {{\n 192.0.2.0/24 via 198.51.100.9\n blackhole 192.0.2.128/25 no_track\n 203.0.113.0/24 dev eth0\n }}\n virtual_rules {{\n from 198.51.100.1 table 7\n from 198.51.100.2 table 7 priority 9\n }}\n}}\n"
        ));
        assert_eq!(
            d,
            [
                "(/k.conf: Line 8) Warning - cannot track route 192.0.2.0/24 with no interface specified, not tracking",
                "(/k.conf: Line 13) Rule has no preference specified - setting to 16384. This is probably not what you want.",
            ]
        );
    }

    #[test]
    fn global_keywords_without_value_are_not_all_fatal() {
        let (d, c) = run(&format!(
            "global_defs {{\n router_id\n smtp_helo_name\n}}\n{VI}}}\n"
        ));
        assert_eq!(d, ["(Line 2) routerid name missing - ignoring"]);
        assert_eq!(c, 5);
        let (_, c) = run(&format!("global_defs {{\n smtp_server\n}}\n{VI}}}\n"));
        assert_eq!(c, 2);
        let (d, _) = run(&format!(
            "global_defs {{\n max_auto_priority 100\n vrrp_version 4\n}}\n{VI}}}\n"
        ));
        assert_eq!(
            d,
            [
                "(Line 2) number '100' outside range [-1, 99]",
                "(Line 2) max_auto_priority '100' must be in [0, 99] (or -1 to disable) - ignoring",
                "(Line 3) number '4' outside range [2, 3]",
                "(Line 3) VRRP Error: Version must be either 2 or 3",
            ]
        );
    }

    #[test]
    fn advert_int_rounding_and_unicast_ttl() {
        let (d, _) = run(&format!("{VI} advert_int 1.5\n}}\n"));
        assert_eq!(
            d,
            ["(VI_1) VRRPv2 advertisement interval 1.500000s must be an integer. rounding"]
        );
        let (d, _) = run(&format!("{VI} version 3\n advert_int 0.015\n}}\n"));
        assert_eq!(
            d,
            ["(VI_1) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding"]
        );
        let (d, _) = run(&format!("{VI} unicast_ttl 5\n}}\n"));
        assert_eq!(
            d,
            ["(/k.conf: Line 8) (VI_1): Cannot use unicast_ttl without unicast peers - resetting"]
        );
    }

    #[test]
    fn value_block_without_brace_reads_on_silently() {
        // The block's `}` then closes nothing, as in keepalived.
        let (d, _) = run(
            "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 50\n virtual_ipaddress\n 198.51.100.1\n }\n}\n",
        );
        assert!(!d.iter().any(|l| l.contains("Missing '{'")), "{d:?}");
        assert!(!d.iter().any(|l| l.contains("No VIP")), "{d:?}");
    }

    #[test]
    fn vip_family_and_prefix() {
        let (d, _) = run(&format!(
            "{VI} virtual_ipaddress {{\n 198.51.100.7/33\n 2001:db8::1/64\n }}\n}}\n"
        ));
        assert_eq!(
            d,
            [
                "(/k.conf: Line 8) number '33' outside range [0, 32]",
                "(/k.conf: Line 8) Invalid address prefix len 33 for address 198.51.100.7/33 - using 32",
                "(/k.conf: Line 9) (VI_1): address family must match VRRP instance [2001:db8::1/64] - ignoring",
            ]
        );
    }
}
