//! rkeepalived: the process around the keepalived.conf parser.
//! `main.rs` forwards argv to [`run`].

pub mod cli;
pub mod dump;
pub mod engine;
pub mod net;
pub mod track;
pub mod vrrp;

use std::io::Write;

use keepalived_config::diag::{Class, Diagnostic};
use keepalived_config::host::{expand_braces, Host, SystemHost};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The keepalived release whose configuration language and CLI we follow.
pub const COMPAT: &str = "2.2.7";
pub const DEFAULT_CONF: &str = "/etc/keepalived/keepalived.conf";

/// `-v`. The first line starts like keepalived's (`Keepalived v2.2.7`) so
/// scripts that read the version keep working, and says what we are.
pub fn version_text() -> String {
    format!(
        "Keepalived v{COMPAT} (rkeepalived {VERSION}, a Rust reimplementation)\n\n\
         rkeepalived {VERSION}: keepalived {COMPAT}'s configuration language, command line and dumps.\n"
    )
}

/// keepalived's `--signum` table on Linux/glibc, checked against the
/// Debian 2.2.7 binary: STATS_CLEAR is SIGRTMAX-1 and JSON SIGRTMIN+2.
/// `TDATA` exists only in debugging builds, so it is unknown here too.
pub fn signum(name: &str) -> Option<i32> {
    match name {
        "STOP" => Some(15),
        "RELOAD" => Some(1),
        "DATA" => Some(10),
        "STATS" => Some(12),
        "STATS_CLEAR" => Some(63),
        "JSON" => Some(36),
        _ => None,
    }
}

/// What `-f PATTERN` names, resolved as keepalived 2.2.7 resolves it:
/// braces expand, each alternative with `*`, `?` or `[` matches existing
/// paths only, an alternative without them is taken literally (so a
/// missing plain file is reported as missing), directories are marked
/// with a trailing `/`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ConfigFiles {
    pub matches: Vec<String>,
}

impl ConfigFiles {
    pub fn resolve(pattern: &str) -> Self {
        let mut matches = Vec::new();
        for alt in expand_braces(pattern) {
            let found = if alt.is_empty() {
                // glob("") matches nothing: keepalived stays silent.
                Vec::new()
            } else if alt.contains(['*', '?', '[']) {
                SystemHost.glob(&alt)
            } else {
                vec![alt]
            };
            for m in found {
                if std::path::Path::new(&m).is_dir() && !m.ends_with('/') {
                    matches.push(format!("{m}/"));
                } else {
                    matches.push(m);
                }
            }
        }
        ConfigFiles { matches }
    }

    pub fn dirs(&self) -> impl Iterator<Item = &String> {
        self.matches.iter().filter(|m| m.ends_with('/'))
    }

    pub fn existing(&self) -> Vec<&String> {
        self.matches
            .iter()
            .filter(|m| !m.ends_with('/') && std::fs::metadata(m).is_ok())
            .collect()
    }
}

/// A host whose one extra file is the list of `-f` matches as `include`
/// lines: keepalived reads several matched files one after the other and
/// names each of them in its messages, which is what includes give.
struct Matches<'a> {
    inner: &'a dyn Host,
    path: String,
    data: Vec<u8>,
}

impl Host for Matches<'_> {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        if path == self.path {
            Ok(self.data.clone())
        } else {
            self.inner.read(path)
        }
    }
    fn is_dir(&self, path: &str) -> bool {
        self.inner.is_dir(path)
    }
    fn glob(&self, pattern: &str) -> Vec<String> {
        self.inner.glob(pattern)
    }
    fn interface_exists(&self, name: &str) -> bool {
        self.inner.interface_exists(name)
    }
    fn is_loopback(&self, name: &str) -> bool {
        self.inner.is_loopback(name)
    }
    fn user_exists(&self, name: &str) -> bool {
        self.inner.user_exists(name)
    }
    fn group_exists(&self, name: &str) -> bool {
        self.inner.group_exists(name)
    }
    fn node_name(&self) -> String {
        self.inner.node_name()
    }
    fn find_in_path(&self, cmd: &str) -> Option<String> {
        self.inner.find_in_path(cmd)
    }
    fn insecure_path(&self, path: &str) -> bool {
        self.inner.insecure_path(path)
    }
    fn env(&self, name: &str) -> Option<String> {
        self.inner.env(name)
    }
}

/// The outcome of reading the `-f` pattern: diagnostics to print and,
/// when something was read, the report.
pub struct Loaded {
    pub pre: Vec<Diagnostic>,
    pub report: Option<keepalived_config::Report>,
}

