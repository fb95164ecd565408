//! rtnetlink for the VRRP engine: interface lookups, VIP add/delete, and
//! link/address change notifications.
//!
//! # Why `rtnetlink` + `netlink-packet-route`
//! These are the crates holo uses. `netlink-packet-route` gives typed,
//! bounds-checked RTM_* messages (no `unsafe` here, no hand-packed
//! attributes), and `rtnetlink`'s tokio connection does the sequence
//! numbers, ACK matching and multi-part dumps. `neli` would work too, but
//! would mean writing our own request/ACK plumbing on top of its socket.
//! Versions: rtnetlink 0.24 with netlink-packet-route 0.34 and
//! netlink-packet-core 0.9 (the set rtnetlink 0.24 itself depends on).
//! Address messages are built here rather than with rtnetlink's
//! `AddressMessageBuilder`, which always adds a computed `IFA_BROADCAST`;
//! keepalived only sends one when `brd` is given.
//!
//! # keepalived semantics (reference §3.6)
//! - RTM_NEWADDR carries `IFA_LOCAL`, `IFA_ADDRESS` (the peer when given,
//!   else the address itself), `IFA_BROADCAST` only for `brd`, `IFA_LABEL`
//!   only for a label (IPv4 only: the kernel keeps labels for IPv4), and
//!   `IFA_FLAGS`. IPv6 VIPs get `IFA_F_NODAD` unless `-nodad`. A /128 gets
//!   `IFA_CACHEINFO {preferred 0, valid forever}` so the kernel never picks
//!   the VIP as a source address (it shows as `deprecated`).
//! - Default prefix /32 (IPv4) or /128 (IPv6); default scope global.
//! - Adding an address that is already there is not an error
//!   ([`AddOutcome::AlreadyPresent`]); deleting one that is not there is
//!   [`DelOutcome::NotPresent`]. keepalived logs these and carries on.
//! - RTM_DELADDR carries `IFA_LOCAL` and `IFA_ADDRESS`, so the prefix length
//!   must match too.
//!
//! All sockets are created in the network namespace of the thread that
//! calls [`Netlink::new`] / the `watch_*` functions; they must run inside a
//! tokio runtime (any flavour), on which the connection tasks are spawned.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use futures_util::stream::{StreamExt, TryStreamExt};
use netlink_packet_core::{
    NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeaderFlags, AddressMessage, AddressScope, CacheInfo,
};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use rtnetlink::{Handle, MulticastGroup};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const EEXIST: i32 = 17;
const ENODEV: i32 = 19;
const EADDRNOTAVAIL: i32 = 99;
/// IFNAMSIZ less the NUL: the longest interface name and IPv4 label.
pub const IFNAMSIZ_MAX: usize = 15;

// ---------------------------------------------------------------- errors

/// What went wrong, under a [`NetlinkError`].
#[derive(Debug)]
pub enum ErrorKind {
    /// Not called inside a tokio runtime.
    NoRuntime,
    /// Opening or binding the netlink socket failed.
    Io(io::Error),
    /// The kernel answered with this errno (positive).
    Kernel(i32),
    /// No interface of that name.
    NoSuchLink,
    /// The interface has no 6-byte hardware address.
    NoMac(Vec<u8>),
    /// A label longer than 15 bytes (IFNAMSIZ).
    InvalidLabel(String),
    /// The connection to the kernel went away, or an unexpected reply.
    Protocol(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::NoRuntime => write!(f, "not inside a tokio runtime"),
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Kernel(errno) => {
                write!(
                    f,
                    "{} (errno {errno})",
                    io::Error::from_raw_os_error(*errno)
                )
            }
            ErrorKind::NoSuchLink => write!(f, "no such interface"),
            ErrorKind::NoMac(a) => write!(f, "no Ethernet address (got {} bytes)", a.len()),
            ErrorKind::InvalidLabel(l) => write!(f, "label {l:?} longer than {IFNAMSIZ_MAX}"),
            ErrorKind::Protocol(s) => write!(f, "{s}"),
        }
    }
}

