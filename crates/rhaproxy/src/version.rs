//! `-v` / `-vv`. The first line keeps HAProxy's shape so scripts that grep
//! for `HAProxy version 2.6` keep working, and names what we really are.

use haproxy_config::cond::{COMPAT_VERSION, FEATURES};

pub const RHAPROXY_VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn short_line() -> String {
    format!(
        "HAProxy version {COMPAT_VERSION}-rhaproxy-{RHAPROXY_VERSION} - rhaproxy, a Rust reimplementation compatible with HAProxy {COMPAT_VERSION}\n"
    )
}

pub fn short() -> String {
    format!(
        "{}Status: rhaproxy {RHAPROXY_VERSION}; configuration language and command line of the HAProxy 2.6 LTS branch.\n",
        short_line()
    )
}

pub fn verbose() -> String {
    let feats: Vec<String> = FEATURES.iter().map(|f| format!("+{f}")).collect();
    format!(
        "{}Build options :\n  TARGET  = {}-{}\n  RUSTC   = rustc (edition 2021)\n\nFeature list : {}\n\nDefault settings :\n  bufsize = 16384, maxrewrite = 1024, maxpollevents = 200\n\nAvailable polling systems :\n      epoll : pref=300,  test result OK\n",
        short(),
        std::env::consts::OS,
        std::env::consts::ARCH,
        feats.join(" ")
    )
}
