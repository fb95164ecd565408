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
    if let Some(v) = values::vip(ctx, w) {
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
    if let Some(i) = inst(ctx) {
        i.virtual_routes.push(RouteSpec { words: w.to_vec() });
    }
}

fn rule_line(ctx: &mut Ctx<'_>, w: &[String]) {
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

fn track_interface_line(ctx: &mut Ctx<'_>, w: &[String]) {
    let t = track_entry(ctx, w, "track_interface", -253, 253);
    if let Some(i) = inst(ctx) {
        i.track_interfaces.push(t);
    }
}

fn track_script_line(ctx: &mut Ctx<'_>, w: &[String]) {
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

fn flag(ctx: &mut Ctx<'_>, w: &[String]) {
    let v = values::boolean(ctx, w.get(1));
    let Some(i) = inst(ctx) else { return };
    match w[0].as_str() {
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
        None => ctx.error(
            Class::General,
            format!("({n}) Preempt_delay not valid! must be between 0-1000"),
        ),
    }
}

fn addr_kw(ctx: &mut Ctx<'_>, w: &[String]) {
    let n = iname(ctx);
    let Some(a) = values::ip(&w[1]) else {
        ctx.error(
            Class::General,
            format!("({n}) invalid {} {} - ignoring", w[0], w[1]),
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

fn u32_kw(ctx: &mut Ctx<'_>, w: &[String]) {
    let Some(v) = values::int(ctx, &w[1], 0, i64::from(u32::MAX)) else {
        return;
    };
    let v = Some(v as u32);
    let Some(i) = inst(ctx) else { return };
    match w[0].as_str() {
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
    let n = parse_notify(ctx, w);
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
    Kw::values("unicast_peer", None, unicast_peer_line),
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
    Kw::leaf("notify_deleted", 1, notify),
    Kw::leaf("notify_master_rx_lower_pri", 1, keep_instance),
    Kw::leaf("notify", 1, notify),
    Kw::leaf("use_vmac", 0, use_vmac),
    kept("use_vmac_addr", 0),
    kept("vmac_xmit_base", 0),
    kept("use_ipvlan", 0),
    kept("garp_extra_if", 1),
    kept("down_timer_adverts", 1),
    kept("lower_prio_no_advert", 0),
    kept("higher_prio_send_advert", 0),
    kept("unicast_fault_no_peer", 0),
    kept("check_unicast_src", 0),
    kept("old_unicast_checksum", 0),
    kept("mcast_dst_ip", 1),
    kept("track_src_ip", 0),
    kept("native_ipv6", 0),
    kept("vrf", 1),
    kept("promote_secondaries", 0),
    kept("skip_check_adv_addr", 0),
    kept("notify_priority_changes", 0),
    kept("kernel_rx_buf_size", 1),
    kept("linkbeat_use_polling", 0),
    kept("debug", 0),
    kept("lvs_sync_daemon_interface", 1),
    kept("garp_interval", 1),
    kept("gna_interval", 1),
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
    if ctx.cfg.scripts[i].script.is_none() {
        ctx.report(
            Class::General,
            format!("No script set for vrrp_script {name} - removing"),
        );
        ctx.cfg.scripts.remove(i);
    }
}

fn script_cmd(ctx: &mut Ctx<'_>, w: &[String]) {
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
    if !ctx.host.user_exists(&u.0) {
        ctx.error(
            Class::General,
            format!("Unable to set user for script {}", w[1]),
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
    Kw::leaf("script", 1, script_cmd),
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

fn group_member(ctx: &mut Ctx<'_>, w: &[String]) {
    if let Some(g) = group_mut(ctx) {
        g.members.extend(w.iter().cloned());
    }
}

fn group_track_if(ctx: &mut Ctx<'_>, w: &[String]) {
    let t = track_entry(ctx, w, "track_interface", -253, 253);
    if let Some(g) = group_mut(ctx) {
        g.track_interfaces.push(t);
    }
}

fn group_track_script(ctx: &mut Ctx<'_>, w: &[String]) {
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
    let loc = ctx.loc();
    if let Some(g) = group_mut(ctx) {
        g.other.push(crate::model::Directive {
            words: w.to_vec(),
            location: loc,
        });
    }
}

pub static SYNC_GROUP: &[Kw] = &[
    Kw::values("group", None, group_member),
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