/// A netlink failure with its context: the operation and the interface.
#[derive(Debug)]
pub struct NetlinkError {
    pub op: &'static str,
    pub ifname: String,
    pub kind: ErrorKind,
}

impl NetlinkError {
    pub(crate) fn new(op: &'static str, ifname: &str, kind: ErrorKind) -> Self {
        NetlinkError {
            op,
            ifname: ifname.to_string(),
            kind,
        }
    }

    pub(crate) fn from_rtnl(op: &'static str, ifname: &str, e: rtnetlink::Error) -> Self {
        let kind = match e {
            rtnetlink::Error::NetlinkError(m) => ErrorKind::Kernel(m.raw_code().abs()),
            other => ErrorKind::Protocol(other.to_string()),
        };
        Self::new(op, ifname, kind)
    }

    /// The kernel's errno, when the kernel refused.
    pub fn errno(&self) -> Option<i32> {
        match self.kind {
            ErrorKind::Kernel(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for NetlinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ifname.is_empty() {
            write!(f, "netlink {}: {}", self.op, self.kind)
        } else {
            write!(f, "netlink {} on {}: {}", self.op, self.ifname, self.kind)
        }
    }
}

impl std::error::Error for NetlinkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, NetlinkError>;

// ---------------------------------------------------------------- VIP spec

/// Address scope (`ifa_scope`), as `ip` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Global,
    Site,
    Link,
    Host,
    Nowhere,
    Other(u8),
}

impl Scope {
    /// `global|site|link|host|nowhere` or a number 0..=255.
    pub fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "global" => Scope::Global,
            "site" => Scope::Site,
            "link" => Scope::Link,
            "host" => Scope::Host,
            "nowhere" => Scope::Nowhere,
            n => Scope::from_u8(n.parse().ok()?),
        })
    }

    pub fn from_u8(v: u8) -> Scope {
        match v {
            0 => Scope::Global,
            200 => Scope::Site,
            253 => Scope::Link,
            254 => Scope::Host,
            255 => Scope::Nowhere,
            n => Scope::Other(n),
        }
    }

    fn to_nl(self) -> AddressScope {
        match self {
            Scope::Global => AddressScope::Universe,
            Scope::Site => AddressScope::Site,
            Scope::Link => AddressScope::Link,
            Scope::Host => AddressScope::Host,
            Scope::Nowhere => AddressScope::Nowhere,
            Scope::Other(n) => AddressScope::from(n),
        }
    }
}

/// One address to install, with keepalived's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vip {
    pub addr: IpAddr,
    pub prefix: u8,
    pub brd: Option<Ipv4Addr>,
    pub scope: Scope,
    /// The IPv4 label (`ifname:text` by convention); ignored for IPv6.
    pub label: Option<String>,
    pub peer: Option<IpAddr>,
    /// `IFA_F_NODAD`; true by default for IPv6, false for IPv4.
    pub nodad: bool,
}

impl Vip {
    /// `addr` alone: /32 or /128, scope global, nodad for IPv6.
    pub fn new(addr: IpAddr) -> Vip {
        Vip {
            addr,
            prefix: if addr.is_ipv4() { 32 } else { 128 },
            brd: None,
            scope: Scope::Global,
            label: None,
            peer: None,
            nodad: addr.is_ipv6(),
        }
    }

