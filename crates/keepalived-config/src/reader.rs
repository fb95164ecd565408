//! The line reader: everything keepalived does before words exist.
//!
//! Includes (globs relative to the including file), `#`/`!` comments
//! outside double quotes, `@id`/`@^id` conditional lines, `$NAME=value`
//! definitions (multi-line ones too) and their expansion, `~SEQ`/`~LST`
//! loops, and splitting at the first brace so `name {` and `}` glued to a
//! value become lines of their own. The result is read once and replayed
//! by every parsing pass.

use crate::diag::{Class, Diagnostic, Location};
use crate::host::Host;

/// keepalived reads with a fixed 1024-byte buffer.
pub const MAXBUF: usize = 1024;

/// Loops and definitions can multiply lines; past this many the reader
/// stops rather than exhaust memory (no sane configuration comes close).
pub const MAX_LINES: usize = 200_000;
/// keepalived itself follows a file that includes itself twice until it
/// runs out of file descriptors, then keeps going for ever; we stop here.
pub const MAX_INCLUDED_FILES: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The file as named (the main file as given with `-f`).
    pub file: String,
    /// Whether it comes from the main file (the parent prints no name).
    pub main: bool,
    pub line: usize,
    pub text: String,
    /// This `}` had no matching `{` (keepalived's "Extra '}' found").
    pub extra_brace: bool,
}

impl Line {
    pub fn location(&self, name_main: bool) -> Location {
        Location {
            file: if self.main && !name_main {
                None
            } else {
                Some(self.file.clone())
            },
            line: self.line,
        }
    }
}

/// A problem found while reading, replayed by the passes: `at` is the
/// number of lines read before it.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: usize,
    /// Reported by every pass (each keepalived process re-reads the file),
    /// not only by the parent.
    pub every_pass: bool,
    pub file: String,
    pub main: bool,
    pub line: usize,
    pub diag: Diagnostic,
}

impl Event {
    pub fn located(&self, name_main: bool) -> Diagnostic {
        let mut d = self.diag.clone();
        d.location = Some(Location {
            file: if self.main && !name_main {
                None
            } else {
                Some(self.file.clone())
            },
            line: self.line,
        });
        d
    }
}

#[derive(Debug, Default)]
pub struct Read {
    pub lines: Vec<Line>,
    /// Problems found while reading (missing includes, bad loops, open
    /// quotes), in reading order.
    pub diags: Vec<Event>,
    /// Braces still open at end of input.
    pub unclosed: usize,
    /// A strict `include*` variant found nothing: keepalived stops with
    /// exit 6 once the parent has reported it.
    pub fatal_include: bool,
}

pub struct Reader<'h> {
    host: &'h dyn Host,
    config_id: String,
    defs: Vec<(String, String)>,
    out: Read,
    depth: usize,
    seed: u64,
    overflow: bool,
    fatal_include: bool,
    /// Files read through `include`, over the whole configuration.
    included: usize,
}

fn dir_of(path: &str) -> String {
    match path.rfind('/') {
        Some(0) => "/".into(),
        Some(p) => path[..p].to_string(),
        None => ".".into(),
    }
}

fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || dir == "." {
        rel.to_string()
    } else {
        format!("{}/{rel}", dir.trim_end_matches('/'))
    }
}

/// Cut a `#` or `!` comment outside double quotes; `\#` and `\!` become
/// the plain characters.
pub fn strip_comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_q = false;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '"' => {
                in_q = !in_q;
                out.push(c);
            }
            '\\' if !in_q && matches!(it.peek(), Some('#') | Some('!')) => {
                out.push(it.next().unwrap_or('#'));
            }
            '#' | '!' if !in_q => break,
            _ => out.push(c),
        }
    }
    out
}

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(x) if x.is_ascii_alphabetic() || x == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

impl<'h> Reader<'h> {
    pub fn new(host: &'h dyn Host, config_id: &str) -> Self {
        Reader {
            host,
            config_id: config_id.to_string(),
            defs: Vec::new(),
            out: Read::default(),
            depth: 0,
            seed: 0x2545_f491_4f6c_dd1d,
            overflow: false,
            fatal_include: false,
            included: 0,
        }
    }

