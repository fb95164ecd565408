//! Helpers for the differential `-t` tests between `rkeepalived` and the real
//! keepalived 2.2.7 ("the oracle").
//!
//! `keepalived -t` looks at the host's interfaces, so every check runs inside a
//! network namespace created for the run ([`Netns`]) that holds exactly `lo`,
//! `eth0` and `eth1`. The expected results live in `fixtures/keepalived/`:
//!
//! - `expected.tsv`: `<file>\t<exit code>` for every `*.conf`;
//! - `expected-stderr/<file>.txt`: the oracle's complete stderr.
//!
//! Both are written by `compat-tests/record-keepalived-verdicts.sh`. Every run
//! uses `-t -i node1 -f FILE` with `fixtures/keepalived` as working directory.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::workspace_root;

/// Where the real keepalived lives on Debian.
pub const DEFAULT_ORACLE: &str = "/usr/sbin/keepalived";

/// The config-id passed with `-i` to both programs (selects `@node1` lines).
pub const CONFIG_ID: &str = "node1";

/// Longest time one `-t` run may take before it is killed and reported.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest time one `ip` command (netns add/del, link add/set) may take.
pub const IP_TIMEOUT: Duration = Duration::from_secs(10);

/// Budget for one pass over all fixtures; fixtures not started by then are
/// reported as "not run" instead of stretching the test.
pub const PASS_BUDGET: Duration = Duration::from_secs(30);

/// Lines rkeepalived adds after a message to explain it; dropped before comparing.
pub const HINT_PREFIX: &str = "   | hint:";

/// Environment kept for the checked programs (everything else is cleared).
const CHILD_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

/// `fixtures/keepalived` under the workspace root. The checks run with this as cwd.
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("fixtures").join("keepalived")
}

/// The `rkeepalived` binary under test (`$RKEEPALIVED_BIN` overrides).
pub fn rkeepalived_bin() -> PathBuf {
    crate::workspace_bin("RKEEPALIVED_BIN", "rkeepalived")
}

/// The real keepalived, if installed (`$KEEPALIVED_BIN` overrides).
pub fn oracle_bin() -> Option<PathBuf> {
    crate::installed_bin("KEEPALIVED_BIN", DEFAULT_ORACLE)
}

/// Every `*.conf` directly inside the fixtures directory, sorted. Included files
/// live in `inc/` with other extensions and are not fixtures.
pub fn fixture_files() -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(fixtures_dir())? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".conf") && entry.file_type()?.is_file() {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

/// One line of `expected.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub file: String,
    pub exit_code: i32,
}

/// Parses `expected.tsv`: `<file>\t<exit code>` per line. Blank lines and lines
/// starting with `#` are ignored; a file listed twice is an error.
pub fn parse_expected(text: &str) -> Result<Vec<Expected>, String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 2 {
            return Err(format!(
                "expected.tsv:{n}: want 2 tab-separated columns, got {}",
                cols.len()
            ));
        }
        let exit_code: i32 = cols[1]
            .parse()
            .map_err(|e| format!("expected.tsv:{n}: bad exit code '{}': {e}", cols[1]))?;
        if !seen.insert(cols[0].to_string()) {
            return Err(format!("expected.tsv:{n}: '{}' listed twice", cols[0]));
        }
        out.push(Expected {
            file: cols[0].to_string(),
            exit_code,
        });
    }
    Ok(out)
}

/// Reads and parses `fixtures/keepalived/expected.tsv`.
pub fn load_expected() -> Result<Vec<Expected>, String> {
    let path = fixtures_dir().join("expected.tsv");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_expected(&text)
}

/// Path of the recorded stderr of one fixture.
pub fn expected_stderr_path(file: &str) -> PathBuf {
    fixtures_dir()
        .join("expected-stderr")
        .join(format!("{file}.txt"))
}

/// The recorded stderr of one fixture.
pub fn load_expected_stderr(file: &str) -> io::Result<String> {
    fs::read_to_string(expected_stderr_path(file))
}

/// Drops rkeepalived's extra explanation lines (those starting with [`HINT_PREFIX`]).
pub fn strip_hints(stderr: &str) -> String {
    let mut out = String::with_capacity(stderr.len());
    for line in stderr.split_inclusive('\n') {
        if !line.starts_with(HINT_PREFIX) {
            out.push_str(line);
        }
    }
    out
}

/// The first line where two outputs differ: `(1-based line, expected, got)`,
/// `None` standing for "no such line". `None` overall when they are equal
/// (a missing final newline on one side is also reported, as line `n+1`).
pub fn first_difference(
    expected: &str,
    got: &str,
) -> Option<(usize, Option<String>, Option<String>)> {
    if expected == got {
        return None;
    }
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i), g.get(i));
        if a != b {
            return Some((i + 1, a.map(|s| s.to_string()), b.map(|s| s.to_string())));
        }
    }
    // Same lines, different line endings.
    Some((
        e.len() + 1,
        Some("<end of output, newline-terminated differently>".into()),
        Some("<end of output>".into()),
    ))
}

