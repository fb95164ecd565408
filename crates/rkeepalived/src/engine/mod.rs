//! The VRRP engine: instances from the configuration, driven by packets,
//! timers and tracking, acting through sockets and netlink.

pub mod instance;
pub mod log;
pub mod spec;
