//! VRRP for rkeepalived: the wire codec ([`packet`]) and, separately, the
//! state machine. Both are pure: no sockets, no clocks.

pub mod fsm;
pub mod packet;
pub mod priority;