/// Renders [`first_difference`] for a table cell.
pub fn describe_difference(expected: &str, got: &str) -> String {
    fn show(s: &Option<String>) -> String {
        match s {
            Some(s) => {
                let t: String = s.chars().take(110).collect();
                if t.len() < s.len() {
                    format!("`{t}…`")
                } else {
                    format!("`{t}`")
                }
            }
            None => "<none>".to_string(),
        }
    }
    match first_difference(expected, got) {
        None => String::new(),
        Some((n, e, g)) => format!("L{n}: want {} | got {}", show(&e), show(&g)),
    }
}

/// Result of one bounded command run.
#[derive(Debug, Clone)]
pub struct Run {
    /// `None` when killed by a signal or after the time limit.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl Run {
    /// Exit code for tables: the number, `timeout`, or `signal`.
    pub fn exit_label(&self) -> String {
        match (self.exit_code, self.timed_out) {
            (_, true) => "timeout".to_string(),
            (Some(c), _) => c.to_string(),
            (None, _) => "signal".to_string(),
        }
    }
}

/// Runs `cmd` with stdin closed and stdout/stderr captured; kills it after
/// `timeout`. Never waits longer than `timeout` plus a short grace period.
pub fn run_bounded(mut cmd: Command, timeout: Duration) -> io::Result<Run> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    let deadline = Instant::now() + timeout;
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
        thread::sleep(Duration::from_millis(2));
    };
    // A grandchild that kept the pipes open must not block us forever.
    let join = |h: thread::JoinHandle<Vec<u8>>| -> Vec<u8> {
        let limit = Instant::now() + Duration::from_secs(2);
        while !h.is_finished() && Instant::now() < limit {
            thread::sleep(Duration::from_millis(2));
        }
        if h.is_finished() {
            h.join().unwrap_or_default()
        } else {
            Vec::new()
        }
    };
    let stdout = String::from_utf8_lossy(&join(out_reader)).into_owned();
    let stderr = String::from_utf8_lossy(&join(err_reader)).into_owned();
    Ok(Run {
        exit_code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        timed_out,
    })
}

/// Effective uid of this process, from `/proc/self/status`.
pub fn effective_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn ip(args: &[&str]) -> Result<Run, String> {
    let mut cmd = Command::new("ip");
    cmd.args(args).env("LC_ALL", "C");
    let run = run_bounded(cmd, IP_TIMEOUT).map_err(|e| format!("cannot run `ip`: {e}"))?;
    if run.exit_code == Some(0) {
        Ok(run)
    } else {
        Err(format!(
            "`ip {}` failed ({}): {}",
            args.join(" "),
            run.exit_label(),
            run.stderr.trim()
        ))
    }
}

/// Why the namespace-based checks cannot run here, or `None` when they can
/// (root, and `ip netns` works).
pub fn live_unavailable_reason() -> Option<String> {
    match effective_uid() {
        Some(0) => {}
        Some(uid) => {
            return Some(format!(
                "not root (euid {uid}); network namespaces need root"
            ))
        }
        None => return Some("cannot read the effective uid".to_string()),
    }
    if let Err(e) = ip(&["netns", "list"]) {
        return Some(format!("`ip netns` unavailable: {e}"));
    }
    None
}

static NETNS_SEQ: AtomicUsize = AtomicUsize::new(0);

/// A network namespace holding `lo`, `eth0` and `eth1` (all up), deleted when
/// dropped (also while unwinding from a panic). Its name contains the PID and a
/// per-process counter, so concurrent tests and runs never collide.
#[derive(Debug)]
pub struct Netns {
    name: String,
    /// How eth0/eth1 were made: "dummy" or "veth".
    pub link_kind: &'static str,
}

impl Netns {
    /// Creates the namespace and its links. Any failure removes what was created.
    pub fn create(tag: &str) -> Result<Netns, String> {
        let name = format!(
            "rka-{tag}-{}-{}",
            std::process::id(),
            NETNS_SEQ.fetch_add(1, Ordering::SeqCst)
        );
        ip(&["netns", "add", &name])?;
        // From here on the guard owns the namespace.
        let mut ns = Netns {
            name,
            link_kind: "dummy",
        };
        let n = ns.name.clone();
        ip(&["-n", &n, "link", "set", "lo", "up"])?;
        if ip(&["-n", &n, "link", "add", "eth0", "type", "dummy"]).is_ok() {
            ip(&["-n", &n, "link", "add", "eth1", "type", "dummy"])?;
        } else {
            // No dummy driver (module not loadable): a veth pair gives both names.
            ip(&[
                "-n", &n, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1",
            ])?;
            ns.link_kind = "veth";
        }
        ip(&["-n", &n, "link", "set", "eth0", "up"])?;
        ip(&["-n", &n, "link", "set", "eth1", "up"])?;
        Ok(ns)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `<bin> -t -i node1 -f <file>` inside the namespace, with `cwd` as
    /// working directory and a cleared environment (PATH and LC_ALL=C only).
    pub fn run_check(&self, bin: &Path, file: &str, cwd: &Path) -> io::Result<Run> {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name])
            .arg(bin)
            .args(["-t", "-i", CONFIG_ID, "-f", file])
            .current_dir(cwd)
            .env_clear()
            .env("PATH", CHILD_PATH)
            .env("LC_ALL", "C");
        run_bounded(cmd, CHECK_TIMEOUT)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "del", &self.name]) {
            eprintln!(
                "warning: could not delete network namespace {}: {e}",
                self.name
            );
        }
    }
}

