//! The VRRP sockets, opened the way keepalived 2.2 opens them
//! (reference §3.8, §3.1, §3.7), asynchronous on tokio.
//!
//! * [`VrrpSocketV4`]: a raw `IPPROTO_VRRP` (112, or 51 for AH) receive
//!   socket bound to the interface, with `IP_MULTICAST_ALL` off and joined
//!   to 224.0.0.18 on the interface (multicast mode) or bound to the
//!   unicast source address (unicast mode); the kernel hands it the IPv4
//!   header and the payload. A separate raw send socket with
//!   `IP_HDRINCL`: the caller passes the whole packet built by
//!   [`Advert::encode_ipv4`](crate::vrrp::packet::Advert::encode_ipv4)
//!   (TOS 0xc0, TTL 255, ID 0 so the kernel picks one). It is bound to
//!   the interface, `IP_MULTICAST_IF` is the interface, multicast loop is
//!   off, `IP_TOS` 0xc0, `IP_MULTICAST_TTL` 255, and a drop-all BPF
//!   filter makes it receive nothing.
//! * [`VrrpSocketV6`]: the same for IPv6 (ff02::12), with
//!   `IPV6_RECVHOPLIMIT` and `IPV6_RECVPKTINFO` on the receive socket so
//!   that [`VrrpSocketV6::recv`] reports the hop limit and the destination
//!   address, and `IPV6_MULTICAST_HOPS`/`IPV6_UNICAST_HOPS` 255 and
//!   `IPV6_TCLASS` 0xc0 on the send socket. The kernel delivers the VRRP
//!   message only (no IPv6 header). The send socket is bound to the source
//!   address (a link-local one is bound with the interface as scope), so
//!   the checksum that
//!   [`Advert::encode`](crate::vrrp::packet::Advert::encode) computes over
//!   the pseudo-header with that source is the one the receiver checks.
//!   keepalived sets `IPV6_CHECKSUM` instead and lets the kernel compute
//!   it; neither nix nor socket2 wraps that option safely, and with the
//!   source bound the result on the wire is the same.
//! * [`GarpSender`]: an `AF_PACKET`/`SOCK_RAW` socket bound to the
//!   interface for the complete Ethernet frames of
//!   [`garp_frame`](crate::vrrp::packet::garp_frame) (42 bytes) and
//!   [`unsolicited_na_frame`](crate::vrrp::packet::unsolicited_na_frame)
//!   (86 bytes). Its protocol is 0, so it receives nothing.
//!
//! Everything here must be created inside a tokio runtime with IO enabled
//! (the sockets are registered with its reactor). No `unsafe`: the
//! `sockaddr_ll` for the packet socket comes from `getifaddrs`.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::num::NonZeroU32;
use std::os::fd::AsRawFd;

use nix::sys::socket::{self as nsock, sockopt, ControlMessageOwned, LinkAddr, MsgFlags};
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockAddr, SockFilter, Socket, Type};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::vrrp::packet::{GROUP_V4, GROUP_V6, PROTO_VRRP, VRRP_TOS, VRRP_TTL};

/// How an instance exchanges adverts (keepalived keeps one socket pair
/// per interface, family and mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// To and from the VRRP group (224.0.0.18 / ff02::12).
    Multicast,
    /// To each `unicast_peer`, from `unicast_src_ip`; the receive socket
    /// is bound to that source address.
    Unicast,
}

fn errno(e: nix::errno::Errno) -> io::Error {
    io::Error::from(e)
}

/// Name the interface and the step in a socket error, keeping its kind
/// and OS error code visible in the message.
fn ctx<'a>(ifname: &'a str, what: &'a str) -> impl FnOnce(io::Error) -> io::Error + 'a {
    move |e| io::Error::new(e.kind(), format!("{ifname}: {what}: {e}"))
}

/// The index of interface `ifname`.
pub fn ifindex(ifname: &str) -> io::Result<u32> {
    nix::net::if_::if_nametoindex(ifname).map_err(|e| {
        io::Error::new(
            io::Error::from(e).kind(),
            format!("interface {ifname}: {e}"),
        )
    })
}

