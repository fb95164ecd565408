//! The only `unsafe` code of rhaproxy: calls into the C library that
//! have no safe wrapper.

use nix::sys::signal::{self, SigHandler, Signal};

/// End the process the way HAProxy ends on SIGTERM or SIGINT: killed by
/// that signal, so a supervisor sees "terminated by signal", not an exit
/// status.
pub fn die_by(sig: Signal) -> ! {
    // SAFETY: restoring the default disposition installs no Rust code as
    // a handler, so nothing can run in signal context; we are about to
    // end the process anyway.
    let _ = unsafe { signal::signal(sig, SigHandler::SigDfl) };
    let _ = signal::raise(sig);
    // Only reached if the signal is blocked: exit as a shell would report it.
    std::process::exit(128 + sig as i32)
}
