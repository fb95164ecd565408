//! rhaproxy: the process around the configuration parser.
//!
//! `main.rs` only forwards argv here. [`cli`] reads HAProxy's flag set,
//! [`report`] renders diagnostics in HAProxy's shapes, [`version`] prints
//! `-v`/`-vv`.

pub mod check;
pub mod cli;
pub mod lb;
pub mod log;
pub mod report;
pub mod runtime;
pub mod summary;
pub mod sys;
pub mod version;

use cli::{Action, Options};
use haproxy_config::host::SystemHost;

/// Run with the arguments after argv[0]; returns the exit status.
pub fn run(args: Vec<String>) -> i32 {
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{}", cli::usage_error(&e));
            return 1;
        }
    };
    if let Some(dir) = &opts.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            let mut r = report::Renderer::new(&opts);
            r.alert(&format!(
                "Cannot chdir to directory '{}' : {}",
                dir,
                haproxy_config::parser::io_reason(&e)
            ));
            return 1;
        }
    }
    match opts.action {
        Action::Version => {
            print!("{}", version::short());
            0
        }
        Action::VersionVerbose => {
            print!("{}", version::verbose());
            0
        }
        Action::EvalCondition(ref expr) => report::eval_condition(&opts, expr),
        Action::Check => check_config(&opts),
        Action::Start => start(&opts),
    }
}

/// Read the `-f` sources. `Err(code)` when HAProxy would stop before
/// parsing: a source that cannot be opened, or nothing to load at all.
pub(crate) fn load(opts: &Options) -> Result<haproxy_config::Report, i32> {
    let host = SystemHost;
    let (sources, load_diags) = haproxy_config::load_paths(&opts.config_files, &host);
    if !load_diags.is_empty() {
        let mut r = report::Renderer::new(opts);
        for d in &load_diags {
            r.diagnostic(d);
        }
        r.flush();
        if !opts.quiet {
            eprint!("{}", cli::usage());
        }
        return Err(1);
    }
    if sources.is_empty() {
        return Err(no_config());
    }
    let copts = haproxy_config::CheckOptions {
        master_worker: opts.master_worker,
        local_peer: opts.local_peer.clone(),
        ignore_resolution: opts.ignore_resolution,
        no_server_verify: opts.no_verify,
    };
    let mut report = haproxy_config::check_with(&sources, &host, &copts);
    if let Some(p) = &opts.pidfile {
        // `-p` wins over the config's `pidfile`, which 2.6 reports as a
        // non-fatal ALERT.
        if report.config.global.pidfile.is_some() {
            report.diags.push(
                haproxy_config::diag::Diagnostic::alert("'pidfile' already specified. Continuing.")
                    .non_fatal(),
            );
        }
        report.config.global.pidfile = Some(p.clone());
    }
    Ok(report)
}

fn no_config() -> i32 {
    // Like haproxy: the version banner on stdout, the usage on stderr.
    print!("{}", version::short());
    eprint!("{}", cli::usage());
    1
}

fn check_config(opts: &Options) -> i32 {
    if opts.config_files.is_empty() {
        return no_config();
    }
    match load(opts) {
        Ok(report) => report::render_check(opts, &report),
        Err(code) => code,
    }
}

/// Check the configuration like a start-up does, open the listeners,
/// then serve until a signal ends the process.
fn start(opts: &Options) -> i32 {
    if opts.config_files.is_empty() {
        return no_config();
    }
    match load(opts) {
        Ok(report) => runtime::start(opts, &report),
        Err(code) => code,
    }
}
