//! One client connection in TCP mode, from accept to its log line:
//! connection rules, backend choice, a server slot (maybe after queueing),
//! the connection to the server with HAProxy's retries and redispatch,
//! forwarding, then the log.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::acl_eval::{self, L4Facts};
use super::backend::{Backend, NoServer, Slot};
use super::duplex::{self, Io};
use super::frontend::Frontend;
use super::serve::Process;
use crate::lb::HashKey;
use crate::log::format::connect_line;
use crate::log::record::SessionRecord;
use crate::log::syslog::Level;

/// What the accept loop hands over.
pub struct Accepted<C> {
    pub stream: C,
    pub client: SocketAddr,
    pub local: SocketAddr,
    /// Held for the life of the session (global and frontend maxconn).
    pub permits: Vec<OwnedSemaphorePermit>,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The pause before retrying a refused connection on the same server.
fn turnaround(connect: Option<Duration>) -> Duration {
    connect.map_or(Duration::from_secs(1), |c| c.min(Duration::from_secs(1)))
}

fn proxy_header(client: SocketAddr, local: SocketAddr) -> String {
    let unmap = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match (unmap(client.ip()), unmap(local.ip())) {
        (IpAddr::V4(c), IpAddr::V4(l)) => {
            format!("PROXY TCP4 {c} {l} {} {}\r\n", client.port(), local.port())
        }
        (c, l) => format!(
            "PROXY TCP6 {} {} {} {}\r\n",
            to_v6(c),
            to_v6(l),
            client.port(),
            local.port()
        ),
    }
}

/// `tcp-request` rules then `use_backend`/`default_backend`: `None` when
/// a rule rejects the connection, `Some(None)` when no backend applies.
fn route(
    fe: &Frontend,
    proc_: &Process,
    src: SocketAddr,
    dst: SocketAddr,
    feconn: u32,
) -> Option<Option<Arc<Backend>>> {
    let nbsrv = |name: Option<&str>| {
        let b = proc_.backend(name?)?;
        let (a, k) = b.usable_counts();
        u32::try_from(a + k).ok()
    };
    let be_conn = |name: Option<&str>| Some(proc_.backend(name?)?.conns.load(Ordering::Relaxed));
    let facts = L4Facts {
        src,
        dst,
        fe_conn: feconn,
        nbsrv: &nbsrv,
        be_conn: &be_conn,
    };
    let holds = |c: &Option<haproxy_config::acl::Condition>| {
        c.as_ref()
            .is_none_or(|c| acl_eval::eval(c, &fe.acls, &facts))
    };
    if let Some(r) = fe.rules.iter().find(|r| holds(&r.cond)) {
        if !r.accept {
            return None;
        }
    }
    Some(
        fe.switching
            .iter()
            .find(|(_, c)| holds(c))
            .map(|(b, _)| b.clone())
            .or_else(|| fe.default_backend.clone()),
    )
}

fn to_v6(ip: IpAddr) -> std::net::Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

pub async fn run<C: Io>(fe: Arc<Frontend>, proc_: Arc<Process>, acc: Accepted<C>) {
    let start = Instant::now();
    let accept_date = SystemTime::now();
    let feconn = fe.conns.fetch_add(1, Ordering::Relaxed) + 1;
    fe.total.fetch_add(1, Ordering::Relaxed);
    let actconn = proc_.actconn.fetch_add(1, Ordering::Relaxed) + 1;
    let _guard = Counters {
        fe: fe.clone(),
        proc_: proc_.clone(),
    };

    let mut rec = SessionRecord::accepted(acc.client, acc.local, &fe.name);
    rec.accept_date = accept_date;
    rec.actconn = actconn;
    rec.feconn = feconn;

    // Rules and the backend choice are decided before the first await, in
    // a plain function, so that what they look at takes no room in the
    // session's future while the connection idles.
    let Some(backend) = route(&fe, &proc_, acc.client, acc.local, feconn) else {
        // Rejected at the connection level: closed, counted, not logged.
        return;
    };

    if fe.format.is_none() && !fe.logger.is_empty() {
        fe.logger
            .log(Level::Info, &connect_line(&rec, fe.mode_label));
    }

    let Some(be) = backend else {
        // Nowhere to go: HAProxy closes the connection.
        rec.termination = *b"PR";
        finish(&fe, rec, start);
        return;
    };
    rec.backend = be.name.clone();
    let beconn = be.conns.fetch_add(1, Ordering::Relaxed) + 1;
    rec.beconn = beconn;
    let _be_guard = BeCounter(be.clone());

    // A v4-mapped client on a dual-stack listener is hashed in its 16-byte
    // form, as HAProxy does, so it may land elsewhere than over IPv4.
    let src_ip = match acc.client.ip() {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    let key = if be.hash_source {
        HashKey::Bytes(&src_ip)
    } else {
        HashKey::None
    };

    let queue_start = Instant::now();
    let mut slot = match be.acquire(key, None).await {
        Ok(s) => s,
        Err(e) => {
            rec.tw = Some(ms(queue_start.elapsed()));
            rec.termination = match e {
                NoServer::NoneUsable => *b"SC",
                NoServer::QueueTimeout => *b"sQ",
            };
            if e == NoServer::QueueTimeout {
                rec.backend_queue = u32::try_from(be.queued()).unwrap_or(u32::MAX);
            }
            rec.beconn = be.conns.load(Ordering::Relaxed).saturating_sub(1);
            discard_input(&acc.stream);
            finish(&fe, rec, start);
            return;
        }
    };
    rec.tw = Some(ms(queue_start.elapsed()));

    let server = match connect(&be, &mut slot, key, acc.local, &mut rec).await {
        Some((s, connect_start)) => {
            rec.tc = Some(ms(connect_start.elapsed()));
            s
        }
        None => {
            discard_input(&acc.stream);
            rec.server = slot.server.name.clone();
            let server = slot.server.clone();
            drop(slot);
            rec.srv_conn = server.cur.load(Ordering::Relaxed);
            rec.beconn = be.conns.load(Ordering::Relaxed).saturating_sub(1);
            finish(&fe, rec, start);
            return;
        }
    };
    rec.server = slot.server.name.clone();
    rec.server_addr = Some(slot.server.addr(acc.local));
    rec.srv_conn = slot.server.cur.load(Ordering::Relaxed);

    if slot.server.send_proxy {
        let h = proxy_header(acc.client, acc.local);
        let mut s = server;
        if s.write_all(h.as_bytes()).await.is_err() {
            rec.termination = *b"SC";
            finish(&fe, rec, start);
            return;
        }
        forward(&fe, &be, &acc.stream, &s, &mut rec).await;
    } else {
        forward(&fe, &be, &acc.stream, &server, &mut rec).await;
    }
    // As in HAProxy, the server side is released before the log line is
    // written: %ac and %fc still count this session, %bc and %sc no
    // longer do.
    let server = slot.server.clone();
    drop(slot);
    rec.srv_conn = server.cur.load(Ordering::Relaxed);
    rec.beconn = be.conns.load(Ordering::Relaxed).saturating_sub(1);
    rec.feconn = fe.conns.load(Ordering::Relaxed);
    rec.actconn = proc_.actconn.load(Ordering::Relaxed);
    finish(&fe, rec, start);
    drop(acc.permits);
}

async fn forward<C: Io>(
    fe: &Frontend,
    be: &Backend,
    client: &C,
    server: &TcpStream,
    rec: &mut SessionRecord,
) {
    let t = duplex::Timeouts {
        client: fe.timeout_client,
        server: be.timeouts.server,
        tunnel: be.timeouts.tunnel,
        client_fin: fe.timeout_client_fin,
        server_fin: be.timeouts.server_fin,
    };
    let o = duplex::run(client, server, &t, fe.splice || be.splice).await;
    rec.bytes_in = o.bytes_in;
    rec.bytes_out = o.bytes_out;
    rec.termination = o.end.flags();
}

/// Connect to the slot's server, retrying as HAProxy 2.6 does: `retries`
/// more attempts after the first; before retrying the same server a
/// refused connection waits a turn-around pause (min(timeout connect,
/// 1 s)); with `option redispatch` the first retry already goes to
/// another server (observed on 2.6.12 whatever `retries` is, `%rc` then
/// reads `+1`). `None` after the last failure, with the termination state
/// set. On success, also the start of the attempt that worked (`%Tc`
/// covers that one only).
async fn connect(
    be: &Arc<Backend>,
    slot: &mut Slot,
    key: HashKey<'_>,
    local: SocketAddr,
    rec: &mut SessionRecord,
) -> Option<(TcpStream, Instant)> {
    let mut left = be.retries;
    loop {
        let addr = slot.server.addr(local);
        let started = Instant::now();
        let attempt = TcpStream::connect(addr);
        let res = match be.timeouts.connect {
            Some(d) => tokio::time::timeout(d, attempt)
                .await
                .map_err(|_| None)
                .and_then(|r| r.map_err(Some)),
            None => attempt.await.map_err(Some),
        };
        let err = match res {
            Ok(s) => return Some((s, started)),
            Err(e) => e,
        };
        let timed_out = err.is_none();
        if left == 0 {
            rec.termination = if timed_out { *b"sC" } else { *b"SC" };
            return None;
        }
        left -= 1;
        rec.retries += 1;
        if be.redispatch && !rec.redispatched && be.servers.len() > 1 {
            let old = slot.server.index;
            match be.acquire(key, Some(old)).await {
                Ok(s) => {
                    rec.redispatched = s.server.index != old;
                    *slot = s;
                }
                Err(_) => {
                    rec.termination = *b"SC";
                    return None;
                }
            }
        } else if !timed_out {
            tokio::time::sleep(turnaround(be.timeouts.connect)).await;
        }
    }
}

/// Read and drop what the client already sent, so that closing the
/// socket sends a FIN rather than a reset (HAProxy has read those bytes
/// into its buffer by then, and its close is clean).
fn discard_input<C: Io>(c: &C) {
    let mut buf = super::pool::Buf::take();
    for _ in 0..4 {
        match c.read_drain(&mut buf) {
            Ok(n) if n == buf.len() => continue,
            _ => break,
        }
    }
}

fn finish(fe: &Frontend, mut rec: SessionRecord, start: Instant) {
    rec.tt = ms(start.elapsed());
    let Some(fmt) = &fe.format else {
        return;
    };
    if fe.logger.is_empty() || (fe.dontlognull && rec.bytes_in == 0) {
        return;
    }
    let mut line = String::with_capacity(160);
    fmt.render(&rec, &mut line);
    fe.logger.log(Level::Info, &line);
}

struct Counters {
    fe: Arc<Frontend>,
    proc_: Arc<Process>,
}

impl Drop for Counters {
    fn drop(&mut self) {
        self.fe.conns.fetch_sub(1, Ordering::Relaxed);
        self.proc_.actconn.fetch_sub(1, Ordering::Relaxed);
    }
}

struct BeCounter(Arc<Backend>);

impl Drop for BeCounter {
    fn drop(&mut self) {
        self.0.conns.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_v1_headers() {
        let c: SocketAddr = "192.0.2.1:40000".parse().unwrap();
        let l: SocketAddr = "198.51.100.2:25".parse().unwrap();
        assert_eq!(
            proxy_header(c, l),
            "PROXY TCP4 192.0.2.1 198.51.100.2 40000 25\r\n"
        );
        let c6: SocketAddr = "[2001:db8::1]:5".parse().unwrap();
        assert_eq!(
            proxy_header(c6, l),
            "PROXY TCP6 2001:db8::1 ::ffff:198.51.100.2 5 25\r\n"
        );
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:7".parse().unwrap();
        assert!(proxy_header(mapped, "127.0.0.1:8".parse().unwrap())
            .starts_with("PROXY TCP4 127.0.0.1 127.0.0.1 7 8"));
    }

    #[test]
    fn turnaround_is_at_most_a_second() {
        assert_eq!(turnaround(None), Duration::from_secs(1));
        assert_eq!(
            turnaround(Some(Duration::from_millis(200))),
            Duration::from_millis(200)
        );
        assert_eq!(
            turnaround(Some(Duration::from_secs(10))),
            Duration::from_secs(1)
        );
    }
}

#[cfg(test)]
mod size {
    use super::*;
    use haproxy_config::host::MemHost;

    /// What one idle proxied connection costs is mostly this future (plus
    /// tokio's task header and two socket registrations): HAProxy holds an
    /// idle TCP session in about 3.3 kB, and `make bench` compares. This
    /// guard catches a change that makes every connection heavier.
    #[test]
    fn an_idle_session_future_stays_small() {
        let cfg =
            "defaults\n mode tcp\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n\
                   listen l\n bind 127.0.0.1:1\n server s 127.0.0.1:9\n";
        let report = haproxy_config::check(
            &[haproxy_config::Source {
                name: "t.cfg".into(),
                data: cfg.as_bytes().to_vec(),
            }],
            &MemHost::default(),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let built = super::super::build::build(&report.config).expect("build");
            let proc_ = Arc::new(built.process);
            let fe = proc_.frontends[0].clone();
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            let c = TcpStream::connect(addr).await.unwrap();
            let acc = Accepted {
                stream: c,
                client: addr,
                local: addr,
                permits: Vec::new(),
            };
            let fut = run(fe, proc_, acc);
            let size = std::mem::size_of_val(&fut);
            eprintln!("session future: {size} bytes");
            assert!(size <= 2048, "the session future grew to {size} bytes");
        });
    }
}
