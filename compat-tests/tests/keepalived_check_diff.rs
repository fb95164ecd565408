//! Differential test: `rkeepalived -t -i node1 -f FILE` must judge every fixture
//! in `fixtures/keepalived/` exactly like the real `keepalived -t` (2.2.7): the
//! same exit code and the same stderr (after dropping rkeepalived's own
//! `   | hint:` lines).
//!
//! - `expected.tsv` and `expected-stderr/` hold the oracle's results; regenerate
//!   them (as root) with `compat-tests/record-keepalived-verdicts.sh`.
//! - `-t` looks at the host's interfaces, so every run happens inside a fresh
//!   network namespace holding only `lo`, `eth0` and `eth1`; it is deleted at the
//!   end, also on panic. Without root or `ip netns`, the comparisons are skipped
//!   with a note (running rkeepalived against the host's interfaces would not
//!   reproduce the recording).
//! - When `/usr/sbin/keepalived` (or `$KEEPALIVED_BIN`) exists, it is run live
//!   too, so a stale recording is caught.
//!
//! Mismatches are collected into one table per test rather than failing at the
//! first one.

use std::collections::BTreeSet;

use compat_tests::keepalived::{
    compare, expected_stderr_path, fixture_files, fixtures_dir, format_table,
    live_unavailable_reason, load_expected, load_expected_stderr, oracle_bin, rkeepalived_bin,
    run_all, Expected, Mismatch, Netns,
};

fn skip_note(what: &str) -> bool {
    if let Some(reason) = live_unavailable_reason() {
        eprintln!(
            "note: skipping {what}: {reason}. The recorded verdicts need a network namespace \
             with exactly eth0/eth1; run as root with iproute2 to check them."
        );
        return true;
    }
    false
}

fn expected_rows() -> Vec<Expected> {
    let rows = load_expected().unwrap_or_else(|e| panic!("{e}"));
    assert!(!rows.is_empty(), "expected.tsv is empty");
    rows
}

/// Runs `bin` over every fixture in a fresh namespace and returns the mismatch
/// rows (exit code or stderr).
fn diff_against_recording(tag: &str, bin: &std::path::Path, strip_hints: bool) -> Vec<Mismatch> {
    let expected = expected_rows();
    let files: Vec<String> = expected.iter().map(|e| e.file.clone()).collect();
    let ns = Netns::create(tag).unwrap_or_else(|e| panic!("cannot set up the namespace: {e}"));
    eprintln!(
        "running {} over {} fixtures in netns {} ({} eth0/eth1)",
        bin.display(),
        files.len(),
        ns.name(),
        ns.link_kind
    );
    let runs = run_all(&ns, bin, &files);
    drop(ns);
    let mut rows = Vec::new();
    for (exp, (file, run)) in expected.iter().zip(runs) {
        assert_eq!(exp.file, file);
        let want_stderr = load_expected_stderr(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_stderr_path(&file).display()));
        if let Some(m) = compare(&file, exp.exit_code, &want_stderr, &run, strip_hints) {
            rows.push(m);
        }
    }
    rows
}

#[test]
fn expected_tsv_lists_every_fixture() {
    let expected = expected_rows();
    let on_disk: BTreeSet<String> = fixture_files()
        .expect("cannot list fixtures/keepalived")
        .into_iter()
        .collect();
    let listed: BTreeSet<String> = expected.iter().map(|e| e.file.clone()).collect();
    let mut problems = Vec::new();
    for f in on_disk.difference(&listed) {
        problems.push(format!(
            "  {f}: present in fixtures/keepalived but missing from expected.tsv \
             (run compat-tests/record-keepalived-verdicts.sh as root)"
        ));
    }
    for f in listed.difference(&on_disk) {
        problems.push(format!("  {f}: listed in expected.tsv but not on disk"));
    }
    for f in &listed {
        if !expected_stderr_path(f).is_file() {
            problems.push(format!("  {f}: no expected-stderr/{f}.txt"));
        }
    }
    for e in &expected {
        if ![0, 2, 4, 5, 6].contains(&e.exit_code) {
            problems.push(format!(
                "  {}: exit code {} is not one keepalived -t produces (0/2/4/5/6)",
                e.file, e.exit_code
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
fn every_fixture_states_its_purpose() {
    // The guide's two files are kept byte-identical to the guide, so they are exempt.
    let exempt = ["guide-dc1.conf", "guide-dc2.conf"];
    let mut missing = Vec::new();
    for f in fixture_files().expect("cannot list fixtures/keepalived") {
        if exempt.contains(&f.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(fixtures_dir().join(&f)).unwrap_or_default();
        if !text.starts_with("# purpose: ") {
            missing.push(f);
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures without a leading '# purpose: ...' line: {missing:?}"
    );
}

#[test]
fn rkeepalived_matches_recorded_verdicts_and_messages() {
    if skip_note("the rkeepalived comparison") {
        return;
    }
    let bin = rkeepalived_bin();
    assert!(
        bin.is_file(),
        "rkeepalived binary not found at {}; build it first (`cargo build -p rkeepalived`) \
         or point RKEEPALIVED_BIN at it",
        bin.display()
    );
    let total = expected_rows().len();
    let rows = diff_against_recording("rk", &bin, true);
    if rows.is_empty() {
        return;
    }
    let exit_bad = rows
        .iter()
        .filter(|r| r.expected_exit != r.got_exit)
        .count();
    let title = format!(
        "rkeepalived differs from keepalived 2.2.7 on {} of {total} fixtures \
         ({exit_bad} with a different exit code, {} with the same exit code but different stderr; \
         hint lines ignored):",
        rows.len(),
        rows.len() - exit_bad
    );
    panic!("{}", format_table(&title, &rows));
}

#[test]
fn oracle_still_agrees_with_recording() {
    let Some(oracle) = oracle_bin() else {
        eprintln!("note: /usr/sbin/keepalived not installed; live oracle check skipped");
        return;
    };
    if skip_note("the live keepalived check") {
        return;
    }
    let total = expected_rows().len();
    let rows = diff_against_recording("ka", &oracle, false);
    assert!(
        rows.is_empty(),
        "{}",
        format_table(
            &format!(
                "{} no longer matches the recording on {} of {total} fixtures \
                 (re-run compat-tests/record-keepalived-verdicts.sh?):",
                oracle.display(),
                rows.len()
            ),
            &rows
        )
    );
}
