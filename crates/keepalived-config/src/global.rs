//! `global_defs` (read by the parent pass only, so its errors print once).

use crate::diag::Class;
use crate::engine::{Ctx, Kw, Status};
use crate::model::Directive;
use crate::values;

fn email_line(ctx: &mut Ctx<'_>, w: &[String]) {
    ctx.cfg.global.notification_email.extend(w.iter().cloned());
}

/// Keywords whose handler reports its own message when the value is
/// missing (instead of the fatal "missing a parameter"), as 2.2.7 does.
static MISSING: &[(&str, &str)] = &[
    (
        "tmp_config_directory",
        "tmp_config_directory missing directory name",
    ),
    ("startup_script", "startup script missing"),
    (
        "startup_script_timeout",
        "startup_script_timeout requires value",
    ),
    ("shutdown_script", "shutdown script missing"),
    (
        "shutdown_script_timeout",
        "shutdown_script_timeout requires value",
    ),
    ("notification_email_from", "emailfrom missing - ignoring"),
    ("router_id", "routerid name missing - ignoring"),
    (
        "default_interface",
        "default_interface requires interface name",
    ),
    ("lvs_sync_daemon", "lvs_sync_daemon requires interface"),
    ("lvs_timeouts", "lvs_timeouts requires at least one option"),
    (
        "vrrp_garp_extra_if",
        "vrrp_garp_extra_if specified without time - ignoring",
    ),
    (
        "min_auto_priority_delay",
        "min_auto_priority_delay requires delay time",
    ),
    ("vrrp_priority", "No vrrp process priority specified"),
    ("checker_priority", "No checker process priority specified"),
    ("bfd_priority", "No bfd process priority specified"),
    ("vrrp_cpu_affinity", "No vrrp cpu_id set specified"),
    ("checker_cpu_affinity", "No checker cpu_id set specified"),
    ("bfd_cpu_affinity", "No bfd cpu_id set specified"),
    (
        "vrrp_rt_priority",
        "No vrrp process real-time priority specified",
    ),
    (
        "checker_rt_priority",
        "No checker process real-time priority specified",
    ),
    (
        "bfd_rt_priority",
        "No bfd process real-time priority specified",
    ),
    ("snmp_socket", "SNMP error : snmp socket name missing"),
    ("dbus_service_name", "dbus_service_name missing - ignoring"),
    ("script_user", "No script username specified"),
    ("notify_fifo", "No notify_fifo name specified"),
    ("notify_fifo_script", "No notify_fifo_script specified"),
    ("vrrp_notify_fifo", "No vrrp_notify_fifo name specified"),
    (
        "vrrp_notify_fifo_script",
        "No vrrp_notify_fifo_script specified",
    ),
    ("lvs_notify_fifo", "No lvs_notify_fifo name specified"),
    (
        "lvs_notify_fifo_script",
        "No lvs_notify_fifo_script specified",
    ),
    (
        "vrrp_netlink_cmd_rcv_bufs",
        "vrrp_netlink_cmd_rcv_bufs size missing",
    ),
    (
        "vrrp_netlink_monitor_rcv_bufs",
        "vrrp_netlink_monitor_rcv_bufs size missing",
    ),
    (
        "lvs_netlink_cmd_rcv_bufs",
        "lvs_netlink_cmd_rcv_bufs size missing",
    ),
    (
        "lvs_netlink_monitor_rcv_bufs",
        "lvs_netlink_monitor_rcv_bufs size missing",
    ),
    (
        "process_monitor_rcv_bufs",
        "process_monitor_rcv_bufs size missing",
    ),
    ("vrrp_rx_bufs_policy", "vrrp_rx_bufs_policy missing"),
    ("vrrp_rx_bufs_multiplier", "Invalid vrrp_rx_bufs_multiplier"),
    ("reload_time_file", "reload_time_file invalid"),
];

/// Report a missing value the way the keyword's handler does; true when
/// the handler should stop.
fn missing(ctx: &mut Ctx<'_>, w: &[String]) -> bool {
    if w.len() >= 2 {
        return false;
    }
    if let Some((_, m)) = MISSING.iter().find(|(k, _)| *k == w[0]) {
        ctx.error(Class::General, *m);
    }
    true
}

