//! `vrrp_instance`, `vrrp_script` and `vrrp_sync_group`: keyword tables
//! and handlers (read by the VRRP pass only).

use crate::diag::Class;
use crate::engine::{Ctx, Kw, Status};
use crate::model::{
    AuthType, InitialState, Notify, RouteSpec, SyncGroup, Track, UnicastPeer, VrrpInstance,
    VrrpScript,
};
use crate::tokens::split_command;
use crate::values;

// ---------------------------------------------------------------- instance

fn inst<'a>(ctx: &'a mut Ctx<'_>) -> Option<&'a mut VrrpInstance> {
    let i = ctx.cur.instance?;
    ctx.cfg.instances.get_mut(i)
}

fn iname(ctx: &Ctx<'_>) -> String {
    ctx.cur
        .instance
        .and_then(|i| ctx.cfg.instances.get(i))
        .map(|i| i.name.clone())
        .unwrap_or_default()
}

fn open_instance(ctx: &mut Ctx<'_>, w: &[String]) {
    let Some(name) = w.get(1) else {
        ctx.error(Class::General, "vrrp_instance must have a name");
        // Keep parsing the block into a throwaway instance.
        ctx.cfg.instances.push(VrrpInstance::new("", ctx.loc()));
        ctx.cur.instance = Some(ctx.cfg.instances.len() - 1);
        return;
    };
    if ctx.cfg.instances.iter().any(|i| &i.name == name) {
        ctx.error(
            Class::General,
            format!("vrrp instance {name} already defined"),
        );
        ctx.cfg.instances.push(VrrpInstance::new("", ctx.loc()));
    } else {
        let loc = ctx.loc();
        ctx.cfg.instances.push(VrrpInstance::new(name, loc));
    }
    ctx.cur.instance = Some(ctx.cfg.instances.len() - 1);
}

fn close_instance(ctx: &mut Ctx<'_>) {
    // Checked by the instance's end handler, at its closing line.
    if let Some(i) = inst(ctx) {
        if i.unicast_ttl.is_some() && i.unicast_peers.is_empty() {
            i.unicast_ttl = None;
            let n = i.name.clone();
            ctx.error(
                Class::General,
                format!("({n}): Cannot use unicast_ttl without unicast peers - resetting"),
            );
        }
    }
    // Unnamed and duplicate instances were parsed only for their errors.
    if let Some(i) = ctx.cur.instance.take() {
        if ctx.cfg.instances.get(i).is_some_and(|x| x.name.is_empty()) {
            ctx.cfg.instances.remove(i);
        }
    }
}

fn state(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let s = match w[1].as_str() {
        "MASTER" => InitialState::Master,
        "BACKUP" => InitialState::Backup,
        other => {
            ctx.error_hint(
                Class::General,
                format!("({n}) unknown state '{other}', defaulting to BACKUP"),
                "state is MASTER or BACKUP, in capitals",
            );
            InitialState::Backup
        }
    };
    if let Some(i) = inst(ctx) {
        i.state = s;
        i.state_set = true;
    }
}

fn interface(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let ifname = w[1].clone();
    if ctx.host.is_loopback(&ifname) {
        ctx.error(
            Class::General,
            format!("({n}) cannot use a loopback interface ({ifname}) for vrrp - ignoring"),
        );
        return;
    }
    if !ctx.host.interface_exists(&ifname) && !ctx.cfg.global.dynamic_interfaces {
        ctx.error(
            Class::Warning,
            format!("WARNING - interface {ifname} for vrrp_instance {n} doesn't exist"),
        );
        ctx.cfg.nonexistent_interface = true;
    }
    if let Some(i) = inst(ctx) {
        i.interface = Some(ifname);
    }
}

fn vrid(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match values::int(ctx, &w[1], 1, 255) {
        Some(v) => {
            if let Some(i) = inst(ctx) {
                i.vrid = Some(v as u8);
            }
        }
        None => ctx.error(
            Class::General,
            format!("({n}): VRID '{}' not valid - must be between 1 & 255", w[1]),
        ),
    }
}

fn priority(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match values::int(ctx, &w[1], 1, 255) {
        Some(v) => {
            if let Some(i) = inst(ctx) {
                i.priority = v as u8;
                i.priority_set = true;
            }
        }
        None => ctx.error(
            Class::General,
            format!("({n}) Priority not valid! must be between 1 & 255. Using default 100"),
        ),
    }
}

