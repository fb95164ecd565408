//! `docs/compatibility.md` must be exactly what the keyword tables render.

use std::path::PathBuf;

#[test]
fn compatibility_doc_matches_keyword_table() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/compatibility.md");
    let expected = compat_tests::compat_doc();
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nrun `make docs` to generate it from the keyword table",
            path.display()
        )
    });
    if committed != expected {
        // Point at the first differing line so the failure is readable
        // without dumping two whole tables.
        let first = committed
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(expected.lines().count()));
        let got = committed.lines().nth(first).unwrap_or("<end of file>");
        let want = expected.lines().nth(first).unwrap_or("<end of table>");
        panic!(
            "docs/compatibility.md is out of date with the keyword tables \
             (first difference at line {}):\n  committed: {got}\n  generated: {want}\n\
             run `make docs` (cargo run -q -p compat-tests --example compat_doc > docs/compatibility.md) \
             and commit the result",
            first + 1
        );
    }
}
