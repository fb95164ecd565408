//! Helpers for the differential `-c` tests between `rhaproxy` and the real
//! HAProxy 2.6 ("the oracle").
//!
//! Both programs are judged the same way: the exit status, plus whether stdout
//! contains `Warnings were found.` (see [`classify`]). The expected verdict of
//! every fixture under `fixtures/haproxy/` is recorded in
//! `fixtures/haproxy/expected.tsv` by `compat-tests/record-haproxy-verdicts.sh`;
//! the fixtures where `rhaproxy` deliberately differs are listed in
//! `fixtures/haproxy/legacy-exceptions.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::thread;
use std::time::{Duration, Instant};

/// The marker that both programs print on stdout when a valid config had warnings.
pub const WARNINGS_MARKER: &str = "Warnings were found.";

/// Where the real HAProxy lives on Debian.
pub const DEFAULT_ORACLE: &str = "/usr/sbin/haproxy";

/// Longest time one `-c` run may take before it is killed and reported.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(60);

/// Outcome of `-c -f FILE`, judged from the exit status and stdout only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Exit 0 and no `Warnings were found.` on stdout.
    Valid,
    /// Exit 0 and `Warnings were found.` on stdout.
    Warnings,
    /// Exit 1.
    Invalid,
    /// Exit 2: no error, but no listener either.
    NoListener,
    /// Any other exit status (`None` = killed by a signal or timed out).
    Other(Option<i32>),
}

impl Verdict {
    /// The exit code this verdict implies, when there is a single one.
    pub fn exit_code(self) -> Option<i32> {
        match self {
            Verdict::Valid | Verdict::Warnings => Some(0),
            Verdict::Invalid => Some(1),
            Verdict::NoListener => Some(2),
            Verdict::Other(code) => code,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Valid => f.write_str("valid"),
            Verdict::Warnings => f.write_str("warnings"),
            Verdict::Invalid => f.write_str("invalid"),
            Verdict::NoListener => f.write_str("nolistener"),
            Verdict::Other(Some(code)) => write!(f, "other(exit {code})"),
            Verdict::Other(None) => f.write_str("other(signal/timeout)"),
        }
    }
}

impl FromStr for Verdict {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "valid" => Ok(Verdict::Valid),
            "warnings" => Ok(Verdict::Warnings),
            "invalid" => Ok(Verdict::Invalid),
            "nolistener" => Ok(Verdict::NoListener),
            "other" => Ok(Verdict::Other(None)),
            _ => Err(format!(
                "unknown verdict '{s}' (expected valid, warnings, invalid, nolistener or other)"
            )),
        }
    }
}

/// Classifies one run. The same function is used for `rhaproxy` and `haproxy`.
pub fn classify(exit_code: Option<i32>, stdout: &str) -> Verdict {
    match exit_code {
        Some(0) if stdout.contains(WARNINGS_MARKER) => Verdict::Warnings,
        Some(0) => Verdict::Valid,
        Some(1) => Verdict::Invalid,
        Some(2) => Verdict::NoListener,
        other => Verdict::Other(other),
    }
}

/// The captured result of one `-c -f FILE` run.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl CheckRun {
    pub fn verdict(&self) -> Verdict {
        if self.timed_out {
            Verdict::Other(None)
        } else {
            classify(self.exit_code, &self.stdout)
        }
    }

    /// The most telling stderr line: the first ALERT or WARNING, else the first
    /// non-empty line that is not one of the version/path NOTICE lines.
    pub fn first_stderr_line(&self) -> String {
        if self.timed_out {
            return format!("(killed after {}s)", CHECK_TIMEOUT.as_secs());
        }
        first_diagnostic_line(&self.stderr)
    }
}

/// See [`CheckRun::first_stderr_line`].
pub fn first_diagnostic_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim_end).collect();
    let pick = lines
        .iter()
        .find(|l| l.contains("[ALERT]") || l.contains("[WARNING]"))
        .or_else(|| {
            lines.iter().find(|l| {
                !l.trim().is_empty()
                    && !l.contains("haproxy version is")
                    && !l.contains("path to executable is")
            })
        });
    pick.map(|l| l.to_string()).unwrap_or_default()
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `fixtures/haproxy` under the workspace root. The checks run with this as cwd.
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("fixtures").join("haproxy")
}

/// A binary of this workspace: `$<env_var>` if set, else
/// `$CARGO_TARGET_DIR/debug/<name>` if that variable is set, else
/// `<workspace root>/target/debug/<name>`.
pub fn workspace_bin(env_var: &str, name: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|p| !p.is_empty()) {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    };
    target.join("debug").join(name)
}

