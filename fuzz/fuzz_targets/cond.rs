//! `.if` / `-cc` expressions.
#![no_main]

use haproxy_config::cond::evaluate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(expr) = std::str::from_utf8(data) else {
        return;
    };
    let defined = |n: &str| n == "HOME" || n.len() == 1;
    if let Err(e) = evaluate(expr, &defined) {
        // The config reader computes a caret column as `start + position - 1`.
        assert!(e.position >= 1, "position 0 for {expr:?}");
    }
});
