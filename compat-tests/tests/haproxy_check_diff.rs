//! Differential test: `rhaproxy -c -f FILE` must reach the same verdict as the
//! real `haproxy -c -f FILE` (2.6) for every fixture in `fixtures/haproxy/`.
//!
//! - `expected.tsv` holds the oracle's verdicts (regenerate it with
//!   `compat-tests/record-haproxy-verdicts.sh`).
//! - `legacy-exceptions.txt` overrides the expected verdict where rhaproxy
//!   deliberately differs (legacy `req*`/`rsp*` directives are accepted with a
//!   warning instead of being rejected).
//! - When the real HAProxy is installed (`/usr/sbin/haproxy`, or `$HAPROXY_BIN`),
//!   it is also run live so a stale `expected.tsv` is caught.
//!
//! Every check runs with the fixtures directory as its working directory, so
//! relative paths such as `certs/` and `errors/` resolve there.

use std::collections::BTreeSet;

use compat_tests::{
    fixture_files, fixtures_dir, format_table, load_exceptions, load_expected, oracle_bin,
    rhaproxy_bin, run_checks, Mismatch,
};

#[test]
fn expected_tsv_lists_every_fixture() {
    let expected = load_expected().unwrap_or_else(|e| panic!("{e}"));
    let exceptions = load_exceptions().unwrap_or_else(|e| panic!("{e}"));
    let on_disk: BTreeSet<String> = fixture_files()
        .expect("cannot list fixtures/haproxy")
        .into_iter()
        .collect();
    let listed: BTreeSet<String> = expected.iter().map(|e| e.file.clone()).collect();

    let mut problems = Vec::new();
    for f in on_disk.difference(&listed) {
        problems.push(format!(
            "  {f}: present in fixtures/haproxy but missing from expected.tsv \
             (run compat-tests/record-haproxy-verdicts.sh)"
        ));
    }
    for f in listed.difference(&on_disk) {
        problems.push(format!(
            "  {f}: listed in expected.tsv but not in fixtures/haproxy"
        ));
    }
    for f in exceptions.keys() {
        if !listed.contains(f) {
            problems.push(format!(
                "  {f}: listed in legacy-exceptions.txt but not in expected.tsv"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture lists are out of sync:\n{}",
        problems.join("\n")
    );
    assert!(
        !on_disk.is_empty(),
        "no fixtures found in {}",
        fixtures_dir().display()
    );
}

#[test]
fn rhaproxy_verdicts_match_expected() {
    let bin = rhaproxy_bin();
    assert!(
        bin.is_file(),
        "rhaproxy binary not found at {}; build it first (`cargo build -p rhaproxy`) \
         or point RHAPROXY_BIN at it",
        bin.display()
    );
    let expected = load_expected().unwrap_or_else(|e| panic!("{e}"));
    let exceptions = load_exceptions().unwrap_or_else(|e| panic!("{e}"));
    let files: Vec<String> = expected.iter().map(|e| e.file.clone()).collect();
    let runs = run_checks(&bin, &files, &fixtures_dir());

    let mut mismatches = Vec::new();
    for (exp, (file, run)) in expected.iter().zip(runs) {
        debug_assert_eq!(exp.file, file);
        let (want, why) = match exceptions.get(&file) {
            Some(v) => (*v, " (exception)"),
            None => (exp.verdict, ""),
        };
        match run {
            Err(e) => mismatches.push(Mismatch {
                file,
                expected: format!("{want}{why}"),
                got: "spawn error".into(),
                detail: e.to_string(),
            }),
            Ok(run) => {
                let got = run.verdict();
                if got != want {
                    mismatches.push(Mismatch {
                        file,
                        expected: format!("{want}{why}"),
                        got: got.to_string(),
                        detail: run.first_stderr_line(),
                    });
                }
            }
        }
    }
    if !mismatches.is_empty() {
        panic!(
            "\n{}",
            format_table(
                &format!(
                    "rhaproxy ({}) disagrees with the expected verdict on {} of {} fixtures:",
                    bin.display(),
                    mismatches.len(),
                    expected.len()
                ),
                &mismatches
            )
        );
    }
}

#[test]
fn live_oracle_agrees_with_expected_tsv() {
    let Some(oracle) = oracle_bin() else {
        eprintln!("real haproxy not installed; skipping the live oracle check");
        return;
    };
    let expected = load_expected().unwrap_or_else(|e| panic!("{e}"));
    let files: Vec<String> = expected.iter().map(|e| e.file.clone()).collect();
    let runs = run_checks(&oracle, &files, &fixtures_dir());

    let mut mismatches = Vec::new();
    for (exp, (file, run)) in expected.iter().zip(runs) {
        match run {
            Err(e) => mismatches.push(Mismatch {
                file,
                expected: exp.verdict.to_string(),
                got: "spawn error".into(),
                detail: e.to_string(),
            }),
            Ok(run) => {
                let got = run.verdict();
                if got != exp.verdict || run.exit_code != Some(exp.exit_code) {
                    mismatches.push(Mismatch {
                        file,
                        expected: format!("{} (exit {})", exp.verdict, exp.exit_code),
                        got: format!("{got}"),
                        detail: run.first_stderr_line(),
                    });
                }
            }
        }
    }
    if !mismatches.is_empty() {
        panic!(
            "\n{}\nexpected.tsv looks stale: rerun compat-tests/record-haproxy-verdicts.sh",
            format_table(
                &format!(
                    "the live oracle ({}) disagrees with expected.tsv on {} of {} fixtures:",
                    oracle.display(),
                    mismatches.len(),
                    expected.len()
                ),
                &mismatches
            )
        );
    }
}