fn nonzero_index(ifname: &str) -> io::Result<NonZeroU32> {
    NonZeroU32::new(ifindex(ifname)?).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("interface {ifname}: no index"),
        )
    })
}

/// The link-layer address of `ifname` as `getifaddrs` reports it: family
/// `AF_PACKET`, the interface index, protocol 0, and the MAC.
pub fn link_addr(ifname: &str) -> io::Result<LinkAddr> {
    for ia in nix::ifaddrs::getifaddrs().map_err(errno)? {
        if ia.interface_name != ifname {
            continue;
        }
        if let Some(l) = ia.address.as_ref().and_then(|a| a.as_link_addr()) {
            return Ok(*l);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("interface {ifname}: no link-layer address"),
    ))
}

/// The MAC address of `ifname`.
pub fn mac_address(ifname: &str) -> io::Result<[u8; 6]> {
    let l = link_addr(ifname)?;
    match l.addr() {
        Some(m) if l.halen() == 6 => Ok(m),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("interface {ifname}: not an Ethernet interface"),
        )),
    }
}

/// The IPv4 addresses of `ifname`, in `getifaddrs` order (the primary
/// address first).
pub fn ipv4_addresses(ifname: &str) -> io::Result<Vec<Ipv4Addr>> {
    let mut out = Vec::new();
    for ia in nix::ifaddrs::getifaddrs().map_err(errno)? {
        if ia.interface_name == ifname {
            if let Some(s) = ia.address.as_ref().and_then(|a| a.as_sockaddr_in()) {
                out.push(s.ip());
            }
        }
    }
    Ok(out)
}

/// The IPv6 addresses of `ifname`, in `getifaddrs` order.
pub fn ipv6_addresses(ifname: &str) -> io::Result<Vec<Ipv6Addr>> {
    let mut out = Vec::new();
    for ia in nix::ifaddrs::getifaddrs().map_err(errno)? {
        if ia.interface_name == ifname {
            if let Some(s) = ia.address.as_ref().and_then(|a| a.as_sockaddr_in6()) {
                out.push(s.ip());
            }
        }
    }
    Ok(out)
}

/// The first link-local (fe80::/10) address of `ifname`: the source of
/// keepalived's IPv6 adverts.
pub fn link_local_ipv6(ifname: &str) -> io::Result<Option<Ipv6Addr>> {
    Ok(ipv6_addresses(ifname)?.into_iter().find(is_link_local))
}

fn is_link_local(a: &Ipv6Addr) -> bool {
    (a.segments()[0] & 0xffc0) == 0xfe80
}

/// Whether an IPv6 address needs the interface as scope.
fn needs_scope(a: &Ipv6Addr) -> bool {
    is_link_local(a) || (a.segments()[0] & 0xff0f) == 0xff02
}

/// A BPF program that accepts nothing (`ret #0`): send sockets keep no
/// receive queue.
fn drop_all(s: &Socket) -> io::Result<()> {
    const BPF_RET_K: u16 = 0x06;
    s.attach_filter(&[SockFilter::new(BPF_RET_K, 0, 0, 0)])
}

/// Register a socket with the tokio reactor. tokio 1.54 deprecates the
/// safe constructor because a generic `T` could close or replace its fd
/// while registered; a `Socket` owns its fd for its whole life and the
/// `AsyncFd` owns the `Socket`, so that cannot happen here. This is the
/// one place to change if the safe constructor goes away.
#[allow(deprecated)]
fn register(s: Socket, interest: Interest) -> io::Result<AsyncFd<Socket>> {
    AsyncFd::with_interest(s, interest)
}

fn raw_socket(domain: Domain, protocol: u8) -> io::Result<Socket> {
    let s = Socket::new(
        domain,
        Type::RAW.nonblocking().cloexec(),
        Some(Protocol::from(i32::from(protocol))),
    )?;
    Ok(s)
}

