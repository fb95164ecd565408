//! The real edges of an instance: its raw VRRP socket ([`Wire`]) and the
//! host it changes ([`Ops`]): VIPs through rtnetlink, gratuitous ARPs and
//! unsolicited neighbour advertisements on a packet socket, notifications.

use std::io;
use std::net::IpAddr;
use std::rc::Rc;

use keepalived_config::model::VipSpec;

use super::instance::{Ops, Rx, Wire};
use super::log::{Level, Logger};
use crate::net::netlink::{AddOutcome, DelOutcome, Netlink, Vip};
use crate::net::socket::{GarpSender, VrrpSocketV4, VrrpSocketV6};
use crate::vrrp::fsm::State;
use crate::vrrp::packet;

/// The instance's VRRP sockets, of its family.
pub enum SocketWire {
    V4(VrrpSocketV4),
    V6(VrrpSocketV6),
}

impl Wire for SocketWire {
    async fn recv(&self, buf: &mut [u8]) -> io::Result<Rx> {
        match self {
            SocketWire::V4(s) => {
                let (len, src) = s.recv(buf).await?;
                Ok(Rx {
                    len,
                    src: IpAddr::V4(src),
                    dst: None,
                    hop: None,
                })
            }
            SocketWire::V6(s) => {
                let (len, src, dst, hop) = s.recv(buf).await?;
                Ok(Rx {
                    len,
                    src: IpAddr::V6(src),
                    dst: Some(IpAddr::V6(dst)),
                    hop,
                })
            }
        }
    }

    async fn send(&self, pkt: &[u8], dst: IpAddr) -> io::Result<()> {
        match (self, dst) {
            (SocketWire::V4(s), IpAddr::V4(d)) => s.send(pkt, d).await,
            (SocketWire::V6(s), IpAddr::V6(d)) => s.send(pkt, d).await,
            _ => Err(io::Error::from(io::ErrorKind::Unsupported)),
        }
    }
}

/// Whether `ifname` forwards IPv6: keepalived sets the NA router flag
/// only then (§3.7).
fn forwards_v6(ifname: &str) -> bool {
    std::fs::read_to_string(format!("/proc/sys/net/ipv6/conf/{ifname}/forwarding"))
        .is_ok_and(|v| v.trim() != "0")
}

/// How state changes are told to the outside (notify scripts, FIFO, mail).
pub type Notify = Rc<dyn Fn(&str, State, u8)>;

pub struct SystemOps {
    pub netlink: Rc<Netlink>,
    /// For `virtual_routes`/`virtual_rules` (`None`: could not be opened).
    pub routing: Option<crate::net::route::RouteNetlink>,
    pub garp: GarpSender,
    pub mac: [u8; 6],
    pub log: Logger,
    pub notify: Notify,
}

fn nl_err(e: crate::net::netlink::NetlinkError) -> io::Error {
    io::Error::other(e.to_string())
}

impl Ops for SystemOps {
    async fn add_vip(&self, ifname: &str, vip: &VipSpec) -> io::Result<bool> {
        let v = Vip::from_spec(vip).map_err(io::Error::other)?;
        match self.netlink.add_vip(ifname, &v).await.map_err(nl_err)? {
            AddOutcome::Added => Ok(true),
            AddOutcome::AlreadyPresent => {
                // keepalived carries on with an address that is already there.
                self.log
                    .vrrp_detail(&format!("address {} already present on {ifname}", vip.addr));
                Ok(false)
            }
        }
    }

    async fn del_vip(&self, ifname: &str, vip: &VipSpec) -> io::Result<bool> {
        let v = Vip::from_spec(vip).map_err(io::Error::other)?;
        Ok(self.netlink.del_vip(ifname, &v).await.map_err(nl_err)? == DelOutcome::Deleted)
    }

    async fn garp(&self, ifname: &str, vip: IpAddr) -> io::Result<()> {
        match vip {
            IpAddr::V4(a) => self.garp.send_frame(&packet::garp_frame(self.mac, a)).await,
            IpAddr::V6(a) => {
                self.garp
                    .send_frame(&packet::unsolicited_na_frame(
                        self.mac,
                        a,
                        forwards_v6(ifname),
                    ))
                    .await
            }
        }
    }

    async fn routes(
        &self,
        instance: &str,
        routes: &[keepalived_config::model::RouteSpec],
        rules: &[keepalived_config::model::RouteSpec],
        add: bool,
    ) {
        use crate::net::route::{Route, Rule};
        if routes.is_empty() && rules.is_empty() {
            return;
        }
        let Some(rt) = &self.routing else {
            self.log.vrrp(
                Level::Err,
                &format!("({instance}) no netlink routing socket; virtual routes not changed"),
            );
            return;
        };
        for spec in routes {
            match Route::from_spec(spec) {
                Ok(r) => {
                    let res = if add {
                        rt.add_route(&r).await.map(|_| ())
                    } else {
                        rt.del_route(&r).await.map(|_| ())
                    };
                    if let Err(e) = res {
                        self.log.vrrp(
                            Level::Err,
                            &format!("({instance}) route '{}': {e}", spec.words.join(" ")),
                        );
                    }
                }
                Err(e) => self.log.vrrp(
                    Level::Err,
                    &format!("({instance}) route '{}': {e}", spec.words.join(" ")),
                ),
            }
        }
        for spec in rules {
            match Rule::from_spec(spec) {
                Ok(r) => {
                    let res = if add {
                        rt.add_rule(&r).await.map(|_| ())
                    } else {
                        rt.del_rule(&r).await.map(|_| ())
                    };
                    if let Err(e) = res {
                        self.log.vrrp(
                            Level::Err,
                            &format!("({instance}) rule '{}': {e}", spec.words.join(" ")),
                        );
                    }
                }
                Err(e) => self.log.vrrp(
                    Level::Err,
                    &format!("({instance}) rule '{}': {e}", spec.words.join(" ")),
                ),
            }
        }
    }

    fn notify(&self, instance: &str, state: State, priority: u8) {
        (self.notify)(instance, state, priority);
    }
}

/// Log a failure to set up an instance the way keepalived reports it.
pub fn setup_failed(log: &Logger, instance: &str, what: &str, e: &dyn std::fmt::Display) {
    log.vrrp(Level::Err, &format!("({instance}) {what}: {e}"));
}