    /// Read `path` (the `-f` file) and everything it includes.
    pub fn read_main(mut self, path: &str) -> Result<Read, std::io::Error> {
        let data = self.host.read(path)?;
        self.read_data(path, true, &data, 0);
        self.out.unclosed = self.depth;
        self.out.fatal_include = self.fatal_include;
        Ok(self.out)
    }

    fn event(&mut self, file: &str, main: bool, line: usize, diag: Diagnostic, every_pass: bool) {
        let at = self.out.lines.len();
        self.out.diags.push(Event {
            at,
            every_pass,
            file: file.to_string(),
            main,
            line,
            diag,
        });
    }

    fn lookup(&mut self, name: &str, file: &str) -> Option<String> {
        match name {
            "_PWD" => return Some(dir_of(file)),
            "_INSTANCE" => return Some(self.config_id.clone()),
            "_HASH" => return Some("#".into()),
            "_BANG" => return Some("!".into()),
            _ => {}
        }
        if let Some(args) = name.strip_prefix("_RANDOM") {
            let mut nums = args
                .split_whitespace()
                .filter_map(|x| x.parse::<u64>().ok());
            let (lo, hi) = match (nums.next(), nums.next()) {
                (Some(a), Some(b)) => (a, b),
                (Some(b), None) => (0, b),
                _ => (0, 32767),
            };
            self.seed ^= self.seed << 13;
            self.seed ^= self.seed >> 7;
            self.seed ^= self.seed << 17;
            let span = hi.saturating_sub(lo) + 1;
            return Some((lo + self.seed % span).to_string());
        }
        self.defs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// Replace `${NAME}` anywhere and `$NAME` before a blank or the end,
    /// recursively; unknown names stay as written.
    fn substitute(&mut self, s: &str, file: &str, depth: usize) -> String {
        // Definitions can refer to each other; bound the nesting and the
        // size so a self-multiplying definition cannot exhaust memory.
        if depth > 32 || !s.contains('$') || s.len() > 64 * MAXBUF {
            return s.to_string();
        }
        let mut out = String::new();
        let mut rest = s;
        let mut changed = false;
        while let Some(p) = rest.find('$') {
            out.push_str(&rest[..p]);
            let after = &rest[p + 1..];
            if let Some(inner) = after.strip_prefix('{') {
                if let Some(close) = inner.find('}') {
                    let name = &inner[..close];
                    if let Some(v) = self.lookup(name, file) {
                        out.push_str(&v);
                        rest = &inner[close + 1..];
                        changed = true;
                        continue;
                    }
                }
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                let name = &after[..end];
                let next = after[end..].chars().next();
                if !name.is_empty() && matches!(next, None | Some(' ') | Some('\t')) {
                    if let Some(v) = self.lookup(name, file) {
                        out.push_str(&v);
                        rest = &after[end..];
                        changed = true;
                        continue;
                    }
                }
            }
            out.push('$');
            rest = after;
        }
        out.push_str(rest);
        if changed {
            self.substitute(&out, file, depth + 1)
        } else {
            out
        }
    }

    fn read_data(&mut self, file: &str, main: bool, data: &[u8], nest: usize) {
        let text = String::from_utf8_lossy(data);
        let mut raw: Vec<(usize, String)> = Vec::new();
        let mut n = 0;
        for l in text.split('\n') {
            // fgets into a fixed buffer: an over-long line reads as several.
            let mut l = l;
            loop {
                n += 1;
                let cut = if l.len() > MAXBUF - 1 {
                    let mut c = MAXBUF - 1;
                    while !l.is_char_boundary(c) {
                        c -= 1;
                    }
                    c
                } else {
                    l.len()
                };
                raw.push((n, l[..cut].to_string()));
                if cut == l.len() {
                    break;
                }
                l = &l[cut..];
            }
        }
        if text.ends_with('\n') {
            raw.pop();
        }
        let mut i = 0;
        while i < raw.len() {
            let (lineno, ref l) = raw[i];
            i += 1;
            let t = l.trim_end_matches(['\r', '\n']).trim_matches([' ', '\t']);
            if t.is_empty() {
                continue;
            }
            // Includes are recognised before anything else.
            if let Some((kw, pat)) = include_pattern(t) {
                self.include(file, main, lineno, kw, pat, nest);
                continue;
            }
            let t = strip_comment(t);
            let t = t.trim_matches([' ', '\t']).to_string();
            if t.is_empty() {
                continue;
            }
            // Definitions.
            if let Some(def) = t.strip_prefix('$') {
                if let Some((name, value)) = def.split_once('=') {
                    if is_name(name) {
                        let mut value = value.to_string();
                        if let Some(first) = value.strip_suffix('\\') {
                            // Multi-line: `$NAME=\` then lines ending in
                            // '\'; the first line without one ends it.
                            let mut parts = Vec::new();
                            if !first.trim().is_empty() {
                                parts.push(first.trim().to_string());
                            }
                            while i < raw.len() {
                                let body = raw[i].1.trim_end_matches('\r').to_string();
                                i += 1;
                                match body.strip_suffix('\\') {
                                    Some(b) => parts.push(b.to_string()),
                                    None => {
                                        parts.push(body);
                                        break;
                                    }
                                }
                            }
                            value = parts.join("\n");
                        }
                        self.defs.push((name.to_string(), value));
                        continue;
                    }
                }
            }
            // Outside a definition a trailing backslash continues nothing,
            // but the reader has already eaten the blanks before it.
            let t = match t.strip_suffix('\\') {
                Some(b) => format!("{}\\", b.trim_end_matches([' ', '\t'])),
                None => t,
            };
            self.logical(file, main, lineno, &t, 0);
        }
    }

    fn include(&mut self, file: &str, main: bool, lineno: usize, kw: &str, pat: &str, nest: usize) {
        let pat = pat.trim();
        let full = join(&dir_of(file), pat);
        let matches = self.host.glob(&full);
        // Which checks the variant asks for: `m`ust match, match even
        // through a `w`ildcard, `a`ll of them.
        let must_match = matches!(kw, "includem" | "includew" | "includea");
        let must_match_wildcard = matches!(kw, "includew" | "includea");
        if matches.is_empty() || nest > 16 {
            let wildcard = pat.contains(['*', '?', '[']);
            let dir_exists = self.host.is_dir(&dir_of(&full));
            if wildcard && dir_exists {
                // An empty match in an existing directory is not an error
                // unless the variant insists.
                if must_match_wildcard {
                    let d = Diagnostic::info(format!("No config files matched '{pat}'."));
                    self.event(file, main, lineno, d, false);
                    self.fatal_include = true;
                }
                return;
            }
            let d = Diagnostic::info(format!("Config files missing '{pat}'."))
                .hint("include paths are relative to the including file's directory; a missing plain include is not an error");
            self.event(file, main, lineno, d, false);
            if must_match {
                self.fatal_include = true;
            }
            return;
        }
        for m in matches {
            if self.host.is_dir(&m) {
                continue;
            }
            if self.overflow {
                return;
            }
            self.included += 1;
            if self.included > MAX_INCLUDED_FILES {
                self.overflow = true;
                let d = Diagnostic::new(
                    Class::Fatal,
                    format!(
                        "Configuration includes more than {MAX_INCLUDED_FILES} files - stopping"
                    ),
                )
                .hint("a file probably includes itself, directly or through another file");
                self.event(file, main, lineno, d, false);
                return;
            }
            match self.host.read(&m) {
                Ok(d) => self.read_data(&m, false, &d, nest + 1),
                Err(_) => {
                    let d = Diagnostic::new(
                        Class::FileNotFound,
                        format!("Config files missing '{m}'."),
                    );
                    self.event(file, main, lineno, d, false);
                }
            }
        }
    }

    /// A line after comments and definitions: conditions, substitution,
    /// loops, then brace splitting.
    fn logical(&mut self, file: &str, main: bool, lineno: usize, t: &str, depth: usize) {
        let Some(t) = self.condition(t) else {
            return;
        };
        // A loop binds its variables before the rest of the line is
        // expanded, so `~LST(V, …) $TEMPLATE` sees V inside the template.
        if depth < 8 && (t.starts_with("~SEQ") || t.starts_with("~LST")) {
            self.expand(file, main, lineno, &t, depth);
            return;
        }
        let sub = self.substitute(&t, file, 0);
        // What a definition produced passes the comment and condition
        // filters again, and may span several lines.
        for piece in sub.split('\n') {
            let piece = if sub.contains('$') || sub != t {
                strip_comment(piece)
            } else {
                piece.to_string()
            };
            let piece = piece.trim_matches([' ', '\t']);
            if piece.is_empty() {
                continue;
            }
            let Some(piece) = self.condition(piece) else {
                continue;
            };
            if depth < 8 && (piece.starts_with("~SEQ") || piece.starts_with("~LST")) {
                self.expand(file, main, lineno, &piece, depth);
                continue;
            }
            self.split_braces(file, main, lineno, &piece);
        }
    }

    fn expand(&mut self, file: &str, main: bool, lineno: usize, piece: &str, depth: usize) {
        match expand_loop_multi(piece) {
            Ok(iterations) => {
                for (vars, rest) in iterations {
                    if self.overflow {
                        break;
                    }
                    let n = vars.len();
                    self.defs.extend(vars);
                    self.logical(file, main, lineno, &rest, depth + 1);
                    self.defs.truncate(self.defs.len() - n);
                }
            }
            Err(e) => {
                // Every process re-reads the file, so every pass reports
                // both of keepalived's lines.
                let def =
                    Diagnostic::new(Class::General, format!("Invalid ~SEQ definition '{piece}'"));
                self.event(file, main, lineno, def, true);
                self.event(file, main, lineno, Diagnostic::new(Class::General, e), true);
            }
        }
    }

    fn condition(&self, t: &str) -> Option<String> {
        let Some(rest) = t.strip_prefix('@') else {
            return Some(t.to_string());
        };
        let (neg, rest) = match rest.strip_prefix('^') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let end = rest.find([' ', '\t'])?;
        let id = &rest[..end];
        let keep = (id == self.config_id) != neg;
        keep.then(|| rest[end..].trim_start().to_string())
    }

    fn split_braces(&mut self, file: &str, main: bool, lineno: usize, t: &str) {
        let mut rest = t.to_string();
        loop {
            let mut in_q = false;
            let pos = rest.char_indices().find(|&(_, c)| {
                if c == '"' {
                    in_q = !in_q;
                }
                !in_q && (c == '{' || c == '}')
            });
            let Some((p, c)) = pos else {
                let r = rest.trim();
                if !r.is_empty() {
                    self.push(file, main, lineno, r.to_string(), false);
                }
                return;
            };
            let before = rest[..p].trim();
            if !before.is_empty() {
                self.push(file, main, lineno, before.to_string(), false);
            }
            let extra = if c == '{' {
                self.depth += 1;
                false
            } else if self.depth == 0 {
                true
            } else {
                self.depth -= 1;
                false
            };
            self.push(file, main, lineno, c.to_string(), extra);
            rest = rest[p + 1..].to_string();
        }
    }

    fn push(&mut self, file: &str, main: bool, line: usize, text: String, extra_brace: bool) {
        if self.out.lines.len() >= MAX_LINES {
            if !self.overflow {
                self.overflow = true;
                let d = Diagnostic::new(
                    Class::Fatal,
                    format!("Configuration expands to more than {MAX_LINES} lines - stopping"),
                );
                self.event(file, main, line, d, false);
            }
            return;
        }
        if text.matches('"').count() % 2 == 1 {
            // Every process re-reads the line and complains about it.
            let d = Diagnostic::new(Class::General, format!("Unterminated quote '{text}'"));
            self.event(file, main, line, d, true);
            let d = Diagnostic::new(Class::General, format!("Unmatched quote: '{text}'"));
            self.event(file, main, line, d, true);
        }
        self.out.lines.push(Line {
            file: file.to_string(),
            main,
            line,
            text,
            extra_brace,
        });
    }
}

fn include_pattern(t: &str) -> Option<(&'static str, &str)> {
    for kw in [
        "includea", "includeb", "includem", "includer", "includew", "include",
    ] {
        if let Some(rest) = t.strip_prefix(kw) {
            if rest.starts_with([' ', '\t']) {
                return Some((kw, rest.trim()));
            }
        }
    }
    None
}

/// `~SEQ(var, [start,] [step,] end) rest`, `~SEQx(...)`,
/// `~LST(var, v1, v2, …) rest`. Returns (var, value, rest) per iteration.
/// One-variable view of [`expand_loop_multi`]: (var, value, rest).
pub fn expand_loop(t: &str) -> Result<Vec<(String, String, String)>, String> {
    Ok(expand_loop_multi(t)?
        .into_iter()
        .map(|(vars, rest)| (vars[0].0.clone(), vars[0].1.clone(), rest))
        .collect())
}

/// Split `a, {b, c}, d` at top-level commas.
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                cur.push(c);
            }
            '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Loops with their variable bindings per iteration: `~SEQ(var, …)`,
