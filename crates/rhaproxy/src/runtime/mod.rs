//! The running proxy: listeners, sessions, forwarding, signals.