/// Read the configuration named by `-f` (or the default) like keepalived:
/// no match for a glob is silently "no configuration"; a directory among
/// the matches is reported and also means "no configuration"; several
/// files are read in order after a warning; a missing plain file is
/// `Config files missing`, and missing alternatives next to present
/// ones are `Some config files missing` (once per reading process).
pub fn load(pattern: &str, host: &dyn Host, opts: &keepalived_config::Options) -> Loaded {
    let files = ConfigFiles::resolve(pattern);
    let mut pre = Vec::new();
    if files.matches.is_empty() {
        return Loaded { pre, report: None };
    }
    let mut any_dir = false;
    for d in files.dirs() {
        any_dir = true;
        pre.push(Diagnostic::info(format!(
            "Configuration file '{d}' is a directory - skipping"
        )));
    }
    if any_dir {
        return Loaded { pre, report: None };
    }
    let existing = files.existing();
    if existing.is_empty() {
        // The parser reports `Config files missing '<pattern>'.`
        return Loaded {
            pre,
            report: Some(keepalived_config::check(pattern, host, opts)),
        };
    }
    if existing.len() > 1 {
        pre.push(Diagnostic::info(format!(
            "WARNING, multiple configuration file matches of {pattern}, starting with {}",
            existing[0]
        )));
    }
    if existing.len() < files.matches.len() {
        for _ in 0..2 {
            pre.push(Diagnostic::new(
                Class::MultipleFiles,
                format!("Some config files missing: \"{pattern}\"."),
            ));
        }
    }
    let report = if existing.len() == 1 {
        keepalived_config::check(existing[0], host, opts)
    } else {
        let mut data = String::new();
        for f in &existing {
            data.push_str(&format!("include {f}\n"));
        }
        let m = Matches {
            inner: host,
            path: "\0rkeepalived-config-matches".into(),
            data: data.into_bytes(),
        };
        keepalived_config::check(&m.path.clone(), &m, opts)
    };
    Loaded {
        pre,
        report: Some(report),
    }
}

/// The full host name: keepalived's default router_id and HELO name.
pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn render(d: &Diagnostic, out: &mut String) {
    out.push_str(&d.render());
    out.push('\n');
    if let Some(h) = &d.hint {
        out.push_str(&format!("   | hint: {h}\n"));
    }
}

/// Where `-t` writes: stderr, or `--config-test=FILE` opened for append
/// (created 0600), as keepalived does.
fn open_test_log(path: &str) -> Result<std::fs::File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            let errno = e.raw_os_error().unwrap_or(0);
            let text = e.to_string();
            let text = match text.find(" (os error") {
                Some(p) => text[..p].to_string(),
                None => text,
            };
            format!("Unable to open config-test log file {path} {errno} - {text}")
        })
}

pub fn run(args: Vec<String>) -> i32 {
    let parsed = cli::parse(&args);
    for e in &parsed.errors {
        eprintln!("{e}");
    }
    match &parsed.stop {
        Some(cli::Stop::Version) => {
            eprint!("{}", version_text());
            return 0;
        }
        Some(cli::Stop::Help) => {
            let prog = std::env::args()
                .next()
                .unwrap_or_else(|| "rkeepalived".into());
            eprint!("{}", cli::usage(&prog));
            return 0;
        }
        Some(cli::Stop::Signum(s)) => {
            return match signum(s) {
                Some(n) => {
                    println!("{n}");
                    0
                }
                None => {
                    eprintln!("Unknown sigfunc {s}");
                    1
                }
            };
        }
        None => {}
    }
    if let Some(line) = parsed.unexpected_line() {
        println!("{line}");
    }
    if !parsed.errors.is_empty() {
        return 1;
    }
    let opts = parsed.opts;
    if opts.genhash {
        eprintln!("rkeepalived: genhash mode (-T) is not implemented");
        return 1;
    }
    let pattern = opts
        .config_file
        .clone()
        .unwrap_or_else(|| DEFAULT_CONF.into());
    let kopts = keepalived_config::Options {
        config_id: opts.config_id.clone(),
        passes: None,
    };
    if let Some(log) = &opts.config_test {
        let mut sink: Box<dyn Write> = match log {
            Some(path) if !path.is_empty() => match open_test_log(path) {
                Ok(f) => Box::new(f),
                Err(msg) => {
                    eprintln!("{msg}");
                    return 1;
                }
            },
            _ => Box::new(std::io::stderr()),
        };
        let loaded = load(&pattern, &SystemHost, &kopts);
        let mut text = String::new();
        for d in &loaded.pre {
            render(d, &mut text);
        }
        let Some(report) = loaded.report else {
            let _ = sink.write_all(text.as_bytes());
            return 0;
        };
        for d in &report.diags {
            render(d, &mut text);
        }
        let _ = sink.write_all(text.as_bytes());
        let _ = sink.flush();
        if opts.dump_conf && report.found {
            print!("{}", dump::render(&report.config, &host_name()));
        }
        // keepalived keeps the highest class seen (not the highest exit
        // status); a missing parameter exits at once with its own status.
        if let Some(c) = report.immediate_exit {
            return c;
        }
        return loaded
            .pre
            .iter()
            .chain(report.diags.iter())
            .filter_map(|d| d.class)
            .max()
            .map_or(0, Class::exit_code);
    }
    // Run: the configuration as `-t` reads it, then the VRRP engine in
    // the foreground (as Debian's unit starts keepalived, `--dont-fork`).
    let loaded = load(&pattern, &SystemHost, &kopts);
    let Some(report) = loaded.report else {
        let mut text = String::new();
        for d in &loaded.pre {
            render(d, &mut text);
        }
        eprint!("{text}");
        return 1;
    };
    if opts.log_console {
        let mut text = String::new();
        for d in loaded.pre.iter().chain(report.diags.iter()) {
            render(d, &mut text);
        }
        eprint!("{text}");
    }
    let ropts = engine::RunOptions {
        console: opts.log_console,
        detail: opts.log_detail,
        facility: opts.log_facility.clone(),
        no_syslog: opts.no_syslog,
    };
    engine::run(&report.config, &pattern, &ropts)
}