fn advert_int(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match values::decimal(ctx, &w[1], 0.01, 255.0) {
        Some(d) => {
            if let Some(i) = inst(ctx) {
                i.advert_int = d;
            }
        }
        None => ctx.error(
            Class::General,
            format!(
                "({n}) Advert interval ({}) not valid! Must be > 0 - ignoring",
                w[1]
            ),
        ),
    }
}

fn version(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match values::int(ctx, &w[1], 2, 3) {
        Some(v) => {
            if let Some(i) = inst(ctx) {
                i.version = Some(v as u8);
            }
        }
        None => ctx.error(
            Class::General,
            format!("({n}): Version must be either 2 or 3"),
        ),
    }
}

fn auth_type(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let t = match w[1].as_str() {
        "PASS" => AuthType::Pass,
        "AH" => AuthType::Ah,
        other => {
            ctx.error(
                Class::General,
                format!("({n}) unknown authentication type '{other}'"),
            );
            return;
        }
    };
    if let Some(i) = inst(ctx) {
        let pw = i.auth.take().map(|(_, p)| p).unwrap_or_default();
        i.auth = Some((t, pw));
    }
}

fn auth_pass(ctx: &mut Ctx<'_>, w: &[String]) {
    let mut pw = w[1].as_bytes().to_vec();
    if pw.len() > 8 {
        let raw = ctx.raw();
        let hint = if raw.contains('!') || raw.contains('#') {
            "'!' and '#' start a comment outside double quotes; quote the password to keep them"
        } else {
            "VRRPv2 carries 8 bytes of password; both nodes must agree on the first 8"
        };
        ctx.error_hint(Class::Warning, "Truncating auth_pass to 8 characters", hint);
        pw.truncate(8);
    }
    if let Some(i) = inst(ctx) {
        let t = i.auth.take().map(|(t, _)| t).unwrap_or(AuthType::Pass);
        i.auth = Some((t, pw));
    }
}

pub static AUTH: &[Kw] = &[
    Kw::leaf("auth_type", 1, auth_type),
    Kw::leaf("auth_pass", 1, auth_pass),
];

fn vip_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    if let Some(v) = values::vip(ctx, w) {
        // The first VIP decides the instance's family.
        let fam6 = inst(ctx).and_then(|i| i.vips.first().map(|f| f.addr.is_ipv6()));
        if fam6.is_some_and(|f6| f6 != v.addr.is_ipv6()) {
            ctx.error(
                Class::General,
                format!(
                    "({n}): address family must match VRRP instance [{}] - ignoring",
                    w[0]
                ),
            );
            return;
        }
        if let Some(i) = inst(ctx) {
            i.vips.push(v);
        }
    }
}

fn vip_excluded_line(ctx: &mut Ctx<'_>, w: &[String]) {
    if let Some(v) = values::vip(ctx, w) {
        if let Some(i) = inst(ctx) {
            i.vips_excluded.push(v);
        }
    }
}

fn route_line(ctx: &mut Ctx<'_>, w: &[String]) {
    values::route(ctx, w, true);
    if let Some(i) = inst(ctx) {
        i.virtual_routes.push(RouteSpec { words: w.to_vec() });
    }
}

fn rule_line(ctx: &mut Ctx<'_>, w: &[String]) {
    values::rule(ctx, w);
    if let Some(i) = inst(ctx) {
        i.virtual_rules.push(RouteSpec { words: w.to_vec() });
    }
}

/// `NAME [weight N [reverse|noreverse]]`
pub fn track_entry(ctx: &mut Ctx<'_>, w: &[String], what: &str, lo: i64, hi: i64) -> Track {
    let mut t = Track {
        name: w[0].clone(),
        weight: None,
        reverse: false,
        location: ctx.loc(),
    };
    let owner = iname(ctx);
    let mut i = 1;
    while i < w.len() {
        match w[i].as_str() {
            "weight" => {
                match w.get(i + 1).and_then(|v| values::int(ctx, v, lo, hi)) {
                    Some(v) => t.weight = Some(v as i32),
                    None => ctx.error(
                        Class::General,
                        format!(
                            "({owner}) weight for {what} {} must be in [{lo}, {hi}] - ignoring",
                            t.name
                        ),
                    ),
                }
                i += 2;
            }
            "reverse" => {
                t.reverse = true;
                i += 1;
            }
            "noreverse" => i += 1,
            other => {
                ctx.error(
                    Class::General,
                    format!(
                        "({owner}) unknown {what} {} weight option {other} - ignoring",
                        t.name
                    ),
                );
                i += 1;
            }
        }
    }
    t
}