fn text(ctx: &mut Ctx<'_>, w: &[String]) {
    if missing(ctx, w) {
        return;
    }
    let g = &mut ctx.cfg.global;
    let v = Some(w[1].clone());
    match w[0].as_str() {
        "router_id" => g.router_id = v,
        "notification_email_from" => g.notification_email_from = v,
        "smtp_helo_name" => g.smtp_helo_name = v,
        "default_interface" => g.default_interface = v,
        "vrrp_notify_fifo" => g.vrrp_notify_fifo = v,
        "notify_fifo" => g.notify_fifo = v,
        _ => {}
    }
}

fn smtp_server(ctx: &mut Ctx<'_>, w: &[String]) {
    // 2.2.7 reads the port twice (both reads report), then names the
    // whole setting in one line.
    let port_str = w.get(2).cloned().unwrap_or_else(|| "25".into());
    let port = match w.get(2) {
        None => Some(25),
        Some(p) => {
            let a = values::int(ctx, p, 1, 65535);
            if a.is_none() {
                let _ = values::int(ctx, p, 1, 65535);
            }
            a.map(|v| v as u16)
        }
    };
    let host_ok = values::ip(&w[1]).is_some();
    match port {
        Some(port) if host_ok => ctx.cfg.global.smtp_server = Some((w[1].clone(), port)),
        _ => ctx.error(
            Class::General,
            format!("Invalid smtp server {} {port_str}", w[1]),
        ),
    }
}

/// `(lo, hi, message on a bad value, message when 0 is bumped to 1)`.
fn number_spec(kw: &str) -> (i64, i64, &'static str, Option<&'static str>) {
    let big = i64::from(u32::MAX / 1_000_000);
    match kw {
        "smtp_connect_timeout" => (
            0,
            big,
            "smtp_connect_timeout '%s' must be in [0, 4294] - ignoring",
            Some("smtp_conect_timeout must be greater than 0, setting to 1"),
        ),
        "vrrp_version" => (2, 3, "VRRP Error: Version must be either 2 or 3", None),
        "max_auto_priority" => (
            -1,
            99,
            "max_auto_priority '%s' must be in [0, 99] (or -1 to disable) - ignoring",
            None,
        ),
        "vrrp_down_timer_adverts" => (1, 100, "Invalid vrrp_down_timer_adverts [1:100] '%s'", None),
        "vrrp_garp_master_delay" => (
            0,
            big,
            "vrrp_garp_master_delay '%s' invalid - ignoring",
            None,
        ),
        "vrrp_garp_master_repeat" => (
            0,
            i64::from(u32::MAX),
            "vrrp_garp_master_repeat '%s' invalid - ignoring",
            Some("vrrp_garp_master_repeat must be greater than 0, setting to 1"),
        ),
        "vrrp_garp_master_refresh" => (
            0,
            i64::from(u32::MAX),
            "Invalid vrrp_garp_master_refresh '%s' - ignoring",
            None,
        ),
        "vrrp_garp_master_refresh_repeat" => (
            0,
            i64::from(u32::MAX),
            "vrrp_garp_master_refresh_repeat '%s' invalid - ignoring",
            Some("vrrp_garp_master_refresh_repeat must be greater than 0, setting to 1"),
        ),
        "vrrp_garp_lower_prio_delay" => (
            0,
            big,
            "vrrp_garp_lower_prio_delay '%s' invalid - ignoring",
            None,
        ),
        "vrrp_garp_lower_prio_repeat" => (
            0,
            i64::from(i32::MAX),
            "Invalid vrrp_garp_lower_prio_repeat '%s'",
            None,
        ),
        _ => (0, i64::from(u32::MAX), "%s invalid", None),
    }
}

