//! Socket addresses as written in `bind`, `server`, `log`, `stats socket`
//! and friends: `*:80`, `:8000-8010`, `1.2.3.4:80`, `[::1]:80`, `host:port`,
//! `unix@/path`, `abns@name`, `ipv4@`/`ipv6@`/`udp@` prefixes, `fd@N`,
//! `sockpair@N`, and `$VAR`/`${VAR}` references (expanded here, as 2.6
//! does for addresses even outside quotes).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::host::Host;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// No prefix: decided by the address itself.
    Auto,
    V4,
    V6,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Stream,
    Datagram,
}

/// A port, a port range (binds), or an offset from the client's
/// destination port (servers: `+1`, `-1`); `None` on a server means "the
/// port the client connected to".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    None,
    Range(u16, u16),
    Offset(i32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Inet {
        family: Family,
        transport: Transport,
        /// `None` means the wildcard (`*`, empty, `0.0.0.0`-like any).
        ip: Option<IpAddr>,
        /// The host name as written, when it was one.
        hostname: Option<String>,
        ports: Ports,
    },
    Unix {
        path: String,
        transport: Transport,
    },
    Abns(String),
    Fd(u32),
    SockPair(u32),
}

impl Address {
    pub fn is_inet(&self) -> bool {
        matches!(self, Address::Inet { .. })
    }

    pub fn port_range(&self) -> Option<(u16, u16)> {
        match self {
            Address::Inet {
                ports: Ports::Range(a, b),
                ..
            } => Some((*a, *b)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// A listener: port required, ranges allowed, stream sockets only.
    Bind,
    /// A server: port optional, `+N`/`-N` offsets allowed, names resolved.
    Server,
    /// A log target or similar: port optional, no ranges.
    Other,
    /// A server's `addr`/`socks4`-style option: port optional, no ranges,
    /// no offsets, names resolved at once.
    Check,
}

/// Errors phrased as 2.6 phrases them; callers add their own prefix
/// (`'bind' : `, `'server be/s' : `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrError {
    MissingPort(String),
    InvalidPortChar {
        c: char,
        port: String,
        addr: String,
    },
    InvalidPort(String),
    /// The host part did not resolve (as written, brackets kept). Servers
    /// say `could not resolve address`, listeners `invalid address`.
    Unresolvable(String),
    /// A reversed port range; the payload is the range as written.
    BadRange(String),
    /// `invalid address: 'host' in 'addr'`
    InvalidAddress {
        host: String,
        addr: String,
    },
    RangeNotPermitted(String),
    OffsetNotPermitted(String),
    /// A datagram socket where a stream one is needed.
    Dgram(String),
    /// `fd@` on a server line.
    FdNotPermitted(String),
    BadFd {
        fd: String,
        addr: String,
    },
    /// An inherited descriptor that cannot be used, with libc's reason.
    UnusableFd {
        fd: u32,
        reason: &'static str,
    },
    Other(String),
}

impl std::fmt::Display for AddrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AddrError::MissingPort(a) => write!(f, "missing port specification in '{a}'"),
            AddrError::InvalidPortChar { c, port, addr } => {
                write!(
                    f,
                    "invalid character '{c}' in port number '{port}' in '{addr}'"
                )
            }
            AddrError::InvalidPort(p) => write!(f, "invalid port '{p}'"),
            AddrError::Unresolvable(h) => write!(f, "could not resolve address '{h}'."),
            AddrError::BadRange(r) => write!(f, "invalid port range '{r}'"),
            AddrError::InvalidAddress { host, addr } => {
                write!(f, "invalid address: '{host}' in '{addr}'")
            }
            AddrError::RangeNotPermitted(a) => write!(f, "port range not permitted here in '{a}'"),
            AddrError::OffsetNotPermitted(a) => {
                write!(f, "port offset not permitted here in '{a}'")
            }
            AddrError::Dgram(a) => write!(f, "dgram-type address not acceptable in '{a}'"),
            AddrError::FdNotPermitted(a) => {
                write!(f, "a file descriptor is not acceptable here in '{a}'")
            }
            AddrError::BadFd { fd, addr } => {
                write!(
                    f,
                    "file descriptor '{fd}' is not a valid integer in '{addr}'"
                )
            }
            AddrError::UnusableFd { fd, reason } => {
                write!(f, "cannot use file descriptor '{fd}' : {reason}.")
            }
            AddrError::Other(m) => f.write_str(m),
        }
    }
}

