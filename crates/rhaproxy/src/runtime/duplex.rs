//! Forwarding bytes both ways between a client and a server.
//!
//! Both directions run in the one task of the session, waiting for
//! readiness without holding a buffer (see [`super::pool`]). A read that
//! returns less than a full buffer tells us the socket is drained, so the
//! readiness is cleared right there instead of paying for one more
//! `recv` that would only say EAGAIN. End of stream in one direction is
//! passed on as a half-close (`shutdown(SHUT_WR)`) and the other
//! direction keeps going, as HAProxy does in TCP mode.
//!
//! Inactivity is judged per side: the client side is active when we read
//! from it or write to it, and the same for the server. `timeout tunnel`,
//! when set, replaces both; `timeout client-fin`/`server-fin` take over
//! for a side once it has sent its end of stream.

use std::cell::Cell;
use std::future::Future;
use std::io::{self, Read};
use std::time::Duration;

use tokio::io::Interest;
use tokio::time::Instant;

use super::pool::Buf;
use super::splice;

/// A stream socket we can forward on (TCP or UNIX).
pub trait Io {
    fn readable(&self) -> impl Future<Output = io::Result<()>>;
    fn writable(&self) -> impl Future<Output = io::Result<()>>;
    /// Read into `buf`; a short read also clears the read readiness.
    fn read_drain(&self, buf: &mut [u8]) -> io::Result<usize>;
    fn try_write(&self, buf: &[u8]) -> io::Result<usize>;
    /// Run `f` on the fd if it is ready for `interest`; clears readiness
    /// when `f` says WouldBlock.
    fn try_io_fd<R>(&self, interest: Interest, f: impl FnOnce() -> io::Result<R>) -> io::Result<R>;
    fn fd(&self) -> std::os::fd::BorrowedFd<'_>;
    fn shutdown_write(&self);
}

macro_rules! impl_io {
    ($t:ty) => {
        impl Io for $t {
            fn readable(&self) -> impl Future<Output = io::Result<()>> {
                <$t>::readable(self)
            }
            fn writable(&self) -> impl Future<Output = io::Result<()>> {
                <$t>::writable(self)
            }
            fn read_drain(&self, buf: &mut [u8]) -> io::Result<usize> {
                let mut short = None;
                let cap = buf.len();
                let r = self.try_io(Interest::READABLE, || {
                    let n = (&*socket2::SockRef::from(self)).read(buf)?;
                    if n > 0 && n < cap {
                        // Drained: report WouldBlock so tokio forgets the
                        // readiness, and keep the count.
                        short = Some(n);
                        return Err(io::ErrorKind::WouldBlock.into());
                    }
                    Ok(n)
                });
                match r {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => short.ok_or(e),
                    r => r,
                }
            }
            fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                <$t>::try_write(self, buf)
            }
            fn try_io_fd<R>(
                &self,
                interest: Interest,
                f: impl FnOnce() -> io::Result<R>,
            ) -> io::Result<R> {
                self.try_io(interest, f)
            }
            fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
                std::os::fd::AsFd::as_fd(self)
            }
            fn shutdown_write(&self) {
                let _ = socket2::SockRef::from(self).shutdown(std::net::Shutdown::Write);
            }
        }
    };
}

impl_io!(tokio::net::TcpStream);
impl_io!(tokio::net::UnixStream);

#[derive(Debug, Clone, Copy, Default)]
pub struct Timeouts {
    pub client: Option<Duration>,
    pub server: Option<Duration>,
    pub tunnel: Option<Duration>,
    pub client_fin: Option<Duration>,
    pub server_fin: Option<Duration>,
}

/// How the forwarding ended, in the terms of HAProxy's termination state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Both sides closed normally (`--`).
    Normal,
    /// `cD` / `sD`.
    ClientTimeout,
    ServerTimeout,
    /// `CD` / `SD`: an error (reset) on that side.
    ClientError,
    ServerError,
}

