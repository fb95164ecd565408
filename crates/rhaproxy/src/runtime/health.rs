//! What the process does when a health check changes a server's state:
//! tell the backend (and so the balancer), then say it in HAProxy's words
//! on stderr and in the logs.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use haproxy_config::model::ProxyKind;

use super::backend::Backend;
use super::console;
use crate::check::fsm::Transition;
use crate::check::runner::{self, CheckEvent, CheckSpec};
use crate::log::syslog::Level;

/// A check to start once the event loop runs.
pub struct CheckTask {
    pub spec: CheckSpec,
    pub backend: Arc<Backend>,
    pub index: usize,
    pub kind: ProxyKind,
}

pub fn start(t: CheckTask) {
    let CheckTask {
        spec,
        backend,
        index,
        kind,
    } = t;
    let on_event = Arc::new(move |_: &CheckSpec, ev: CheckEvent| {
        if let Some(tr) = ev.transition {
            transition(&backend, index, kind, tr, &ev);
        }
    });
    runner::spawn(spec, on_event);
}

fn transition(be: &Backend, index: usize, kind: ProxyKind, tr: Transition, ev: &CheckEvent) {
    let Some(s) = be.servers.get(index) else {
        return;
    };
    let up = matches!(tr, Transition::Up);
    be.set_up(index, up);
    let (active, backup) = be.usable_counts();
    let who = if s.backup { "Backup Server" } else { "Server" };
    let on_backup = if active == 0 && backup > 0 {
        " Running on backup."
    } else {
        ""
    };
    let queued = be.queued();
    let msg = if up {
        format!(
            "{who} {}/{} is UP, reason: {}. {active} active and {backup} backup servers online.{on_backup} 0 sessions requeued, {queued} total in queue.",
            be.name,
            s.name,
            ev.result.reason()
        )
    } else {
        format!(
            "{who} {}/{} is DOWN, reason: {}. {active} active and {backup} backup servers left.{on_backup} {} sessions active, 0 requeued, {queued} remaining in queue.",
            be.name,
            s.name,
            ev.result.reason(),
            s.cur.load(Ordering::Relaxed)
        )
    };
    console::warning(&msg);
    be.logger
        .log(if up { Level::Notice } else { Level::Alert }, &msg);
    if !up && active == 0 && backup == 0 && !be.said_no_server.swap(true, Ordering::Relaxed) {
        let label = kind.label();
        console::alert(&format!("{label} '{}' has no server available!", be.name));
        be.logger.log(
            Level::Emerg,
            &format!("{label} {} has no server available!", be.name),
        );
    }
}
