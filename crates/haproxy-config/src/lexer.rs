//! Splitting one configuration line into words, with HAProxy 2.6's rules.
//!
//! A hand-written byte state machine rather than a grammar: the error
//! positions and odd corners (verbatim unknown escapes kept for regex
//! back-references, expansion only inside double quotes, an empty word
//! silently ending the line) are part of what users and tests observe.

use crate::diag::caret_snippet;

/// The most words a line may have.
pub const MAX_WORDS: usize = 64;

/// Where environment variables come from, plus the pseudo-variables
/// `${.FILE}`, `${.LINE}` and `${.SECTION}`.
pub struct LexEnv<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub file: &'a str,
    pub line: usize,
    pub section: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub message: String,
    /// 0-based byte column for the caret, when HAProxy prints one.
    pub caret: Option<usize>,
}

impl LexError {
    fn at(message: String, col: usize) -> Self {
        LexError {
            message,
            caret: Some(col),
        }
    }

    /// Extra lines to print under the message (the line and a caret).
    pub fn snippet(&self, line: &str) -> Vec<String> {
        match self.caret {
            Some(c) => caret_snippet(line, c).to_vec(),
            None => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    pub words: Vec<String>,
    /// Words that followed an empty word and were therefore dropped, as
    /// HAProxy 2.6 does silently (upstream issue #2367). Kept so callers can
    /// explain it.
    pub dropped: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Weak,
    Strong,
}

/// Tokenize `line` (without its line terminator).
pub fn tokenize(line: &[u8], env: &LexEnv<'_>) -> Result<Lexed, LexError> {
    let mut words: Vec<Vec<u8>> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut quote = Quote::None;
    let mut quote_pos = 0;
    let mut i = 0;
    while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
        i += 1;
    }
    let mut word_start = i;

    while i < line.len() {
        let c = line[i];
        if matches!(c, b'\n' | b'\r' | 0) {
            break;
        }
        match quote {
            Quote::Strong => {
                if c == b'\'' {
                    quote = Quote::None;
                } else {
                    cur.push(c);
                }
                i += 1;
                continue;
            }
            Quote::None if c == b' ' || c == b'\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                i += 1;
                continue;
            }
            Quote::None if c == b'#' => break,
            _ => {}
        }
        if !in_word {
            in_word = true;
            word_start = i;
            if words.len() >= MAX_WORDS {
                let rest = String::from_utf8_lossy(&line[i..]);
                let word = rest.split([' ', '\t']).next().unwrap_or("");
                return Err(LexError {
                    message: format!(
                        "too many words, truncating after word {MAX_WORDS}, position {}: <{word}>.",
                        i + 1
                    ),
                    caret: None,
                });
            }
        }
        match c {
            b'\\' => {
                i += escape(line, i, quote, &mut cur)?;
            }
            b'"' if quote == Quote::None => {
                quote = Quote::Weak;
                quote_pos = i;
                i += 1;
            }
            b'"' => {
                quote = Quote::None;
                i += 1;
            }
            b'\'' if quote == Quote::None => {
                quote = Quote::Strong;
                quote_pos = i;
                i += 1;
            }
            b'$' if quote == Quote::Weak => {
                i += expand(line, i, env, &mut cur, &mut words)?;
            }
            _ => {
                cur.push(c);
                i += 1;
            }
        }
    }
    if quote != Quote::None {
        return Err(LexError::at(
            format!("unmatched quote at position {}:", quote_pos + 1),
            quote_pos,
        ));
    }
    let _ = word_start;
    if in_word {
        words.push(cur);
    }

    let mut out = Lexed::default();
    let mut stopped = false;
    for w in words {
        let s = String::from_utf8_lossy(&w).into_owned();
        if stopped {
            out.dropped.push(s);
        } else if s.is_empty() {
            stopped = true;
        } else {
            out.words.push(s);
        }
    }
    Ok(out)
}