fn number(ctx: &mut Ctx<'_>, w: &[String]) {
    let Some(arg) = w.get(1) else {
        return;
    };
    let (lo, hi, bad, zero) = number_spec(&w[0]);
    let Some(mut v) = values::int(ctx, arg, lo, hi) else {
        ctx.error(Class::General, bad.replace("%s", arg));
        return;
    };
    if v == 0 {
        if let Some(z) = zero {
            ctx.error(Class::General, z);
            v = 1;
        }
    }
    let g = &mut ctx.cfg.global;
    let u = Some(v as u32);
    match w[0].as_str() {
        "smtp_connect_timeout" => g.smtp_connect_timeout = u,
        "vrrp_version" => g.vrrp_version = Some(v as u8),
        "vrrp_garp_master_delay" => g.vrrp_garp_master_delay = u,
        "vrrp_garp_master_repeat" => g.vrrp_garp_master_repeat = u,
        "vrrp_garp_master_refresh" => g.vrrp_garp_master_refresh = u,
        "vrrp_garp_master_refresh_repeat" => g.vrrp_garp_master_refresh_repeat = u,
        "vrrp_garp_lower_prio_delay" => g.vrrp_garp_lower_prio_delay = u,
        "vrrp_garp_lower_prio_repeat" => g.vrrp_garp_lower_prio_repeat = u,
        "vrrp_down_timer_adverts" => g.vrrp_down_timer_adverts = u,
        "max_auto_priority" => g.max_auto_priority = Some(v as i32),
        _ => {}
    }
}

fn interval(ctx: &mut Ctx<'_>, w: &[String]) {
    let lo = if w[0] == "vrrp_startup_delay" {
        0.001
    } else {
        0.000001
    };
    let Some(d) = values::decimal(ctx, &w[1], lo, f64::from(u32::MAX) / 1e6) else {
        ctx.error(Class::General, format!("{} '{}' is invalid", w[0], w[1]));
        return;
    };
    let g = &mut ctx.cfg.global;
    match w[0].as_str() {
        "vrrp_garp_interval" => g.vrrp_garp_interval = Some(d),
        "vrrp_gna_interval" => g.vrrp_gna_interval = Some(d),
        "vrrp_startup_delay" => g.vrrp_startup_delay = Some(d),
        _ => {}
    }
}

/// `<BOOL>` keywords with their own message for a bad value.
fn flag(ctx: &mut Ctx<'_>, w: &[String]) {
    let v = match w.get(1).map(String::as_str) {
        None => Some(true),
        Some("on" | "true" | "yes") => Some(true),
        Some("off" | "false" | "no") => Some(false),
        Some(x) => {
            let msg = match w[0].as_str() {
                "smtp_alert"
                | "smtp_alert_vrrp"
                | "smtp_alert_checker"
                | "vrrp_notify_priority_changes" => {
                    Some(format!("Invalid value '{x}' for global {} specified", w[0]))
                }
                "vrrp_min_garp" | "vrrp_higher_prio_send_advert" | "vrrp_lower_prio_no_advert" => {
                    Some(format!("Invalid value for {} specified", w[0]))
                }
                "dynamic_interfaces" if x != "allow_if_changes" => {
                    Some(format!("Unknown dynamic_interfaces option '{x}'"))
                }
                _ => None,
            };
            if let Some(m) = msg {
                ctx.error(Class::General, m);
                return;
            }
            Some(true)
        }
    };
    let g = &mut ctx.cfg.global;
    let on = v.unwrap_or(true);
    match w[0].as_str() {
        "smtp_alert" => g.smtp_alert = v,
        "smtp_alert_vrrp" => g.smtp_alert_vrrp = v,
        "smtp_alert_checker" => g.smtp_alert_checker = v,
        "no_email_faults" => g.no_email_faults = true,
        "enable_script_security" => g.enable_script_security = true,
        "vrrp_min_garp" => g.vrrp_min_garp = on,
        "vrrp_strict" => g.vrrp_strict = true,
        "vrrp_check_unicast_src" => g.vrrp_check_unicast_src = true,
        "vrrp_skip_check_adv_addr" => g.vrrp_skip_check_adv_addr = on,
        "vrrp_lower_prio_no_advert" => g.vrrp_lower_prio_no_advert = v,
        "vrrp_higher_prio_send_advert" => g.vrrp_higher_prio_send_advert = v,
        "dynamic_interfaces" => g.dynamic_interfaces = true,
        _ => {}
    }
}

fn mcast_group(ctx: &mut Ctx<'_>, w: &[String]) {
    let Some(a) = values::ip(&w[1]).filter(|a| (w[0] == "vrrp_mcast_group4") == a.is_ipv4()) else {
        ctx.error(
            Class::General,
            format!("Can't parse {} [{}]. Skipping", w[0], w[1]),
        );
        return;
    };
    if !a.is_multicast() {
        ctx.error(
            Class::General,
            format!("{} [{}] is not multicast. Skipping", w[0], w[1]),
        );
        return;
    }
    if w[0] == "vrrp_mcast_group4" {
        ctx.cfg.global.vrrp_mcast_group4 = Some(a);
    } else {
        ctx.cfg.global.vrrp_mcast_group6 = Some(a);
    }
}

