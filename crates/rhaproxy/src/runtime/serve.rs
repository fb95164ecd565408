//! The event loop: accept loops, checks, signals.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::backend::Backend;
use super::frontend::Frontend;
use super::listener::{Listener, Sock};
use super::{console, health, session};

/// Everything a running configuration is made of.
pub struct Process {
    /// Connections open in the whole process (`%ac`).
    pub actconn: AtomicU32,
    pub frontends: Vec<Arc<Frontend>>,
    pub backends: Vec<Arc<Backend>>,
    /// Global `maxconn`, when set.
    pub global_slots: Option<Arc<Semaphore>>,
    /// Set by a soft stop: accept loops end.
    pub stopping: AtomicBool,
}

impl Process {
    pub fn backend(&self, name: &str) -> Option<&Arc<Backend>> {
        self.backends.iter().find(|b| b.name == name)
    }
}

/// Run `listeners` for `proc_` until a signal ends the process; returns
/// the exit status.
pub fn serve(proc_: Arc<Process>, listeners: Vec<Listener>, checks: Vec<health::CheckTask>) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            console::alert(&format!("cannot start the event loop: {e}"));
            return 1;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let mut sockets = Vec::new();
        for l in listeners {
            match accept_loop(proc_.clone(), l) {
                Ok(h) => sockets.push(h),
                Err(e) => {
                    console::alert(&format!("cannot register a listener: {e}"));
                    return 1;
                }
            }
        }
        for c in checks {
            health::start(c);
        }
        wait_for_stop(&proc_, sockets).await
    })
}

async fn wait_for_stop(proc_: &Arc<Process>, sockets: Vec<tokio::task::JoinHandle<()>>) -> i32 {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int), Ok(mut usr1)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::user_defined1()),
    ) else {
        console::alert("cannot install signal handlers");
        return 1;
    };
    tokio::select! {
        _ = term.recv() => crate::sys::die_by(nix::sys::signal::Signal::SIGTERM),
        _ = int.recv() => crate::sys::die_by(nix::sys::signal::Signal::SIGINT),
        _ = usr1.recv() => {
            // Soft stop: no new connections; the sessions finish.
            proc_.stopping.store(true, Ordering::Relaxed);
            for s in sockets {
                s.abort();
            }
            stopped_messages(proc_);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(3600);
            while proc_.actconn.load(Ordering::Relaxed) > 0 && tokio::time::Instant::now() < deadline {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                }
            }
            0
        }
    }
}

fn accept_loop(proc_: Arc<Process>, l: Listener) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let fe = proc_.frontends[l.frontend].clone();
    let bind_slots = (l.maxconn > 0).then(|| Arc::new(Semaphore::new(l.maxconn as usize)));
    Ok(match l.sock {
        Sock::Tcp(std) => {
            let tl = tokio::net::TcpListener::from_std(std)?;
            // A listener bound to one address tells us the local end of
            // every connection without a getsockname per accept.
            let bound = tl.local_addr().ok().filter(|a| !a.ip().is_unspecified());
            tokio::task::spawn_local(async move {
                loop {
                    let permits = take_permits(&proc_, &fe, bind_slots.as_ref()).await;
                    let (stream, client) = match tl.accept().await {
                        Ok(x) => x,
                        Err(_) => {
                            // EMFILE and the like: back off instead of spinning.
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    };
                    let local = match bound {
                        Some(b) => b,
                        None => stream.local_addr().unwrap_or(client),
                    };
                    let acc = session::Accepted {
                        stream,
                        client,
                        local,
                        permits,
                    };
                    tokio::task::spawn_local(session::run(fe.clone(), proc_.clone(), acc));
                }
            })
        }
        Sock::Unix(std) => {
            let ul = tokio::net::UnixListener::from_std(std)?;
            tokio::task::spawn_local(async move {
                let none: std::net::SocketAddr = ([0, 0, 0, 0], 0).into();
                loop {
                    let permits = take_permits(&proc_, &fe, bind_slots.as_ref()).await;
                    let Ok((stream, _)) = ul.accept().await else {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    };
                    let acc = session::Accepted {
                        stream,
                        client: none,
                        local: none,
                        permits,
                    };
                    tokio::task::spawn_local(session::run(fe.clone(), proc_.clone(), acc));
                }
            })
        }
    })
}

async fn take_permits(
    proc_: &Process,
    fe: &Frontend,
    bind: Option<&Arc<Semaphore>>,
) -> Vec<tokio::sync::OwnedSemaphorePermit> {
    let mut v = Vec::with_capacity(3);
    for s in [proc_.global_slots.as_ref(), Some(&fe.slots), bind]
        .into_iter()
        .flatten()
    {
        if let Ok(p) = s.clone().acquire_owned().await {
            v.push(p);
        }
    }
    v
}

/// "Proxy X stopped (cumulated conns: FE: n, BE: m)." for every proxy, a
/// `listen` once with both counts, on stderr and in the proxy's logs.
fn stopped_messages(proc_: &Process) {
    let be_total = |b: &Backend| -> u64 {
        b.servers
            .iter()
            .map(|s| s.total.load(Ordering::Relaxed))
            .sum()
    };
    for f in &proc_.frontends {
        let be = proc_.backend(&f.name).map_or(0, |b| be_total(b));
        let msg = format!(
            "Proxy {} stopped (cumulated conns: FE: {}, BE: {be}).",
            f.name,
            f.total.load(Ordering::Relaxed)
        );
        console::warning(&msg);
        f.logger.log(crate::log::syslog::Level::Warning, &msg);
    }
    for b in &proc_.backends {
        if proc_.frontends.iter().any(|f| f.name == b.name) {
            continue;
        }
        let msg = format!(
            "Proxy {} stopped (cumulated conns: FE: 0, BE: {}).",
            b.name,
            be_total(b)
        );
        console::warning(&msg);
        b.logger.log(crate::log::syslog::Level::Warning, &msg);
    }
}
