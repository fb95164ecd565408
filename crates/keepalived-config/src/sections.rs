//! The sections that are kept as a name and directives: the LVS/checker
//! family, BFD, and the smaller VRRP-side sections.

use crate::diag::Class;
use crate::engine::{Ctx, Kw, Pass, Status};
use crate::model::{Directive, RouteSpec, Section};
use crate::values;

/// Which list of `Config` a section kind lands in.
fn list<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut Vec<Section> {
    match ctx.pass {
        Pass::Checker => &mut ctx.cfg.lvs,
        Pass::Bfd => &mut ctx.cfg.bfd,
        _ => &mut ctx.cfg.vrrp_sections,
    }
}

/// The innermost open section, following the nesting
/// (virtual_server > real_server > checker > url).
fn current<'a>(ctx: &'a mut Ctx<'_>) -> Option<&'a mut Section> {
    let depth = ctx.cur.generic?;
    let mut s = list(ctx).last_mut()?;
    for _ in 0..depth {
        s = s.children.last_mut()?;
    }
    Some(s)
}

pub fn open(ctx: &mut Ctx<'_>, w: &[String]) {
    let sec = Section {
        kind: w[0].clone(),
        args: w[1..].to_vec(),
        location: ctx.loc(),
        directives: Vec::new(),
        children: Vec::new(),
    };
    match ctx.cur.generic {
        None => {
            list(ctx).push(sec);
            ctx.cur.generic = Some(0);
        }
        Some(d) => {
            if let Some(parent) = current(ctx) {
                parent.children.push(sec);
            }
            ctx.cur.generic = Some(d + 1);
        }
    }
}

pub fn close(ctx: &mut Ctx<'_>) {
    ctx.cur.generic = match ctx.cur.generic {
        Some(0) | None => None,
        Some(d) => Some(d - 1),
    };
}

pub fn keep(ctx: &mut Ctx<'_>, w: &[String]) {
    let loc = ctx.loc();
    if let Some(s) = current(ctx) {
        s.directives.push(Directive {
            words: w.to_vec(),
            location: loc,
        });
    }
}

const fn k(name: &'static str, min: usize) -> Kw {
    Kw::leaf(name, min, keep).status(Status::Parsed)
}

const fn sub(name: &'static str, min: usize, table: &'static [Kw]) -> Kw {
    Kw::block(name, min, Some(open), table, Some(close)).status(Status::Parsed)
}

const fn vals(name: &'static str) -> Kw {
    Kw::values(name, None, keep).status(Status::Parsed)
}

// ---------------------------------------------------------------- statics

fn static_ip(ctx: &mut Ctx<'_>, w: &[String]) {
    if let Some(v) = values::vip(ctx, w) {
        ctx.cfg.static_ipaddress.push(v);
    }
}

fn static_route(ctx: &mut Ctx<'_>, w: &[String]) {
    values::route(ctx, w, false);
    ctx.cfg.static_routes.push(RouteSpec { words: w.to_vec() });
}

fn static_rule(ctx: &mut Ctx<'_>, w: &[String]) {
    values::rule(ctx, w);
    ctx.cfg.static_rules.push(RouteSpec { words: w.to_vec() });
}

pub const STATIC_IPADDRESS: Kw = Kw::values("static_ipaddress", None, static_ip);
pub const STATIC_ROUTES: Kw = Kw::values("static_routes", None, static_route);
pub const STATIC_RULES: Kw = Kw::values("static_rules", None, static_rule);

// ------------------------------------------------------- VRRP-side others

pub static TRACK_FILE: &[Kw] = &[k("file", 1), k("weight", 1), k("init_file", 0)];
pub static TRACK_PROCESS: &[Kw] = &[
    k("process", 1),
    k("param_match", 1),
    k("weight", 1),
    k("quorum", 1),
    k("quorum_max", 1),
    k("delay", 1),
    k("fork_delay", 1),
    k("terminate_delay", 1),
    k("full_command", 0),
];
pub static GARP_GROUP: &[Kw] = &[
    k("garp_interval", 1),
    k("gna_interval", 1),
    k("interface", 1),
    vals("interfaces"),
];
pub static TRACK_GROUP: &[Kw] = &[vals("group")];

