//! The running proxy: listeners, sessions, forwarding, signals.
//!
//! ```text
//!  Config ──► build ──► Process { frontends, backends }
//!                         │
//!   listener::open_all ───┤ (before the loop: bind errors end the start-up)
//!                         ▼
//!   one current-thread tokio runtime + LocalSet
//!     ├─ accept loop per listening socket ──► session::run per connection
//!     │      (global and frontend maxconn are semaphores taken before accept)
//!     ├─ check::runner task per checked server ──► health::on_event
//!     └─ signals: SIGTERM/SIGINT stop at once, SIGUSR1 stops accepting and
//!        exits when the last session ends
//! ```
//!
//! `Process` is built from a `Config` and owns no socket, so a reload can
//! build a new one and hand the listening sockets over.

pub mod acl_eval;
pub mod backend;
pub mod build;
pub mod console;
pub mod duplex;
pub mod frontend;
pub mod health;
pub mod listener;
pub mod pool;
pub mod serve;
pub mod session;
pub mod splice;
pub mod startup;

pub use serve::{serve, Process};
pub use startup::start;