/// keepalived resolves tracked interfaces as it reads them.
fn tracked_if_ok(ctx: &mut Ctx<'_>, owner: &str, name: &str, have: &[Track]) -> bool {
    if !ctx.host.interface_exists(name) && !ctx.cfg.global.dynamic_interfaces {
        ctx.error(
            Class::General,
            format!("({owner}) tracked interface {name} doesn't exist"),
        );
        ctx.cfg.nonexistent_interface = true;
        return false;
    }
    if have.iter().any(|t| t.name == name) {
        ctx.error(
            Class::General,
            format!("({owner}) duplicate track_interface {name} - ignoring"),
        );
        return false;
    }
    true
}

/// Scripts are looked up as the tracking line is read, so a
/// `vrrp_script` must come before its users (and a removed one is gone).
fn tracked_script_ok(ctx: &mut Ctx<'_>, owner: &str, name: &str, have: &[Track]) -> bool {
    if ctx.cfg.script(name).is_none() {
        ctx.error(
            Class::General,
            format!("({owner}) track script {name} not found, ignoring..."),
        );
        return false;
    }
    if have.iter().any(|t| t.name == name) {
        ctx.error(
            Class::General,
            format!("({owner}) duplicate track_script {name} - ignoring"),
        );
        return false;
    }
    true
}

fn track_interface_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let have = inst(ctx)
        .map(|i| i.track_interfaces.clone())
        .unwrap_or_default();
    if !tracked_if_ok(ctx, &n, &w[0], &have) {
        return;
    }
    let t = track_entry(ctx, w, "track_interface", -253, 253);
    if let Some(i) = inst(ctx) {
        i.track_interfaces.push(t);
    }
}

fn track_script_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let have = inst(ctx)
        .map(|i| i.track_scripts.clone())
        .unwrap_or_default();
    if !tracked_script_ok(ctx, &n, &w[0], &have) {
        return;
    }
    let t = track_entry(ctx, w, "track_script", -253, 253);
    if let Some(i) = inst(ctx) {
        i.track_scripts.push(t);
    }
}

fn track_file_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let t = track_entry(ctx, w, "track_file", -254, 254);
    if let Some(i) = inst(ctx) {
        i.track_files.push(t);
    }
}

fn track_process_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let t = track_entry(ctx, w, "track_process", -254, 254);
    if let Some(i) = inst(ctx) {
        i.track_processes.push(t);
    }
}

fn track_bfd_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let t = track_entry(ctx, w, "track_bfd", -253, 253);
    if let Some(i) = inst(ctx) {
        i.track_bfd.push(t);
    }
}

fn unicast_peer_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let Some(addr) = values::ip(&w[0]) else {
        ctx.error(
            Class::General,
            format!("Invalid unicast_peer address '{}' - ignoring", w[0]),
        );
        return;
    };
    let mut p = UnicastPeer {
        addr,
        min_ttl: None,
        max_ttl: None,
    };
    let mut i = 1;
    while i + 1 < w.len() {
        let v = values::int(ctx, &w[i + 1], 0, 255).map(|v| v as u8);
        match w[i].as_str() {
            "min_ttl" => p.min_ttl = v,
            "max_ttl" => p.max_ttl = v,
            other => ctx.error(
                Class::General,
                format!("Unknown unicast_peer option '{other}'"),
            ),
        }
        i += 2;
    }
    if let Some(i) = inst(ctx) {
        i.unicast_peers.push(p);
    }
}

fn open_unicast_peer(ctx: &mut Ctx<'_>, _w: &[String]) {
    if let Some(i) = inst(ctx) {
        i.unicast_configured = true;
    }
}

fn flag(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let v = match (w[0].as_str(), w.get(1).map(String::as_str)) {
        (_, None) => Some(true),
        (_, Some("on" | "true" | "yes")) => Some(true),
        (_, Some("off" | "false" | "no")) => Some(false),
        ("smtp_alert", Some(x)) => {
            ctx.error(
                Class::General,
                format!("Invalid vrrp_instance smtp_alert parameter {x}"),
            );
            return;
        }
        (
            k @ ("strict_mode"
            | "lower_prio_no_advert"
            | "higher_prio_send_advert"
            | "skip_check_adv_addr"
            | "notify_priority_changes"),
            Some(x),
        ) => {
            ctx.error(Class::General, format!("({n}) invalid {k} {x} specified"));
            return;
        }
        _ => Some(true),
    };
    let Some(i) = inst(ctx) else { return };
    match w[0].as_str() {
        "lower_prio_no_advert" => i.lower_prio_no_advert = v,
        "higher_prio_send_advert" => i.higher_prio_send_advert = v,
        "vmac_xmit_base" => i.vmac_xmit_base = true,
        "unicast_fault_no_peer" => {
            i.unicast_fault_no_peer = true;
            i.unicast_configured = true;
        }
        "check_unicast_src" | "old_unicast_checksum" => i.unicast_configured = true,
        "nopreempt" => i.nopreempt = true,
        "preempt" => i.nopreempt = false,
        "dont_track_primary" => i.dont_track_primary = true,
        "accept" => i.accept = Some(true),
        "no_accept" => i.accept = Some(false),
        "smtp_alert" => i.smtp_alert = v,
        "strict_mode" => i.strict_mode = v,
        _ => {}
    }
}