fn script_user(ctx: &mut Ctx<'_>, w: &[String]) {
    if missing(ctx, w) {
        return;
    }
    let ok = ctx.host.user_exists(&w[1]) && w.get(2).is_none_or(|g| ctx.host.group_exists(g));
    if !ok {
        ctx.error(Class::General, "Error setting global script uid/gid");
        ctx.cfg.default_script_user_failed = Some(true);
    } else {
        ctx.cfg.default_script_user_failed = Some(false);
    }
    ctx.cfg.global.script_user = Some((w[1].clone(), w.get(2).cloned()));
}

fn firewall(ctx: &mut Ctx<'_>, w: &[String]) {
    let v = Some(w[1..].to_vec());
    if w[0].starts_with("nftables") {
        ctx.cfg.global.nftables = v;
    } else {
        // This build has nftables only.
        ctx.error(
            Class::General,
            "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
        );
        ctx.cfg.global.nftables = Some(Vec::new());
    }
}

fn keep(ctx: &mut Ctx<'_>, w: &[String]) {
    if missing(ctx, w) && MISSING.iter().any(|(k, _)| *k == w[0]) {
        return;
    }
    let loc = ctx.loc();
    ctx.cfg.global.other.push(Directive {
        words: w.to_vec(),
        location: loc,
    });
}

const fn p(name: &'static str, min: usize) -> Kw {
    Kw::leaf(name, min, keep).status(Status::Parsed)
}

/// A kept keyword whose missing value is reported by [`MISSING`].
const fn q(name: &'static str) -> Kw {
    Kw::leaf(name, 0, keep).status(Status::Parsed)
}

