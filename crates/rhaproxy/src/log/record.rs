//! What one proxied connection leaves behind for its log line.

use std::net::SocketAddr;
use std::time::SystemTime;

/// One session's facts, filled by the runtime and formatted by
/// [`crate::log::format`]. Times are milliseconds; `None` prints as `-1`.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub client: SocketAddr,
    /// The listener address the client connected to.
    pub frontend_addr: SocketAddr,
    /// When the connection was accepted.
    pub accept_date: SystemTime,
    pub frontend: String,
    /// The frontend is a TLS listener (`%ft` gets a `~`).
    pub frontend_ssl: bool,
    /// `<NONE>` before a backend was chosen.
    pub backend: String,
    /// `<NOSRV>` when no server was assigned.
    pub server: String,
    pub server_addr: Option<SocketAddr>,
    /// Time spent in queues.
    pub tw: Option<u64>,
    /// Time to establish the server connection.
    pub tc: Option<u64>,
    /// Whole session duration.
    pub tt: u64,
    /// Bytes sent from server to client (`%B`).
    pub bytes_out: u64,
    /// Bytes sent from client to server (`%U`).
    pub bytes_in: u64,
    /// Two characters: who ended the session, and in which phase.
    pub termination: [u8; 2],
    /// Process-wide, frontend, backend and server connection counts when
    /// the session ended (`%ac/%fc/%bc/%sc`).
    pub actconn: u32,
    pub feconn: u32,
    pub beconn: u32,
    pub srv_conn: u32,
    /// Connection retries; `redispatched` prints a `+` before it.
    pub retries: u32,
    pub redispatched: bool,
    /// Queue positions when the session was queued (`%sq/%bq`).
    pub srv_queue: u32,
    pub backend_queue: u32,
    /// Our end of the server connection (`%bi:%bp`), once one was tried.
    pub backend_local: Option<SocketAddr>,
    /// Handshake time (`%Th`); `None` counts as 0, as for plain TCP.
    pub th: Option<u64>,
    /// The `unique-id-format` value (`%ID`).
    pub unique_id: Option<String>,
}

impl SessionRecord {
    /// A record for a session just accepted: no backend, no server, no
    /// timers yet, every counter at zero.
    pub fn accepted(client: SocketAddr, frontend_addr: SocketAddr, frontend: &str) -> Self {
        SessionRecord {
            client,
            frontend_addr,
            accept_date: SystemTime::now(),
            frontend: frontend.to_string(),
            frontend_ssl: false,
            backend: "<NONE>".to_string(),
            server: "<NOSRV>".to_string(),
            server_addr: None,
            tw: None,
            tc: None,
            tt: 0,
            bytes_out: 0,
            bytes_in: 0,
            termination: *b"--",
            actconn: 0,
            feconn: 0,
            beconn: 0,
            srv_conn: 0,
            retries: 0,
            redispatched: false,
            srv_queue: 0,
            backend_queue: 0,
            backend_local: None,
            th: None,
            unique_id: None,
        }
    }
}
