//! Opening the listening sockets of every `bind` line, before the event
//! loop starts, so that a failure is reported and the process exits the
//! way HAProxy does: one ALERT per address that failed, then
//! `Some protocols failed to start their listeners! Exiting.`, status 1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;

use haproxy_config::addr::{Address, Family, Ports};
use haproxy_config::model::{Bind, Proxy};
use socket2::{Domain, Protocol, Socket, Type};

pub enum Sock {
    Tcp(std::net::TcpListener),
    Unix(std::os::unix::net::UnixListener),
}

/// One listening socket and the frontend it feeds.
pub struct Listener {
    pub frontend: usize,
    pub sock: Sock,
    /// `maxconn` of the bind line (0: no own limit).
    pub maxconn: u32,
}

/// A bind that could not be opened.
#[derive(Debug)]
pub struct BindError {
    /// HAProxy's ALERT text.
    pub message: String,
    /// What we can add, when we know the likely cause.
    pub hint: Option<String>,
}

fn num(b: &Bind, name: &str) -> Option<u32> {
    b.option(name).flatten().and_then(|v| v.parse().ok())
}

/// Open every address of every bind of `px` (the `index`-th proxy).
pub fn open_all(
    index: usize,
    px: &Proxy,
    default_backlog: u32,
    noreuseport: bool,
) -> (Vec<Listener>, Vec<BindError>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for b in &px.binds {
        let backlog = num(b, "backlog")
            .or(px.backlog)
            .or(px.maxconn)
            .unwrap_or(default_backlog)
            .max(1);
        let maxconn = num(b, "maxconn").unwrap_or(0);
        for a in &b.addresses {
            for target in targets(a) {
                let res = match &target {
                    Target::Inet(sa) => open_inet(*sa, b, backlog, noreuseport).map(Sock::Tcp),
                    Target::Unix(path) => open_unix(path, b, backlog).map(Sock::Unix),
                };
                match res {
                    Ok(sock) => out.push(Listener {
                        frontend: index,
                        sock,
                        maxconn,
                    }),
                    Err(e) => errs.push(describe(px, b, &target, &e)),
                }
            }
        }
    }
    (out, errs)
}

enum Target {
    Inet(SocketAddr),
    Unix(String),
}

fn targets(a: &Address) -> Vec<Target> {
    match a {
        Address::Inet {
            family, ip, ports, ..
        } => {
            let ip = ip.unwrap_or(match family {
                Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                _ => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            });
            match ports {
                Ports::Range(lo, hi) => (*lo..=*hi)
                    .map(|p| Target::Inet(SocketAddr::new(ip, p)))
                    .collect(),
                _ => Vec::new(),
            }
        }
        Address::Unix { path, .. } => vec![Target::Unix(path.clone())],
        // abns@, fd@ and sockpair@ come with the process model.
        _ => Vec::new(),
    }
}

fn open_inet(
    sa: SocketAddr,
    b: &Bind,
    backlog: u32,
    noreuseport: bool,
) -> std::io::Result<std::net::TcpListener> {
    let s = Socket::new(Domain::for_address(sa), Type::STREAM, Some(Protocol::TCP))?;
    s.set_reuse_address(true)?;
    if !noreuseport {
        // Lets a reloading process bind next to the old one.
        let _ = s.set_reuse_port(true);
    }
    if sa.is_ipv6() {
        s.set_only_v6(b.option("v6only").is_some())?;
    }
    if b.option("transparent").is_some() {
        match sa {
            SocketAddr::V4(_) => s.set_ip_transparent(true)?,
            SocketAddr::V6(_) => socket2::SockRef::from(&s).set_ip_transparent(true)?,
        }
    }
    if let Some(Some(dev)) = b.option("interface") {
        s.bind_device(Some(dev.as_bytes()))?;
    }
    s.set_nonblocking(true)?;
    s.bind(&sa.into())?;
    s.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    Ok(s.into())
}

fn open_unix(
    path: &str,
    b: &Bind,
    backlog: u32,
) -> std::io::Result<std::os::unix::net::UnixListener> {
    // A socket file left by a previous run would make bind fail.
    if std::fs::symlink_metadata(path).is_ok_and(|m| {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_socket()
    }) {
        let _ = std::fs::remove_file(path);
    }
    let s = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    s.bind(&socket2::SockAddr::unix(path)?)?;
    s.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    s.set_nonblocking(true)?;
    if let Some(Some(mode)) = b.option("mode") {
        if let Ok(m) = u32::from_str_radix(mode, 8) {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(m))?;
        }
    }
    Ok(s.into())
}

fn describe(px: &Proxy, b: &Bind, t: &Target, e: &std::io::Error) -> BindError {
    let what = match t {
        Target::Inet(sa) => format!("[{sa}]"),
        Target::Unix(p) => format!("[{p}]"),
    };
    let reason = haproxy_config::parser::io_reason(e);
    let message = format!(
        "Binding [{}] for {} {}: cannot bind socket ({reason}) for {what}",
        b.location,
        px.kind.label(),
        px.name
    );
    let hint = match (t, e.raw_os_error()) {
        (Target::Inet(sa), Some(libc::EADDRNOTAVAIL)) => {
            let sysctl = if sa.is_ipv4() {
                "net.ipv4.ip_nonlocal_bind"
            } else {
                "net.ipv6.ip_nonlocal_bind"
            };
            Some(format!(
                "{} is not an address of this host (a floating VIP held by the other node?); set `sysctl -w {sysctl}=1` (and in /etc/sysctl.conf) so the listener can start before the address arrives",
                sa.ip()
            ))
        }
        (_, Some(libc::EADDRINUSE)) => Some(
            "another process already listens there (an old haproxy/rhaproxy still running?); `ss -ltnp` names it"
                .to_string(),
        ),
        (_, Some(libc::EACCES)) => Some("ports below 1024 need root or CAP_NET_BIND_SERVICE".to_string()),
        _ => None,
    };
    BindError { message, hint }
}
