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
pub mod console;
pub mod duplex;
pub mod listener;
pub mod pool;
pub mod splice;
// Wired in once the check, log and lb modules are complete:
// pub mod backend; pub mod build; pub mod frontend; pub mod health;
// pub mod serve; pub mod session; pub mod startup;

use crate::cli::Options;

/// Serve the configuration in `report` (already parsed without fatal
/// errors); returns the exit status.
pub fn start(opts: &Options, report: &haproxy_config::Report) -> i32 {
    let code = crate::report::render_start(opts, report);
    if code != 0 {
        return code;
    }
    let mut r = crate::report::Renderer::new(opts);
    r.alert("the proxy runtime is not part of this build yet; use -c to validate a configuration.");
    1
}
