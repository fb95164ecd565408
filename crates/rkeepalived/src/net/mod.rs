//! Edges of the VRRP runtime that talk to the kernel.

pub mod netlink;
pub mod route;
pub mod socket;
