//! Differential CLI test: run rkeepalived and keepalived 2.2.7
//! (`/usr/sbin/keepalived`, the oracle) with the same arguments and
//! compare exit codes, and stdout/stderr where they are deterministic.
//! Our `   | hint: …` lines are an addition and are dropped before the
//! comparison. Every case ends on its own (bad option, -v, -h, --signum
//! or -t), so neither binary starts a daemon; each wait is bounded and a
//! child that overruns is killed.
//!
//! Without the oracle, the expected values recorded from it are checked
//! against rkeepalived alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ORACLE: &str = "/usr/sbin/keepalived";
const OURS: &str = env!("CARGO_BIN_EXE_rkeepalived");

#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(bin: &str, args: &[String], cwd: &Path) -> Out {
    let dir = cwd.join(format!(
        ".out-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    // Files, not pipes: nothing can block on a full pipe while we poll.
    let so = dir.join("stdout");
    let se = dir.join("stderr");
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&so).unwrap())
        .stderr(std::fs::File::create(&se).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {bin}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{bin} {args:?} did not finish in 20 s; killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = Out {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&so).unwrap_or_default(),
        stderr: std::fs::read_to_string(&se)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with("   | hint:"))
            .map(|l| format!("{l}\n"))
            .collect(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    out
}

struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("rk-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("d")).unwrap();
        std::fs::write(dir.join("a.conf"), "global_defs {\n router_id a\n}\n").unwrap();
        std::fs::write(
            dir.join("b.conf"),
            "global_defs {\n router_id b\n bogus_kw\n}\n",
        )
        .unwrap();
        Fixture { dir }
    }

    /// `@` stands for the fixture directory in a case's words.
    fn args(&self, words: &[&str]) -> Vec<String> {
        let d = self.dir.display().to_string();
        words.iter().map(|w| w.replace('@', &d)).collect()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// (arguments, expected exit, expected stderr, expected stdout) as
/// measured on keepalived 2.2.7; `None` for text not compared.
type Case = (
    &'static [&'static str],
    i32,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (&["-Z"], 1, Some("Unknown option -Z\n"), Some("")),
    (&["--bogus"], 1, Some("Unknown option --bogus\n"), Some("")),
    (&["--bogus=1"], 1, Some("Unknown option --bogus=1\n"), Some("")),
    (
        &["-f"],
        1,
        Some("Missing parameter for option -f\n"),
        Some(""),
    ),
    (
        &["-t", "-f"],
        1,
        Some("Missing parameter for option -f\n"),
        Some(""),
    ),
    (
        &["-nS"],
        1,
        Some("Missing parameter for option -S\n"),
        Some(""),
    ),
    (
        &["--use-file"],
        1,
        Some("Missing parameter for option --\n"),
        Some(""),
    ),
    (
        &["--pi"],
        1,
        Some("Missing parameter for option --\n"),
        Some(""),
    ),
    (
        &["--use-f="],
        1,
        Some("Missing parameter for option --use-file\n"),
        Some(""),
    ),
    (
        &["--pid="],
        1,
        Some("Missing parameter for option --pid\n"),
        Some(""),
    ),
    (
        &["--signum="],
        1,
        Some("Missing parameter for option --signum\n"),
        Some(""),
    ),
    (&["--d"], 1, Some("Unknown option --d\n"), Some("")),
    (&["--vrr"], 1, Some("Unknown option --vrr\n"), Some("")),
    (&["--dont-"], 1, Some("Unknown option --dont-\n"), Some("")),
    (&["--de"], 1, Some("Unknown option --de\n"), Some("")),
    (&["--s=STOP"], 1, Some("Unknown option --s=STOP\n"), Some("")),
    (&["--vrrp=x"], 1, Some("Unknown option --vrrp=x\n"), Some("")),
    (
        &["--version=x"],
        1,
        Some("Unknown option --version=x\n"),
        Some(""),
    ),
    (
        &["-nZd", "-Y"],
        1,
        Some("Unknown option -Z\nUnknown option -Y\n"),
        Some(""),
    ),
    (
        &["-t", "-f", "@/missing.conf", "-Z"],
        1,
        Some("Unknown option -Z\n"),
        Some(""),
    ),
    (
        &["foo", "-Z"],
        1,
        Some("Unknown option -Z\n"),
        Some("Unexpected argument(s): foo \n"),
    ),
    (&["--signum=STOP"], 0, Some(""), Some("15\n")),
    (&["--signum=RELOAD"], 0, Some(""), Some("1\n")),
    (&["--signum=DATA"], 0, Some(""), Some("10\n")),
    (&["--signum=STATS"], 0, Some(""), Some("12\n")),
    (&["--signum=STATS_CLEAR"], 0, Some(""), Some("63\n")),
    (&["--signum=JSON"], 0, Some(""), Some("36\n")),
    (&["--sig", "JSON"], 0, Some(""), Some("36\n")),
    (
        &["--signum=TDATA"],
        1,
        Some("Unknown sigfunc TDATA\n"),
        Some(""),
    ),
    (
        &["--signum=stop"],
        1,
        Some("Unknown sigfunc stop\n"),
        Some(""),
    ),
    (
        &["-Z", "--signum=STOP"],
        0,
        Some("Unknown option -Z\n"),
        Some("15\n"),
    ),
    (
        &["-t", "--signum=RELOAD", "-Z"],
        0,
        Some(""),
        Some("1\n"),
    ),
    (&["-v"], 0, None, Some("")),
    (&["--ver"], 0, None, Some("")),
    (&["-h"], 0, None, Some("")),
    (&["--he"], 0, None, Some("")),
    (&["-Z", "-v"], 0, None, Some("")),
    (&["-v", "-Z"], 0, None, Some("")),
    (
        &["-t", "-f", "@/missing.conf"],
        0,
        Some("Config files missing '@/missing.conf'.\n"),
        Some(""),
    ),
    (&["-t", "-f", "@/a.conf"], 0, Some(""), Some("")),
    (&["-t", "-f", "a.conf"], 0, Some(""), Some("")),
    (&["-t", "-i", "n1", "-f", "@/a.conf"], 0, Some(""), Some("")),
    (&["-t", "-e", "-f", "@/a.conf"], 0, Some(""), Some("")),
    (
        &["-t", "-f", "@/b.conf"],
        5,
        Some("(Line 3) Unknown keyword 'bogus_kw'\n"),
        Some(""),
    ),
    (
        &["--config-t=", "--use-file=@/b.conf"],
        5,
        Some("(Line 3) Unknown keyword 'bogus_kw'\n"),
        Some(""),
    ),
    (
        &["-t", "-f", "@/[ab].conf"],
        5,
        Some(
            "WARNING, multiple configuration file matches of @/[ab].conf, starting with @/a.conf\n\
             (@/b.conf: Line 3) Unknown keyword 'bogus_kw'\n",
        ),
        Some(""),
    ),
    (
        &["-t", "-f", "@/{a,b}.conf"],
        5,
        Some(
            "WARNING, multiple configuration file matches of @/{a,b}.conf, starting with @/a.conf\n\
             (@/b.conf: Line 3) Unknown keyword 'bogus_kw'\n",
        ),
        Some(""),
    ),
    (
        &["-t", "-f", "@/{b.conf,nonexistent}"],
        5,
        Some(
            "Some config files missing: \"@/{b.conf,nonexistent}\".\n\
             Some config files missing: \"@/{b.conf,nonexistent}\".\n\
             (Line 3) Unknown keyword 'bogus_kw'\n",
        ),
        Some(""),
    ),
    (
        &["-t", "-f", "@/d"],
        0,
        Some("Configuration file '@/d/' is a directory - skipping\n"),
        Some(""),
    ),
    (
        &["-t", "-f", "@/*"],
        0,
        Some("Configuration file '@/d/' is a directory - skipping\n"),
        Some(""),
    ),
    (&["-t", "-f", "@/nomatch*"], 0, Some(""), Some("")),
    (&["-t", "-f", ""], 0, Some(""), Some("")),
    (
        &["-t", "-f", "@/a.conf", "foo", "bar"],
        0,
        Some(""),
        Some("Unexpected argument(s): foo bar \n"),
    ),
    (
        &["-t", "-f", "@/a.conf", "--", "-Z"],
        0,
        Some(""),
        Some("Unexpected argument(s): -Z \n"),
    ),
    (
        &["--config-test=/nonexistent-dir/x", "-f", "@/b.conf"],
        1,
        Some("Unable to open config-test log file /nonexistent-dir/x 2 - No such file or directory\n"),
        Some(""),
    ),
];

