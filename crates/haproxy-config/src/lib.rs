//! A pure parser and validator for the HAProxy 2.6 configuration language.
//!
//! Text in, typed [`model::Config`] and [`diag::Diagnostic`]s out. No
//! sockets, no printing, no global state: the outside world (environment,
//! files, users, name resolution) is reached through [`host::Host`].
//!
//! ```
//! use haproxy_config::{check, host::MemHost, Source, Verdict};
//! let src = Source { name: "t.cfg".into(), data: b"listen l\n  bind :80\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\n".to_vec() };
//! let report = check(&[src], &MemHost::default());
//! assert_eq!(report.verdict(), Verdict::Valid);
//! ```

pub mod acl;
pub mod addr;
pub mod bind;
pub mod cond;
pub mod diag;
mod generated;
pub mod global;
pub mod host;
pub mod keywords;
pub mod legacy;
pub mod lexer;
pub mod log;
pub mod model;
pub mod parser;
pub mod proxy;
pub mod rules;
pub mod sample;
pub mod sections;
pub mod server;
pub mod suggest;
pub mod units;
pub mod validate;

pub use parser::{check, check_with, load_paths, CheckOptions, Report, Source, Verdict};