// -------------------------------------------------------------------- LVS

const CHECK_COMMON: [Kw; 13] = [
    k("connect_ip", 1),
    k("connect_port", 1),
    k("bindto", 1),
    k("bind_if", 1),
    k("bind_port", 1),
    k("connect_timeout", 1),
    k("fwmark", 1),
    k("warmup", 1),
    k("retry", 1),
    Kw::leaf("nb_get_retry", 1, nb_get_retry).status(Status::Deprecated),
    k("delay_before_retry", 1),
    k("delay_loop", 1),
    k("log_all_failures", 0),
];

macro_rules! checker {
    ($name:ident, [$($extra:expr),* $(,)?]) => {
        pub static $name: &[Kw] = &[
            CHECK_COMMON[0], CHECK_COMMON[1], CHECK_COMMON[2], CHECK_COMMON[3], CHECK_COMMON[4],
            CHECK_COMMON[5], CHECK_COMMON[6], CHECK_COMMON[7], CHECK_COMMON[8], CHECK_COMMON[9],
            CHECK_COMMON[10], CHECK_COMMON[11], CHECK_COMMON[12],
            k("alpha", 0), k("weight", 1),
            $($extra),*
        ];
    };
}

pub static URL: &[Kw] = &[
    k("path", 1),
    k("digest", 1),
    k("status_code", 1),
    k("virtualhost", 1),
    k("regex", 1),
    k("regex_no_match", 0),
    k("regex_options", 1),
    k("regex_stack", 1),
    k("regex_min_offset", 1),
    k("regex_max_offset", 1),
];

checker!(
    HTTP_CHECK,
    [
        sub("url", 0, URL),
        k("http_protocol", 1),
        k("enable_sni", 0),
        k("fast_recovery", 0),
        k("virtualhost", 1)
    ]
);
checker!(TCP_CHECK, []);
pub static SMTP_HOST: &[Kw] = &[
    k("connect_ip", 1),
    k("connect_port", 1),
    k("bindto", 1),
    k("bind_if", 1),
    k("bind_port", 1),
    k("fwmark", 1),
];
checker!(SMTP_CHECK, [k("helo_name", 1), sub("host", 0, SMTP_HOST)]);
checker!(DNS_CHECK, [k("type", 1), k("name", 1)]);
checker!(
    MISC_CHECK,
    [
        k("misc_path", 1),
        k("misc_timeout", 1),
        k("misc_dynamic", 0),
        k("user", 1)
    ]
);
checker!(BFD_CHECK, [k("name", 1)]);
checker!(PING_CHECK, []);
checker!(
    UDP_CHECK,
    [
        k("payload", 1),
        k("require_reply", 0),
        k("min_reply_length", 1),
        k("max_reply_length", 1)
    ]
);
checker!(FILE_CHECK, [k("track_file", 1)]);

const CHECKERS: [Kw; 10] = [
    sub("HTTP_GET", 0, HTTP_CHECK),
    sub("SSL_GET", 0, HTTP_CHECK),
    sub("TCP_CHECK", 0, TCP_CHECK),
    sub("SMTP_CHECK", 0, SMTP_CHECK),
    sub("DNS_CHECK", 0, DNS_CHECK),
    sub("MISC_CHECK", 0, MISC_CHECK),
    sub("BFD_CHECK", 0, BFD_CHECK),
    sub("PING_CHECK", 0, PING_CHECK),
    sub("UDP_CHECK", 0, UDP_CHECK),
    sub("FILE_CHECK", 0, FILE_CHECK),
];