fn preempt_delay(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match values::decimal(ctx, &w[1], 0.0, 1000.0) {
        Some(d) => {
            if let Some(i) = inst(ctx) {
                i.preempt_delay = Some(d);
            }
        }
        None if w[1].parse::<f64>().is_ok() => ctx.error(
            Class::General,
            format!("({n}) Preempt_delay not valid! must be between 0-1000"),
        ),
        None => {}
    }
}

fn addr_kw(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    if w[0] == "unicast_src_ip" {
        if let Some(i) = inst(ctx) {
            i.unicast_configured = true;
        }
    }
    let Some(a) = values::ip(&w[1]) else {
        ctx.error(
            Class::General,
            format!(
                "Configuration error: VRRP instance[{n}] malformed src address[{}]. Skipping...",
                w[1]
            ),
        );
        return;
    };
    if let Some(i) = inst(ctx) {
        if w[0] == "mcast_src_ip" {
            i.mcast_src_ip = Some(a);
        } else {
            i.unicast_src_ip = Some(a);
        }
    }
}

fn mcast_dst_ip(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match values::ip(&w[1]) {
        Some(a) if a.is_multicast() => {
            if let Some(i) = inst(ctx) {
                i.mcast_dst_ip = Some(a);
            }
        }
        _ => ctx.error(
            Class::General,
            format!("({n}) mcast_dst_ip {} not multicast. Skipping...", w[1]),
        ),
    }
}

fn u32_kw(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let big = i64::from(u32::MAX / 1_000_000);
    let (lo, hi, bad, zero): (i64, i64, String, Option<String>) = match w[0].as_str() {
        "unicast_ttl" => (
            0,
            255,
            format!("({n}): TTL '{}' not valid - must be between 0 & 255", w[1]),
            None,
        ),
        "down_timer_adverts" => (
            1,
            100,
            format!("({n}): Invalid down_timer_adverts [1:100] '{}'", w[1]),
            None,
        ),
        "garp_master_delay" | "garp_lower_prio_delay" => (
            0,
            big,
            format!("({n}): {} '{}' invalid - ignoring", w[0], w[1]),
            None,
        ),
        "garp_master_repeat" | "garp_master_refresh_repeat" => (
            0,
            i64::from(u32::MAX),
            format!("({n}): {} '{}' invalid - ignoring", w[0], w[1]),
            Some(format!(
                "({n}): {} must be greater than 0, setting to 1",
                w[0]
            )),
        ),
        _ => (
            0,
            i64::from(u32::MAX),
            format!("({n}): {} '{}' invalid - ignoring", w[0], w[1]),
            None,
        ),
    };
    let Some(mut v) = values::int(ctx, &w[1], lo, hi) else {
        ctx.error(Class::General, bad);
        return;
    };
    if v == 0 {
        if let Some(z) = zero {
            ctx.error(Class::General, z);
            v = 1;
        }
    }
    let v = Some(v as u32);
    let Some(i) = inst(ctx) else { return };
    match w[0].as_str() {
        "down_timer_adverts" => i.down_timer_adverts = v,
        "garp_master_delay" => i.garp_master_delay = v,
        "garp_master_repeat" => i.garp_master_repeat = v,
        "garp_master_refresh" => i.garp_master_refresh = v,
        "garp_master_refresh_repeat" => i.garp_master_refresh_repeat = v,
        "garp_lower_prio_delay" => i.garp_lower_prio_delay = v,
        "garp_lower_prio_repeat" => i.garp_lower_prio_repeat = v,
        "unicast_ttl" => i.unicast_ttl = v.map(|x| x.min(255) as u8),
        _ => {}
    }
}

