//! A frontend while running: where its connections go and how they are
//! logged.

use std::sync::atomic::{AtomicU32, AtomicU64};
use std::sync::Arc;
use std::time::Duration;

use haproxy_config::acl::{Acl, Condition};
use tokio::sync::Semaphore;

use super::backend::Backend;
use crate::log::format::LogFormat;
use crate::log::syslog::Logger;

/// `tcp-request connection|content accept|reject [cond]`.
pub struct ConnRule {
    pub accept: bool,
    pub cond: Option<Condition>,
}

pub struct Frontend {
    pub name: String,
    /// `TCP` or `HTTP`, as the "Connect from" line names the mode.
    pub mode_label: &'static str,
    pub acls: Vec<Acl>,
    pub rules: Vec<ConnRule>,
    /// `use_backend` rules in order.
    pub switching: Vec<(Arc<Backend>, Option<Condition>)>,
    pub default_backend: Option<Arc<Backend>>,
    pub conns: AtomicU32,
    pub total: AtomicU64,
    pub timeout_client: Option<Duration>,
    pub timeout_client_fin: Option<Duration>,
    pub logger: Logger,
    /// `None`: no `option tcplog`/`log-format`, so HAProxy logs a
    /// "Connect from" line at accept time instead.
    pub format: Option<LogFormat>,
    pub dontlognull: bool,
    pub splice: bool,
    /// The frontend's `maxconn`: connections beyond it wait in the
    /// kernel's backlog, as in HAProxy.
    pub slots: Arc<Semaphore>,
}
