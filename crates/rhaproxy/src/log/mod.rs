//! Traffic and event logs: formats (`option tcplog`, `log-format`) and
//! senders (UDP syslog in HAProxy's RFC 3164 "local" shape, UNIX datagram
//! sockets such as /dev/log, stdout/stderr).
pub mod format;
pub mod record;
pub mod syslog;
