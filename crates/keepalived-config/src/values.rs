//! Reading numbers, booleans and addresses with keepalived's messages.

use std::net::IpAddr;
use std::time::Duration;

use crate::diag::Class;
use crate::engine::Ctx;
use crate::model::VipSpec;

/// An integer in `[lo, hi]`; on failure reports keepalived's text and
/// returns `None`.
pub fn int(ctx: &mut Ctx<'_>, s: &str, lo: i64, hi: i64) -> Option<i64> {
    let v: i64 = match s.parse() {
        Ok(v) => v,
        Err(_) => {
            ctx.error(Class::General, format!("invalid number '{s}'"));
            return None;
        }
    };
    if v < 0 && lo >= 0 {
        ctx.error(Class::General, format!("negative number '{s}'"));
        return None;
    }
    if v < lo || v > hi {
        ctx.error(
            Class::General,
            format!("number '{s}' outside range [{lo}, {hi}]"),
        );
        return None;
    }
    Some(v)
}

/// A decimal with up to 6 places (µs resolution) in `[lo, hi]`.
/// More places draw `has too many decimal places` and are rounded.
pub fn decimal(ctx: &mut Ctx<'_>, s: &str, lo: f64, hi: f64) -> Option<Duration> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let ok = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.matches('.').count() <= 1
        && body != ".";
    let v: f64 = match (ok, s.parse::<f64>()) {
        (true, Ok(v)) => v,
        _ => {
            ctx.error(Class::General, format!("invalid number '{s}'"));
            return None;
        }
    };
    if s.split('.').nth(1).is_some_and(|f| f.len() > 6) {
        ctx.error(
            Class::General,
            format!("number '{s}' has too many decimal places"),
        );
    }
    if v < lo || v > hi {
        ctx.error(
            Class::General,
            format!("number '{s}' outside range [{lo:.6}, {hi:.6}]"),
        );
        return None;
    }
    Some(Duration::from_micros((v * 1_000_000.0).round() as u64))
}

/// `on|off|true|false|yes|no`; absent means true.
pub fn boolean(ctx: &mut Ctx<'_>, w: Option<&String>) -> Option<bool> {
    match w.map(String::as_str) {
        None => Some(true),
        Some("on" | "true" | "yes") => Some(true),
        Some("off" | "false" | "no") => Some(false),
        Some(x) => {
            ctx.error(Class::General, format!("Invalid boolean value '{x}'"));
            None
        }
    }
}

pub fn ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

const VIP_FLAGS: &[&str] = &[
    "home",
    "-nodad",
    "nodad",
    "mngtmpaddr",
    "noprefixroute",
    "autojoin",
    "no_track",
    "use_vmac",
];
const VIP_ARGS: &[&str] = &[
    "brd",
    "dev",
    "scope",
    "label",
    "peer",
    "preferred_lft",
    "track_group",
];

/// Parse one address line of `virtual_ipaddress` and friends.
pub fn vip(ctx: &mut Ctx<'_>, words: &[String]) -> Option<VipSpec> {
    let first = &words[0];
    let (a, p) = match first.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (first.as_str(), None),
    };
    let Some(addr) = ip(a) else {
        ctx.error_hint(
            Class::General,
            format!("VRRP parsed invalid IP {first}. skipping IP..."),
            "addresses are IPv4 or IPv6 literals, optionally with /prefix",
        );
        return None;
    };
    let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match p {
        None => max,
        Some(ps) => match int(ctx, ps, 0, i64::from(max)) {
            Some(v) => v as u8,
            None => {
                ctx.error(
                    Class::General,
                    format!("Invalid address prefix len {ps} for address {first} - using {max}"),
                );
                max
            }
        },
    };
    let mut v = VipSpec {
        addr,
        prefix,
        broadcast: None,
        dev: None,
        scope: None,
        label: None,
        peer: None,
        flags: Vec::new(),
        text: words.join(" "),
    };
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        if VIP_ARGS.contains(&w) {
            let Some(val) = words.get(i + 1) else {
                ctx.error(Class::General, format!("{w} requires an argument"));
                return None;
            };
            match w {
                "brd" => v.broadcast = Some(val.clone()),
                "dev" => {
                    if !ctx.host.interface_exists(val) && !ctx.cfg.global.dynamic_interfaces {
                        ctx.error(
                            Class::General,
                            format!(
                                "WARNING - interface {val} for ip address {first} doesn't exist"
                            ),
                        );
                        ctx.cfg.nonexistent_interface = true;
                    }
                    v.dev = Some(val.clone());
                }
                "scope" => {
                    const SCOPES: &[&str] = &["site", "link", "host", "nowhere", "global"];
                    if !SCOPES.contains(&val.as_str()) && val.parse::<u8>().is_err() {
                        ctx.error(
                            Class::General,
                            format!("Invalid scope '{val}' specified for {first} - ignoring"),
                        );
                    } else {
                        v.scope = Some(val.clone());
                    }
                }
                "label" => v.label = Some(val.clone()),
                "peer" => v.peer = ip(val),
                _ => v.flags.push(format!("{w} {val}")),
            }
            i += 2;
        } else if VIP_FLAGS.contains(&w) {
            v.flags.push(w.to_string());
            i += 1;
        } else {
            ctx.error(
                Class::General,
                format!("Unknown configuration entry '{w}' for ip address - ignoring"),
            );
            i += 1;
        }
    }
    Some(v)
}

