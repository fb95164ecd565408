//! The command line, compared with the real haproxy: `-cc`, `-q`, `-dW`,
//! several `-f`, directories, missing files, and the shape of the output.
//! Each case runs both programs with the same arguments; when haproxy is
//! not installed the comparisons that need it are skipped with a note.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use compat_tests::{oracle_bin, rhaproxy_bin};

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(bin: &Path, args: &[&str], cwd: &Path) -> Out {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("LC_ALL", "C")
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (build it first: cargo build --bins)",
                bin.display()
            )
        });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    let _ = child
        .stdout
        .take()
        .map(|mut s| s.read_to_string(&mut stdout));
    let _ = child
        .stderr
        .take()
        .map(|mut s| s.read_to_string(&mut stderr));
    Out {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
    }
}

fn both(args: &[&str], cwd: &Path) -> (Out, Option<Out>) {
    let ours = run(&rhaproxy_bin(), args, cwd);
    let theirs = oracle_bin().map(|o| run(&o, args, cwd));
    (ours, theirs)
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rhaproxy-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const VALID: &str = "defaults\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\nlisten l\n  bind 127.0.0.1:8000\n  server s 127.0.0.1:8001\n";
const WARNS: &str = "listen w\n  bind 127.0.0.1:8000\n  server s 127.0.0.1:8001\n";
const BAD: &str = "global\n  maxconnn 10\n";

#[test]
fn cc_conditions_agree() {
    let cwd = std::env::temp_dir();
    for e in [
        "1",
        "0",
        "",
        "foo",
        "defined(HOME)",
        "defined(RHAPROXY_NOPE)",
        "feature(OPENSSL)",
        "feature(NOPE)",
        "streq(a,a)",
        "strneq(a,a)",
        "version_atleast(2.5-dev0)",
        "version_atleast(2.7)",
        "version_before(2.7)",
        "1 && 0 || 1",
        "!(1 && 0)",
        "(1",
        "1 0",
        "streq(a)",
        "\"1\"",
    ] {
        let (ours, theirs) = both(&["-cc", e], &cwd);
        let want = match theirs {
            Some(t) => t.code,
            None => continue,
        };
        assert_eq!(
            ours.code, want,
            "-cc '{e}': rhaproxy {:?} vs haproxy {want:?}\n{}",
            ours.code, ours.stderr
        );
    }
}

#[test]
fn verdict_lines_and_exit_codes_agree() {
    let d = tmpdir("verdict");
    std::fs::write(d.join("valid.cfg"), VALID).unwrap();
    std::fs::write(d.join("warns.cfg"), WARNS).unwrap();
    std::fs::write(d.join("bad.cfg"), BAD).unwrap();
    std::fs::write(d.join("empty.cfg"), "").unwrap();
    for (args, code) in [
        (vec!["-c", "-f", "valid.cfg"], 0),
        (vec!["-c", "-f", "warns.cfg"], 0),
        (vec!["-c", "-f", "bad.cfg"], 1),
        (vec!["-c", "-f", "empty.cfg"], 2),
        (vec!["-c", "-q", "-f", "warns.cfg"], 0),
        (vec!["-c", "-q", "-f", "bad.cfg"], 1),
        (vec!["-c", "-dW", "-f", "warns.cfg"], 1),
        (vec!["-c", "-dW", "-f", "valid.cfg"], 0),
        (vec!["-c", "-f", "missing.cfg"], 1),
        (vec!["-c"], 1),
        (vec!["-c", "-f", "valid.cfg", "-f", "warns.cfg"], 0),
        (vec!["-c", "--", "valid.cfg", "bad.cfg"], 1),
    ] {
        let (ours, theirs) = both(&args, &d);
        assert_eq!(
            ours.code,
            Some(code),
            "{args:?}: exit {:?}\n{}",
            ours.code,
            ours.stderr
        );
        if let Some(t) = theirs {
            assert_eq!(t.code, Some(code), "oracle changed? {args:?}");
            if args.len() > 1 {
                assert_eq!(ours.stdout, t.stdout, "stdout differs for {args:?}");
            } else {
                // No configuration: both print a version banner, which differs.
                assert!(ours.stdout.starts_with("HAProxy version 2.6"));
            }
            assert_eq!(
                ours.stderr.is_empty(),
                t.stderr.is_empty(),
                "stderr presence differs for {args:?}:\nours: {}\ntheirs: {}",
                ours.stderr,
                t.stderr
            );
        }
        if args.contains(&"-q") {
            assert!(
                ours.stdout.is_empty() && ours.stderr.is_empty(),
                "-q must print nothing"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn messages_have_haproxy_shape() {
    let d = tmpdir("shape");
    std::fs::write(d.join("bad.cfg"), BAD).unwrap();
    let ours = run(&rhaproxy_bin(), &["-c", "-f", "bad.cfg"], &d);
    let lines: Vec<&str> = ours.stderr.lines().collect();
    assert!(lines[0].starts_with("[NOTICE]   ("), "{}", ours.stderr);
    assert!(lines[0].contains(") : haproxy version is 2.6"));
    assert!(lines[1].contains(") : path to executable is "));
    let alert = lines
        .iter()
        .find(|l| l.starts_with("[ALERT]    ("))
        .expect("an ALERT line");
    assert!(
        alert.ends_with(": config : parsing [bad.cfg:2] : unknown keyword 'maxconnn' in 'global' section; did you mean 'maxconn' maybe ?"),
        "{alert}"
    );
    assert!(ours
        .stderr
        .contains("Error(s) found in configuration file : bad.cfg"));
    if let Some(o) = oracle_bin() {
        let theirs = run(&o, &["-c", "-f", "bad.cfg"], &d);
        let strip = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| l.starts_with('['))
                .filter(|l| !l.contains("version is") && !l.contains("path to executable"))
                .map(|l| {
                    l.split_once(") : ")
                        .map(|x| x.1.to_string())
                        .unwrap_or_default()
                })
                .collect()
        };
        assert_eq!(strip(&ours.stderr), strip(&theirs.stderr));
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn directories_load_cfg_files_in_order() {
    let d = tmpdir("dir");
    let conf = d.join("conf.d");
    std::fs::create_dir_all(conf.join("sub.cfg")).unwrap();
    std::fs::write(
        conf.join("10-defaults.cfg"),
        "defaults\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\n",
    )
    .unwrap();
    std::fs::write(
        conf.join("20-listen.cfg"),
        "listen l\n  bind 127.0.0.1:8000\n",
    )
    .unwrap();
    std::fs::write(conf.join("30-ignored.conf"), "this is not a config\n").unwrap();
    std::fs::write(conf.join(".hidden.cfg"), "garbage\n").unwrap();
    let (ours, theirs) = both(&["-c", "-f", "conf.d"], &d);
    assert_eq!(ours.code, Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout, "Configuration file is valid\n");
    if let Some(t) = theirs {
        assert_eq!(t.code, ours.code);
        assert_eq!(t.stdout, ours.stdout);
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn version_names_the_compatible_release() {
    let ours = run(&rhaproxy_bin(), &["-v"], &std::env::temp_dir());
    assert_eq!(ours.code, Some(0));
    assert!(
        ours.stdout.starts_with("HAProxy version 2.6.12"),
        "{}",
        ours.stdout
    );
    assert!(ours.stdout.contains("rhaproxy"));
    let vv = run(&rhaproxy_bin(), &["-vv"], &std::env::temp_dir());
    assert!(vv.stdout.contains("Feature list : ") && vv.stdout.contains("+OPENSSL"));
}