/// `CMD [USER [GROUP]]`: the command is the first word (usually quoted).
pub fn parse_notify(ctx: &mut Ctx<'_>, w: &[String]) -> Option<Notify> {
    if w.len() < 2 {
        return None;
    }
    let argv = match split_command(&w[1]) {
        Ok(a) if !a.is_empty() => a,
        Ok(_) => return None,
        Err(e) => {
            ctx.error(Class::General, e);
            return None;
        }
    };
    let user = w.get(2).map(|u| (u.clone(), w.get(3).cloned()));
    Some(Notify { argv, user })
}

fn notify(ctx: &mut Ctx<'_>, w: &[String]) {
    let mut n = parse_notify(ctx, w);
    // A command without its own user runs as the default script user.
    if n.as_ref().is_some_and(|x| x.user.is_none()) && default_script_user_fails(ctx) {
        n = None;
    }
    let Some(i) = inst(ctx) else { return };
    match w[0].as_str() {
        "notify_master" => i.notify_master = n,
        "notify_backup" => i.notify_backup = n,
        "notify_fault" => i.notify_fault = n,
        "notify_stop" => i.notify_stop = n,
        "notify_deleted" => i.notify_deleted = n,
        "notify" => i.notify = n,
        _ => {}
    }
}

fn use_vmac(ctx: &mut Ctx<'_>, w: &[String]) {
    let name = w.get(1).cloned();
    if let Some(i) = inst(ctx) {
        i.use_vmac = Some(name);
    }
}

fn keep_instance(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    match (w[0].as_str(), w.len()) {
        ("garp_extra_if", 1) => {
            ctx.error(
                Class::General,
                format!("({n}): garp_extra_if specified without time - ignoring"),
            );
            return;
        }
        ("kernel_rx_buf_size", 1) => {
            ctx.error(
                Class::General,
                format!("({n}) invalid kernel_rx_buf_size specified"),
            );
            return;
        }
        ("linkbeat_use_polling", _) => ctx.error(
            Class::Deprecated,
            format!("({n}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block"),
        ),
        ("native_ipv6", _)
            if inst(ctx).is_some_and(|i| i.vips.iter().any(|v| v.addr.is_ipv4())) => {
                ctx.error(
                    Class::General,
                    format!("({n}) Cannot specify native_ipv6 with IPv4 addresses"),
                );
            }
        _ => {}
    }
    let loc = ctx.loc();
    if let Some(i) = inst(ctx) {
        i.other.push(crate::model::Directive {
            words: w.to_vec(),
            location: loc,
        });
    }
}

const fn kept(name: &'static str, min: usize) -> Kw {
    Kw::leaf(name, min, keep_instance).status(Status::Parsed)
}