    /// From the parsed configuration. `brd +` is the all-ones broadcast of
    /// the prefix, `brd -` none.
    pub fn from_spec(s: &keepalived_config::model::VipSpec) -> std::result::Result<Vip, String> {
        let mut v = Vip::new(s.addr);
        v.prefix = s.prefix;
        v.peer = s.peer;
        v.label = s.label.clone();
        if let Some(sc) = &s.scope {
            v.scope = Scope::parse(sc).ok_or_else(|| format!("unknown scope {sc}"))?;
        }
        if let Some(b) = &s.broadcast {
            v.brd = match (b.as_str(), s.addr) {
                ("-", _) => None,
                ("+", IpAddr::V4(a)) => Some(broadcast_of(a, s.prefix)),
                (b, IpAddr::V4(_)) => {
                    Some(b.parse().map_err(|_| format!("invalid broadcast {b}"))?)
                }
                (_, IpAddr::V6(_)) => None,
            };
        }
        if s.flags.iter().any(|f| f == "-nodad") {
            v.nodad = false;
        }
        Ok(v)
    }
}

/// The all-ones host part of `addr/prefix`.
pub fn broadcast_of(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    let p = u32::from(prefix.min(32));
    let host = u32::MAX.checked_shr(p).unwrap_or(0);
    Ipv4Addr::from(u32::from(addr) | host)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    Added,
    AlreadyPresent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelOutcome {
    Deleted,
    NotPresent,
}

/// An interface as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub index: u32,
    pub name: String,
    /// The hardware address (6 bytes on Ethernet; may be empty).
    pub hwaddr: Vec<u8>,
    /// IFF_UP and IFF_RUNNING, as keepalived reads "up".
    pub up: bool,
}

/// An interface appeared, changed or went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEvent {
    pub index: u32,
    pub name: String,
    pub up: bool,
    /// RTM_DELLINK.
    pub removed: bool,
}

/// An address was added or removed (by anyone, us included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrEvent {
    pub index: u32,
    pub addr: IpAddr,
    pub prefix: u8,
    pub label: Option<String>,
    /// RTM_DELADDR.
    pub removed: bool,
}

// ---------------------------------------------------------------- pure message code

/// The RTM_NEWADDR/RTM_DELADDR body for `vip` on link `index`.
pub fn addr_message(index: u32, vip: &Vip, for_delete: bool) -> AddressMessage {
    let mut m = AddressMessage::default();
    m.header.family = match vip.addr {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    };
    m.header.prefix_len = vip.prefix;
    m.header.index = index;
    m.header.scope = vip.scope.to_nl();
    let a = &mut m.attributes;
    a.push(AddressAttribute::Local(vip.addr));
    a.push(AddressAttribute::Address(vip.peer.unwrap_or(vip.addr)));
    if for_delete {
        return m;
    }
    if let (Some(b), IpAddr::V4(_)) = (vip.brd, vip.addr) {
        a.push(AddressAttribute::Broadcast(b));
    }
    if let (Some(l), IpAddr::V4(_)) = (&vip.label, vip.addr) {
        a.push(AddressAttribute::Label(l.clone()));
    }
    let mut flags = AddressFlags::empty();
    if vip.nodad && vip.addr.is_ipv6() {
        flags |= AddressFlags::Nodad;
        m.header.flags = AddressHeaderFlags::Nodad;
    }
    a.push(AddressAttribute::Flags(flags));
    if vip.addr.is_ipv6() && vip.prefix == 128 {
        let mut ci = CacheInfo::default();
        ci.ifa_preferred = 0;
        ci.ifa_valid = u32::MAX;
        a.push(AddressAttribute::CacheInfo(ci));
    }
    m
}

fn link_name(m: &LinkMessage) -> Option<&str> {
    m.attributes.iter().find_map(|a| match a {
        LinkAttribute::IfName(n) => Some(n.as_str()),
        _ => None,
    })
}

fn flags_up(f: LinkFlags) -> bool {
    f.contains(LinkFlags::Up) && f.contains(LinkFlags::Running)
}

pub fn link_info(m: &LinkMessage) -> LinkInfo {
    LinkInfo {
        index: m.header.index,
        name: link_name(m).unwrap_or_default().to_string(),
        hwaddr: m
            .attributes
            .iter()
            .find_map(|a| match a {
                LinkAttribute::Address(h) => Some(h.clone()),
                _ => None,
            })
            .unwrap_or_default(),
        up: flags_up(m.header.flags),
    }
}

