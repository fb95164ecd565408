//! One check connection with HAProxy's check deadlines.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

/// HAProxy's check buffer is one 16 kB buffer; a reply longer than that
/// is judged on what fits.
pub const MAX_BUF: usize = 16 * 1024;

/// The time limits of one check.
///
/// With `timeout check`, connecting may take min(`timeout connect`,
/// `inter`) and the rest `timeout check` from the moment the connection
/// is up; without it, `inter` bounds the whole check.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub start: Instant,
    pub connect: Duration,
    pub check: Option<Duration>,
    pub inter: Duration,
}

impl Timing {
    pub fn new(
        start: Instant,
        inter: Duration,
        timeout_connect: Option<Duration>,
        timeout_check: Option<Duration>,
    ) -> Self {
        Timing {
            start,
            connect: timeout_connect.unwrap_or(inter).min(inter),
            check: timeout_check,
            inter,
        }
    }

    fn whole(&self) -> Instant {
        self.start + self.inter
    }

    pub fn connect_deadline(&self, now: Instant) -> Instant {
        let d = now + self.connect;
        match self.check {
            Some(_) => d,
            None => d.min(self.whole()),
        }
    }

    pub fn io_deadline(&self, connected_at: Instant) -> Instant {
        match self.check {
            Some(t) => connected_at + t,
            None => self.whole(),
        }
    }
}

#[derive(Debug)]
pub enum Failure {
    Timeout,
    Io(io::Error),
}

pub enum Read {
    Data,
    Closed,
    Full,
}

pub struct Conn {
    stream: TcpStream,
    pub buf: Vec<u8>,
    pub deadline: Instant,
    pub closed: bool,
}

/// The OS message alone, as HAProxy prints strerror().
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl Conn {
    pub async fn connect(addr: SocketAddr, deadline: Instant) -> Result<Conn, Failure> {
        match timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => Err(Failure::Timeout),
            Ok(Err(e)) => Err(Failure::Io(e)),
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Ok(Conn {
                    stream,
                    buf: Vec::new(),
                    deadline,
                    closed: false,
                })
            }
        }
    }

    pub async fn send(&mut self, data: &[u8]) -> Result<(), Failure> {
        match timeout_at(self.deadline, self.stream.write_all(data)).await {
            Err(_) => Err(Failure::Timeout),
            Ok(Err(e)) => Err(Failure::Io(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// `PROXY TCP4 <src> <dst> <sport> <dport>` with the check
    /// connection's own ends, as 2.6 sends for `check-send-proxy`.
    pub async fn send_proxy_header(&mut self) -> Result<(), Failure> {
        let (local, peer) = match (self.stream.local_addr(), self.stream.peer_addr()) {
            (Ok(l), Ok(p)) => (l, p),
            (Err(e), _) | (_, Err(e)) => return Err(Failure::Io(e)),
        };
        let fam = if local.is_ipv4() { "TCP4" } else { "TCP6" };
        let line = format!(
            "PROXY {fam} {} {} {} {}\r\n",
            local.ip(),
            peer.ip(),
            local.port(),
            peer.port()
        );
        self.send(line.as_bytes()).await
    }

    /// Reads once more into `buf`.
    pub async fn fill(&mut self) -> Result<Read, Failure> {
        if self.closed {
            return Ok(Read::Closed);
        }
        if self.buf.len() >= MAX_BUF {
            return Ok(Read::Full);
        }
        let mut chunk = vec![0u8; MAX_BUF - self.buf.len()];
        match timeout_at(self.deadline, self.stream.read(&mut chunk)).await {
            Err(_) => Err(Failure::Timeout),
            Ok(Err(e)) => Err(Failure::Io(e)),
            Ok(Ok(0)) => {
                self.closed = true;
                Ok(Read::Closed)
            }
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(Read::Data)
            }
        }
    }

    /// Reads until `buf` holds a line end; false when the peer closed or
    /// the buffer filled first.
    pub async fn fill_line(&mut self) -> Result<bool, Failure> {
        loop {
            if self.buf.contains(&b'\n') {
                return Ok(true);
            }
            match self.fill().await? {
                Read::Data => {}
                Read::Closed | Read::Full => return Ok(false),
            }
        }
    }
}