pub static INSTANCE: &[Kw] = &[
    Kw::leaf("state", 1, state),
    Kw::leaf("interface", 1, interface),
    Kw::leaf("virtual_router_id", 1, vrid),
    Kw::leaf("priority", 1, priority),
    Kw::leaf("advert_int", 1, advert_int),
    Kw::leaf("version", 1, version),
    Kw::block("authentication", 0, None, AUTH, None),
    Kw::values("virtual_ipaddress", None, vip_line),
    Kw::values("virtual_ipaddress_excluded", None, vip_excluded_line),
    Kw::values("virtual_routes", None, route_line),
    Kw::values("virtual_rules", None, rule_line),
    Kw::values("track_interface", None, track_interface_line),
    Kw::values("track_script", None, track_script_line),
    Kw::values("track_file", None, track_file_line),
    Kw::values("track_process", None, track_process_line),
    Kw::values("track_bfd", None, track_bfd_line),
    Kw::values("unicast_peer", Some(open_unicast_peer), unicast_peer_line),
    Kw::leaf("dont_track_primary", 0, flag),
    Kw::leaf("nopreempt", 0, flag),
    Kw::leaf("preempt", 0, flag),
    Kw::leaf("preempt_delay", 1, preempt_delay),
    Kw::leaf("accept", 0, flag),
    Kw::leaf("no_accept", 0, flag),
    Kw::leaf("smtp_alert", 0, flag),
    Kw::leaf("strict_mode", 0, flag),
    Kw::leaf("mcast_src_ip", 1, addr_kw),
    Kw::leaf("unicast_src_ip", 1, addr_kw),
    Kw::leaf("unicast_ttl", 1, u32_kw),
    Kw::leaf("garp_master_delay", 1, u32_kw),
    Kw::leaf("garp_master_repeat", 1, u32_kw),
    Kw::leaf("garp_master_refresh", 1, u32_kw),
    Kw::leaf("garp_master_refresh_repeat", 1, u32_kw),
    Kw::leaf("garp_lower_prio_delay", 1, u32_kw),
    Kw::leaf("garp_lower_prio_repeat", 1, u32_kw),
    Kw::leaf("notify_master", 1, notify),
    Kw::leaf("notify_backup", 1, notify),
    Kw::leaf("notify_fault", 1, notify),
    Kw::leaf("notify_stop", 1, notify),
    Kw::leaf("notify_deleted", 0, notify),
    Kw::leaf("notify_master_rx_lower_pri", 1, keep_instance),
    Kw::leaf("notify", 1, notify),
    Kw::leaf("use_vmac", 0, use_vmac),
    kept("use_vmac_addr", 0),
    Kw::leaf("vmac_xmit_base", 0, flag),
    kept("use_ipvlan", 0),
    kept("garp_extra_if", 0),
    Kw::leaf("down_timer_adverts", 1, u32_kw),
    Kw::leaf("lower_prio_no_advert", 0, flag),
    Kw::leaf("higher_prio_send_advert", 0, flag),
    Kw::leaf("unicast_fault_no_peer", 0, flag),
    Kw::leaf("check_unicast_src", 0, flag),
    Kw::leaf("old_unicast_checksum", 0, flag),
    Kw::leaf("mcast_dst_ip", 1, mcast_dst_ip),
    kept("track_src_ip", 0),
    kept("native_ipv6", 0),
    kept("vrf", 1),
    kept("promote_secondaries", 0),
    kept("skip_check_adv_addr", 0),
    kept("notify_priority_changes", 0),
    kept("kernel_rx_buf_size", 0),
    kept("linkbeat_use_polling", 0),
    kept("debug", 1),
    kept("lvs_sync_daemon_interface", 1),
];

pub const INSTANCE_KW: Kw = Kw::block(
    "vrrp_instance",
    0,
    Some(open_instance),
    INSTANCE,
    Some(close_instance),
);

// ------------------------------------------------------------------ script

fn script_mut<'a>(ctx: &'a mut Ctx<'_>) -> Option<&'a mut VrrpScript> {
    let i = ctx.cur.script?;
    ctx.cfg.scripts.get_mut(i)
}

fn open_script(ctx: &mut Ctx<'_>, w: &[String]) {
    let name = w.get(1).cloned().unwrap_or_default();
    if name.is_empty() {
        ctx.error(Class::General, "vrrp_script must have a name");
    } else if ctx.cfg.scripts.iter().any(|s| s.name == name) {
        ctx.error(
            Class::General,
            format!("vrrp script {name} already defined"),
        );
    }
    let loc = ctx.loc();
    ctx.cfg.scripts.push(VrrpScript::new(&name, loc));
    ctx.cur.script = Some(ctx.cfg.scripts.len() - 1);
}

fn close_script(ctx: &mut Ctx<'_>) {
    let Some(i) = ctx.cur.script.take() else {
        return;
    };
    let name = ctx.cfg.scripts[i].name.clone();
    let dup = ctx.cfg.scripts[..i].iter().any(|s| s.name == name);
    if name.is_empty() || dup {
        ctx.cfg.scripts.remove(i);
        return;
    }
    // Reported at the block's closing line, like keepalived's end handler.
    if ctx.cfg.scripts[i].argv.is_empty() {
        ctx.error(
            Class::General,
            format!("No script set for vrrp_script {name} - removing"),
        );
        ctx.cfg.scripts.remove(i);
        return;
    }
    if ctx.cfg.scripts[i].user.is_none() && default_script_user_fails(ctx) {
        ctx.error(
            Class::General,
            format!("Unable to set default user for vrrp script {name} - removing"),
        );
        ctx.cfg.scripts.remove(i);
    }
}

/// Resolve the default script user once: the global `script_user`, else
/// `keepalived_script` if it exists, else root — which only fails under
/// `enable_script_security`, with one message the first time.
pub fn default_script_user_fails(ctx: &mut Ctx<'_>) -> bool {
    if let Some(f) = ctx.cfg.default_script_user_failed {
        return f;
    }
    let fail = ctx.cfg.global.enable_script_security && !ctx.host.user_exists("keepalived_script");
    if fail {
        ctx.error(
            Class::General,
            "Unable to set default user keepalived_script for script",
        );
    }
    ctx.cfg.default_script_user_failed = Some(fail);
    fail
}

