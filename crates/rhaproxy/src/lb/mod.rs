//! Server selection (sans-IO): the balancing algorithms of HAProxy 2.6.
//!
//! A [`Balancer`] owns the selection state of one backend. The runtime
//! tells it when servers go up or down, change weight, and when
//! connections start and end; it answers "which server next?". No
//! sockets, no clocks: everything is driven by calls, so every algorithm
//! is unit-tested with plain sequences.
//!
//! One module per algorithm, like pingora's selection seam; [`group`]
//! holds the rule they share (active servers first, then the first
//! usable backup, or every backup with `allbackups`), [`map`] the
//! weighted table of `static-rr` and map-based hashing, [`ring`] the
//! consistent-hash ring of `hash-type consistent` and `random`.

mod first;
mod group;
mod hash;
mod leastconn;
mod map;
mod random;
mod ring;
mod roundrobin;
mod static_rr;

pub use first::First;
pub use hash::HashBalancer;
pub use leastconn::LeastConn;
pub use random::{RandomBalancer, XorShift};
pub use roundrobin::RoundRobin;
pub use static_rr::StaticRr;

use haproxy_config::model::{Balance, HashType, Proxy};

/// What the balancer needs to know about one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LbServer {
    /// Position in the backend's `servers` list (also the tie-break order).
    pub index: usize,
    /// `id` (explicit or by position, starting at 1): `first` orders by it.
    pub id: u32,
    /// User weight, 0..=256 (0: never picked by the algorithm).
    pub weight: u32,
    pub backup: bool,
    /// Operationally usable (checks UP, not in maintenance, not disabled).
    pub up: bool,
    /// `maxconn` (0 = unlimited): `first` and queueing use it.
    pub maxconn: u32,
}

impl LbServer {
    /// HAProxy counts a server in its farm only when it is up with a
    /// non-zero weight: a weight-0 active server lets backups take over.
    pub fn usable(&self) -> bool {
        self.up && self.weight > 0
    }

    fn has_room(&self, served: u32) -> bool {
        self.maxconn == 0 || served < self.maxconn
    }
}

/// The key some algorithms hash (`source` hashes the client address).
#[derive(Debug, Clone, Copy)]
pub enum HashKey<'a> {
    None,
    Bytes(&'a [u8]),
}

/// The algorithm and its options, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Algo {
    RoundRobin,
    StaticRr,
    LeastConn,
    First,
    /// `source` and the other hash-based methods.
    Hash {
        consistent: bool,
    },
    Random {
        draws: u32,
    },
}

/// Selection state of one backend.
pub trait Balancer: Send {
    /// The next server for a new connection, or `None` when no usable
    /// server has a free slot (the caller queues or fails).
    fn pick(&mut self, key: HashKey<'_>) -> Option<usize>;
    /// A server went up or down.
    fn set_up(&mut self, index: usize, up: bool);
    /// The effective weight changed (runtime `set weight`, slowstart).
    fn set_weight(&mut self, index: usize, weight: u32);
    /// A connection to `index` started / ended (leastconn, first, random).
    fn conn_start(&mut self, index: usize);
    fn conn_end(&mut self, index: usize);
}

/// Build the balancer for `algo` over `servers`. `allbackups` spreads
/// load over every backup server instead of the first usable one.
///
/// `servers[i].index` is expected to be `i`; the balancers answer with
/// positions in `servers`.
pub fn new_balancer(algo: &Algo, servers: Vec<LbServer>, allbackups: bool) -> Box<dyn Balancer> {
    match algo {
        Algo::RoundRobin => Box::new(RoundRobin::new(servers, allbackups)),
        Algo::StaticRr => Box::new(StaticRr::new(servers, allbackups)),
        Algo::LeastConn => Box::new(LeastConn::new(servers, allbackups)),
        Algo::First => Box::new(First::new(servers, allbackups)),
        Algo::Hash { consistent } => Box::new(HashBalancer::new(servers, allbackups, *consistent)),
        Algo::Random { draws } => Box::new(RandomBalancer::new(
            servers,
            allbackups,
            *draws,
            XorShift::from_entropy(),
        )),
    }
}

/// The algorithm a backend's `balance` and `hash-type` lines select.
/// Every hash-based method (`uri`, `hdr`, `url_param`, …) shares the
/// `source` machinery; the runtime supplies the bytes to hash.
pub fn algo_from_config(balance: &Balance, hash_type: HashType) -> Algo {
    match balance {
        Balance::RoundRobin => Algo::RoundRobin,
        Balance::StaticRr => Algo::StaticRr,
        Balance::LeastConn => Algo::LeastConn,
        Balance::First => Algo::First,
        Balance::Random { draws } => Algo::Random {
            draws: (*draws).max(1),
        },
        Balance::Source
        | Balance::Uri { .. }
        | Balance::UrlParam { .. }
        | Balance::Hdr { .. }
        | Balance::RdpCookie { .. }
        | Balance::Hash { .. } => Algo::Hash {
            consistent: hash_type == HashType::Consistent,
        },
    }
}

/// The servers of a proxy as the balancer sees them at start-up.
/// `default-server` options are already folded into each server.
pub fn servers_from_config(p: &Proxy) -> Vec<LbServer> {
    p.servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let o = &s.options;
            LbServer {
                index: i,
                id: o
                    .id
                    .unwrap_or_else(|| u32::try_from(i + 1).unwrap_or(u32::MAX)),
                weight: o.weight.unwrap_or(1).min(256),
                backup: o.backup.unwrap_or(false),
                up: !o.disabled.unwrap_or(false),
                maxconn: o.maxconn.unwrap_or(0),
            }
        })
        .collect()
}

/// Whether `option allbackups` is on for `p`.
pub fn allbackups_from_config(p: &Proxy) -> bool {
    p.options.get("allbackups").copied().unwrap_or(false)
}

/// HAProxy's 32-bit integer avalanche (Bob Jenkins' six-shift mix): it
/// places the consistent-hash nodes and spreads random draws.
pub(crate) fn full_hash(a: u32) -> u32 {
    let mut a = a;
    a = a.wrapping_add(0x7ed5_5d16).wrapping_add(a << 12);
    a = (a ^ 0xc761_c23c) ^ (a >> 19);
    a = a.wrapping_add(0x1656_67b1).wrapping_add(a << 5);
    a = a.wrapping_add(0xd3a2_646c) ^ (a << 9);
    a = a.wrapping_add(0xfd70_46c5).wrapping_add(a << 3);
    a = (a ^ 0xb55a_4f09) ^ (a >> 16);
    a
}

#[cfg(test)]
mod tests;
