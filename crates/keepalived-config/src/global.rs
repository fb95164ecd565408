//! `global_defs` (read by the parent pass only, so its errors print once).

use crate::diag::Class;
use crate::engine::{Ctx, Kw, Status};
use crate::model::Directive;
use crate::values;

fn email_line(ctx: &mut Ctx<'_>, w: &[String]) {
    ctx.cfg.global.notification_email.extend(w.iter().cloned());
}

fn text(ctx: &mut Ctx<'_>, w: &[String]) {
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
    let port = match w.get(2) {
        None => 25,
        Some(p) => match values::int(ctx, p, 1, 65535) {
            Some(v) => v as u16,
            None => {
                ctx.error(Class::General, format!("Invalid smtp_server port '{p}'"));
                return;
            }
        },
    };
    ctx.cfg.global.smtp_server = Some((w[1].clone(), port));
}

fn number(ctx: &mut Ctx<'_>, w: &[String]) {
    let (lo, hi): (i64, i64) = match w[0].as_str() {
        "vrrp_version" => (2, 3),
        "max_auto_priority" => (-1, 99),
        "vrrp_down_timer_adverts" => (1, 100),
        _ => (0, i64::from(u32::MAX)),
    };
    let Some(v) = values::int(ctx, &w[1], lo, hi) else {
        if w[0] == "vrrp_version" {
            ctx.error(Class::General, "Unknown VRRP version");
        }
        return;
    };
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
    let Some(d) = values::decimal(ctx, &w[1], 0.0, 1000.0) else {
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

fn flag(ctx: &mut Ctx<'_>, w: &[String]) {
    let v = values::boolean(ctx, w.get(1));
    let g = &mut ctx.cfg.global;
    let on = v.unwrap_or(true);
    match w[0].as_str() {
        "smtp_alert" => g.smtp_alert = v,
        "smtp_alert_vrrp" => g.smtp_alert_vrrp = v,
        "smtp_alert_checker" => g.smtp_alert_checker = v,
        "no_email_faults" => g.no_email_faults = on,
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
    let Some(a) = values::ip(&w[1]) else {
        ctx.error(
            Class::General,
            format!("Invalid address {} for {}", w[1], w[0]),
        );
        return;
    };
    if w[0] == "vrrp_mcast_group4" {
        ctx.cfg.global.vrrp_mcast_group4 = Some(a);
    } else {
        ctx.cfg.global.vrrp_mcast_group6 = Some(a);
    }
}

fn script_user(ctx: &mut Ctx<'_>, w: &[String]) {
    ctx.cfg.global.script_user = Some((w[1].clone(), w.get(2).cloned()));
}

fn firewall(ctx: &mut Ctx<'_>, w: &[String]) {
    let v = Some(w[1..].to_vec());
    if w[0].starts_with("nftables") {
        ctx.cfg.global.nftables = v;
    } else {
        ctx.cfg.global.vrrp_iptables = v;
    }
}

fn keep(ctx: &mut Ctx<'_>, w: &[String]) {
    let loc = ctx.loc();
    ctx.cfg.global.other.push(Directive {
        words: w.to_vec(),
        location: loc,
    });
}

const fn p(name: &'static str, min: usize) -> Kw {
    Kw::leaf(name, min, keep).status(Status::Parsed)
}

pub static GLOBAL_DEFS: &[Kw] = &[
    Kw::values("notification_email", None, email_line),
    Kw::leaf("notification_email_from", 1, text),
    Kw::leaf("router_id", 1, text),
    Kw::leaf("smtp_server", 1, smtp_server),
    Kw::leaf("smtp_helo_name", 1, text),
    Kw::leaf("smtp_connect_timeout", 1, number),
    Kw::leaf("smtp_alert", 0, flag),
    Kw::leaf("smtp_alert_vrrp", 0, flag),
    Kw::leaf("smtp_alert_checker", 0, flag),
    Kw::leaf("no_email_faults", 0, flag),
    Kw::leaf("enable_script_security", 0, flag),
    Kw::leaf("script_user", 1, script_user),
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
    Kw::leaf("vrrp_ipsets", 0, keep).status(Status::Parsed),
    Kw::leaf("nftables", 0, firewall),
    Kw::leaf("nftables_priority", 1, keep).status(Status::Parsed),
    Kw::leaf("nftables_ifindex", 0, keep).status(Status::Parsed),
    Kw::leaf("nftables_counters", 0, keep).status(Status::Parsed),
    Kw::leaf("max_auto_priority", 0, number),
    Kw::leaf("dynamic_interfaces", 0, flag),
    Kw::leaf("default_interface", 1, text),
    Kw::leaf("vrrp_notify_fifo", 1, text),
    Kw::leaf("notify_fifo", 1, text),
    Kw::leaf("vrrp_startup_delay", 1, interval),
    p("min_auto_priority_delay", 1),
    p("vrrp_garp_extra_if", 1),
    p("vrrp_priority", 1),
    p("vrrp_no_swap", 0),
    p("vrrp_rt_priority", 1),
    p("vrrp_cpu_affinity", 1),
    p("vrrp_rlimit_rttime", 1),
    p("vrrp_rlimit_rtime", 1),
    p("vrrp_notify_fifo_script", 1),
    p("notify_fifo_script", 1),
    p("vrrp_notify_priority_changes", 0),
    p("fifo_write_vrrp_states_on_reload", 0),
    p("log_unknown_vrids", 0),
    p("vmac_prefix", 1),
    p("vmac_addr_prefix", 1),
    p("vrrp_netlink_cmd_rcv_bufs", 1),
    p("vrrp_netlink_cmd_rcv_bufs_force", 0),
    p("vrrp_netlink_monitor_rcv_bufs", 1),
    p("vrrp_netlink_monitor_rcv_bufs_force", 0),
    p("vrrp_rx_bufs_policy", 1),
    p("vrrp_rx_bufs_multiplier", 1),
    p("disable_local_igmp", 0),
    p("process_names", 0),
    p("process_name", 1),
    p("vrrp_process_name", 1),
    p("checker_process_name", 1),
    p("bfd_process_name", 1),
    p("startup_script", 1),
    p("startup_script_timeout", 1),
    p("shutdown_script", 1),
    p("shutdown_script_timeout", 1),
    p("child_wait_time", 1),
    p("net_namespace", 1),
    p("net_namespace_ipvs", 1),
    p("namespace_with_ipsets", 0),
    p("instance", 1),
    p("use_pid_dir", 0),
    p("umask", 1),
    p("random_seed", 1),
    p("reload_check_config", 0),
    p("reload_time_file", 1),
    p("reload_repeat", 0),
    p("reload_file", 1),
    p("include_check", 0),
    p("config_save_dir", 1),
    p("tmp_config_directory", 1),
    p("data_use_instance", 0),
    p("linkbeat_use_polling", 0),
    p("snmp_socket", 1),
    p("enable_snmp_vrrp", 0),
    p("enable_snmp_rfc", 0),
    p("enable_snmp_rfcv2", 0),
    p("enable_snmp_rfcv3", 0),
    p("enable_snmp_checker", 0),
    p("enable_snmp_keepalived", 0),
    p("enable_traps", 0),
    p("enable_dbus", 0),
    p("dbus_service_name", 1),
    p("lvs_sync_daemon", 1),
    p("lvs_timeouts", 1),
    p("lvs_flush", 0),
    p("lvs_flush_on_stop", 0),
    p("lvs_flush_onstop", 0),
    p("lvs_notify_fifo", 1),
    p("lvs_notify_fifo_script", 1),
    p("checker_priority", 1),
    p("checker_no_swap", 0),
    p("checker_rt_priority", 1),
    p("checker_cpu_affinity", 1),
    p("checker_rlimit_rttime", 1),
    p("checker_rlimit_rtime", 1),
    p("checker_log_all_failures", 0),
    p("bfd_priority", 1),
    p("bfd_no_swap", 0),
    p("bfd_rt_priority", 1),
    p("bfd_cpu_affinity", 1),
    p("bfd_rlimit_rttime", 1),
    p("bfd_rlimit_rtime", 1),
    p("rs_init_notifies", 0),
    p("no_checker_emails", 0),
    p("nftables_ipvs", 0),
    p("lvs_netlink_cmd_rcv_bufs", 1),
    p("lvs_netlink_cmd_rcv_bufs_force", 0),
    p("lvs_netlink_monitor_rcv_bufs", 1),
    p("lvs_netlink_monitor_rcv_bufs_force", 0),
    p("vmac_garp_intvl", 1),
    p("vrrp_garp_interval_ms", 1),
    p("notify_fifo_user", 1),
    p("vrrp_notify_fifo_user", 1),
];