fn script_cmd(ctx: &mut Ctx<'_>, w: &[String]) {
    if w.len() < 2 {
        return;
    }
    // The command is re-split from the raw line, quotes and escapes
    // included, so `script "/bin/x a b"` and `script /bin/x a b` agree.
    let raw = ctx.raw();
    let rest = raw
        .trim_start()
        .strip_prefix(w[0].as_str())
        .unwrap_or("")
        .trim()
        .to_string();
    let argv = match split_command(&rest) {
        Ok(mut a) if a.len() == 1 && rest.starts_with('"') => {
            let inner = a.remove(0);
            split_command(&inner).unwrap_or_default()
        }
        Ok(a) => a,
        Err(e) => {
            ctx.error(Class::General, e);
            Vec::new()
        }
    };
    if let Some(s) = script_mut(ctx) {
        s.script = Some(rest);
        s.argv = argv;
    }
}

fn script_num(ctx: &mut Ctx<'_>, w: &[String]) {
    let name = ctx
        .cur
        .script
        .map(|i| ctx.cfg.scripts[i].name.clone())
        .unwrap_or_default();
    match w[0].as_str() {
        "interval" => {
            if let Some(v) = values::int(ctx, &w[1], 0, i64::from(u32::MAX / 1_000_000)) {
                let v = if v == 0 {
                    ctx.error(
                        Class::General,
                        format!("vrrp script {name} interval must be > 0 - setting to 1"),
                    );
                    1
                } else {
                    v
                };
                if let Some(s) = script_mut(ctx) {
                    s.interval = v as u32;
                }
            }
        }
        "timeout" => {
            if let Some(v) = values::int(ctx, &w[1], 0, i64::from(u32::MAX / 1_000_000)) {
                if let Some(s) = script_mut(ctx) {
                    s.timeout = Some(v as u32);
                }
            }
        }
        "rise" | "fall" => {
            if let Some(v) = values::int(ctx, &w[1], 1, i64::from(u32::MAX)) {
                if let Some(s) = script_mut(ctx) {
                    if w[0] == "rise" {
                        s.rise = v as u32;
                    } else {
                        s.fall = v as u32;
                    }
                }
            }
        }
        _ => {}
    }
}

fn script_weight(ctx: &mut Ctx<'_>, w: &[String]) {
    let name = ctx
        .cur
        .script
        .map(|i| ctx.cfg.scripts[i].name.clone())
        .unwrap_or_default();
    match values::int(ctx, &w[1], -253, 253) {
        Some(v) => {
            let rev = w.get(2).is_some_and(|x| x == "reverse");
            if let Some(s) = script_mut(ctx) {
                s.weight = v as i32;
                s.weight_reverse = rev;
            }
        }
        None => ctx.error(
            Class::General,
            format!("vrrp_script {name} weight {} must be in [-253, 253]", w[1]),
        ),
    }
}

fn script_user(ctx: &mut Ctx<'_>, w: &[String]) {
    let u = (w[1].clone(), w.get(2).cloned());
    if !ctx.host.user_exists(&u.0) || u.1.as_ref().is_some_and(|g| !ctx.host.group_exists(g)) {
        let cmd = script_mut(ctx)
            .and_then(|s| s.script.clone())
            .unwrap_or_default();
        ctx.error(
            Class::General,
            format!("Unable to set uid/gid for script {cmd}"),
        );
    }
    if let Some(s) = script_mut(ctx) {
        s.user = Some(u);
    }
}

fn script_init_fail(ctx: &mut Ctx<'_>, _w: &[String]) {
    if let Some(s) = script_mut(ctx) {
        s.init_fail = true;
    }
}

pub static SCRIPT: &[Kw] = &[
    Kw::leaf("script", 0, script_cmd),
    Kw::leaf("interval", 1, script_num),
    Kw::leaf("timeout", 1, script_num),
    Kw::leaf("weight", 1, script_weight),
    Kw::leaf("rise", 1, script_num),
    Kw::leaf("fall", 1, script_num),
    Kw::leaf("user", 1, script_user),
    Kw::leaf("init_fail", 0, script_init_fail),
];

pub const SCRIPT_KW: Kw = Kw::block(
    "vrrp_script",
    0,
    Some(open_script),
    SCRIPT,
    Some(close_script),
);

// -------------------------------------------------------------- sync group

fn group_mut<'a>(ctx: &'a mut Ctx<'_>) -> Option<&'a mut SyncGroup> {
    let i = ctx.cur.sync_group?;
    ctx.cfg.sync_groups.get_mut(i)
}

