//! Property tests and hostile-input tests for the library: whatever the
//! bytes, `check()` returns and the report has a verdict; the tokenizer
//! undoes a simple escaper; `.if` nesting either balances or fails with the
//! nesting / termination errors.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use haproxy_config::diag::Severity;
use haproxy_config::host::MemHost;
use haproxy_config::lexer::{tokenize, LexEnv};
use haproxy_config::parser::MAX_NESTING;
use haproxy_config::{check, Report, Source, Verdict};
use proptest::prelude::*;

fn host() -> MemHost {
    let mut h = MemHost::default();
    h.env.insert("HOME".into(), "/root".into());
    h.env.insert("LIST".into(), "a b  c".into());
    h
}

fn run(data: Vec<u8>) -> Report {
    check(
        &[Source {
            name: "p.cfg".into(),
            data,
        }],
        &host(),
    )
}

/// The verdict must agree with the diagnostics it was computed from.
fn assert_consistent(r: &Report) {
    let v = r.verdict();
    let fatal = r.diags.iter().any(|d| d.fatal) || !r.error_files.is_empty();
    if fatal {
        assert_eq!(v, Verdict::Invalid, "fatal diagnostics but verdict {v:?}");
    } else {
        assert_ne!(v, Verdict::Invalid, "no fatal diagnostic but Invalid");
    }
    for d in &r.diags {
        let _ = d.body();
    }
}

/// Run `f` on another thread and fail the test if it takes longer than
/// `limit` (the thread is left behind; the test process ends soon after).
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let t0 = Instant::now();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {:?}", t0.elapsed())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

// ---------------------------------------------------------------- strategies

/// Pieces that steer random input into the interesting corners of the
/// reader: quotes, escapes, expansions, directives, section starts.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"\0",
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"\t",
        b"\"",
        b"'",
        b"\\",
        b"\\x",
        b"\\x4",
        b"#",
        b"${",
        b"}",
        b"$",
        b"${HOME}",
        b"${LIST[*]}",
        b"${X-",
        b"${.LINE}",
        b".if ",
        b".elif ",
        b".else",
        b".endif",
        b".notice ",
        b".alert ",
        b"defined(HOME)",
        b"1",
        b"0",
        b"&&",
        b"||",
        b"!",
        b"(",
        b")",
        b"global\n",
        b"defaults\n",
        b"frontend f\n",
        b"backend b\n",
        b"listen l\n",
        b"  bind :80\n",
        b"  server s 127.0.0.1:80\n",
        b"  use_backend b\n",
        b"  timeout client 1s\n",
        b"  mode http\n",
        b"no ",
        b"option ",
        b"userlist u\n",
        b"acl a path_beg /x\n",
        b"http-request deny if a\n",
        b"\xff\xfe",
        b"\xc3\xa9",
    ];
    prop_oneof![
        3 => proptest::sample::select(fixed).prop_map(|b| b.to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..16),
        1 => "[a-z_.:-]{1,12}".prop_map(String::into_bytes),
    ]
}

fn config_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(fragment(), 0..80).prop_map(|v| v.concat())
}

