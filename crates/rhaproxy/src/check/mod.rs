//! Health checks.
//!
//! [`fsm`] is the sans-IO part: rise/fall counting, the interval to wait
//! (inter / fastinter / downinter) and the state transitions, driven by
//! check results and an injected clock. [`probe`] runs one check over a
//! real socket (TCP connect, SMTP, HTTP, tcp-check), and [`runner`]
//! schedules probes per server and reports transitions.

pub mod fsm;
pub mod probe;
pub mod runner;