/// Route keywords that take one value (`ip route` syntax).
const ROUTE_ARGS: &[&str] = &[
    "src",
    "via",
    "gw",
    "dev",
    "oif",
    "table",
    "metric",
    "priority",
    "preference",
    "scope",
    "protocol",
    "proto",
    "tos",
    "dsfield",
    "realm",
    "realms",
    "mtu",
    "advmss",
    "rtt",
    "rttvar",
    "reordering",
    "window",
    "cwnd",
    "ssthresh",
    "initcwnd",
    "initrwnd",
    "features",
    "quickack",
    "congctl",
    "rto_min",
    "hoplimit",
    "pref",
    "fastopen_no_cookie",
    "lock",
    "nexthop",
    "weight",
    "encap",
    "vrf",
    "expires",
];

/// Check one `virtual_routes` / `static_routes` line: a named `dev` must
/// exist, and a virtual route without one cannot be tracked.
pub fn route(ctx: &mut Ctx<'_>, w: &[String], virtual_route: bool) {
    let mut dest: Option<&str> = None;
    let mut dev = None;
    let mut i = 0;
    while i < w.len() {
        let k = w[i].as_str();
        if k == "to" {
            dest = w.get(i + 1).map(String::as_str).or(dest);
            i += 2;
        } else if ROUTE_ARGS.contains(&k) {
            if k == "dev" || k == "oif" {
                dev = w.get(i + 1).cloned();
            }
            i += 2;
        } else {
            if dest.is_none()
                && !matches!(
                    k,
                    "blackhole"
                        | "unreachable"
                        | "prohibit"
                        | "throw"
                        | "no_track"
                        | "onlink"
                        | "inet"
                        | "inet6"
                        | "append"
                )
            {
                dest = Some(k);
            }
            i += 1;
        }
    }
    if let Some(d) = &dev {
        if !ctx.host.interface_exists(d) && !ctx.cfg.global.dynamic_interfaces {
            ctx.error(
                Class::General,
                format!("WARNING - interface {d} for VROUTE nexthop doesn't exist"),
            );
            ctx.cfg.nonexistent_interface = true;
        }
    } else if virtual_route && !w.iter().any(|x| x == "no_track") {
        let d = dest.unwrap_or("").to_string();
        ctx.error(
            Class::General,
            format!("Warning - cannot track route {d} with no interface specified, not tracking"),
        );
    }
}

/// Check one `virtual_rules` / `static_rules` line.
pub fn rule(ctx: &mut Ctx<'_>, w: &[String]) {
    let mut has_pref = false;
    let mut i = 0;
    while i < w.len() {
        let k = w[i].as_str();
        match k {
            "iif" | "oif" => {
                if let Some(d) = w.get(i + 1) {
                    if !ctx.host.interface_exists(d) && !ctx.cfg.global.dynamic_interfaces {
                        ctx.error(
                            Class::General,
                            format!("WARNING - interface {d} for rule doesn't exist"),
                        );
                        ctx.cfg.nonexistent_interface = true;
                    }
                }
                i += 2;
            }
            "priority" | "preference" | "prio" | "order" => {
                has_pref = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    if !has_pref {
        ctx.error(
            Class::General,
            "Rule has no preference specified - setting to 16384. This is probably not what you want.",
        );
    }
}