/// An installed reference program: `$<env_var>` if set, else `default`,
/// if that file exists.
pub fn installed_bin(env_var: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env_var)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    path.is_file().then_some(path)
}

/// The `rhaproxy` binary under test (`$RHAPROXY_BIN` overrides).
pub fn rhaproxy_bin() -> PathBuf {
    workspace_bin("RHAPROXY_BIN", "rhaproxy")
}

/// The real HAProxy, if installed (`$HAPROXY_BIN` overrides).
pub fn oracle_bin() -> Option<PathBuf> {
    installed_bin("HAPROXY_BIN", DEFAULT_ORACLE)
}

/// Runs `<bin> -c -f <file>` with `cwd` as the working directory, stdin closed,
/// and the fixture-related environment variables removed. Kills it after
/// [`CHECK_TIMEOUT`].
pub fn run_check(bin: &Path, file: &str, cwd: &Path) -> io::Result<CheckRun> {
    let mut cmd = Command::new(bin);
    cmd.arg("-c")
        .arg("-f")
        .arg(file)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("LC_ALL", "C");
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("FIXTURE_") || k.starts_with("RHAPROXY_FIXTURE_") {
            cmd.env_remove(&key);
        }
    }
    let mut child = cmd.spawn()?;

    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });

    let deadline = Instant::now() + CHECK_TIMEOUT;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            timed_out = true;
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };

    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Ok(CheckRun {
        exit_code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        timed_out,
    })
}

/// Runs [`run_check`] for every file, a few at a time, keeping the input order.
pub fn run_checks(bin: &Path, files: &[String], cwd: &Path) -> Vec<(String, io::Result<CheckRun>)> {
    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let chunk = files.len().div_ceil(workers).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| (f.clone(), run_check(bin, f, cwd)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("check worker panicked"))
            .collect()
    })
}

/// One line of `expected.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub file: String,
    pub verdict: Verdict,
    pub exit_code: i32,
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Parses `expected.tsv`: `<file>\t<verdict>\t<exit>` per line. Blank lines and
/// lines starting with `#` are ignored.
pub fn parse_expected(text: &str) -> Result<Vec<Expected>, String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (n, line) in data_lines(text) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            return Err(format!(
                "expected.tsv:{n}: want 3 tab-separated columns, got {}",
                cols.len()
            ));
        }
        let verdict: Verdict = cols[1]
            .parse()
            .map_err(|e| format!("expected.tsv:{n}: {e}"))?;
        let exit_code: i32 = cols[2]
            .parse()
            .map_err(|e| format!("expected.tsv:{n}: bad exit code '{}': {e}", cols[2]))?;
        let verdict = match verdict {
            Verdict::Other(_) => Verdict::Other(Some(exit_code)),
            v => v,
        };
        if verdict.exit_code() != Some(exit_code) {
            return Err(format!(
                "expected.tsv:{n}: verdict '{}' does not match exit code {exit_code}",
                cols[1]
            ));
        }
        if !seen.insert(cols[0].to_string()) {
            return Err(format!("expected.tsv:{n}: '{}' listed twice", cols[0]));
        }
        out.push(Expected {
            file: cols[0].to_string(),
            verdict,
            exit_code,
        });
    }
    Ok(out)
}

/// Parses `legacy-exceptions.txt`: `<file>\t<rhaproxy verdict>` per line.
/// Blank lines and lines starting with `#` are ignored.
pub fn parse_exceptions(text: &str) -> Result<BTreeMap<String, Verdict>, String> {
    let mut out = BTreeMap::new();
    for (n, line) in data_lines(text) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 2 {
            return Err(format!(
                "legacy-exceptions.txt:{n}: want 2 tab-separated columns, got {}",
                cols.len()
            ));
        }
        let verdict: Verdict = cols[1]
            .parse()
            .map_err(|e| format!("legacy-exceptions.txt:{n}: {e}"))?;
        if out.insert(cols[0].to_string(), verdict).is_some() {
            return Err(format!(
                "legacy-exceptions.txt:{n}: '{}' listed twice",
                cols[0]
            ));
        }
    }
    Ok(out)
}

/// Reads and parses `fixtures/haproxy/expected.tsv`.
pub fn load_expected() -> Result<Vec<Expected>, String> {
    let path = fixtures_dir().join("expected.tsv");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_expected(&text)
}

