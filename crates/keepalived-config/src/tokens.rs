//! Splitting a preprocessed line into words.
//!
//! Ordinary keywords: blanks separate words, `"…"` is one word without its
//! quotes, and text touching a quote starts a new word. Keywords that run
//! commands (`script`, `notify*`) split again with [`split_command`], a
//! small shell-like splitter with both quote kinds and C escapes.

/// Words of a line, and whether a quote was left open.
pub fn words(line: &str) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    let mut unterminated = false;
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'"' {
            let start = i + 1;
            match b[start..].iter().position(|&c| c == b'"') {
                Some(p) => {
                    out.push(line[start..start + p].to_string());
                    i = start + p + 1;
                }
                None => {
                    // The reader has reported it; keepalived drops the word.
                    unterminated = true;
                    i = b.len();
                }
            }
        } else {
            let start = i;
            while i < b.len() && b[i] != b' ' && b[i] != b'\t' && b[i] != b'"' {
                i += 1;
            }
            out.push(line[start..i].to_string());
        }
    }
    (out, unterminated)
}

/// Split a command line into argv like keepalived does for scripts:
/// single and double quotes group, backslash escapes (`\n`, `\t`, `\xHH`,
/// octal `\nnn`, `\cC`, and `\X` for any other X) are decoded.
pub fn split_command(cmd: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut q: Option<char> = None;
    let chars: Vec<char> = cmd.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match (q, c) {
            (None, ' ' | '\t') => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            (None, '\'' | '"') => {
                q = Some(c);
                have = true;
            }
            (Some(open), c) if c == open => q = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') if i + 1 < chars.len() => {
                i += 1;
                let n = chars[i];
                have = true;
                match n {
                    'a' => cur.push('\x07'),
                    'b' => cur.push('\x08'),
                    'E' | 'e' => cur.push('\x1b'),
                    'f' => cur.push('\x0c'),
                    'n' => cur.push('\n'),
                    'r' => cur.push('\r'),
                    't' => cur.push('\t'),
                    'v' => cur.push('\x0b'),
                    'x' => {
                        let h: String = chars[i + 1..]
                            .iter()
                            .take(2)
                            .take_while(|c| c.is_ascii_hexdigit())
                            .collect();
                        if let Ok(v) = u8::from_str_radix(&h, 16) {
                            cur.push(v as char);
                            i += h.len();
                        } else {
                            cur.push('x');
                        }
                    }
                    'c' if i + 1 < chars.len() => {
                        i += 1;
                        cur.push(((chars[i] as u8) & 0x1f) as char);
                    }
                    '0'..='7' => {
                        let o: String = chars[i..]
                            .iter()
                            .take(3)
                            .take_while(|c| ('0'..='7').contains(c))
                            .collect();
                        cur.push(u8::from_str_radix(&o, 8).unwrap_or(0) as char);
                        i += o.len() - 1;
                    }
                    other => cur.push(other),
                }
            }
            (_, c) => {
                cur.push(c);
                have = true;
            }
        }
        i += 1;
    }
    if let Some(open) = q {
        return Err(format!("String '{cmd}': missing terminating {open}"));
    }
    if have {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_quotes() {
        assert_eq!(words("auth_pass \"ab#cd!ef\"").0, ["auth_pass", "ab#cd!ef"]);
        assert_eq!(words("abc\"d e\"").0, ["abc", "d e"]);
        assert_eq!(words("  a\t b  ").0, ["a", "b"]);
        assert!(words("x \"open").1);
    }

    #[test]
    fn command_argv() {
        assert_eq!(
            split_command(r#"/bin/echo 'two words' "dq" plain"#).unwrap(),
            ["/bin/echo", "two words", "dq", "plain"]
        );
        assert_eq!(split_command(r"a\tb c\x41").unwrap(), ["a\tb", "cA"]);
        assert!(split_command("x 'open").is_err());
    }
}
