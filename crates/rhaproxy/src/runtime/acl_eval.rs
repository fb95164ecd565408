//! Evaluating `if`/`unless` conditions on what a TCP connection offers at
//! layer 4 (sans-IO: the caller passes the addresses and counters).
//!
//! Only the fetches that make sense before any byte is read are known
//! here: `src`, `src_port`, `dst`, `dst_port`, `always_true`,
//! `always_false`, `fe_conn`, `nbsrv`, `be_conn`, `connslots`... A fetch
//! that needs a request (an HTTP header in a TCP frontend, say) does not
//! match, which is what HAProxy does when a sample is not available.

use std::net::{IpAddr, SocketAddr};

use haproxy_config::acl::{Acl, Condition, Term};

/// What a condition can look at.
pub struct L4Facts<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Current connections on the frontend (this one included).
    pub fe_conn: u32,
    /// Usable servers of a backend, by name (`nbsrv(name)`); `None` when
    /// the backend does not exist.
    pub nbsrv: &'a dyn Fn(Option<&str>) -> Option<u32>,
    /// Current connections of a backend (`be_conn(name)`).
    pub be_conn: &'a dyn Fn(Option<&str>) -> Option<u32>,
}

/// A fetched value.
enum Sample {
    Ip(IpAddr),
    Int(i64),
    Bool(bool),
}

/// Evaluate `cond` against the proxy's declared `acls`.
pub fn eval(cond: &Condition, acls: &[Acl], f: &L4Facts<'_>) -> bool {
    let v = cond.any_of.iter().any(|group| {
        group.iter().all(|factor| {
            let m = match &factor.term {
                Term::Named(n) => named(n, acls, f),
                Term::Anonymous(acl) => matches(acl, f),
            };
            m != factor.negated
        })
    });
    v != cond.unless
}

fn named(name: &str, acls: &[Acl], f: &L4Facts<'_>) -> bool {
    // Lines declaring the same name are OR'ed.
    let mut declared = acls.iter().filter(|a| a.name == name).peekable();
    if declared.peek().is_some() {
        return declared.any(|a| matches(a, f));
    }
    match name {
        "TRUE" => true,
        "FALSE" => false,
        "LOCALHOST" => match f.src.ip() {
            IpAddr::V4(v4) => v4.octets()[0] == 127,
            IpAddr::V6(v6) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v| v.octets()[0] == 127)
            }
        },
        // Every other predefined ACL is about HTTP content.
        _ => false,
    }
}

/// The argument inside `fetch(arg)`, if any.
fn fetch_arg(criterion: &str) -> Option<&str> {
    let open = criterion.find('(')?;
    let close = criterion[open..].find(')')? + open;
    let a = criterion[open + 1..close].trim();
    (!a.is_empty()).then_some(a)
}

fn fetch(acl: &Acl, f: &L4Facts<'_>) -> Option<Sample> {
    let arg = fetch_arg(&acl.criterion);
    Some(match acl.fetch.as_str() {
        "src" => Sample::Ip(unmap(f.src.ip())),
        "dst" => Sample::Ip(unmap(f.dst.ip())),
        "src_port" => Sample::Int(i64::from(f.src.port())),
        "dst_port" => Sample::Int(i64::from(f.dst.port())),
        "always_true" => Sample::Bool(true),
        "always_false" => Sample::Bool(false),
        "fe_conn" => Sample::Int(i64::from(f.fe_conn)),
        "nbsrv" => Sample::Int(i64::from((f.nbsrv)(arg)?)),
        "be_conn" => Sample::Int(i64::from((f.be_conn)(arg)?)),
        _ => return None,
    })
}

fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn matches(acl: &Acl, f: &L4Facts<'_>) -> bool {
    let Some(sample) = fetch(acl, f) else {
        return false;
    };
    let method = acl.method.as_deref();
    match sample {
        Sample::Bool(b) => match method {
            Some("found") => true,
            _ if acl.values.is_empty() => b,
            // A boolean compared with integers, as `-m int`.
            _ => int_match(i64::from(b), &acl.values),
        },
        Sample::Int(n) => match method {
            Some("found") => true,
            Some("bool") => n != 0,
            _ if acl.values.is_empty() => n != 0,
            _ => int_match(n, &acl.values),
        },
        Sample::Ip(ip) => match method {
            Some("found") => true,
            _ => acl.values.iter().any(|p| ip_match(ip, p)),
        },
    }
}

/// `N`, `A:B`, `:B`, `A:`, or an operator (`eq ge gt le lt`) and a value.
fn int_match(n: i64, values: &[String]) -> bool {
    let mut i = 0;
    while i < values.len() {
        let v = values[i].as_str();
        let op = match v {
            "eq" | "ge" | "gt" | "le" | "lt" => Some(v),
            _ => None,
        };
        if let Some(op) = op {
            let Some(rhs) = values.get(i + 1).and_then(|s| s.parse::<i64>().ok()) else {
                return false;
            };
            let ok = match op {
                "eq" => n == rhs,
                "ge" => n >= rhs,
                "gt" => n > rhs,
                "le" => n <= rhs,
                _ => n < rhs,
            };
            if ok {
                return true;
            }
            i += 2;
            continue;
        }
        if let Some((a, b)) = v.split_once(':') {
            let lo = if a.is_empty() {
                Some(i64::MIN)
            } else {
                a.parse().ok()
            };
            let hi = if b.is_empty() {
                Some(i64::MAX)
            } else {
                b.parse().ok()
            };
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if (lo..=hi).contains(&n) {
                    return true;
                }
            }
        } else if v.parse::<i64>().ok() == Some(n) {
            return true;
        }
        i += 1;
    }
    false
}