pub static REAL_SERVER: &[Kw] = &[
    k("weight", 1),
    k("lvs_method", 1),
    k("lb_kind", 1),
    k("notify_up", 1),
    k("notify_down", 1),
    k("uthreshold", 1),
    k("lthreshold", 1),
    k("inhibit_on_failure", 0),
    k("alpha", 0),
    k("retry", 1),
    k("delay_before_retry", 1),
    k("warmup", 1),
    k("delay_loop", 1),
    k("connect_timeout", 1),
    k("smtp_alert", 0),
    k("virtualhost", 1),
    CHECKERS[0],
    CHECKERS[1],
    CHECKERS[2],
    CHECKERS[3],
    CHECKERS[4],
    CHECKERS[5],
    CHECKERS[6],
    CHECKERS[7],
    CHECKERS[8],
    CHECKERS[9],
];

pub static VIRTUAL_SERVER: &[Kw] = &[
    k("delay_loop", 1),
    k("lvs_sched", 1),
    k("lb_algo", 1),
    k("lvs_method", 1),
    k("lb_kind", 1),
    k("flag-1", 0),
    k("flag-2", 0),
    k("flag-3", 0),
    k("sh-port", 0),
    k("sh-fallback", 0),
    k("mh-port", 0),
    k("mh-fallback", 0),
    k("ops", 0),
    k("hashed", 0),
    k("persistence_engine", 1),
    k("persistence_timeout", 0),
    k("persistence_granularity", 1),
    k("protocol", 1),
    k("ip_family", 1),
    k("ha_suspend", 0),
    k("alpha", 0),
    k("omega", 0),
    k("quorum", 1),
    k("hysteresis", 1),
    k("quorum_up", 1),
    k("quorum_down", 1),
    k("smtp_alert", 0),
    k("virtualhost", 1),
    k("snmp_name", 1),
    k("sorry_server", 1),
    k("sorry_server_inhibit", 0),
    k("sorry_server_lvs_method", 1),
    k("connect_timeout", 1),
    k("retry", 1),
    k("delay_before_retry", 1),
    k("warmup", 1),
    k("inhibit_on_failure", 0),
    k("retry", 1),
    sub("real_server", 1, REAL_SERVER),
];

pub static SSL: &[Kw] = &[
    k("password", 1),
    k("ca", 1),
    k("certificate", 1),
    k("key", 1),
];

pub static BFD_INSTANCE: &[Kw] = &[
    k("neighbor_ip", 1),
    k("neighbour_ip", 1),
    k("source_ip", 1),
    k("min_rx", 1),
    k("min_tx", 1),
    k("idle_tx", 1),
    k("multiplier", 1),
    k("passive", 0),
    k("ttl", 1),
    k("hoplimit", 1),
    k("max_hops", 1),
    k("weight", 1),
    k("vrrp", 0),
    k("checker", 0),
];

fn nb_get_retry(ctx: &mut Ctx<'_>, w: &[String]) {
    ctx.error(
        Class::Deprecated,
        "nb_get_retry is deprecated - please use 'retry'",
    );
    keep(ctx, w);
}

pub fn vs_open(ctx: &mut Ctx<'_>, w: &[String]) {
    if w.len() < 2 {
        ctx.error(Class::General, "virtual server must have an address");
    }
    open_top(ctx, w);
}

/// Top-level sections start a fresh nesting, whatever came before.
fn open_top(ctx: &mut Ctx<'_>, w: &[String]) {
    ctx.cur.generic = None;
    open(ctx, w);
}

pub const fn section(name: &'static str, min: usize, table: &'static [Kw], owner: Pass) -> Kw {
    Kw::block(name, min, Some(open_top), table, Some(close))
        .status(Status::Parsed)
        .owned(owner)
}

pub const fn value_section(name: &'static str, owner: Pass) -> Kw {
    Kw::values(name, Some(open_values), keep_values)
        .status(Status::Parsed)
        .owned(owner)
}

fn open_values(ctx: &mut Ctx<'_>, w: &[String]) {
    open_top(ctx, w);
}

fn keep_values(ctx: &mut Ctx<'_>, w: &[String]) {
    keep(ctx, w);
}