impl End {
    pub fn flags(self) -> [u8; 2] {
        match self {
            End::Normal => *b"--",
            End::ClientTimeout => *b"cD",
            End::ServerTimeout => *b"sD",
            End::ClientError => *b"CD",
            End::ServerError => *b"SD",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub end: End,
    /// Client to server.
    pub bytes_in: u64,
    /// Server to client.
    pub bytes_out: u64,
}

/// Which side a failure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

struct Activity {
    client: Cell<Instant>,
    server: Cell<Instant>,
    client_eof: Cell<bool>,
    server_eof: Cell<bool>,
}

/// Copy `from` → `to` until end of stream, then half-close `to`.
async fn pump<A: Io, B: Io>(
    from: &A,
    to: &B,
    from_side: Side,
    act: &Activity,
    count: &Cell<u64>,
) -> Result<(), Side> {
    let touch = |s: Side| {
        let now = Instant::now();
        match s {
            Side::Client => act.client.set(now),
            Side::Server => act.server.set(now),
        }
    };
    let to_side = match from_side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    };
    loop {
        from.readable().await.map_err(|_| from_side)?;
        let mut buf = Buf::take();
        let n = match from.read_drain(&mut buf) {
            Ok(0) => {
                touch(from_side);
                match from_side {
                    Side::Client => act.client_eof.set(true),
                    Side::Server => act.server_eof.set(true),
                }
                to.shutdown_write();
                return Ok(());
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(from_side),
        };
        touch(from_side);
        let mut off = 0;
        while off < n {
            match to.try_write(&buf[off..n]) {
                Ok(w) => {
                    off += w;
                    touch(to_side);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    to.writable().await.map_err(|_| to_side)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(to_side),
            }
        }
        count.set(count.get() + n as u64);
    }
}

/// When a side is due to time out: its last activity plus its timeout
/// (`tunnel` first, then the side's own; `*-fin` once it sent its end).
fn deadline(act: &Activity, t: &Timeouts, side: Side) -> Option<Instant> {
    let (last, base, fin, eof) = match side {
        Side::Client => (
            act.client.get(),
            t.client,
            t.client_fin,
            act.client_eof.get(),
        ),
        Side::Server => (
            act.server.get(),
            t.server,
            t.server_fin,
            act.server_eof.get(),
        ),
    };
    let d = if eof {
        fin.or(t.tunnel).or(base)
    } else {
        t.tunnel.or(base)
    };
    d.map(|d| last + d)
}

/// Forward between `client` and `server` until both directions ended, a
/// side failed, or a side stayed inactive past its timeout. `splice`
/// moves the bytes through a kernel pipe instead of our buffers.
pub async fn run<C: Io, S: Io>(client: &C, server: &S, t: &Timeouts, splice: bool) -> Outcome {
    let now = Instant::now();
    let act = Activity {
        client: Cell::new(now),
        server: Cell::new(now),
        client_eof: Cell::new(false),
        server_eof: Cell::new(false),
    };
    let bytes_in = Cell::new(0u64);
    let bytes_out = Cell::new(0u64);
    let end = {
        let c2s = async {
            if splice {
                // Boxed, so the splice state costs the copy path nothing.
                Box::pin(splice::pump(
                    client,
                    server,
                    &bytes_in,
                    &|| act.client.set(Instant::now()),
                    &|| act.server.set(Instant::now()),
                ))
                .await
                .map_err(|client_side| {
                    if client_side {
                        Side::Client
                    } else {
                        Side::Server
                    }
                })
                .map(|()| {
                    act.client_eof.set(true);
                })
            } else {
                pump(client, server, Side::Client, &act, &bytes_in).await
            }
        };
        let s2c = async {
            if splice {
                // Boxed, so the splice state costs the copy path nothing.
                Box::pin(splice::pump(
                    server,
                    client,
                    &bytes_out,
                    &|| act.server.set(Instant::now()),
                    &|| act.client.set(Instant::now()),
                ))
                .await
                .map_err(|server_side| {
                    if server_side {
                        Side::Server
                    } else {
                        Side::Client
                    }
                })
                .map(|()| {
                    act.server_eof.set(true);
                })
            } else {
                pump(server, client, Side::Server, &act, &bytes_out).await
            }
        };
        tokio::pin!(c2s, s2c);
        let (mut c2s_done, mut s2c_done) = (false, false);
        loop {
            if c2s_done && s2c_done {
                break End::Normal;
            }
            let (cl, sl) = (
                deadline(&act, t, Side::Client),
                deadline(&act, t, Side::Server),
            );
            let now = Instant::now();
            if cl.is_some_and(|d| d <= now) {
                break End::ClientTimeout;
            }
            if sl.is_some_and(|d| d <= now) {
                break End::ServerTimeout;
            }
            let wake = match (cl, sl) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let sleep = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(w).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                r = &mut c2s, if !c2s_done => match r {
                    Ok(()) => c2s_done = true,
                    Err(Side::Client) => break End::ClientError,
                    Err(Side::Server) => break End::ServerError,
                },
                r = &mut s2c, if !s2c_done => match r {
                    Ok(()) => s2c_done = true,
                    Err(Side::Client) => break End::ClientError,
                    Err(Side::Server) => break End::ServerError,
                },
                () = sleep => {}
            }
        }
    };
    Outcome {
        end,
        bytes_in: bytes_in.get(),
        bytes_out: bytes_out.get(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    async fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let a = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
        let (b, _) = l.accept().await.unwrap();
        (a, b)
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// client_app <-> [client_side | proxy | server_side] <-> server_app
    fn forwards_both_ways_with_half_close(splice: bool) {
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt(), async {
            let (mut client_app, client_side) = pair().await;
            let (server_side, mut server_app) = pair().await;
            let t = Timeouts {
                client: Some(Duration::from_secs(5)),
                server: Some(Duration::from_secs(5)),
                ..Timeouts::default()
            };
            let proxy = tokio::task::spawn_local(async move {
                run(&client_side, &server_side, &t, splice).await
            });
            let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
            client_app.write_all(&big).await.unwrap();
            client_app.shutdown().await.unwrap();
            let mut got = Vec::new();
            server_app.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, big, "client to server bytes");
            // The client half-closed; the server may still answer.
            server_app.write_all(b"250 ok\r\n").await.unwrap();
            server_app.shutdown().await.unwrap();
            let mut back = Vec::new();
            client_app.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, b"250 ok\r\n");
            let o = proxy.await.unwrap();
            assert_eq!(o.end, End::Normal);
            assert_eq!(o.bytes_in, big.len() as u64);
            assert_eq!(o.bytes_out, 8);
        });
    }

    #[test]
    fn copies_and_half_closes() {
        forwards_both_ways_with_half_close(false);
    }

    #[test]
    fn splices_and_half_closes() {
        forwards_both_ways_with_half_close(true);
    }

    #[test]
    fn idle_client_times_out_as_cd() {
        rt().block_on(async {
            let (_client_app, client_side) = pair().await;
            let (server_side, _server_app) = pair().await;
            let t = Timeouts {
                client: Some(Duration::from_millis(100)),
                server: Some(Duration::from_secs(10)),
                ..Timeouts::default()
            };
            let o = tokio::time::timeout(
                Duration::from_secs(5),
                run(&client_side, &server_side, &t, false),
            )
            .await
            .expect("the client timeout must end the session");
            assert_eq!(o.end, End::ClientTimeout);
            assert_eq!(o.end.flags(), *b"cD");
        });
    }

    #[test]
    fn tunnel_timeout_replaces_both() {
        rt().block_on(async {
            let (_client_app, client_side) = pair().await;
            let (server_side, _server_app) = pair().await;
            let t = Timeouts {
                client: Some(Duration::from_secs(10)),
                server: Some(Duration::from_millis(300)),
                tunnel: Some(Duration::from_millis(100)),
                ..Timeouts::default()
            };
            let t0 = Instant::now();
            let o = run(&client_side, &server_side, &t, false).await;
            assert!(
                t0.elapsed() < Duration::from_millis(280),
                "tunnel timeout should win"
            );
            assert!(matches!(o.end, End::ClientTimeout | End::ServerTimeout));
        });
    }

    #[test]
    fn server_reset_is_sd() {
        rt().block_on(async {
            let (_client_app, client_side) = pair().await;
            let (server_side, server_app) = pair().await;
            // Linger 0: close sends a RST.
            socket2::SockRef::from(&server_app)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(server_app);
            let t = Timeouts {
                client: Some(Duration::from_secs(5)),
                server: Some(Duration::from_secs(5)),
                ..Timeouts::default()
            };
            let o = run(&client_side, &server_side, &t, false).await;
            assert_eq!(o.end, End::ServerError);
        });
    }
}