/// A simple escaper for a word outside quotes: every byte the tokenizer
/// treats specially gets a backslash, anything unprintable a `\xHH`.
fn escape_bare(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars() {
        match c {
            ' ' | '\\' | '#' | '\'' | '"' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The same inside double quotes, where `$` would expand.
fn escape_double(word: &str) -> String {
    let mut out = String::from("\"");
    for c in word.chars() {
        match c {
            '\\' | '"' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inside single quotes nothing is special but the closing quote, which
/// cannot be escaped: close, emit `\'`, reopen.
fn escape_single(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn lex(line: &str) -> Result<Vec<String>, String> {
    let var = |n: &str| (n == "HOME").then(|| "/root".to_string());
    let env = LexEnv {
        var: &var,
        file: "t.cfg",
        line: 1,
        section: "global",
    };
    tokenize(line.as_bytes(), &env)
        .map(|l| l.words)
        .map_err(|e| e.message)
}

/// Words the tokenizer can carry: non-empty; single-quoted ones cannot hold
/// a line break or NUL (nothing escapes inside single quotes).
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{1,20}",
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        "[a-z$#\\\\'\" {}\\[\\]*-]{1,12}",
    ]
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_end_in_a_verdict(data in config_bytes()) {
        let r = run(data);
        assert_consistent(&r);
    }

    #[test]
    fn raw_random_bytes_end_in_a_verdict(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let r = run(data);
        assert_consistent(&r);
    }

    #[test]
    fn tokenizer_never_panics(line in config_bytes()) {
        let var = |n: &str| (n == "LIST").then(|| "a b c".to_string());
        let env = LexEnv { var: &var, file: "f", line: 1, section: "s" };
        if let Err(e) = tokenize(&line, &env) {
            if let Some(c) = e.caret {
                prop_assert!(c <= line.len());
            }
        }
    }

    #[test]
    fn bare_escaping_round_trips(w in word()) {
        let line = escape_bare(&w);
        prop_assert_eq!(lex(&line), Ok(vec![w.clone()]), "line {:?}", line);
    }

    #[test]
    fn double_quote_escaping_round_trips(w in word()) {
        let line = escape_double(&w);
        prop_assert_eq!(lex(&line), Ok(vec![w.clone()]), "line {:?}", line);
    }

    #[test]
    fn single_quote_escaping_round_trips(w in word().prop_filter("no line end", |w| !w.contains(['\n', '\r', '\0']))) {
        let line = escape_single(&w);
        prop_assert_eq!(lex(&line), Ok(vec![w.clone()]), "line {:?}", line);
    }

    #[test]
    fn several_escaped_words_round_trip(ws in proptest::collection::vec((word(), 0u8..3), 1..64)) {
        let line = ws
            .iter()
            .map(|(w, how)| match how {
                0 => escape_bare(w),
                1 => escape_double(w),
                _ if !w.contains(['\n', '\r', '\0']) => escape_single(w),
                _ => escape_bare(w),
            })
            .collect::<Vec<_>>()
            .join(" \t ");
        let want: Vec<String> = ws.into_iter().map(|(w, _)| w).collect();
        prop_assert_eq!(lex(&line), Ok(want));
    }

    #[test]
    fn if_nesting_balances_or_reports(
        conds in proptest::collection::vec(proptest::sample::select(vec!["1", "0", "defined(HOME)", "defined(NOPE)"]), 0..=200),
        extra in -3i32..=3,
        with_else in any::<bool>(),
    ) {
        let depth = conds.len();
        let closers = (depth as i32 + extra).max(0) as usize;
        let mut cfg = String::new();
        for c in &conds {
            cfg.push_str(&format!(".if {c}\n"));
        }
        cfg.push_str("listen l\n  bind :80\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\n");
        if with_else && depth > 0 {
            cfg.push_str(".else\n  .notice \"other branch\"\n");
        }
        for _ in 0..closers {
            cfg.push_str(".endif\n");
        }
        let r = within(Duration::from_secs(20), "nesting", move || run(cfg.into_bytes()));
        assert_consistent(&r);
        let alerts: Vec<&str> = r
            .diags
            .iter()
            .filter(|d| d.severity == Severity::Alert)
            .map(|d| d.message.as_str())
            .collect();
        if depth > MAX_NESTING {
            prop_assert_eq!(r.verdict(), Verdict::Invalid);
            prop_assert!(alerts.iter().any(|m| m.contains("too many nested '.if'")), "{:?}", alerts);
        } else if closers < depth {
            prop_assert_eq!(r.verdict(), Verdict::Invalid);
            prop_assert!(alerts.iter().any(|m| m.contains("non-terminated '.if'")), "{:?}", alerts);
        } else if closers > depth {
            prop_assert_eq!(r.verdict(), Verdict::Invalid);
            prop_assert!(alerts.iter().any(|m| m.contains("lone '.endif'")), "{:?}", alerts);
        } else {
            // Balanced: no error at all, whichever branch was taken.
            prop_assert!(alerts.is_empty(), "{:?}", alerts);
            prop_assert_ne!(r.verdict(), Verdict::Invalid);
        }
    }
}

// ---------------------------------------------------------------- bad input

/// A small deterministic generator so the garbage is the same every run.
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn binary_garbage_is_rejected_quickly() {
    for seed in [1u64, 0xdead_beef, 42, 7_777_777] {
        let r = within(Duration::from_secs(10), "garbage", move || {
            run(garbage(256 << 10, seed))
        });
        assert_consistent(&r);
        assert_eq!(r.verdict(), Verdict::Invalid);
    }
}

#[test]
fn garbage_without_newlines_or_nul() {
    let data: Vec<u8> = garbage(64 << 10, 99)
        .into_iter()
        .map(|b| if b == b'\n' || b == 0 { b'x' } else { b })
        .collect();
    let r = within(
        Duration::from_secs(10),
        "one long garbage line",
        move || run(data),
    );
    assert_consistent(&r);
    assert_eq!(r.verdict(), Verdict::Invalid);
}

fn mib_line(prefix: &str, fill: u8) -> Vec<u8> {
    let mut v = prefix.as_bytes().to_vec();
    v.resize(prefix.len() + (1 << 20), fill);
    v.push(b'\n');
    v
}

#[test]
fn one_mib_line_in_a_section() {
    // A valid section followed by a 1 MiB value.
    let mut data = b"global\n".to_vec();
    data.extend(mib_line("  description ", b'a'));
    let r = within(Duration::from_secs(30), "1 MiB value", move || run(data));
    assert_consistent(&r);
}

#[test]
fn one_mib_unknown_keyword() {
    // The "did you mean" search runs over a 1 MiB word.
    let mut data = b"global\n".to_vec();
    data.extend(mib_line("", b'k'));
    let r = within(Duration::from_secs(30), "1 MiB keyword", move || run(data));
    assert_consistent(&r);
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn one_mib_line_of_words_and_quotes() {
    let unit = b"a \"b\" 'c' \\x41 ";
    let mut data = b"global\n  ".to_vec();
    while data.len() < (1 << 20) {
        data.extend_from_slice(unit);
    }
    data.push(b'\n');
    let r = within(Duration::from_secs(30), "1 MiB of words", move || run(data));
    assert_consistent(&r);
    assert_eq!(
        r.verdict(),
        Verdict::Invalid,
        "more than 64 words must be refused"
    );
    assert!(r.diags.iter().any(|d| d.message.contains("too many words")));
}

#[test]
fn one_mib_unterminated_quote() {
    let mut data = b"global\n  .notice \"".to_vec();
    data.extend(std::iter::repeat_n(b'q', 1 << 20));
    data.push(b'\n');
    let r = within(Duration::from_secs(30), "1 MiB open quote", move || {
        run(data)
    });
    assert_eq!(r.verdict(), Verdict::Invalid);
    assert!(r
        .diags
        .iter()
        .any(|d| d.message.contains("unmatched quote")));
}

#[test]
fn ten_thousand_nested_ifs() {
    let mut cfg = String::new();
    for _ in 0..10_000 {
        cfg.push_str(".if 1\n");
    }
    cfg.push_str("listen l\n  bind :80\n");
    for _ in 0..10_000 {
        cfg.push_str(".endif\n");
    }
    let r = within(Duration::from_secs(30), "10,000 nested .if", move || {
        run(cfg.into_bytes())
    });
    assert_consistent(&r);
    assert_eq!(r.verdict(), Verdict::Invalid);
    assert!(r
        .diags
        .iter()
        .any(|d| d.message == format!("too many nested '.if', max is {MAX_NESTING}.")));
}

#[test]
fn ten_thousand_lone_endifs_stop_early() {
    let cfg = ".endif\n".repeat(10_000);
    let r = within(Duration::from_secs(10), "lone .endif", move || {
        run(cfg.into_bytes())
    });
    assert_eq!(r.verdict(), Verdict::Invalid);
    assert!(r.diags.len() < 100, "{} diagnostics", r.diags.len());
}

#[test]
fn many_errors_stop_at_the_fatal_limit() {
    let cfg = format!("global\n{}", "  bogus-keyword x\n".repeat(100_000));
    let r = within(Duration::from_secs(30), "100k bad lines", move || {
        run(cfg.into_bytes())
    });
    assert_eq!(r.verdict(), Verdict::Invalid);
    assert!(r.diags.len() <= 60, "{} diagnostics", r.diags.len());
}