async fn send_on(fd: &AsyncFd<Socket>, packet: &[u8], to: &SockAddr) -> io::Result<()> {
    let n = fd
        .async_io(Interest::WRITABLE, |s| s.send_to(packet, to))
        .await?;
    if n != packet.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            format!("short send: {n} of {} bytes", packet.len()),
        ));
    }
    Ok(())
}

/// The IPv4 VRRP sockets of one (interface, mode): a receive socket and an
/// `IP_HDRINCL` send socket.
#[derive(Debug)]
pub struct VrrpSocketV4 {
    rx: AsyncFd<Socket>,
    tx: AsyncFd<Socket>,
    ifname: String,
    ifindex: u32,
    src: Ipv4Addr,
    mode: Mode,
    protocol: u8,
}

impl VrrpSocketV4 {
    /// Open the VRRP (protocol 112) sockets on `ifname`. `src` is the
    /// address adverts go out from: `mcast_src_ip`/`unicast_src_ip` or the
    /// interface's primary address. In multicast mode the receive socket
    /// joins 224.0.0.18 on the interface; in unicast mode it is bound to
    /// `src` and joins nothing.
    pub fn open(ifname: &str, src: Ipv4Addr, mode: Mode) -> io::Result<Self> {
        Self::open_protocol(ifname, src, mode, PROTO_VRRP)
    }

    /// Like [`open`](Self::open) for another IP protocol: 51 for VRRPv2
    /// with AH authentication.
    pub fn open_protocol(
        ifname: &str,
        src: Ipv4Addr,
        mode: Mode,
        protocol: u8,
    ) -> io::Result<Self> {
        let idx = nonzero_index(ifname)?;
        let dev = ifname.as_bytes();

        let rx = raw_socket(Domain::IPV4, protocol)?;
        rx.bind_device(Some(dev))
            .map_err(ctx(ifname, "SO_BINDTODEVICE"))?;
        rx.set_multicast_all_v4(false)
            .map_err(ctx(ifname, "IP_MULTICAST_ALL"))?;
        match mode {
            Mode::Multicast => rx
                .join_multicast_v4_n(&GROUP_V4, &InterfaceIndexOrAddress::Index(idx.get()))
                .map_err(ctx(ifname, "IP_ADD_MEMBERSHIP"))?,
            Mode::Unicast => rx
                .bind(&SocketAddrV4::new(src, 0).into())
                .map_err(ctx(ifname, "bind"))?,
        }

        let tx = raw_socket(Domain::IPV4, protocol)?;
        tx.set_header_included_v4(true)
            .map_err(ctx(ifname, "IP_HDRINCL"))?;
        tx.bind_device(Some(dev))
            .map_err(ctx(ifname, "SO_BINDTODEVICE"))?;
        // The device binding already picks the interface; a source that
        // is not one of its addresses (EADDRNOTAVAIL here) is not fatal.
        match tx.set_multicast_if_v4(&src) {
            Err(e) if e.raw_os_error() != Some(libc::EADDRNOTAVAIL) => {
                return Err(ctx(ifname, "IP_MULTICAST_IF")(e))
            }
            _ => {}
        }
        tx.set_multicast_loop_v4(false)
            .map_err(ctx(ifname, "IP_MULTICAST_LOOP"))?;
        tx.set_multicast_ttl_v4(u32::from(VRRP_TTL))
            .map_err(ctx(ifname, "IP_MULTICAST_TTL"))?;
        tx.set_tos_v4(u32::from(VRRP_TOS))
            .map_err(ctx(ifname, "IP_TOS"))?;
        drop_all(&tx)?;

        Ok(VrrpSocketV4 {
            rx: register(rx, Interest::READABLE)?,
            tx: register(tx, Interest::WRITABLE)?,
            ifname: ifname.to_string(),
            ifindex: idx.get(),
            src,
            mode,
            protocol,
        })
    }