pub static GLOBAL_DEFS: &[Kw] = &[
    Kw::values("notification_email", None, email_line),
    Kw::leaf("notification_email_from", 0, text),
    Kw::leaf("router_id", 0, text),
    Kw::leaf("smtp_server", 1, smtp_server),
    Kw::leaf("smtp_helo_name", 0, text),
    Kw::leaf("smtp_connect_timeout", 1, number),
    Kw::leaf("smtp_alert", 0, flag),
    Kw::leaf("smtp_alert_vrrp", 0, flag),
    Kw::leaf("smtp_alert_checker", 0, flag),
    Kw::leaf("no_email_faults", 0, flag),
    Kw::leaf("enable_script_security", 0, flag),
    Kw::leaf("script_user", 0, script_user),
    Kw::leaf("vrrp_version", 1, number),
    Kw::leaf("vrrp_mcast_group4", 1, mcast_group),
    Kw::leaf("vrrp_mcast_group6", 1, mcast_group),
    Kw::leaf("vrrp_garp_master_delay", 1, number),
    Kw::leaf("vrrp_garp_master_repeat", 1, number),
    Kw::leaf("vrrp_garp_master_refresh", 1, number),
    Kw::leaf("vrrp_garp_master_refresh_repeat", 1, number),
    Kw::leaf("vrrp_garp_lower_prio_delay", 1, number),
    Kw::leaf("vrrp_garp_lower_prio_repeat", 1, number),
    Kw::leaf("vrrp_garp_interval", 1, interval),
    Kw::leaf("vrrp_gna_interval", 1, interval),
    Kw::leaf("vrrp_min_garp", 0, flag),
    Kw::leaf("vrrp_down_timer_adverts", 1, number),
    Kw::leaf("vrrp_lower_prio_no_advert", 0, flag),
    Kw::leaf("vrrp_higher_prio_send_advert", 0, flag),
    Kw::leaf("vrrp_check_unicast_src", 0, flag),
    Kw::leaf("vrrp_skip_check_adv_addr", 0, flag),
    Kw::leaf("vrrp_strict", 0, flag),
    Kw::leaf("vrrp_iptables", 0, firewall),
    Kw::leaf("nftables", 0, firewall),
    Kw::leaf("nftables_priority", 1, keep).status(Status::Parsed),
    Kw::leaf("nftables_ifindex", 0, keep).status(Status::Parsed),
    Kw::leaf("nftables_counters", 0, keep).status(Status::Parsed),
    Kw::leaf("max_auto_priority", 0, number),
    Kw::leaf("dynamic_interfaces", 0, flag),
    Kw::leaf("default_interface", 0, text),
    Kw::leaf("vrrp_notify_fifo", 0, text),
    Kw::leaf("notify_fifo", 0, text),
    Kw::leaf("vrrp_startup_delay", 1, interval),
    p("min_auto_priority_delay", 0),
    p("vrrp_garp_extra_if", 0),
    p("vrrp_priority", 0),
    p("vrrp_no_swap", 0),
    p("vrrp_rt_priority", 0),
    p("vrrp_cpu_affinity", 0),
    p("vrrp_rlimit_rttime", 1),
    p("vrrp_rlimit_rtime", 1),
    p("vrrp_notify_fifo_script", 0),
    p("notify_fifo_script", 0),
    p("vrrp_notify_priority_changes", 0),
    p("fifo_write_vrrp_states_on_reload", 0),
    p("log_unknown_vrids", 0),
    p("vmac_prefix", 1),
    p("vmac_addr_prefix", 1),
    p("vrrp_netlink_cmd_rcv_bufs", 0),
    p("vrrp_netlink_cmd_rcv_bufs_force", 0),
    p("vrrp_netlink_monitor_rcv_bufs", 0),
    p("vrrp_netlink_monitor_rcv_bufs_force", 0),
    p("vrrp_rx_bufs_policy", 0),
    p("vrrp_rx_bufs_multiplier", 0),
    p("disable_local_igmp", 0),
    p("process_names", 0),
    p("process_name", 1),
    p("vrrp_process_name", 1),
    p("checker_process_name", 1),
    p("bfd_process_name", 1),
    p("startup_script", 0),
    p("startup_script_timeout", 0),
    p("shutdown_script", 0),
    p("shutdown_script_timeout", 0),
    p("umask", 1),
    p("random_seed", 1),
    p("reload_check_config", 0),
    p("reload_time_file", 0),
    p("reload_repeat", 0),
    p("reload_file", 0),
    p("include_check", 0),
    p("config_save_dir", 1),
    p("tmp_config_directory", 0),
    p("data_use_instance", 0),
    p("snmp_socket", 0),
    p("enable_snmp_vrrp", 0),
    p("enable_snmp_rfc", 0),
    p("enable_snmp_rfcv2", 0),
    p("enable_snmp_rfcv3", 0),
    p("enable_snmp_checker", 0),
    p("enable_snmp_keepalived", 0),
    p("enable_traps", 0),
    p("enable_dbus", 0),
    p("dbus_service_name", 0),
    p("lvs_sync_daemon", 0),
    p("lvs_timeouts", 0),
    p("lvs_flush", 0),
    p("lvs_flush_on_stop", 0),
    p("lvs_flush_onstop", 0),
    p("lvs_notify_fifo", 0),
    p("lvs_notify_fifo_script", 0),
    p("checker_priority", 0),
    p("checker_no_swap", 0),
    p("checker_rt_priority", 0),
    p("checker_cpu_affinity", 0),
    p("checker_rlimit_rttime", 1),
    p("checker_rlimit_rtime", 1),
    p("checker_log_all_failures", 0),
    p("bfd_priority", 0),
    p("bfd_no_swap", 0),
    p("bfd_rt_priority", 0),
    p("bfd_cpu_affinity", 0),
    p("bfd_rlimit_rttime", 1),
    p("bfd_rlimit_rtime", 1),
    p("rs_init_notifies", 0),
    p("no_checker_emails", 0),
    p("nftables_ipvs", 0),
    p("lvs_netlink_cmd_rcv_bufs", 0),
    p("lvs_netlink_cmd_rcv_bufs_force", 0),
    p("lvs_netlink_monitor_rcv_bufs", 0),
    p("lvs_netlink_monitor_rcv_bufs_force", 0),
    q("process_monitor_rcv_bufs"),
    p("process_monitor_rcv_bufs_force", 0),
    p("nftables_ipvs_priority", 1),
    p("nftables_ipvs_start_fwmark", 1),
];