/// An address or a network (`192.0.2.0/24`, `192.0.2.0/255.255.255.0`,
/// `2001:db8::/32`). IPv4 patterns also match v4-mapped IPv6 samples,
/// which `unmap` already turned into IPv4.
fn ip_match(ip: IpAddr, pattern: &str) -> bool {
    let (addr, len) = match pattern.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (pattern, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits = match len {
                None => 32,
                Some(l) => match l.parse::<u32>() {
                    Ok(b) if b <= 32 => b,
                    _ => match l.parse::<std::net::Ipv4Addr>() {
                        Ok(m) => u32::from(m).count_ones(),
                        Err(_) => return false,
                    },
                },
            };
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits = match len.map(str::parse::<u32>) {
                None => 128,
                Some(Ok(b)) if b <= 128 => b,
                _ => return false,
            };
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use haproxy_config::acl::parse_acl;

    fn facts<'a>(src: &str, dst: &str, nb: &'a dyn Fn(Option<&str>) -> Option<u32>) -> L4Facts<'a> {
        L4Facts {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            fe_conn: 3,
            nbsrv: nb,
            be_conn: nb,
        }
    }

    fn acl(name: &str, words: &str) -> Acl {
        let w: Vec<String> = words.split_whitespace().map(String::from).collect();
        parse_acl(name, &w).unwrap()
    }

    fn cond(unless: bool, groups: &[&[(&str, bool)]]) -> Condition {
        Condition {
            unless,
            any_of: groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|(n, neg)| haproxy_config::acl::Factor {
                            negated: *neg,
                            term: Term::Named(n.to_string()),
                        })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn src_networks_ports_and_boolean_logic() {
        let nb = |_: Option<&str>| Some(2);
        let f = facts("192.0.2.7:40000", "198.51.100.1:25", &nb);
        let acls = vec![
            acl("lan", "src 192.0.2.0/24"),
            acl("other", "src 203.0.113.0/255.255.255.0"),
            acl("smtp", "dst_port 25"),
            acl("high", "src_port gt 1024"),
            acl("range", "dst_port 20:30"),
            acl("twosrv", "nbsrv(b) ge 2"),
        ];
        assert!(eval(&cond(false, &[&[("lan", false)]]), &acls, &f));
        assert!(!eval(&cond(false, &[&[("other", false)]]), &acls, &f));
        assert!(eval(&cond(true, &[&[("other", false)]]), &acls, &f));
        assert!(eval(
            &cond(false, &[&[("smtp", false), ("high", false)]]),
            &acls,
            &f
        ));
        assert!(!eval(
            &cond(false, &[&[("smtp", false), ("other", false)]]),
            &acls,
            &f
        ));
        assert!(eval(
            &cond(false, &[&[("other", false)], &[("range", false)]]),
            &acls,
            &f
        ));
        assert!(eval(&cond(false, &[&[("other", true)]]), &acls, &f));
        assert!(eval(&cond(false, &[&[("twosrv", false)]]), &acls, &f));
        assert!(eval(&cond(false, &[&[("TRUE", false)]]), &acls, &f));
        assert!(!eval(&cond(false, &[&[("LOCALHOST", false)]]), &acls, &f));
        assert!(!eval(&cond(false, &[&[("HTTP", false)]]), &acls, &f));
    }

    #[test]
    fn same_name_lines_are_ored_and_v4_mapped_sources_match() {
        let nb = |_: Option<&str>| None;
        let f = facts("[::ffff:127.0.0.9]:1000", "[::1]:80", &nb);
        let acls = vec![acl("x", "src 192.0.2.1"), acl("x", "src 127.0.0.0/8")];
        assert!(eval(&cond(false, &[&[("x", false)]]), &acls, &f));
        assert!(eval(&cond(false, &[&[("LOCALHOST", false)]]), &acls, &f));
        let v6 = vec![acl("v6", "dst ::1")];
        assert!(eval(&cond(false, &[&[("v6", false)]]), &v6, &f));
        // nbsrv of an unknown backend: no sample, no match.
        let n = vec![acl("n", "nbsrv(nope) ge 0")];
        assert!(!eval(&cond(false, &[&[("n", false)]]), &n, &f));
    }

    #[test]
    fn always_true_and_false() {
        let nb = |_: Option<&str>| None;
        let f = facts("127.0.0.1:1", "127.0.0.1:2", &nb);
        let acls = vec![acl("t", "always_true"), acl("f", "always_false")];
        assert!(eval(&cond(false, &[&[("t", false)]]), &acls, &f));
        assert!(!eval(&cond(false, &[&[("f", false)]]), &acls, &f));
    }
}