fn open_group(ctx: &mut Ctx<'_>, w: &[String]) {
    let name = w.get(1).cloned().unwrap_or_default();
    if name.is_empty() {
        ctx.error(Class::General, "vrrp_sync_group must have a name");
    }
    let loc = ctx.loc();
    ctx.cfg.sync_groups.push(SyncGroup {
        name,
        location: loc,
        ..Default::default()
    });
    ctx.cur.sync_group = Some(ctx.cfg.sync_groups.len() - 1);
}

fn close_group(ctx: &mut Ctx<'_>) {
    ctx.cur.sync_group = None;
}

fn open_group_list(ctx: &mut Ctx<'_>, _w: &[String]) {
    let Some(g) = group_mut(ctx) else { return };
    if !g.members.is_empty() {
        let n = g.name.clone();
        ctx.error(
            Class::General,
            format!("Group list already specified for sync group {n}"),
        );
    }
}

fn group_member(ctx: &mut Ctx<'_>, w: &[String]) {
    if let Some(g) = group_mut(ctx) {
        g.members.extend(w.iter().cloned());
    }
}

fn group_track_if(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = group_mut(ctx).map(|g| g.name.clone()).unwrap_or_default();
    let have = group_mut(ctx)
        .map(|g| g.track_interfaces.clone())
        .unwrap_or_default();
    if !tracked_if_ok(ctx, &n, &w[0], &have) {
        return;
    }
    let t = track_entry(ctx, w, "track_interface", -253, 253);
    if let Some(g) = group_mut(ctx) {
        g.track_interfaces.push(t);
    }
}

fn group_track_script(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = group_mut(ctx).map(|g| g.name.clone()).unwrap_or_default();
    let have = group_mut(ctx)
        .map(|g| g.track_scripts.clone())
        .unwrap_or_default();
    if !tracked_script_ok(ctx, &n, &w[0], &have) {
        return;
    }
    let t = track_entry(ctx, w, "track_script", -253, 253);
    if let Some(g) = group_mut(ctx) {
        g.track_scripts.push(t);
    }
}

fn group_notify(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = parse_notify(ctx, w);
    let Some(g) = group_mut(ctx) else { return };
    match w[0].as_str() {
        "notify_master" => g.notify_master = n,
        "notify_backup" => g.notify_backup = n,
        "notify_fault" => g.notify_fault = n,
        "notify_stop" => g.notify_stop = n,
        _ => g.notify = n,
    }
}

fn group_flag(ctx: &mut Ctx<'_>, w: &[String]) {
    let v = values::boolean(ctx, w.get(1));
    if let Some(g) = group_mut(ctx) {
        if w[0] == "smtp_alert" {
            g.smtp_alert = v;
        }
    }
}

fn group_keep(ctx: &mut Ctx<'_>, w: &[String]) {
    if w[0] == "global_tracking" {
        let n = group_mut(ctx).map(|g| g.name.clone()).unwrap_or_default();
        ctx.error(
            Class::Deprecated,
            format!("({n}) global_tracking is deprecated. Use track_interface/script/file on the sync group"),
        );
    }
    let loc = ctx.loc();
    if let Some(g) = group_mut(ctx) {
        g.other.push(crate::model::Directive {
            words: w.to_vec(),
            location: loc,
        });
    }
}

pub static SYNC_GROUP: &[Kw] = &[
    Kw::values("group", Some(open_group_list), group_member),
    Kw::values("track_interface", None, group_track_if),
    Kw::values("track_script", None, group_track_script),
    Kw::values("track_file", None, group_keep),
    Kw::values("track_process", None, group_keep),
    Kw::values("track_bfd", None, group_keep),
    Kw::leaf("notify_master", 1, group_notify),
    Kw::leaf("notify_backup", 1, group_notify),
    Kw::leaf("notify_fault", 1, group_notify),
    Kw::leaf("notify_stop", 1, group_notify),
    Kw::leaf("notify", 1, group_notify),
    Kw::leaf("smtp_alert", 0, group_flag),
    Kw::leaf("notify_priority_changes", 0, group_keep).status(Status::Parsed),
    Kw::leaf("global_tracking", 0, group_keep).status(Status::Deprecated),
    Kw::leaf("sync_group_tracking_weight", 0, group_keep).status(Status::Parsed),
];

pub const SYNC_GROUP_KW: Kw = Kw::block(
    "vrrp_sync_group",
    0,
    Some(open_group),
    SYNC_GROUP,
    Some(close_group),
);
