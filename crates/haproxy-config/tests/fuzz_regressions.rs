//! Replays every input kept in `fuzz/regressions/` through the same
//! functions the fuzz targets call, on stable, as an ordinary test.
//!
//! File names start with the target that found them: `lexer-*` inputs are
//! tokenized line by line, `cond-*` evaluated as `.if` expressions, and
//! every file (whatever its prefix) is also checked as a whole config.

use std::path::PathBuf;

use haproxy_config::host::MemHost;
use haproxy_config::lexer::{tokenize, LexEnv};
use haproxy_config::{check, Source, Verdict};

fn host() -> MemHost {
    // Keep in step with fuzz/fuzz_targets/config.rs.
    let mut host = MemHost::default();
    host.env.insert("HOME".into(), "/root".into());
    host.env.insert("LIST".into(), "a b  c".into());
    host.files.insert(
        "/etc/haproxy/errors/503.http".into(),
        b"HTTP/1.0 503 x\r\n\r\n".to_vec(),
    );
    host.files
        .insert("/etc/haproxy/site.pem".into(), b"-----".to_vec());
    host.dirs.push("/etc/haproxy".into());
    host.users.push("haproxy".into());
    host
}

fn replay(name: &str, data: &[u8]) {
    if name.starts_with("lexer-") {
        let var = |n: &str| match n {
            "HOME" => Some("/root".to_string()),
            "LIST" => Some("a b  c".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let env = LexEnv {
            var: &var,
            file: "fuzz.cfg",
            line: 1,
            section: "global",
        };
        let _ = tokenize(data, &env);
    }
    if name.starts_with("cond-") {
        if let Ok(expr) = std::str::from_utf8(data) {
            if let Err(e) = haproxy_config::cond::evaluate(expr, &|n| n == "HOME" || n.len() == 1) {
                assert!(e.position >= 1, "{name}: position 0");
            }
        }
    }
    let r = check(
        &[Source {
            name: "fuzz.cfg".into(),
            data: data.to_vec(),
        }],
        &host(),
    );
    let fatal = r.diags.iter().any(|d| d.fatal) || !r.error_files.is_empty();
    assert_eq!(fatal, r.verdict() == Verdict::Invalid, "{name}");
    for d in &r.diags {
        let _ = d.body();
    }
}

#[test]
fn replay_fuzz_regressions() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // no fuzz/ in this checkout
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(f).unwrap();
        let start = std::time::Instant::now();
        let outcome = std::panic::catch_unwind(|| replay(&name, &data));
        assert!(outcome.is_ok(), "fuzz regression {name} panics again");
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "fuzz regression {name} took {:?}",
            start.elapsed()
        );
    }
}
