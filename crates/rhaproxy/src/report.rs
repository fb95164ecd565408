//! Printing diagnostics the way HAProxy 2.6 prints them.
//!
//! `[LEVEL]    (PID) : config : <message>` on stderr; the two NOTICE lines
//! naming the version and the executable come once, just before the first
//! WARNING or ALERT; verdict lines go to stdout. Our hint, when there is
//! one, follows on its own `   | hint:` line so HAProxy's line stays intact.

use std::io::Write;

use haproxy_config::diag::{Diagnostic, Severity};
use haproxy_config::{Report, Verdict};

use crate::cli::Options;

pub struct Renderer {
    pid: u32,
    quiet: bool,
    show_diag: bool,
    preamble_done: bool,
    err: Vec<u8>,
}

impl Renderer {
    pub fn new(opts: &Options) -> Self {
        Renderer {
            pid: std::process::id(),
            quiet: opts.quiet,
            show_diag: opts.diag,
            preamble_done: false,
            err: Vec::new(),
        }
    }

    fn line(&mut self, sev: Severity, context: &str, msg: &str) {
        if sev >= Severity::Warning && !self.preamble_done {
            self.preamble_done = true;
            let exe = std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "rhaproxy".into());
            let v = format!(
                "haproxy version is {}-rhaproxy-{}",
                haproxy_config::cond::COMPAT_VERSION,
                crate::version::RHAPROXY_VERSION
            );
            self.raw(Severity::Notice, "", &v);
            self.raw(
                Severity::Notice,
                "",
                &format!("path to executable is {exe}"),
            );
        }
        self.raw(sev, context, msg);
    }

    fn raw(&mut self, sev: Severity, context: &str, msg: &str) {
        let _ = writeln!(self.err, "{}({}) : {context}{msg}", sev.tag(), self.pid);
    }

    pub fn diagnostic(&mut self, d: &Diagnostic) {
        if d.severity == Severity::Diag && !self.show_diag {
            return;
        }
        self.line(d.severity, "config : ", &d.body());
        for l in &d.detail {
            let _ = writeln!(self.err, "{l}");
        }
        if let Some(h) = &d.hint {
            let _ = writeln!(self.err, "   | hint: {h}");
        }
    }

    pub fn alert(&mut self, msg: &str) {
        self.line(Severity::Alert, "config : ", msg);
    }

    /// A start-up message without the `config : ` context (bind errors,
    /// `haproxy.main()` lines), with our hint under it.
    pub fn startup(&mut self, sev: Severity, msg: &str, hint: Option<&str>) {
        self.line(sev, "", msg);
        if let Some(h) = hint {
            let _ = writeln!(self.err, "   | hint: {h}");
        }
    }

    /// Write what was collected, unless quiet.
    pub fn flush(&mut self) {
        if !self.quiet {
            let _ = std::io::stderr().write_all(&self.err);
        }
        self.err.clear();
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        self.flush();
    }
}

fn render_diags(r: &mut Renderer, report: &Report) {
    for d in &report.diags {
        r.diagnostic(d);
    }
    for f in report.error_files.iter().filter(|f| !f.is_empty()) {
        r.alert(&format!("Error(s) found in configuration file : {f}"));
    }
    if report.has_fatal() && !report.aborted {
        r.alert("Fatal errors found in configuration.");
    }
}

fn zero_warning(opts: &Options, report: &Report) -> bool {
    (opts.zero_warning || report.config.global.zero_warning) && report.warnings() > 0
}

/// `-c`: messages, verdict line, exit status.
pub fn render_check(opts: &Options, report: &Report) -> i32 {
    let mut r = Renderer::new(opts);
    render_diags(&mut r, report);
    let verdict = report.verdict();
    if verdict != Verdict::Invalid && zero_warning(opts, report) {
        r.alert("Some warnings were found and 'zero-warning' is set. Aborting.");
        return 1;
    }
    r.flush();
    let mut out = String::new();
    let code = match verdict {
        Verdict::Invalid => 1,
        Verdict::NoListener => {
            out.push_str(
                "Configuration file has no error but will not start (no listener) => exit(2).\n",
            );
            2
        }
        Verdict::ValidWithWarnings => {
            out.push_str("Warnings were found.\nConfiguration file is valid\n");
            0
        }
        Verdict::Valid => {
            out.push_str("Configuration file is valid\n");
            0
        }
    };
    if !opts.quiet {
        print!("{out}");
    }
    code
}

/// Start-up: the same messages, no verdict lines; 0 means "go on".
pub fn render_start(opts: &Options, report: &Report) -> i32 {
    let mut r = Renderer::new(opts);
    render_diags(&mut r, report);
    if report.has_fatal() {
        return 1;
    }
    if zero_warning(opts, report) {
        r.alert("Some warnings were found and 'zero-warning' is set. Aborting.");
        return 1;
    }
    if report.verdict() == Verdict::NoListener {
        r.startup(
            Severity::Alert,
            &format!(
                "[{}.main()] No enabled listener found (check for 'bind' directives) ! Exiting.",
                std::env::args().next().unwrap_or_else(|| "haproxy".into())
            ),
            None,
        );
        return 1;
    }
    0
}

/// `-cc EXPR`: the expression is tokenized like a config line, then
/// evaluated as `.if` would.
pub fn eval_condition(opts: &Options, expr: &str) -> i32 {
    let var = |n: &str| std::env::var(n).ok();
    let env = haproxy_config::lexer::LexEnv {
        var: &var,
        file: "command line",
        line: 1,
        section: "",
    };
    let mut r = Renderer::new(opts);
    let words = match haproxy_config::lexer::tokenize(expr.as_bytes(), &env) {
        Ok(l) => l.words,
        Err(e) => {
            r.alert(&format!("Failed to evaluate condition: {}", e.message));
            return 2;
        }
    };
    let joined = words.join(" ");
    match haproxy_config::cond::evaluate(&joined, &|n| std::env::var_os(n).is_some()) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            r.alert(&format!("Failed to evaluate condition: {}", e.message));
            2
        }
    }
}