/// The local address of an address message: IFA_LOCAL, else IFA_ADDRESS
/// (IPv6 sends only IFA_ADDRESS unless a peer is set).
fn local_of(m: &AddressMessage) -> Option<IpAddr> {
    let mut addr = None;
    for a in &m.attributes {
        match a {
            AddressAttribute::Local(l) => return Some(*l),
            AddressAttribute::Address(x) => addr = Some(*x),
            _ => {}
        }
    }
    addr
}

fn label_of(m: &AddressMessage) -> Option<String> {
    m.attributes.iter().find_map(|a| match a {
        AddressAttribute::Label(l) => Some(l.clone()),
        _ => None,
    })
}

/// See [`Netlink::primary_v4`].
pub fn primary_v4_of(all: &[AddressMessage]) -> Option<Ipv4Addr> {
    let v4 = |m: &AddressMessage| match local_of(m) {
        Some(IpAddr::V4(a)) if m.header.family == AddressFamily::Inet => Some(a),
        _ => None,
    };
    let primary = |m: &&AddressMessage| !m.header.flags.contains(AddressHeaderFlags::Secondary);
    let mut candidates = all.iter().filter(primary);
    all.iter()
        .filter(primary)
        .filter(|m| m.header.scope == AddressScope::Universe)
        .find_map(v4)
        .or_else(|| candidates.find_map(v4))
}

/// A multicast notification as a [`LinkEvent`], if it is one.
pub fn link_event(msg: &RouteNetlinkMessage) -> Option<LinkEvent> {
    let (m, removed) = match msg {
        RouteNetlinkMessage::NewLink(m) => (m, false),
        RouteNetlinkMessage::DelLink(m) => (m, true),
        _ => return None,
    };
    Some(LinkEvent {
        index: m.header.index,
        name: link_name(m).unwrap_or_default().to_string(),
        up: !removed && flags_up(m.header.flags),
        removed,
    })
}

/// A multicast notification as an [`AddrEvent`], if it is one.
pub fn addr_event(msg: &RouteNetlinkMessage) -> Option<AddrEvent> {
    let (m, removed) = match msg {
        RouteNetlinkMessage::NewAddress(m) => (m, false),
        RouteNetlinkMessage::DelAddress(m) => (m, true),
        _ => return None,
    };
    Some(AddrEvent {
        index: m.header.index,
        addr: local_of(m)?,
        prefix: m.header.prefix_len,
        label: label_of(m),
        removed,
    })
}

// ---------------------------------------------------------------- the handle

/// One rtnetlink connection. Clones share it; dropping the last clone
/// ends its connection task.
#[derive(Clone)]
pub struct Netlink {
    handle: Handle,
    _task: std::sync::Arc<AbortOnDrop>,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn spawn_conn<F>(op: &'static str, conn: F) -> Result<JoinHandle<()>>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let rt = tokio::runtime::Handle::try_current()
        .map_err(|_| NetlinkError::new(op, "", ErrorKind::NoRuntime))?;
    Ok(rt.spawn(conn))
}

impl Netlink {
    /// Open a NETLINK_ROUTE socket in the calling thread's namespace.
    pub fn new() -> Result<Netlink> {
        let (conn, handle, _unsolicited) = rtnetlink::new_connection()
            .map_err(|e| NetlinkError::new("open", "", ErrorKind::Io(e)))?;
        let task = spawn_conn("open", conn)?;
        Ok(Netlink {
            handle,
            _task: std::sync::Arc::new(AbortOnDrop(task)),
        })
    }

