//! One health check against one address.
//!
//! [`plan`] turns the backend's check settings into something runnable
//! once; [`run_plan`] then connects, talks and judges under HAProxy's
//! time limits and returns a [`CheckResult`] worded as 2.6 words it.

mod conn;
pub mod http;
mod result;
pub mod smtp;
pub mod tcpcheck;

use std::fmt;

use haproxy_config::model::CheckKind;
use tokio::time::Instant;

pub use conn::Timing;
use conn::{strerror, Conn, Failure};
pub use result::{CheckResult, CheckStatus};

use crate::check::runner::CheckSpec;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    BadRegex { pattern: String, reason: String },
    BadHex(String),
    BadStatus(String),
    MissingArgument { keyword: String },
    Unsupported(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::BadRegex { pattern, reason } => {
                write!(f, "invalid regex '{pattern}': {reason}")
            }
            PlanError::BadHex(s) => write!(f, "invalid hexadecimal string '{s}'"),
            PlanError::BadStatus(s) => write!(f, "invalid status list '{s}'"),
            PlanError::MissingArgument { keyword } => write!(f, "'{keyword}' expects an argument"),
            PlanError::Unsupported(s) => write!(f, "'{s}' is not supported"),
        }
    }
}

impl std::error::Error for PlanError {}

#[derive(Debug, Clone)]
pub enum Plan {
    /// Connect, then close.
    Connect,
    Smtp {
        verb: String,
        domain: String,
    },
    Http(http::HttpPlan),
    TcpCheck(tcpcheck::TcpCheckPlan),
}

/// Kinds without a probe of their own (mysql, pgsql, ldap, spop, TLS
/// hello, external) fall back to a connect check.
pub fn plan(spec: &CheckSpec) -> Result<Plan, PlanError> {
    Ok(match &spec.kind {
        CheckKind::Smtp { verb, domain } => Plan::Smtp {
            verb: verb.clone(),
            domain: domain.clone(),
        },
        k @ CheckKind::Http { .. } => Plan::Http(http::plan(k, &spec.http_check)?),
        CheckKind::TcpCheck => {
            let p = tcpcheck::plan(&spec.tcp_check)?;
            if p.is_empty() {
                Plan::Connect
            } else {
                Plan::TcpCheck(p)
            }
        }
        CheckKind::Redis => Plan::TcpCheck(tcpcheck::TcpCheckPlan::redis()),
        _ => Plan::Connect,
    })
}

/// Plans and runs one check; a plan error is reported as an `UNK` result
/// (the config checker refuses such rules before we get here).
pub async fn probe(spec: &CheckSpec) -> CheckResult {
    match plan(spec) {
        Ok(p) => run_plan(&p, spec).await,
        Err(e) => CheckResult::new(CheckStatus::Unknown, None, Some(e.to_string())),
    }
}

pub async fn run_plan(plan: &Plan, spec: &CheckSpec) -> CheckResult {
    let start = Instant::now();
    let timing = Timing::new(start, spec.inter, spec.timeout_connect, spec.timeout_check);
    let mut r = match plan {
        Plan::TcpCheck(p) => tcpcheck::run(p, spec.addr, &timing, spec.send_proxy).await,
        _ => connected(plan, spec, &timing).await,
    };
    r.duration = start.elapsed();
    r
}

async fn connected(plan: &Plan, spec: &CheckSpec, timing: &Timing) -> CheckResult {
    let mut c = match Conn::connect(spec.addr, timing.connect_deadline(timing.start)).await {
        Ok(c) => c,
        Err(Failure::Timeout) => return CheckResult::new(CheckStatus::L4Tout, None, None),
        Err(Failure::Io(e)) => {
            return CheckResult::new(CheckStatus::L4Con, None, Some(strerror(&e)))
        }
    };
    c.deadline = timing.io_deadline(Instant::now());
    if spec.send_proxy {
        if let Err(f) = c.send_proxy_header().await {
            return match f {
                Failure::Timeout => CheckResult::new(CheckStatus::L7Tout, None, None),
                Failure::Io(e) => CheckResult::new(CheckStatus::SockErr, None, Some(strerror(&e))),
            };
        }
    }
    match plan {
        Plan::Smtp { verb, domain } => smtp::run(&mut c, verb, domain).await,
        Plan::Http(h) => http::run(&mut c, h).await,
        Plan::Connect | Plan::TcpCheck(_) => CheckResult::new(CheckStatus::L4Ok, None, None),
    }
}