/// Reads and parses `fixtures/haproxy/legacy-exceptions.txt` (empty if absent).
pub fn load_exceptions() -> Result<BTreeMap<String, Verdict>, String> {
    let path = fixtures_dir().join("legacy-exceptions.txt");
    match fs::read_to_string(&path) {
        Ok(text) => parse_exceptions(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Every `*.cfg` directly inside the fixtures directory, sorted.
pub fn fixture_files() -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(fixtures_dir())? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".cfg") && entry.file_type()?.is_file() {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

/// One row of a mismatch report.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub file: String,
    pub expected: String,
    pub got: String,
    pub detail: String,
}

/// Renders mismatches as an aligned plain-text table.
pub fn format_table(title: &str, rows: &[Mismatch]) -> String {
    let headers = ["file", "expected", "got", "first stderr line"];
    let mut widths = [headers[0].len(), headers[1].len(), headers[2].len()];
    for r in rows {
        widths[0] = widths[0].max(r.file.len());
        widths[1] = widths[1].max(r.expected.len());
        widths[2] = widths[2].max(r.got.len());
    }
    let mut s = format!("{title}\n");
    let line = |s: &mut String, c: [&str; 4]| {
        s.push_str(&format!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}\n",
            c[0],
            c[1],
            c[2],
            c[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    };
    line(&mut s, headers);
    line(
        &mut s,
        [
            &"-".repeat(widths[0]),
            &"-".repeat(widths[1]),
            &"-".repeat(widths[2]),
            "-----------------",
        ],
    );
    for r in rows {
        let detail: String = r.detail.chars().take(220).collect();
        line(&mut s, [&r.file, &r.expected, &r.got, &detail]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_exit_code_and_marker() {
        assert_eq!(
            classify(Some(0), "Configuration file is valid\n"),
            Verdict::Valid
        );
        assert_eq!(
            classify(
                Some(0),
                "Warnings were found.\nConfiguration file is valid\n"
            ),
            Verdict::Warnings
        );
        assert_eq!(classify(Some(1), ""), Verdict::Invalid);
        assert_eq!(
            classify(Some(1), "Warnings were found.\n"),
            Verdict::Invalid
        );
        assert_eq!(classify(Some(2), ""), Verdict::NoListener);
        assert_eq!(classify(Some(139), ""), Verdict::Other(Some(139)));
        assert_eq!(classify(None, ""), Verdict::Other(None));
    }

    #[test]
    fn verdict_round_trip() {
        for v in [
            Verdict::Valid,
            Verdict::Warnings,
            Verdict::Invalid,
            Verdict::NoListener,
        ] {
            assert_eq!(v.to_string().parse::<Verdict>().unwrap(), v);
        }
        assert!("bogus".parse::<Verdict>().is_err());
    }

    #[test]
    fn parse_expected_checks_consistency() {
        let ok = "# comment\na.cfg\tvalid\t0\nb.cfg\twarnings\t0\nc.cfg\tinvalid\t1\nd.cfg\tnolistener\t2\ne.cfg\tother\t139\n";
        let rows = parse_expected(ok).unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[4].verdict, Verdict::Other(Some(139)));
        assert!(parse_expected("a.cfg\tvalid\t1\n").is_err());
        assert!(parse_expected("a.cfg\tvalid\n").is_err());
        assert!(parse_expected("a.cfg\tvalid\t0\na.cfg\tvalid\t0\n").is_err());
    }

    #[test]
    fn parse_exceptions_basic() {
        let m = parse_exceptions("x.cfg\twarnings\n\ny.cfg\tinvalid\n").unwrap();
        assert_eq!(m["x.cfg"], Verdict::Warnings);
        assert_eq!(m["y.cfg"], Verdict::Invalid);
        assert!(parse_exceptions("x.cfg warnings\n").is_err());
    }

    #[test]
    fn first_line_skips_version_notices() {
        let err = "[NOTICE]   (1) : haproxy version is 2.6.12\n[NOTICE]   (1) : path to executable is /x\n[ALERT]    (1) : config : boom\n";
        assert_eq!(first_diagnostic_line(err), "[ALERT]    (1) : config : boom");
        assert_eq!(first_diagnostic_line("\nplain message\n"), "plain message");
        assert_eq!(first_diagnostic_line(""), "");
    }
}

/// The whole `docs/compatibility.md`: both languages' keyword tables.
pub fn compat_doc() -> String {
    format!(
        "{}\n{}",
        haproxy_config::keywords::compat_doc(),
        keepalived_config::keywords::compat_doc()
    )
}
pub mod keepalived;