    /// The rtnetlink handle, for the other netlink users of the crate
    /// (routes and rules) to share this connection's set-up.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The interface named `name` (RTM_GETLINK by IFLA_IFNAME).
    pub async fn link(&self, name: &str) -> Result<LinkInfo> {
        let op = "get link";
        if name.is_empty() || name.len() > IFNAMSIZ_MAX {
            return Err(NetlinkError::new(op, name, ErrorKind::NoSuchLink));
        }
        let mut s = self
            .handle
            .link()
            .get()
            .match_name(name.to_string())
            .execute();
        match s.try_next().await {
            Ok(Some(m)) => Ok(link_info(&m)),
            Ok(None) => Err(NetlinkError::new(op, name, ErrorKind::NoSuchLink)),
            Err(rtnetlink::Error::NetlinkError(e)) if e.raw_code().abs() == ENODEV => {
                Err(NetlinkError::new(op, name, ErrorKind::NoSuchLink))
            }
            Err(e) => Err(NetlinkError::from_rtnl(op, name, e)),
        }
    }

    pub async fn link_index(&self, name: &str) -> Result<u32> {
        Ok(self.link(name).await?.index)
    }

    pub async fn link_mac(&self, name: &str) -> Result<[u8; 6]> {
        let l = self.link(name).await?;
        <[u8; 6]>::try_from(l.hwaddr.as_slice())
            .map_err(|_| NetlinkError::new("get mac", name, ErrorKind::NoMac(l.hwaddr.clone())))
    }

    /// IFF_UP && IFF_RUNNING.
    pub async fn link_is_up(&self, name: &str) -> Result<bool> {
        Ok(self.link(name).await?.up)
    }

    /// Every address on link `index` (RTM_GETADDR dump, filtered here).
    async fn addrs(
        &self,
        op: &'static str,
        ifname: &str,
        index: u32,
    ) -> Result<Vec<AddressMessage>> {
        self.handle
            .address()
            .get()
            .set_link_index_filter(index)
            .execute()
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| NetlinkError::from_rtnl(op, ifname, e))
    }

    /// The interface's primary IPv4 address: the first non-secondary one
    /// of global scope, else the first non-secondary one. The kernel lists
    /// narrower scopes (host) first, so a plain "first" could pick a
    /// scope-host VIP; keepalived uses this as the advert source when no
    /// `mcast_src_ip` is configured.
    pub async fn primary_v4(&self, name: &str) -> Result<Option<Ipv4Addr>> {
        let idx = self.link_index(name).await?;
        let all = self.addrs("get addresses", name, idx).await?;
        Ok(primary_v4_of(&all))
    }

    /// The first fe80::/10 address on the interface.
    pub async fn primary_v6_linklocal(&self, name: &str) -> Result<Option<Ipv6Addr>> {
        let idx = self.link_index(name).await?;
        let all = self.addrs("get addresses", name, idx).await?;
        Ok(all
            .iter()
            .filter(|m| m.header.family == AddressFamily::Inet6)
            .find_map(|m| match local_of(m) {
                Some(IpAddr::V6(a)) if (a.segments()[0] & 0xffc0) == 0xfe80 => Some(a),
                _ => None,
            }))
    }

    /// Whether `addr/prefix` is on the interface.
    pub async fn has_addr(&self, ifname: &str, addr: IpAddr, prefix: u8) -> Result<bool> {
        let idx = self.link_index(ifname).await?;
        let all = self.addrs("get addresses", ifname, idx).await?;
        Ok(all
            .iter()
            .any(|m| m.header.prefix_len == prefix && local_of(m) == Some(addr)))
    }