    /// Receive one packet: IPv4 header and payload into `buf` (truncated
    /// to its length), and the source address. Feed the bytes to
    /// [`decode_ipv4`](crate::vrrp::packet::decode_ipv4).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<(usize, Ipv4Addr)> {
        self.rx
            .async_io(Interest::READABLE, |s| {
                let (n, from) =
                    nsock::recvfrom::<nsock::SockaddrIn>(s.as_raw_fd(), buf).map_err(errno)?;
                let src = from.map(|a| a.ip()).unwrap_or(Ipv4Addr::UNSPECIFIED);
                Ok((n, src))
            })
            .await
    }

    /// Send one complete IPv4 packet (header included) to `dst`: the
    /// group or a unicast peer. The header's destination should be `dst`.
    pub async fn send(&self, packet: &[u8], dst: Ipv4Addr) -> io::Result<()> {
        send_on(&self.tx, packet, &SocketAddrV4::new(dst, 0).into()).await
    }

    /// Send to 224.0.0.18.
    pub async fn send_multicast(&self, packet: &[u8]) -> io::Result<()> {
        self.send(packet, GROUP_V4).await
    }

    pub fn ifname(&self) -> &str {
        &self.ifname
    }
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }
    pub fn src(&self) -> Ipv4Addr {
        self.src
    }
    pub fn mode(&self) -> Mode {
        self.mode
    }
    pub fn protocol(&self) -> u8 {
        self.protocol
    }
    /// keepalived's `-D` sockpool line for these sockets.
    pub fn sockpool_line(&self) -> String {
        sockpool_line(
            self.ifindex,
            "IPv4",
            self.protocol,
            self.rx.get_ref().as_raw_fd(),
            self.tx.get_ref().as_raw_fd(),
            self.mode,
            &match self.mode {
                Mode::Multicast => GROUP_V4.to_string(),
                Mode::Unicast => self.src.to_string(),
            },
        )
    }
}

fn sockpool_line(
    ifindex: u32,
    family: &str,
    proto: u8,
    rx: i32,
    tx: i32,
    mode: Mode,
    addr: &str,
) -> String {
    let m = match mode {
        Mode::Multicast => "multicast",
        Mode::Unicast => "unicast",
    };
    format!(
        "VRRP sockpool: [ifindex({ifindex:3}), family({family}), proto({proto}), fd({rx},{tx}) {m}, address({addr})]"
    )
}

/// What [`VrrpSocketV6::recv`] reports besides the payload length.
pub type RecvV6 = (usize, Ipv6Addr, Ipv6Addr, Option<u8>);

/// The IPv6 VRRP sockets of one (interface, mode).
#[derive(Debug)]
pub struct VrrpSocketV6 {
    rx: AsyncFd<Socket>,
    tx: AsyncFd<Socket>,
    ifname: String,
    ifindex: u32,
    src: Ipv6Addr,
    mode: Mode,
}

