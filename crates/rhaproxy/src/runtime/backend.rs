//! A backend while running: its servers' live state, the balancer, and
//! the queue of sessions waiting for a free server slot.
//!
//! The balancer is sans-IO ([`crate::lb`]); this module is the glue that
//! keeps it told about connections starting and ending and servers going
//! up and down, and that wakes a queued session when a slot frees up.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::lb::{Balancer, HashKey};
use crate::log::syslog::Logger;

/// Where a server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    Fixed(u16),
    /// No port: the one the client connected to.
    Same,
    /// `+N`/`-N`: the client's destination port plus N.
    Offset(i32),
}

#[derive(Debug)]
pub struct ServerState {
    pub name: String,
    pub index: usize,
    pub ip: IpAddr,
    pub port: Port,
    pub backup: bool,
    pub send_proxy: bool,
    /// Usable for traffic: health UP and not disabled.
    pub up: AtomicBool,
    pub disabled: bool,
    /// Sessions currently using the server.
    pub cur: AtomicU32,
    /// Sessions ever sent to the server.
    pub total: AtomicU64,
}

impl ServerState {
    pub fn addr(&self, client_dst: SocketAddr) -> SocketAddr {
        let port = match self.port {
            Port::Fixed(p) => p,
            Port::Same => client_dst.port(),
            Port::Offset(o) => (i32::from(client_dst.port()) + o).clamp(0, 65535) as u16,
        };
        SocketAddr::new(self.ip, port)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct BackendTimeouts {
    pub connect: Option<Duration>,
    pub server: Option<Duration>,
    pub queue: Option<Duration>,
    pub tunnel: Option<Duration>,
    pub server_fin: Option<Duration>,
}

pub struct Backend {
    pub name: String,
    pub servers: Vec<Arc<ServerState>>,
    lb: Mutex<Box<dyn Balancer>>,
    /// Sessions waiting for a slot, oldest first.
    queue: Mutex<VecDeque<oneshot::Sender<()>>>,
    pub conns: AtomicU32,
    pub timeouts: BackendTimeouts,
    /// `retries` (default 3).
    pub retries: u32,
    /// `option redispatch`: the last retry goes to another server.
    pub redispatch: bool,
    /// Whether the algorithm hashes the source address.
    pub hash_source: bool,
    /// Where server state changes are logged.
    pub logger: Logger,
    /// `option splice-*` in the backend.
    pub splice: bool,
    /// Set once "has no server available!" was said, until a server is back.
    pub said_no_server: AtomicBool,
}

/// Why no server could be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoServer {
    /// Nothing is up: fail at once (`SC`, `<NOSRV>`).
    NoneUsable,
    /// Waited for `timeout queue` (`sQ`).
    QueueTimeout,
}

/// A server slot held by a session; given back on drop.
pub struct Slot {
    pub backend: Arc<Backend>,
    pub server: Arc<ServerState>,
    /// Position in the queue when the session had to wait (0: it did not).
    pub queued: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.backend.release(self.server.index);
    }
}

impl Backend {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: String,
        servers: Vec<Arc<ServerState>>,
        lb: Box<dyn Balancer>,
        timeouts: BackendTimeouts,
        retries: u32,
        redispatch: bool,
        hash_source: bool,
        logger: Logger,
        splice: bool,
    ) -> Backend {
        Backend {
            name,
            servers,
            lb: Mutex::new(lb),
            queue: Mutex::new(VecDeque::new()),
            conns: AtomicU32::new(0),
            timeouts,
            retries,
            redispatch,
            hash_source,
            logger,
            splice,
            said_no_server: AtomicBool::new(false),
        }
    }

    fn lb(&self) -> MutexGuard<'_, Box<dyn Balancer>> {
        // A panic while holding the lock would be a bug of ours; the
        // balancer state is still usable, so carry on with it.
        self.lb.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn waiters(&self) -> MutexGuard<'_, VecDeque<oneshot::Sender<()>>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Active and backup servers currently usable.
    pub fn usable_counts(&self) -> (usize, usize) {
        let mut n = (0, 0);
        for s in &self.servers {
            if s.up.load(Ordering::Relaxed) {
                if s.backup {
                    n.1 += 1;
                } else {
                    n.0 += 1;
                }
            }
        }
        n
    }

    pub fn queued(&self) -> usize {
        self.waiters().len()
    }

    /// Pick a server now, avoiding `avoid` when another one is usable.
    fn try_pick(&self, key: HashKey<'_>, avoid: Option<usize>) -> Option<Arc<ServerState>> {
        let mut lb = self.lb();
        let mut i = lb.pick(key)?;
        if Some(i) == avoid {
            // Redispatch: ask again once; the balancer moves on.
            if let Some(j) = lb.pick(key) {
                i = j;
            }
        }
        lb.conn_start(i);
        drop(lb);
        let s = self.servers.get(i)?.clone();
        s.cur.fetch_add(1, Ordering::Relaxed);
        s.total.fetch_add(1, Ordering::Relaxed);
        Some(s)
    }

    /// A server slot for a new session: at once, or after waiting in the
    /// backend queue for at most `timeout queue` (or `timeout connect`
    /// when that is unset, as HAProxy does).
    pub async fn acquire(
        self: &Arc<Self>,
        key: HashKey<'_>,
        avoid: Option<usize>,
    ) -> Result<Slot, NoServer> {
        let limit = self.timeouts.queue.or(self.timeouts.connect);
        let deadline = limit.map(|d| tokio::time::Instant::now() + d);
        let mut queued = false;
        loop {
            if let Some(server) = self.try_pick(key, avoid) {
                return Ok(Slot {
                    backend: self.clone(),
                    server,
                    queued,
                });
            }
            if self.usable_counts() == (0, 0) {
                return Err(NoServer::NoneUsable);
            }
            let (tx, rx) = oneshot::channel();
            self.waiters().push_back(tx);
            queued = true;
            let woke = match deadline {
                Some(d) => tokio::time::timeout_at(d, rx).await.is_ok(),
                None => rx.await.is_ok(),
            };
            if !woke {
                return Err(NoServer::QueueTimeout);
            }
        }
    }

    fn release(&self, index: usize) {
        self.lb().conn_end(index);
        if let Some(s) = self.servers.get(index) {
            s.cur.fetch_sub(1, Ordering::Relaxed);
        }
        self.wake_one();
    }

    /// Let the oldest live waiter try again.
    fn wake_one(&self) {
        let mut q = self.waiters();
        while let Some(tx) = q.pop_front() {
            if tx.send(()).is_ok() {
                break;
            }
        }
    }

    /// A health check changed a server's state.
    pub fn set_up(&self, index: usize, up: bool) {
        let Some(s) = self.servers.get(index) else {
            return;
        };
        let usable = up && !s.disabled;
        s.up.store(usable, Ordering::Relaxed);
        self.lb().set_up(index, usable);
        if usable {
            self.said_no_server.store(false, Ordering::Relaxed);
            // Queued sessions may now find room.
            let n = self.queued();
            for _ in 0..n {
                self.wake_one();
            }
        } else if self.usable_counts() == (0, 0) {
            // Nobody can serve the waiters any more: let them fail now.
            let waiters: Vec<_> = self.waiters().drain(..).collect();
            for tx in waiters {
                let _ = tx.send(());
            }
        }
    }
}
