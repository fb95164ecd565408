//! One configuration line, arbitrary bytes, through the tokenizer.
#![no_main]

use haproxy_config::lexer::{tokenize, LexEnv, MAX_WORDS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let var = |name: &str| match name {
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
    match tokenize(data, &env) {
        Ok(lexed) => {
            // `${LIST[*]}` may add words after the limit check, so only a
            // loose bound holds; no kept word may be empty.
            assert!(lexed.words.len() <= MAX_WORDS * 4 + 4);
            assert!(lexed.words.iter().all(|w| !w.is_empty()));
        }
        Err(e) => {
            if let Some(c) = e.caret {
                assert!(c <= data.len(), "caret {c} past the line ({})", data.len());
                let _ = e.snippet(&String::from_utf8_lossy(data));
            }
        }
    }
});