/// Expand `$NAME` / `${NAME}` in an address.
pub fn expand_env(s: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    if !s.contains('$') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let braced = b.get(i + 1) == Some(&b'{');
            let st = if braced { i + 2 } else { i + 1 };
            let mut j = st;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > st && (!braced || b.get(j) == Some(&b'}')) {
                out.push_str(&env(&s[st..j]).unwrap_or_default());
                i = if braced { j + 1 } else { j };
                continue;
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

/// Parse an address, resolving host names through `host` at once.
pub fn parse(
    raw: &str,
    usage: Use,
    host: &dyn Host,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Address, AddrError> {
    parse_with(raw, usage, true, host, env)
}

/// Parse a server address the way 2.6 does at parse time: names are kept
/// unresolved (`ip: None, hostname: Some(..)`) for [`resolve_server`] to
/// look up once the whole configuration is read, as `init-addr` decides.
pub fn parse_deferred(
    raw: &str,
    host: &dyn Host,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Address, AddrError> {
    parse_with(raw, Use::Server, false, host, env)
}

/// Resolve a host name kept by [`parse_deferred`], honouring an
/// `ipv4@`/`ipv6@` prefix (an address of the other family fails, as a
/// bracketed literal does: libc is handed the text as written).
pub fn resolve_server(name: &str, family: Family, host: &dyn Host) -> Option<IpAddr> {
    let ip = host.resolve(name)?;
    match (family, ip) {
        (Family::V4, IpAddr::V6(_)) | (Family::V6, IpAddr::V4(_)) => None,
        _ => Some(ip),
    }
}

fn parse_with(
    raw: &str,
    usage: Use,
    resolve: bool,
    host: &dyn Host,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Address, AddrError> {
    let s = expand_env(raw, env);
    let (prefix, rest) = match s.find('@') {
        Some(p) if !s[..p].contains(':') && !s[..p].contains('/') => (&s[..p], &s[p + 1..]),
        _ => ("", s.as_str()),
    };
    let (family, transport) = match prefix {
        "ipv4" | "tcp4" => (Family::V4, Transport::Stream),
        "ipv6" | "tcp6" => (Family::V6, Transport::Stream),
        "tcp" => (Family::Auto, Transport::Stream),
        "udp" => (Family::Auto, Transport::Datagram),
        "udp4" => (Family::V4, Transport::Datagram),
        "udp6" => (Family::V6, Transport::Datagram),
        "unix" | "uxst" => {
            return Ok(Address::Unix {
                path: rest.to_string(),
                transport: Transport::Stream,
            })
        }
        "uxdg" => {
            if usage == Use::Server {
                return Err(AddrError::Dgram(s.clone()));
            }
            return Ok(Address::Unix {
                path: rest.to_string(),
                transport: Transport::Datagram,
            });
        }
        "abns" => return Ok(Address::Abns(rest.to_string())),
        "fd" | "sockpair" => {
            if prefix == "fd" && usage == Use::Server {
                return Err(AddrError::FdNotPermitted(s.clone()));
            }
            let n: u32 = rest.parse().map_err(|_| AddrError::BadFd {
                fd: rest.to_string(),
                addr: s.clone(),
            })?;
            if matches!(usage, Use::Bind | Use::Server) {
                if let Some(reason) = host.fd_state(n).reason() {
                    return Err(AddrError::UnusableFd { fd: n, reason });
                }
            }
            return Ok(if prefix == "fd" {
                Address::Fd(n)
            } else {
                Address::SockPair(n)
            });
        }
        "quic4" | "quic6" => {
            return Err(AddrError::Other(format!(
                "unsupported stream protocol for datagram family {} address '{s}'; QUIC is not compiled in if this is what you were looking for.",
                if prefix == "quic4" { 2 } else { 10 }
            )))
        }
        // Not a known family: the whole text is an address (and fails to
        // resolve, as 2.6 reports it).
        _ => (Family::Auto, Transport::Stream),
    };
    let rest = if matches!(
        prefix,
        "ipv4" | "tcp4" | "ipv6" | "tcp6" | "tcp" | "udp" | "udp4" | "udp6"
    ) {
        rest
    } else {
        s.as_str()
    };
    // Listeners refuse datagram sockets in `bind` itself (resolvers and
    // log targets share this parser and take them).
    if transport == Transport::Datagram && usage == Use::Server {
        return Err(AddrError::Dgram(s.clone()));
    }
    // A path without prefix is a UNIX socket.
    if rest.starts_with('/') && rest.len() == s.len() {
        return Ok(Address::Unix {
            path: rest.to_string(),
            transport: Transport::Stream,
        });
    }

    // The host part as written (brackets kept, for messages), the host
    // to look up, and the port text.
    let (written, hostpart, portpart): (&str, &str, Option<&str>) =
        if let Some(r) = rest.strip_prefix('[') {
            let Some(close) = r.find(']') else {
                let upto = rest.rfind(':').map_or(rest, |p| &rest[..p]);
                return Err(AddrError::InvalidAddress {
                    host: upto.to_string(),
                    addr: s.clone(),
                });
            };
            let after = &r[close + 1..];
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return Err(AddrError::MissingPort(s.clone())),
            };
            (&rest[..close + 2], &r[..close], port)
        } else {
            match rest.rfind(':') {
                Some(p) => (&rest[..p], &rest[..p], Some(&rest[p + 1..])),
                None => (rest, rest, None),
            }
        };

    let ports = match portpart {
        None | Some("") if usage == Use::Bind => return Err(AddrError::MissingPort(s.clone())),
        None | Some("") => Ports::None,
        Some(p) => parse_ports(p, usage, &s)?,
    };

    let (ip, hostname) = match hostpart {
        "" | "*" => (None, None),
        h => match h.parse::<IpAddr>() {
            Ok(ip) if family_fits(family, ip) => (Some(ip), None),
            // An address of the other family: libc gets the text as
            // written and fails.
            Ok(_) if !resolve => (None, Some(written.to_string())),
            Ok(_) => return Err(unresolvable(usage, written, &s)),
            Err(_) if !resolve => (None, Some(written.to_string())),
            Err(_) => match host.resolve(h).filter(|ip| family_fits(family, *ip)) {
                Some(ip) => (Some(ip), Some(h.to_string())),
                None => return Err(unresolvable(usage, written, &s)),
            },
        },
    };
    Ok(Address::Inet {
        family,
        transport,
        ip,
        hostname,
        ports,
    })
}

fn family_fits(family: Family, ip: IpAddr) -> bool {
    !matches!(
        (family, ip),
        (Family::V4, IpAddr::V6(_)) | (Family::V6, IpAddr::V4(_))
    )
}

fn unresolvable(usage: Use, host: &str, addr: &str) -> AddrError {
    match usage {
        Use::Check => AddrError::InvalidAddress {
            host: host.to_string(),
            addr: addr.to_string(),
        },
        _ => AddrError::Unresolvable(host.to_string()),
    }
}

fn parse_ports(p: &str, usage: Use, addr: &str) -> Result<Ports, AddrError> {
    if let Some(sign) = p.chars().next().filter(|c| *c == '+' || *c == '-') {
        if usage != Use::Server {
            return Err(AddrError::OffsetNotPermitted(addr.to_string()));
        }
        let v: i32 = p[1..]
            .parse()
            .map_err(|_| AddrError::InvalidPort(p.to_string()))?;
        return Ok(Ports::Offset(if sign == '-' { -v } else { v }));
    }
    let one = |t: &str| -> Result<u16, AddrError> {
        if let Some(c) = t.chars().find(|c| !c.is_ascii_digit()) {
            return Err(AddrError::InvalidPortChar {
                c,
                port: t.to_string(),
                addr: addr.to_string(),
            });
        }
        match t.parse::<u32>() {
            Ok(0) if matches!(usage, Use::Server | Use::Check) => Ok(0),
            Ok(v) if (1..=65535).contains(&v) => Ok(v as u16),
            _ => Err(AddrError::InvalidPort(t.to_string())),
        }
    };
    match p.split_once('-') {
        Some(_) if matches!(usage, Use::Server | Use::Check) => {
            Err(AddrError::RangeNotPermitted(addr.to_string()))
        }
        Some((a, b)) if usage == Use::Bind => {
            let (lo, hi) = (one(a)?, one(b)?);
            if lo > hi {
                return Err(AddrError::BadRange(p.to_string()));
            }
            Ok(Ports::Range(lo, hi))
        }
        _ => match one(p)? {
            // A server's port 0 means "the port the client used".
            0 => Ok(Ports::None),
            v => Ok(Ports::Range(v, v)),
        },
    }
}

/// The wildcard address for a family, for display and binding.
pub fn any_for(family: Family) -> IpAddr {
    match family {
        Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        _ => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemHost;

    fn p(s: &str, u: Use) -> Result<Address, AddrError> {
        let env = |n: &str| (n == "PORT").then(|| "8080".to_string());
        // Descriptors 3 and 4 are inherited sockets.
        let host = MemHost {
            sockets: vec![3, 4],
            ..Default::default()
        };
        parse(s, u, &host, &env)
    }

    #[test]
    fn bind_forms() {
        assert!(matches!(
            p("*:80", Use::Bind),
            Ok(Address::Inet {
                ip: None,
                ports: Ports::Range(80, 80),
                ..
            })
        ));
        assert!(matches!(
            p(":8000-8010", Use::Bind),
            Ok(Address::Inet {
                ports: Ports::Range(8000, 8010),
                ..
            })
        ));
        assert!(matches!(
            p("[::1]:80", Use::Bind),
            Ok(Address::Inet {
                ip: Some(IpAddr::V6(_)),
                ..
            })
        ));
        assert!(matches!(
            p("ipv6@:80", Use::Bind),
            Ok(Address::Inet {
                family: Family::V6,
                ..
            })
        ));
        assert!(matches!(
            p("127.0.0.1:${PORT}", Use::Bind),
            Ok(Address::Inet {
                ports: Ports::Range(8080, 8080),
                ..
            })
        ));
        assert_eq!(
            p("unix@/tmp/s", Use::Bind),
            Ok(Address::Unix {
                path: "/tmp/s".into(),
                transport: Transport::Stream
            })
        );
        assert_eq!(p("abns@x", Use::Bind), Ok(Address::Abns("x".into())));
        assert_eq!(p("fd@3", Use::Bind), Ok(Address::Fd(3)));
        assert_eq!(p("sockpair@4", Use::Bind), Ok(Address::SockPair(4)));
    }

    #[test]
    fn bind_errors_as_2_6() {
        assert_eq!(
            p("127.0.0.1", Use::Bind).unwrap_err().to_string(),
            "missing port specification in '127.0.0.1'"
        );
        assert_eq!(
            p("127.0.0.1:http", Use::Bind).unwrap_err().to_string(),
            "invalid character 'h' in port number 'http' in '127.0.0.1:http'"
        );
        assert_eq!(
            p("*:0", Use::Bind).unwrap_err().to_string(),
            "invalid port '0'"
        );
        assert_eq!(
            p("*:65536", Use::Bind).unwrap_err().to_string(),
            "invalid port '65536'"
        );
    }

    #[test]
    fn server_forms() {
        assert!(matches!(
            p("127.0.0.1", Use::Server),
            Ok(Address::Inet {
                ports: Ports::None,
                ..
            })
        ));
        assert!(matches!(
            p("127.0.0.1:+1", Use::Server),
            Ok(Address::Inet {
                ports: Ports::Offset(1),
                ..
            })
        ));
        assert_eq!(
            p("127.0.0.1:99999", Use::Server).unwrap_err().to_string(),
            "invalid port '99999'"
        );
        assert_eq!(
            p("300.1.1.1:80", Use::Server).unwrap_err().to_string(),
            "could not resolve address '300.1.1.1'."
        );
        assert_eq!(
            p("IP_OF_MACHINE_01:8080", Use::Server)
                .unwrap_err()
                .to_string(),
            "could not resolve address 'IP_OF_MACHINE_01'."
        );
    }

    #[test]
    fn errors_measured_on_2_6() {
        let e = |s: &str, u: Use| p(s, u).unwrap_err().to_string();
        assert_eq!(e(":80-70", Use::Bind), "invalid port range '80-70'");
        assert_eq!(
            e(":-81", Use::Bind),
            "port offset not permitted here in ':-81'"
        );
        assert_eq!(
            e("*:+1", Use::Bind),
            "port offset not permitted here in '*:+1'"
        );
        assert_eq!(
            e("[::1]80", Use::Bind),
            "missing port specification in '[::1]80'"
        );
        assert_eq!(
            e("[::1:80", Use::Bind),
            "invalid address: '[::1' in '[::1:80'"
        );
        assert_eq!(
            e("fd@abc", Use::Bind),
            "file descriptor 'abc' is not a valid integer in 'fd@abc'"
        );
        assert_eq!(
            e("fd@9", Use::Bind),
            "cannot use file descriptor '9' : Bad file descriptor."
        );
        assert_eq!(
            e("1.2.3.4:80-81", Use::Server),
            "port range not permitted here in '1.2.3.4:80-81'"
        );
        assert_eq!(
            e("udp@1.2.3.4:80", Use::Server),
            "dgram-type address not acceptable in 'udp@1.2.3.4:80'"
        );
        assert_eq!(
            e("fd@3", Use::Server),
            "a file descriptor is not acceptable here in 'fd@3'"
        );
        assert_eq!(
            e("quic4@:80", Use::Bind),
            "unsupported stream protocol for datagram family 2 address 'quic4@:80'; QUIC is not compiled in if this is what you were looking for."
        );
        // Family prefixes that do not match the literal: the text as written.
        assert_eq!(
            e("ipv4@[::1]:80", Use::Bind),
            "could not resolve address '[::1]'."
        );
        assert_eq!(
            e("ipv6@127.0.0.1:80", Use::Bind),
            "could not resolve address '127.0.0.1'."
        );
        // IPv6 without brackets: the last colon starts the port.
        assert!(matches!(
            p("::1:80", Use::Bind),
            Ok(Address::Inet {
                ip: Some(IpAddr::V6(_)),
                ports: Ports::Range(80, 80),
                ..
            })
        ));
        assert_eq!(e("::80", Use::Bind), "could not resolve address ':'.");
        // Binds keep datagram addresses for the callers that take them.
        assert!(p("udp@:514", Use::Bind).is_ok());
        // Servers: port 0 is "no port"; offsets both ways.
        assert!(matches!(
            p("1.2.3.4:0", Use::Server),
            Ok(Address::Inet {
                ports: Ports::None,
                ..
            })
        ));
        assert!(matches!(
            p("1.2.3.4:-1", Use::Server),
            Ok(Address::Inet {
                ports: Ports::Offset(-1),
                ..
            })
        ));
    }

    #[test]
    fn deferred_server_names() {
        let env = |_: &str| None;
        let h = MemHost::default();
        let a = parse_deferred("nosuch.invalid:80", &h, &env).unwrap();
        assert!(matches!(
            &a,
            Address::Inet { ip: None, hostname: Some(n), .. } if n == "nosuch.invalid"
        ));
        let a = parse_deferred("ipv4@[::1]:80", &h, &env).unwrap();
        assert!(
            matches!(&a, Address::Inet { ip: None, hostname: Some(n), family: Family::V4, .. } if n == "[::1]")
        );
        assert_eq!(resolve_server("127.0.0.1", Family::V6, &h), None);
        assert!(resolve_server("127.0.0.1", Family::Auto, &h).is_some());
        assert_eq!(
            parse("localhost:80", Use::Check, &h, &env)
                .unwrap_err()
                .to_string(),
            "invalid address: 'localhost' in 'localhost:80'"
        );
    }
}
