//! Start-up: the checks a start does, listeners opened before the event
//! loop, HAProxy's start-up messages.

use haproxy_config::diag::Severity;

use crate::cli::Options;
use crate::report;

/// Check the configuration like a start-up does, open the listeners,
/// then serve until a signal ends the process.
pub fn start(opts: &Options, report: &haproxy_config::Report) -> i32 {
    let code = report::render_start(opts, report);
    if code != 0 {
        return code;
    }
    let cfg = &report.config;
    super::console::set_quiet(opts.quiet || cfg.global.quiet);
    let mut r = report::Renderer::new(opts);
    for p in super::build::not_served(cfg) {
        r.startup(
            Severity::Warning,
            &format!("{} '{}' : mode http is not served by this build of rhaproxy yet; its listeners are not opened.", p.kind.label(), p.name),
            None,
        );
    }
    let built = match super::build::build(cfg) {
        Ok(b) => b,
        Err(e) => {
            r.startup(Severity::Alert, &e.0, None);
            return 1;
        }
    };
    let mut listeners = Vec::new();
    let mut failed = false;
    let noreuseport = opts.no_reuseport || cfg.global.noreuseport;
    for (i, p) in super::build::running_frontends(cfg) {
        let backlog = cfg.global.maxconn.unwrap_or(1024);
        let (ok, errs) = super::listener::open_all(i, p, backlog, noreuseport);
        listeners.extend(ok);
        for e in errs {
            failed = true;
            r.startup(Severity::Alert, &e.message, e.hint.as_deref());
        }
    }
    if failed {
        r.startup(
            Severity::Alert,
            &format!(
                "[{}.main()] Some protocols failed to start their listeners! Exiting.",
                argv0()
            ),
            None,
        );
        return 1;
    }
    r.flush();
    drop(r);
    super::serve(std::sync::Arc::new(built.process), listeners, built.checks)
}

/// HAProxy names itself in some start-up messages as it was invoked.
pub fn argv0() -> String {
    std::env::args().next().unwrap_or_else(|| "haproxy".into())
}
