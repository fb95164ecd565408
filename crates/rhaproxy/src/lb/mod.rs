//! Server selection (sans-IO): the balancing algorithms of HAProxy 2.6.
//!
//! A [`Balancer`] owns the selection state of one backend. The runtime
//! tells it when servers go up or down, change weight, and when
//! connections start and end; it answers "which server next?". No
//! sockets, no clocks: everything is driven by calls, so every algorithm
//! is unit-tested with plain sequences.

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
pub fn new_balancer(algo: &Algo, servers: Vec<LbServer>, allbackups: bool) -> Box<dyn Balancer> {
    let _ = (algo, servers, allbackups);
    unimplemented!("lb::new_balancer: being written")
}
