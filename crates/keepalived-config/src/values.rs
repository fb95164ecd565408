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
pub fn decimal(ctx: &mut Ctx<'_>, s: &str, lo: f64, hi: f64) -> Option<Duration> {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && s.matches('.').count() <= 1
        && s.split('.').nth(1).is_none_or(|f| f.len() <= 6);
    let v: f64 = match (ok, s.parse::<f64>()) {
        (true, Ok(v)) => v,
        _ => {
            ctx.error(Class::General, format!("invalid decimal number '{s}'"));
            return None;
        }
    };
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
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match p {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(v) if v <= max => v,
            _ => {
                ctx.error(
                    Class::General,
                    format!("VRRP parsed invalid IP {first}. skipping IP..."),
                );
                return None;
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
                "dev" => v.dev = Some(val.clone()),
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