impl VrrpSocketV6 {
    /// Open the VRRP sockets on `ifname`. `src` is the source of the
    /// adverts (keepalived: the interface's link-local address, see
    /// [`link_local_ipv6`], or `unicast_src_ip`); the send socket is bound
    /// to it, so it must be assigned and not tentative. In multicast mode
    /// the receive socket joins ff02::12 on the interface; in unicast mode
    /// it is bound to `src`.
    pub fn open(ifname: &str, src: Ipv6Addr, mode: Mode) -> io::Result<Self> {
        let idx = nonzero_index(ifname)?;
        let dev = ifname.as_bytes();
        let scope = |a: &Ipv6Addr| if needs_scope(a) { idx.get() } else { 0 };

        let rx = raw_socket(Domain::IPV6, PROTO_VRRP)?;
        rx.bind_device(Some(dev))
            .map_err(ctx(ifname, "SO_BINDTODEVICE"))?;
        rx.set_multicast_all_v6(false)
            .map_err(ctx(ifname, "IPV6_MULTICAST_ALL"))?;
        rx.set_recv_hoplimit_v6(true)
            .map_err(ctx(ifname, "IPV6_RECVHOPLIMIT"))?;
        nsock::setsockopt(&rx, sockopt::Ipv6RecvPacketInfo, &true)
            .map_err(|e| ctx(ifname, "IPV6_RECVPKTINFO")(errno(e)))?;
        match mode {
            Mode::Multicast => rx
                .join_multicast_v6(&GROUP_V6, idx.get())
                .map_err(ctx(ifname, "IPV6_JOIN_GROUP"))?,
            Mode::Unicast => rx
                .bind(&SocketAddrV6::new(src, 0, 0, scope(&src)).into())
                .map_err(ctx(ifname, "bind"))?,
        }

        let tx = raw_socket(Domain::IPV6, PROTO_VRRP)?;
        tx.bind_device(Some(dev))
            .map_err(ctx(ifname, "SO_BINDTODEVICE"))?;
        tx.set_multicast_if_v6(idx.get())
            .map_err(ctx(ifname, "IPV6_MULTICAST_IF"))?;
        tx.set_multicast_loop_v6(false)
            .map_err(ctx(ifname, "IPV6_MULTICAST_LOOP"))?;
        tx.set_multicast_hops_v6(u32::from(VRRP_TTL))
            .map_err(ctx(ifname, "IPV6_MULTICAST_HOPS"))?;
        tx.set_unicast_hops_v6(u32::from(VRRP_TTL))
            .map_err(ctx(ifname, "IPV6_UNICAST_HOPS"))?;
        tx.set_tclass_v6(u32::from(VRRP_TOS))
            .map_err(ctx(ifname, "IPV6_TCLASS"))?;
        tx.bind(&SocketAddrV6::new(src, 0, 0, scope(&src)).into())
            .map_err(ctx(ifname, "bind"))?;
        drop_all(&tx)?;

        Ok(VrrpSocketV6 {
            rx: register(rx, Interest::READABLE)?,
            tx: register(tx, Interest::WRITABLE)?,
            ifname: ifname.to_string(),
            ifindex: idx.get(),
            src,
            mode,
        })
    }

    /// Receive one VRRP payload (no IPv6 header) into `buf`; returns its
    /// length, the source, the destination (from `IPV6_PKTINFO`;
    /// unspecified if the kernel gave none) and the hop limit (from
    /// `IPV6_HOPLIMIT`), the arguments of
    /// [`decode_ipv6`](crate::vrrp::packet::decode_ipv6).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<RecvV6> {
        self.rx
            .async_io(Interest::READABLE, |s| recv_v6(s.as_raw_fd(), buf))
            .await
    }

    /// Send one VRRP message (as
    /// [`Advert::encode`](crate::vrrp::packet::Advert::encode) builds it
    /// with [`src`](Self::src) and `dst`) to `dst`.
    pub async fn send(&self, payload: &[u8], dst: Ipv6Addr) -> io::Result<()> {
        let scope = if needs_scope(&dst) { self.ifindex } else { 0 };
        send_on(
            &self.tx,
            payload,
            &SocketAddrV6::new(dst, 0, 0, scope).into(),
        )
        .await
    }

    /// Send to ff02::12.
    pub async fn send_multicast(&self, payload: &[u8]) -> io::Result<()> {
        self.send(payload, GROUP_V6).await
    }

    pub fn ifname(&self) -> &str {
        &self.ifname
    }
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }
    pub fn src(&self) -> Ipv6Addr {
        self.src
    }
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// keepalived's `-D` sockpool line for these sockets.
    pub fn sockpool_line(&self) -> String {
        sockpool_line(
            self.ifindex,
            "IPv6",
            PROTO_VRRP,
            self.rx.get_ref().as_raw_fd(),
            self.tx.get_ref().as_raw_fd(),
            self.mode,
            &match self.mode {
                Mode::Multicast => GROUP_V6.to_string(),
                Mode::Unicast => self.src.to_string(),
            },
        )
    }
}

