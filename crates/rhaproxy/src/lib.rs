//! rhaproxy: the process around the configuration parser.
//!
//! `main.rs` only forwards argv here. [`cli`] reads HAProxy's flag set,
//! [`report`] renders diagnostics in HAProxy's shapes, [`version`] prints
//! `-v`/`-vv`.

pub mod cli;
pub mod report;
pub mod summary;
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
        Action::Start => {
            let code = check_config_quiet(&opts);
            if code != 0 {
                return code;
            }
            let mut r = report::Renderer::new(&opts);
            r.alert("the proxy runtime is not part of this build yet; use -c to validate a configuration.");
            1
        }
    }
}

fn load(opts: &Options) -> haproxy_config::Report {
    let host = SystemHost;
    let (sources, load_diags) = haproxy_config::load_paths(&opts.config_files, &host);
    let mut report = haproxy_config::check(&sources, &host);
    if !load_diags.is_empty() {
        let mut all = load_diags;
        all.append(&mut report.diags);
        report.diags = all;
        report.error_files.push(String::new());
    }
    if let Some(p) = &opts.pidfile {
        // `-p` wins over the config's `pidfile`, which 2.6 reports as a
        // non-fatal ALERT; the parser already did that when both were in
        // the file, so only the command-line case remains.
        if report.config.global.pidfile.is_some() {
            report.diags.push(
                haproxy_config::diag::Diagnostic::alert("'pidfile' already specified. Continuing.")
                    .non_fatal(),
            );
        }
        report.config.global.pidfile = Some(p.clone());
    }
    report
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
    let report = load(opts);
    report::render_check(opts, &report)
}

fn check_config_quiet(opts: &Options) -> i32 {
    if opts.config_files.is_empty() {
        return no_config();
    }
    let report = load(opts);
    let mut o = opts.clone();
    o.check_only = false;
    report::render_start(&o, &report)
}