/// Handle a backslash at `line[i]`; returns the number of bytes consumed.
fn escape(line: &[u8], i: usize, quote: Quote, cur: &mut Vec<u8>) -> Result<usize, LexError> {
    let Some(&n) = line.get(i + 1) else {
        cur.push(b'\\');
        return Ok(1);
    };
    match n {
        b' ' | b'\\' | b'#' | b'\'' | b'"' => cur.push(n),
        b't' => cur.push(b'\t'),
        b'n' => cur.push(b'\n'),
        b'r' => cur.push(b'\r'),
        b'$' if quote == Quote::Weak => cur.push(b'$'),
        b'x' => {
            let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
            match (hex(line.get(i + 2)), hex(line.get(i + 3))) {
                (Some(h), Some(l)) => {
                    cur.push((h * 16 + l) as u8);
                    return Ok(4);
                }
                _ => {
                    return Err(LexError::at(
                        format!(
                            "truncated or invalid hexadecimal sequence at position {}:",
                            i + 1
                        ),
                        i,
                    ))
                }
            }
        }
        // Anything else is kept verbatim, backslash included: regexes rely
        // on `\1`, `\d` and friends surviving the tokenizer.
        _ => {
            cur.push(b'\\');
            cur.push(n);
        }
    }
    Ok(2)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Expand `$NAME`, `${NAME}`, `${NAME-default}` or `${NAME[*]}` starting at
/// `line[i] == '$'`; returns the bytes consumed.
fn expand(
    line: &[u8],
    i: usize,
    env: &LexEnv<'_>,
    cur: &mut Vec<u8>,
    words: &mut Vec<Vec<u8>>,
) -> Result<usize, LexError> {
    let braced = line.get(i + 1) == Some(&b'{');
    let start = if braced { i + 2 } else { i + 1 };
    let first = line.get(start).copied().unwrap_or(0);
    let pseudo = braced && first == b'.';
    if !is_name_start(first) && !pseudo {
        return Err(LexError::at(
            format!(
                "forbidden first char in environment variable name at position {}:",
                start + 1
            ),
            start,
        ));
    }
    let mut j = start + usize::from(pseudo);
    while j < line.len() && is_name_char(line[j]) {
        j += 1;
    }
    let name = String::from_utf8_lossy(&line[start..j]).into_owned();
    let mut default: Option<Vec<u8>> = None;
    let mut split = false;
    let consumed_to;
    if braced {
        let mut k = j;
        if line.get(k) == Some(&b'[') && line.get(k + 1..k + 4) == Some(b"*]}".as_slice()) {
            split = true;
            k += 3;
        } else if line.get(k) == Some(&b'-') {
            let d0 = k + 1;
            while k < line.len() && line[k] != b'}' && line[k] != b'"' {
                k += 1;
            }
            default = Some(line[d0..k.min(line.len())].to_vec());
        }
        if line.get(k) != Some(&b'}') {
            return Err(LexError::at(
                format!(
                    "unmatched brace in environment variable name at position {}:",
                    i + 2
                ),
                i + 1,
            ));
        }
        consumed_to = k + 1;
    } else {
        consumed_to = j;
    }

    let value: Option<String> = match name.as_str() {
        ".FILE" => Some(env.file.to_string()),
        ".LINE" => Some(env.line.to_string()),
        ".SECTION" => Some(env.section.to_string()),
        _ => (env.var)(&name),
    };
    match value {
        Some(v) if split => {
            let mut parts = v.split(' ').filter(|p| !p.is_empty());
            if let Some(p) = parts.next() {
                cur.extend_from_slice(p.as_bytes());
            }
            for p in parts {
                words.push(std::mem::take(cur));
                cur.extend_from_slice(p.as_bytes());
            }
        }
        Some(v) => cur.extend_from_slice(v.as_bytes()),
        None => {
            if let Some(d) = default {
                cur.extend_from_slice(&d);
            }
        }
    }
    Ok(consumed_to - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_with(line: &str, vars: &[(&str, &str)]) -> Result<Lexed, LexError> {
        let owned: Vec<(String, String)> = vars
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let f = move |n: &str| owned.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let env = LexEnv {
            var: &f,
            file: "t.cfg",
            line: 7,
            section: "global",
        };
        tokenize(line.as_bytes(), &env)
    }

    fn words(line: &str) -> Vec<String> {
        lex_with(line, &[("HOME", "/root"), ("LIST", "a b  c")])
            .unwrap()
            .words
    }

    #[test]
    fn splits_on_blanks_and_comments() {
        assert_eq!(words("  bind\t*:80   # x"), ["bind", "*:80"]);
        assert_eq!(words("global#comment"), ["global"]);
        assert!(words("   # only a comment").is_empty());
    }

    #[test]
    fn backslash_escapes_outside_quotes() {
        assert_eq!(
            words(r"rspadd X-Forwarded-Host:\ http:\\\\example.com"),
            ["rspadd", r"X-Forwarded-Host: http:\\example.com"]
        );
        assert_eq!(words(r"a\#b \x41 \1 \q"), ["a#b", "A", r"\1", r"\q"]);
        assert_eq!(words(r"\$HOME"), [r"\$HOME"]);
    }

    #[test]
    fn quotes_concatenate_and_expand_only_in_double() {
        assert_eq!(words(r#""a"'b'c\"d"#), [r#"abc"d"#]);
        assert_eq!(
            words(r#""${HOME}/x" '${HOME}' ${HOME}"#),
            ["/root/x", "${HOME}", "${HOME}"]
        );
        assert_eq!(words(r#""$HOME""#), ["/root"]);
        assert_eq!(words(r#""\$HOME""#), ["$HOME"]);
        assert_eq!(words(r#""${NOPE-dflt}" "${HOME-dflt}""#), ["dflt", "/root"]);
        assert_eq!(words(r#"x "${LIST[*]}" y"#), ["x", "a", "b", "c", "y"]);
        assert_eq!(
            words(r#""${.FILE}:${.LINE}" "${.SECTION}""#),
            ["t.cfg:7", "global"]
        );
    }

    #[test]
    fn empty_word_ends_the_line() {
        let l = lex_with(r#"server s 1.2.3.4:80 "${UNSET}" weight 50"#, &[]).unwrap();
        assert_eq!(l.words, ["server", "s", "1.2.3.4:80"]);
        assert_eq!(l.dropped, ["weight", "50"]);
    }

    #[test]
    fn errors_carry_haproxy_positions() {
        let e = lex_with(r#"  .notice "a\x4g""#, &[]).unwrap_err();
        assert_eq!(
            e.message,
            "truncated or invalid hexadecimal sequence at position 13:"
        );
        assert_eq!(e.caret, Some(12));
        let e = lex_with(r#"  .notice "unterminated"#, &[]).unwrap_err();
        assert_eq!(e.message, "unmatched quote at position 11:");
        assert_eq!(e.caret, Some(10));
        let e = lex_with(r#"  .notice "${1abc}""#, &[]).unwrap_err();
        assert_eq!(
            e.message,
            "forbidden first char in environment variable name at position 14:"
        );
        let e = lex_with(r#"  .notice "${ABC""#, &[]).unwrap_err();
        assert_eq!(
            e.message,
            "unmatched brace in environment variable name at position 13:"
        );
        assert_eq!(e.caret, Some(12));
    }

    #[test]
    fn word_limit() {
        let ok = (0..64)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(words(&ok).len(), 64);
        let bad = format!("{ok} w64");
        let e = lex_with(&bad, &[]).unwrap_err();
        assert!(e
            .message
            .starts_with("too many words, truncating after word 64"));
        assert!(e.message.ends_with("<w64>."));
    }
}