    async fn ack(
        &self,
        op: &'static str,
        ifname: &str,
        req: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<()> {
        let mut nl = NetlinkMessage::from(req);
        nl.header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        let mut h = self.handle.clone();
        let mut resp = h
            .request(nl)
            .map_err(|e| NetlinkError::from_rtnl(op, ifname, e))?;
        while let Some(m) = resp.next().await {
            if let NetlinkPayload::Error(e) = m.payload {
                if e.code.is_some() {
                    return Err(NetlinkError::new(
                        op,
                        ifname,
                        ErrorKind::Kernel(e.raw_code().abs()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Install `vip` on `ifname`.
    pub async fn add_vip(&self, ifname: &str, vip: &Vip) -> Result<AddOutcome> {
        let op = "add address";
        if let Some(l) = &vip.label {
            if l.len() > IFNAMSIZ_MAX {
                return Err(NetlinkError::new(
                    op,
                    ifname,
                    ErrorKind::InvalidLabel(l.clone()),
                ));
            }
        }
        let idx = self.link_index(ifname).await?;
        let msg = RouteNetlinkMessage::NewAddress(addr_message(idx, vip, false));
        match self.ack(op, ifname, msg, NLM_F_CREATE | NLM_F_EXCL).await {
            Ok(()) => Ok(AddOutcome::Added),
            Err(e) if e.errno() == Some(EEXIST) => Ok(AddOutcome::AlreadyPresent),
            Err(e) => Err(e),
        }
    }

    /// Remove `vip` (matched by address, peer and prefix) from `ifname`.
    pub async fn del_vip(&self, ifname: &str, vip: &Vip) -> Result<DelOutcome> {
        let op = "delete address";
        let idx = self.link_index(ifname).await?;
        let msg = RouteNetlinkMessage::DelAddress(addr_message(idx, vip, true));
        match self.ack(op, ifname, msg, 0).await {
            Ok(()) => Ok(DelOutcome::Deleted),
            Err(e) if e.errno() == Some(EADDRNOTAVAIL) => Ok(DelOutcome::NotPresent),
            Err(e) => Err(e),
        }
    }

    /// [`add_vip`](Self::add_vip) with the pieces spelled out.
    pub async fn add_addr(
        &self,
        ifname: &str,
        addr: IpAddr,
        prefix: u8,
        brd: Option<Ipv4Addr>,
        scope: Option<Scope>,
        label: Option<&str>,
    ) -> Result<AddOutcome> {
        let mut v = Vip::new(addr);
        v.prefix = prefix;
        v.brd = brd;
        v.scope = scope.unwrap_or_default();
        v.label = label.map(str::to_string);
        self.add_vip(ifname, &v).await
    }

    /// [`del_vip`](Self::del_vip) for `addr/prefix`.
    pub async fn del_addr(&self, ifname: &str, addr: IpAddr, prefix: u8) -> Result<DelOutcome> {
        let mut v = Vip::new(addr);
        v.prefix = prefix;
        self.del_vip(ifname, &v).await
    }
}

// ---------------------------------------------------------------- watches

/// Notifications from a multicast netlink subscription. Dropping it closes
/// the socket and ends its tasks.
pub struct Watch<T> {
    rx: mpsc::UnboundedReceiver<T>,
    tasks: [JoinHandle<()>; 2],
}

impl<T> Watch<T> {
    /// The next event; `None` when the subscription ended (socket error).
    /// Cancel-safe.
    pub async fn recv(&mut self) -> Option<T> {
        self.rx.recv().await
    }
}

impl<T> Drop for Watch<T> {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn watch<T: Send + 'static>(
    op: &'static str,
    groups: &[MulticastGroup],
    map: fn(&RouteNetlinkMessage) -> Option<T>,
) -> Result<Watch<T>> {
    let (conn, _handle, mut msgs) = rtnetlink::new_multicast_connection(groups)
        .map_err(|e| NetlinkError::new(op, "", ErrorKind::Io(e)))?;
    let conn_task = spawn_conn(op, conn)?;
    let (tx, rx) = mpsc::unbounded_channel();
    let fwd = async move {
        while let Some((m, _)) = msgs.next().await {
            if let NetlinkPayload::InnerMessage(inner) = &m.payload {
                if let Some(ev) = map(inner) {
                    if tx.send(ev).is_err() {
                        return;
                    }
                }
            }
        }
    };
    let fwd_task = match spawn_conn(op, fwd) {
        Ok(t) => t,
        Err(e) => {
            conn_task.abort();
            return Err(e);
        }
    };
    Ok(Watch {
        rx,
        tasks: [conn_task, fwd_task],
    })
}

/// Subscribe to RTMGRP_LINK: every RTM_NEWLINK/RTM_DELLINK.
pub fn watch_links() -> Result<Watch<LinkEvent>> {
    watch("watch links", &[MulticastGroup::Link], link_event)
}

/// Subscribe to RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR.
pub fn watch_addrs() -> Result<Watch<AddrEvent>> {
    watch(
        "watch addresses",
        &[MulticastGroup::Ipv4Ifaddr, MulticastGroup::Ipv6Ifaddr],
        addr_event,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::{Emitable, Parseable};

    fn v4(s: &str) -> IpAddr {
        IpAddr::V4(s.parse().unwrap())
    }

    #[test]
    fn defaults() {
        let v = Vip::new(v4("192.0.2.1"));
        assert_eq!((v.prefix, v.nodad, v.scope), (32, false, Scope::Global));
        let v = Vip::new("2001:db8::1".parse().unwrap());
        assert_eq!((v.prefix, v.nodad), (128, true));
    }

    #[test]
    fn broadcast() {
        let a: Ipv4Addr = "192.0.2.17".parse().unwrap();
        assert_eq!(
            broadcast_of(a, 24),
            "192.0.2.255".parse::<Ipv4Addr>().unwrap()
        );
        assert_eq!(broadcast_of(a, 32), a);
        assert_eq!(broadcast_of(a, 0), Ipv4Addr::BROADCAST);
        assert_eq!(broadcast_of(a, 200), a);
    }

    #[test]
    fn scopes() {
        assert_eq!(Scope::parse("link"), Some(Scope::Link));
        assert_eq!(Scope::parse("254"), Some(Scope::Host));
        assert_eq!(Scope::parse("7"), Some(Scope::Other(7)));
        assert_eq!(Scope::parse("bogus"), None);
        assert_eq!(Scope::parse("256"), None);
    }

    #[test]
    fn v4_message_has_only_what_was_asked() {
        let mut v = Vip::new(v4("192.0.2.1"));
        let m = addr_message(3, &v, false);
        assert!(!m
            .attributes
            .iter()
            .any(|a| matches!(a, AddressAttribute::Broadcast(_))));
        assert!(!m
            .attributes
            .iter()
            .any(|a| matches!(a, AddressAttribute::Label(_))));
        assert_eq!(m.header.scope, AddressScope::Universe);
        v.brd = Some("192.0.2.255".parse().unwrap());
        v.label = Some("eth0:vip".into());
        v.prefix = 24;
        let m = addr_message(3, &v, false);
        assert!(m
            .attributes
            .contains(&AddressAttribute::Broadcast("192.0.2.255".parse().unwrap())));
        assert!(m
            .attributes
            .contains(&AddressAttribute::Label("eth0:vip".into())));
        assert_eq!((m.header.index, m.header.prefix_len), (3, 24));
        // Delete carries only the keys.
        let d = addr_message(3, &v, true);
        assert_eq!(d.attributes.len(), 2);
    }

    #[test]
    fn v6_message_nodad_and_cacheinfo() {
        let v = Vip::new("2001:db8::5".parse().unwrap());
        let m = addr_message(1, &v, false);
        assert!(m
            .attributes
            .contains(&AddressAttribute::Flags(AddressFlags::Nodad)));
        assert!(m.attributes.iter().any(|a| matches!(a,
            AddressAttribute::CacheInfo(c) if c.ifa_preferred == 0 && c.ifa_valid == u32::MAX)));
        let mut v = v;
        v.nodad = false;
        v.prefix = 64;
        let m = addr_message(1, &v, false);
        assert!(m
            .attributes
            .contains(&AddressAttribute::Flags(AddressFlags::empty())));
        assert!(!m
            .attributes
            .iter()
            .any(|a| matches!(a, AddressAttribute::CacheInfo(_))));
    }

    #[test]
    fn message_round_trips_through_bytes() {
        let mut v = Vip::new(v4("198.51.100.3"));
        v.label = Some("veth0:1".into());
        v.brd = Some("198.51.100.255".parse().unwrap());
        let m = addr_message(7, &v, false);
        let mut buf = vec![0u8; m.buffer_len()];
        m.emit(&mut buf);
        let back = <AddressMessage as Parseable<[u8]>>::parse(&buf[..]).unwrap();
        assert_eq!(back, m);
        let ev = addr_event(&RouteNetlinkMessage::DelAddress(back)).unwrap();
        assert_eq!(ev.addr, v4("198.51.100.3"));
        assert_eq!((ev.index, ev.prefix, ev.removed), (7, 32, true));
        assert_eq!(ev.label.as_deref(), Some("veth0:1"));
    }

    #[test]
    fn link_events() {
        let mut m = LinkMessage::default();
        m.header.index = 4;
        m.header.flags = LinkFlags::Up;
        m.attributes.push(LinkAttribute::IfName("eth0".into()));
        let e = link_event(&RouteNetlinkMessage::NewLink(m.clone())).unwrap();
        assert_eq!(
            (e.index, e.name.as_str(), e.up, e.removed),
            (4, "eth0", false, false)
        );
        m.header.flags = LinkFlags::Up | LinkFlags::Running;
        assert!(
            link_event(&RouteNetlinkMessage::NewLink(m.clone()))
                .unwrap()
                .up
        );
        let e = link_event(&RouteNetlinkMessage::DelLink(m)).unwrap();
        assert!(e.removed && !e.up);
        assert!(link_event(&RouteNetlinkMessage::GetAddress(AddressMessage::default())).is_none());
    }

    #[test]
    fn from_spec() {
        let s = keepalived_config::model::VipSpec {
            addr: v4("192.0.2.9"),
            prefix: 24,
            broadcast: Some("+".into()),
            dev: None,
            scope: Some("host".into()),
            label: Some("eth0:x".into()),
            peer: None,
            flags: vec![],
            text: String::new(),
        };
        let v = Vip::from_spec(&s).unwrap();
        assert_eq!(v.brd, Some("192.0.2.255".parse().unwrap()));
        assert_eq!(v.scope, Scope::Host);
        let mut s6 = s.clone();
        s6.addr = "2001:db8::9".parse().unwrap();
        s6.prefix = 64;
        s6.scope = None;
        s6.flags = vec!["-nodad".into()];
        let v = Vip::from_spec(&s6).unwrap();
        assert!(!v.nodad && v.brd.is_none());
        let mut bad = s;
        bad.broadcast = Some("x".into());
        assert!(Vip::from_spec(&bad).is_err());
    }

    #[test]
    fn primary_prefers_global_non_secondary() {
        let mk = |a: &str, scope: Scope, secondary: bool| {
            let mut v = Vip::new(v4(a));
            v.scope = scope;
            let mut m = addr_message(2, &v, false);
            if secondary {
                m.header.flags = AddressHeaderFlags::Secondary;
            }
            m
        };
        let all = vec![
            mk("198.51.100.4", Scope::Host, false),
            mk("192.0.2.9", Scope::Global, true),
            mk("192.0.2.1", Scope::Global, false),
        ];
        assert_eq!(primary_v4_of(&all), Some(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(
            primary_v4_of(&all[..2]),
            Some(Ipv4Addr::new(198, 51, 100, 4))
        );
        assert_eq!(primary_v4_of(&all[1..2]), None);
        assert_eq!(primary_v4_of(&[]), None);
    }

    #[test]
    fn error_display() {
        let e = NetlinkError::new("add address", "eth0", ErrorKind::Kernel(1));
        assert!(e.to_string().starts_with("netlink add address on eth0: "));
        assert_eq!(e.errno(), Some(1));
    }
}