fn check_case(fx: &Fixture, case: &Case, oracle: bool) {
    let (words, code, stderr, stdout) = case;
    let args = fx.args(words);
    let d = fx.dir.display().to_string();
    let ours = run(OURS, &args, &fx.dir);
    let ctx = format!("args {args:?}\nours {ours:#?}");
    assert_eq!(ours.code, *code, "exit code\n{ctx}");
    if let Some(e) = stderr {
        assert_eq!(ours.stderr, e.replace('@', &d), "stderr\n{ctx}");
    }
    if let Some(o) = stdout {
        assert_eq!(ours.stdout, o.replace('@', &d), "stdout\n{ctx}");
    }
    if oracle {
        let real = run(ORACLE, &args, &fx.dir);
        // For a long option missing its argument at the end of argv,
        // keepalived 2.2.7 reads past the option table: it prints `--`
        // followed by bytes that change from run to run, or prints
        // nothing, or dies of SIGSEGV. There is no stable behaviour to
        // compare with; our recorded expectation above stands alone.
        if ours
            .stderr
            .lines()
            .any(|l| l == "Missing parameter for option --")
        {
            return;
        }
        let ctx = format!("{ctx}\nkeepalived {real:#?}");
        assert_eq!(ours.code, real.code, "exit code differs\n{ctx}");
        if stderr.is_some() {
            assert_eq!(ours.stderr, real.stderr, "stderr differs\n{ctx}");
        }
        if stdout.is_some() {
            assert_eq!(ours.stdout, real.stdout, "stdout differs\n{ctx}");
        }
        // -v and -h: both write to stderr only.
        assert_eq!(
            ours.stderr.is_empty(),
            real.stderr.is_empty(),
            "stderr presence\n{ctx}"
        );
    }
}

fn oracle_present() -> bool {
    let ok = Path::new(ORACLE).exists();
    if !ok {
        eprintln!("note: {ORACLE} absent; checking rkeepalived against recorded results only");
    }
    ok
}

#[test]
fn cli_matches_keepalived() {
    let oracle = oracle_present();
    let fx = Fixture::new("cases");
    for case in CASES {
        check_case(&fx, case, oracle);
    }
}

#[test]
fn version_and_help_text() {
    let fx = Fixture::new("vh");
    let v = run(OURS, &fx.args(&["-v"]), &fx.dir);
    assert_eq!(v.code, 0);
    assert!(v.stdout.is_empty());
    let first = v.stderr.lines().next().unwrap();
    assert!(first.starts_with("Keepalived v2.2.7"), "{first}");
    assert!(first.contains("rkeepalived"), "{first}");
    let h = run(OURS, &fx.args(&["--help"]), &fx.dir);
    assert_eq!(h.code, 0);
    assert!(h.stderr.starts_with("Usage: "));
    for opt in ["--use-file", "--config-test", "--signum", "--log-file"] {
        assert!(h.stderr.contains(opt), "{opt} missing from help");
    }
}

/// `--config-test=LOG` and `-tLOG` append to LOG (created 0600) and print
/// nothing on stderr.
#[test]
fn config_test_log_file() {
    use std::os::unix::fs::PermissionsExt;
    let oracle = oracle_present();
    let fx = Fixture::new("log");
    let mut logs = Vec::new();
    for (bin, tag) in [(OURS, "ours"), (ORACLE, "real")] {
        if bin == ORACLE && !oracle {
            continue;
        }
        let log = fx.dir.join(format!("{tag}.log"));
        std::fs::write(&log, "PRE\n").unwrap();
        let long = format!("--config-test={}", log.display());
        let o = run(bin, &fx.args(&[&long, "-f", "@/b.conf"]), &fx.dir);
        assert_eq!(o.code, 5, "{bin}");
        assert_eq!(o.stderr, "", "{bin}");
        let short = format!("-t{tag}.new");
        let o = run(bin, &fx.args(&[&short, "-f", "@/missing.conf"]), &fx.dir);
        assert_eq!(o.code, 0, "{bin}");
        let new = fx.dir.join(format!("{tag}.new"));
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{bin}");
        let text = std::fs::read_to_string(&log).unwrap()
            + &std::fs::read_to_string(&new)
                .unwrap()
                .replace(&fx.dir.display().to_string(), "@");
        logs.push(
            text.lines()
                .filter(|l| !l.starts_with("   | hint:"))
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
        );
    }
    assert_eq!(
        logs[0],
        "PRE\n(Line 3) Unknown keyword 'bogus_kw'\nConfig files missing '@/missing.conf'.\n"
    );
    if logs.len() == 2 {
        assert_eq!(logs[0], logs[1]);
    }
}

/// `-d -t` prints our dump on stdout (an extension) after the check.
#[test]
fn dump_with_config_test() {
    let fx = Fixture::new("dump");
    let o = run(OURS, &fx.args(&["-d", "-t", "-f", "@/a.conf"]), &fx.dir);
    assert_eq!(o.code, 0);
    assert!(o.stdout.starts_with("------< Global definitions >------\n"));
    assert!(o.stdout.contains(" Router ID = a\n"));
    assert!(o.stdout.contains("------< VRRP Topology >------\n"));
    let o = run(
        OURS,
        &fx.args(&["-d", "-t", "-f", "@/missing.conf"]),
        &fx.dir,
    );
    assert_eq!(o.code, 0);
    assert_eq!(o.stdout, "");
}