/// Runs [`Netns::run_check`] for every file in order, within [`PASS_BUDGET`];
/// files not started in time get an `Err` ("not run").
pub fn run_all(ns: &Netns, bin: &Path, files: &[String]) -> Vec<(String, Result<Run, String>)> {
    let cwd = fixtures_dir();
    let start = Instant::now();
    files
        .iter()
        .map(|f| {
            let res = if start.elapsed() > PASS_BUDGET {
                Err(format!("not run: pass budget of {PASS_BUDGET:?} used up"))
            } else {
                ns.run_check(bin, f, &cwd)
                    .map_err(|e| format!("cannot run {}: {e}", bin.display()))
            };
            (f.clone(), res)
        })
        .collect()
}

/// One row of a mismatch report.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub file: String,
    pub expected_exit: String,
    pub got_exit: String,
    /// First differing stderr line (empty when stderr matches).
    pub first_diff: String,
}

/// Compares one run with the recording. `strip` drops rkeepalived's hint lines
/// first. Returns `None` when exit code and stderr both match.
pub fn compare(
    file: &str,
    expected_exit: i32,
    expected_stderr: &str,
    run: &Result<Run, String>,
    strip: bool,
) -> Option<Mismatch> {
    match run {
        Err(e) => Some(Mismatch {
            file: file.to_string(),
            expected_exit: expected_exit.to_string(),
            got_exit: "-".to_string(),
            first_diff: e.clone(),
        }),
        Ok(run) => {
            let got = if strip {
                strip_hints(&run.stderr)
            } else {
                run.stderr.clone()
            };
            let exit_ok = run.exit_code == Some(expected_exit) && !run.timed_out;
            let diff = describe_difference(expected_stderr, &got);
            if exit_ok && diff.is_empty() {
                None
            } else {
                Some(Mismatch {
                    file: file.to_string(),
                    expected_exit: expected_exit.to_string(),
                    got_exit: run.exit_label(),
                    first_diff: diff,
                })
            }
        }
    }
}

/// Renders mismatches as an aligned plain-text table.
pub fn format_table(title: &str, rows: &[Mismatch]) -> String {
    let headers = ["file", "exp", "got", "first differing stderr line"];
    let mut w = [headers[0].len(), headers[1].len(), headers[2].len()];
    for r in rows {
        w[0] = w[0].max(r.file.len());
        w[1] = w[1].max(r.expected_exit.len());
        w[2] = w[2].max(r.got_exit.len());
    }
    let mut s = format!("{title}\n");
    let mut line = |c: [&str; 4]| {
        s.push_str(&format!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}\n",
            c[0],
            c[1],
            c[2],
            c[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        ));
    };
    line(headers);
    line([
        &"-".repeat(w[0]),
        &"-".repeat(w[1]),
        &"-".repeat(w[2]),
        "---------------------------",
    ]);
    for r in rows {
        line([&r.file, &r.expected_exit, &r.got_exit, &r.first_diff]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_expected_basic() {
        let rows = parse_expected("# c\na.conf\t0\n\nb.conf\t5\n").unwrap();
        assert_eq!(
            rows,
            vec![
                Expected {
                    file: "a.conf".into(),
                    exit_code: 0
                },
                Expected {
                    file: "b.conf".into(),
                    exit_code: 5
                }
            ]
        );
        assert!(parse_expected("a.conf 0\n").is_err());
        assert!(parse_expected("a.conf\tx\n").is_err());
        assert!(parse_expected("a.conf\t0\na.conf\t5\n").is_err());
    }

    #[test]
    fn hints_are_dropped() {
        let s = "(f: Line 1) Missing '{'\n   | hint: add it\nnext\n   | hint: x";
        assert_eq!(strip_hints(s), "(f: Line 1) Missing '{'\nnext\n");
        // Only lines that start with the exact prefix are hints.
        assert_eq!(strip_hints("  | hint: no\n"), "  | hint: no\n");
    }

    #[test]
    fn first_difference_reports_lines() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n"),
            Some((2, Some("b".into()), Some("c".into())))
        );
        assert_eq!(
            first_difference("a\n", "a\nextra\n"),
            Some((2, None, Some("extra".into())))
        );
        assert_eq!(first_difference("a\n", "a").map(|d| d.0), Some(2));
        assert_eq!(describe_difference("x\n", ""), "L1: want `x` | got <none>");
    }
}