/// `~SEQx(…)`, `~LST(var, v1, v2, …)` and `~LST({a,b}, {1,2}, {3,4})`.
pub fn expand_loop_multi(t: &str) -> Result<Vec<(Vec<(String, String)>, String)>, String> {
    let bad = || format!("Invalid ~SEQ specification '{t}'");
    let (kind, after) = if let Some(r) = t.strip_prefix("~SEQx(") {
        ("x", r)
    } else if let Some(r) = t.strip_prefix("~SEQ(") {
        ("d", r)
    } else if let Some(r) = t.strip_prefix("~LST(") {
        ("l", r)
    } else {
        return Err(bad());
    };
    // The argument list ends at the ')' that balances the '('.
    let mut depth = 0i32;
    let close = after
        .char_indices()
        .find(|&(_, c)| {
            match c {
                '{' | '(' => depth += 1,
                '}' => depth -= 1,
                ')' if depth == 0 => return true,
                ')' => depth -= 1,
                _ => {}
            }
            false
        })
        .map(|(i, _)| i)
        .ok_or_else(bad)?;
    let args = split_args(&after[..close]);
    let rest = after[close + 1..].trim().to_string();
    let names: Vec<String> = match args.first() {
        Some(v) if v.starts_with('{') && v.ends_with('}') && kind == "l" => {
            split_args(&v[1..v.len() - 1])
        }
        Some(v) => vec![v.clone()],
        None => return Err(bad()),
    };
    if names.is_empty() || !names.iter().all(|n| is_name(n)) {
        return Err(bad());
    }
    if kind == "l" {
        let mut out = Vec::new();
        for a in &args[1..] {
            let vals: Vec<String> = if names.len() > 1 {
                let inner = a
                    .strip_prefix('{')
                    .and_then(|x| x.strip_suffix('}'))
                    .ok_or_else(bad)?;
                split_args(inner)
            } else {
                vec![a.clone()]
            };
            if vals.len() != names.len() {
                return Err(bad());
            }
            out.push((names.iter().cloned().zip(vals).collect(), rest.clone()));
        }
        return Ok(out);
    }
    let nums: Vec<i64> = args[1..]
        .iter()
        .map(|a| a.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (start, step, end) = match nums.as_slice() {
        [e] => (
            if *e >= 0 { 1 } else { -1 },
            if *e >= 0 { 1 } else { -1 },
            *e,
        ),
        [s, e] => (*s, if e >= s { 1 } else { -1 }, *e),
        [s, st, e] => (*s, *st, *e),
        _ => return Err(bad()),
    };
    if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) {
        return Err(bad());
    }
    let mut out = Vec::new();
    let mut v = start;
    while (step > 0 && v <= end) || (step < 0 && v >= end) {
        let s = if kind == "x" {
            format!("{v:x}")
        } else {
            v.to_string()
        };
        out.push((vec![(names[0].clone(), s)], rest.clone()));
        v += step;
        if out.len() > 100_000 {
            return Err(bad());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemHost;

    fn read(files: &[(&str, &str)], id: &str) -> Read {
        let mut h = MemHost::with_interfaces(&["eth0"]);
        for (n, d) in files {
            h.files.insert(n.to_string(), d.as_bytes().to_vec());
        }
        Reader::new(&h, id).read_main(files[0].0).unwrap()
    }

    fn texts(r: &Read) -> Vec<String> {
        r.lines.iter().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn braces_split_and_count() {
        let r = read(
            &[("k.conf", "vrrp_instance X {\n  advert_int 2}\n}\n")],
            "n",
        );
        assert_eq!(
            texts(&r),
            ["vrrp_instance X", "{", "advert_int 2", "}", "}"]
        );
        assert!(r.lines[4].extra_brace);
        assert_eq!(r.unclosed, 0);
        let r = read(&[("k.conf", "a {\n b {\n")], "n");
        assert_eq!(r.unclosed, 2);
    }

    #[test]
    fn comments_bang_and_hash() {
        assert_eq!(
            strip_comment("auth_pass SOMEPASSWORD!"),
            "auth_pass SOMEPASSWORD"
        );
        assert_eq!(
            strip_comment("auth_pass \"ab#cd!ef\""),
            "auth_pass \"ab#cd!ef\""
        );
        assert_eq!(strip_comment(r"x a\#b\!c # rest"), "x a#b!c ");
    }

    #[test]
    fn definitions_conditions_and_loops() {
        let r = read(
            &[(
                "k.conf",
                "$IF=eth0\n$M=\\\nline one \\\nline two\n@n1 priority 200\n@^n1 priority 100\ninterface $IF\n$M\n~SEQ(N, 1, 3) ip 192.0.2.${N}\n~LST(V, a, b) x $V\nrouter_id a${_HASH}b\nrouter_id \"a${_HASH}b\"\n",
            )],
            "n1",
        );
        assert_eq!(
            texts(&r),
            [
                "priority 200",
                "interface eth0",
                "line one",
                "line two",
                "ip 192.0.2.1",
                "ip 192.0.2.2",
                "ip 192.0.2.3",
                "x a",
                "x b",
                "router_id a",
                "router_id \"a#b\"",
            ]
        );
    }

    #[test]
    fn includes_are_relative_to_the_including_file() {
        let r = read(
            &[
                (
                    "/etc/k/main.conf",
                    "include sub/part.conf\ninclude missing/*.conf\n",
                ),
                ("/etc/k/sub/part.conf", "include other.conf\nrouter_id p\n"),
                ("/etc/k/sub/other.conf", "router_id o\n"),
            ],
            "n",
        );
        assert_eq!(texts(&r), ["router_id o", "router_id p"]);
        assert_eq!(r.diags.len(), 1);
        assert_eq!(
            r.diags[0].located(false).render(),
            "(Line 2) Config files missing 'missing/*.conf'."
        );
    }

    #[test]
    fn loop_forms() {
        assert_eq!(expand_loop("~SEQ(i, 3) x").unwrap().len(), 3);
        assert_eq!(expand_loop("~SEQ(i, 10, -5, 0) x").unwrap().len(), 3);
        assert_eq!(expand_loop("~SEQx(i, 9, 11) x").unwrap()[1].1, "a");
        assert!(expand_loop("~SEQ(i, a) x").is_err());
        let t = expand_loop_multi("~LST({V,A}, {81,192.0.2.1}, {82,192.0.2.2}) x $V $A").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[1].0,
            [
                ("V".to_string(), "82".to_string()),
                ("A".to_string(), "192.0.2.2".to_string())
            ]
        );
    }
}