fn recv_v6(fd: i32, buf: &mut [u8]) -> io::Result<RecvV6> {
    let mut cmsg = nix::cmsg_space!(libc::in6_pktinfo, libc::c_int);
    let mut iov = [io::IoSliceMut::new(buf)];
    let msg = nsock::recvmsg::<nsock::SockaddrIn6>(
        fd,
        &mut iov,
        Some(cmsg.as_mut_slice()),
        MsgFlags::MSG_DONTWAIT,
    )
    .map_err(errno)?;
    let src = msg.address.map(|a| a.ip()).unwrap_or(Ipv6Addr::UNSPECIFIED);
    let mut dst = Ipv6Addr::UNSPECIFIED;
    let mut hop = None;
    // A truncated control buffer (ENOBUFS) only loses the extras.
    if let Ok(cmsgs) = msg.cmsgs() {
        for c in cmsgs {
            match c {
                ControlMessageOwned::Ipv6PacketInfo(pi) => {
                    dst = Ipv6Addr::from(pi.ipi6_addr.s6_addr);
                }
                ControlMessageOwned::Ipv6HopLimit(h) => hop = u8::try_from(h).ok(),
                _ => {}
            }
        }
    }
    Ok((msg.bytes, src, dst, hop))
}

/// An `AF_PACKET` socket on one interface for gratuitous ARPs and
/// unsolicited neighbour advertisements, sent as complete Ethernet frames.
#[derive(Debug)]
pub struct GarpSender {
    fd: AsyncFd<Socket>,
    ifname: String,
    ifindex: u32,
    mac: Option<[u8; 6]>,
}

impl GarpSender {
    /// Open the packet socket and bind it to `ifname`.
    pub fn open(ifname: &str) -> io::Result<Self> {
        let link = link_addr(ifname)?;
        let s = Socket::new(
            Domain::PACKET,
            Type::RAW.nonblocking().cloexec(),
            Some(Protocol::from(0)),
        )?;
        nsock::bind(s.as_raw_fd(), &link).map_err(|e| ctx(ifname, "bind")(errno(e)))?;
        let mac = match (link.halen(), link.addr()) {
            (6, Some(m)) => Some(m),
            _ => None,
        };
        Ok(GarpSender {
            fd: register(s, Interest::WRITABLE)?,
            ifname: ifname.to_string(),
            ifindex: link.ifindex() as u32,
            mac,
        })
    }

    /// Send one frame, Ethernet header included, as
    /// [`garp_frame`](crate::vrrp::packet::garp_frame) and
    /// [`unsolicited_na_frame`](crate::vrrp::packet::unsolicited_na_frame)
    /// build them. The driver pads short frames.
    pub async fn send_frame(&self, frame: &[u8]) -> io::Result<()> {
        let n = self
            .fd
            .async_io(Interest::WRITABLE, |s| s.send(frame))
            .await?;
        if n != frame.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("short send: {n} of {} bytes", frame.len()),
            ));
        }
        Ok(())
    }

    pub fn ifname(&self) -> &str {
        &self.ifname
    }
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }
    /// The interface's MAC when it was opened (the frames' source).
    pub fn mac(&self) -> Option<[u8; 6]> {
        self.mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert!(needs_scope(&"fe80::1".parse().unwrap()));
        assert!(needs_scope(&GROUP_V6));
        assert!(!needs_scope(&"2001:db8::1".parse().unwrap()));
        assert!(!needs_scope(&"ff05::2".parse().unwrap()));
        assert!(is_link_local(&"febf::1".parse().unwrap()));
        assert!(!is_link_local(&"fec0::1".parse().unwrap()));
    }

    #[test]
    fn sockpool_text() {
        assert_eq!(
            sockpool_line(2, "IPv4", 112, 14, 15, Mode::Multicast, "224.0.0.18"),
            "VRRP sockpool: [ifindex(  2), family(IPv4), proto(112), fd(14,15) multicast, address(224.0.0.18)]"
        );
    }

    #[test]
    fn loopback_lookups() {
        assert!(ifindex("lo").unwrap() > 0);
        assert!(ifindex("no-such-if0").is_err());
        assert!(ipv4_addresses("lo").unwrap().contains(&Ipv4Addr::LOCALHOST));
    }
}
