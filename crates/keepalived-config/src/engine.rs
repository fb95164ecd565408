//! The keyword tree and the passes that walk it.
//!
//! keepalived parses the whole file once per process (parent, checkers,
//! VRRP, BFD), each with its own set of *active* top-level sections; a
//! section owned by another process is skipped. `-t` runs the four passes
//! in that order, so a message about a line no pass owns appears once per
//! pass, exactly as users see it. Brace recovery (the missing `{` that the
//! guide's own file has) falls out of the same recursive walk.

use crate::diag::{Class, Diagnostic, Location};
use crate::host::Host;
use crate::model::Config;
use crate::reader::{Line, Read};
use crate::tokens;

/// The four keepalived processes, in `-t` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Parent,
    Checker,
    Vrrp,
    Bfd,
}

pub const PASSES: [Pass; 4] = [Pass::Parent, Pass::Checker, Pass::Vrrp, Pass::Bfd];

/// How far our support for a keyword goes (for docs/compatibility.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Parsed into the typed model and validated.
    Supported,
    /// Recognised and kept as words; no typed field yet.
    Parsed,
    /// Accepted as 2.2 accepts it, with its deprecation message.
    Deprecated,
}

pub type Handler = fn(&mut Ctx<'_>, &[String]);
pub type Close = fn(&mut Ctx<'_>);

#[derive(Clone, Copy)]
pub enum Kind {
    /// Words on the keyword's own line.
    Leaf(Handler),
    /// Opens a block of keywords.
    Block {
        open: Option<Handler>,
        table: &'static [Kw],
        close: Option<Close>,
    },
    /// Opens a block whose lines are data (`virtual_ipaddress`, …).
    Values {
        open: Option<Handler>,
        line: Handler,
    },
}

#[derive(Clone, Copy)]
pub struct Kw {
    pub name: &'static str,
    /// For top-level sections: the process that reads them.
    pub owner: Option<Pass>,
    /// Words required after the keyword; fewer is keepalived's fatal
    /// "missing a parameter" (exit 2).
    pub min_args: usize,
    pub status: Status,
    pub kind: Kind,
}

impl Kw {
    pub const fn leaf(name: &'static str, min_args: usize, h: Handler) -> Kw {
        Kw {
            name,
            owner: None,
            min_args,
            status: Status::Supported,
            kind: Kind::Leaf(h),
        }
    }

    pub const fn parsed(name: &'static str, min_args: usize) -> Kw {
        Kw {
            name,
            owner: None,
            min_args,
            status: Status::Parsed,
            kind: Kind::Leaf(keep),
        }
    }

    pub const fn values(name: &'static str, open: Option<Handler>, line: Handler) -> Kw {
        Kw {
            name,
            owner: None,
            min_args: 0,
            status: Status::Supported,
            kind: Kind::Values { open, line },
        }
    }

    pub const fn block(
        name: &'static str,
        min_args: usize,
        open: Option<Handler>,
        table: &'static [Kw],
        close: Option<Close>,
    ) -> Kw {
        Kw {
            name,
            owner: None,
            min_args,
            status: Status::Supported,
            kind: Kind::Block { open, table, close },
        }
    }

    pub const fn owned(mut self, owner: Pass) -> Kw {
        self.owner = Some(owner);
        self
    }

    pub const fn status(mut self, s: Status) -> Kw {
        self.status = s;
        self
    }
}

/// A handler that keeps nothing (recognised, not modelled yet).
pub fn keep(_: &mut Ctx<'_>, _: &[String]) {}

/// Per-pass parsing state handed to keyword handlers.
pub struct Ctx<'a> {
    pub cfg: &'a mut Config,
    pub host: &'a dyn Host,
    pub pass: Pass,
    pub diags: &'a mut Vec<Diagnostic>,
    /// The line being handled.
    pub line: Option<Line>,
    /// Whether to name the main file in locations (every pass but the
    /// parent's first read does).
    pub name_main: bool,
    /// Set when keepalived would exit at once (missing parameter).
    pub fatal_exit: Option<i32>,
    /// Index of the section being filled, by kind, for handlers.
    pub cur: Cursor,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Cursor {
    pub instance: Option<usize>,
    pub script: Option<usize>,
    pub sync_group: Option<usize>,
    pub track_file: Option<usize>,
    pub track_process: Option<usize>,
    pub virtual_server: Option<usize>,
    pub real_server: Option<usize>,
    pub checker: Option<usize>,
    pub vs_group: Option<usize>,
    pub bfd: Option<usize>,
    pub generic: Option<usize>,
}

impl Ctx<'_> {
    pub fn loc(&self) -> Option<Location> {
        self.line.as_ref().map(|l| l.location(self.name_main))
    }

    /// Report at the current line.
    pub fn error(&mut self, class: Class, msg: impl Into<String>) {
        let d = Diagnostic::new(class, msg).at(self.loc());
        self.diags.push(d);
    }

    pub fn error_hint(&mut self, class: Class, msg: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::new(class, msg).at(self.loc()).hint(hint);
        self.diags.push(d);
    }

    /// Report without a location (post-parse checks).
    pub fn report(&mut self, class: Class, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(class, msg));
    }

    /// The raw text of the current line (for command keywords).
    pub fn raw(&self) -> String {
        self.line
            .as_ref()
            .map(|l| l.text.clone())
            .unwrap_or_default()
    }
}

struct Walker<'r, 'c, 'a> {
    lines: &'r [Line],
    pos: usize,
    ctx: &'c mut Ctx<'a>,
    /// Reader problems still to report in this pass.
    pending: Vec<&'r crate::reader::Event>,
}

impl Walker<'_, '_, '_> {
    fn flush_pending(&mut self, upto: usize) {
        let mut n = 0;
        while let Some(ev) = self.pending.get(n) {
            if ev.at > upto {
                break;
            }
            self.ctx.diags.push(ev.located(self.ctx.name_main));
            n += 1;
        }
        self.pending.drain(..n);
    }

    fn next_line(&mut self) -> Option<(Line, Vec<String>)> {
        while self.pos < self.lines.len() {
            self.flush_pending(self.pos);
            let l = self.lines[self.pos].clone();
            self.pos += 1;
            self.ctx.line = Some(l.clone());
            if l.extra_brace {
                self.ctx.error(Class::General, "Extra '}' found");
            }
            // An open quote was reported by the reader for every pass.
            let (w, _open) = tokens::words(&l.text);
            if !w.is_empty() {
                return Some((l, w));
            }
        }
        None
    }

    fn peek_is_open(&self) -> bool {
        self.lines.get(self.pos).is_some_and(|l| l.text == "{")
    }

    /// Skip a `{…}` block of a section this pass does not own.
    fn skip_block(&mut self) {
        if !self.peek_is_open() {
            return;
        }
        let mut depth = 0usize;
        while self.pos < self.lines.len() {
            let t = self.lines[self.pos].text.as_str();
            self.pos += 1;
            match t {
                "{" => depth += 1,
                "}" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// `opener` is the keyword line of the block being read, for hints.
    fn walk(
        &mut self,
        table: &'static [Kw],
        mut need_bob: bool,
        level: usize,
        opener: Option<&Line>,
    ) {
        while let Some((line, words)) = self.next_line() {
            if self.ctx.fatal_exit.is_some() {
                return;
            }
            let w0 = words[0].as_str();
            if need_bob {
                need_bob = false;
                if w0 == "{" && level > 0 {
                    continue;
                }
                let hint = match opener {
                    Some(o) => format!(
                        "line {} ('{}') opens a block but has no '{{': add it there; keepalived reads on as if it were present",
                        o.line, o.text
                    ),
                    None => "the line that opens this block has no '{'".to_string(),
                };
                self.ctx.error_hint(
                    Class::General,
                    "Missing '{' at beginning of configuration block",
                    hint,
                );
            } else if w0 == "{" {
                self.ctx.error(Class::General, "Unexpected '{' - ignoring");
                continue;
            }
            if w0 == "}" && level > 0 {
                return;
            }
            // A section read by two processes has a row per owner; take
            // the one that belongs to this pass if there is one.
            let pass = self.ctx.pass;
            let kw = table
                .iter()
                .filter(|k| k.name == w0)
                .min_by_key(|k| u8::from(k.owner.is_some_and(|o| o != pass)));
            let Some(kw) = kw else {
                let mut d =
                    Diagnostic::new(Class::UnknownKeyword, format!("Unknown keyword '{w0}'"))
                        .at(self.ctx.loc());
                if let Some(s) = suggest(w0, table) {
                    d = d.hint(format!("did you mean '{s}'?"));
                }
                self.ctx.diags.push(d);
                continue;
            };
            if let Some(owner) = kw.owner {
                if owner != self.ctx.pass {
                    self.skip_block();
                    continue;
                }
            }
            if words.len() < kw.min_args + 1 {
                let text = self.ctx.raw();
                self.ctx.error(
                    Class::Fatal,
                    format!(
                        "*** Configuration line starting `{text}` is missing a parameter after keyword `{w0}` at word position {}",
                        words.len() + 1
                    ),
                );
                self.ctx.fatal_exit = Some(2);
                return;
            }
            match &kw.kind {
                Kind::Leaf(h) => h(self.ctx, &words),
                Kind::Block { open, table, close } => {
                    if let Some(h) = open {
                        h(self.ctx, &words);
                    }
                    self.walk(table, true, level + 1, Some(&line));
                    if self.ctx.fatal_exit.is_some() {
                        return;
                    }
                    if let Some(c) = close {
                        c(self.ctx);
                    }
                }
                Kind::Values { open, line } => {
                    if let Some(h) = open {
                        h(self.ctx, &words);
                    }
                    self.values(*line);
                }
            }
        }
    }

    /// Lines of a value block until its `}`.
    fn values(&mut self, h: Handler) {
        // keepalived reads on silently when a value block has no '{'.
        if self.peek_is_open() {
            self.pos += 1;
        }
        while let Some((_l, words)) = self.next_line() {
            if words[0] == "}" {
                return;
            }
            if words[0] == "{" {
                self.ctx.error(Class::General, "Unexpected '{' - ignoring");
                continue;
            }
            h(self.ctx, &words);
        }
    }
}

fn suggest(word: &str, table: &[Kw]) -> Option<&'static str> {
    // Levenshtein distance, small tables: cheap enough.
    fn lev(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let v = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
                cur.push(v);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let lw = word.to_ascii_lowercase();
    let limit = |n: &str| 2.max(n.len() / 4);
    table
        .iter()
        // The distance is at least the length difference: skipping those
        // keeps a 1023-byte junk word from costing a full matrix per row.
        .filter(|k| lw.len().abs_diff(k.name.len()) <= limit(k.name))
        .map(|k| (k.name, lev(&lw, k.name)))
        .filter(|(n, d)| *d > 0 && *d <= limit(n))
        .min_by_key(|(_, d)| *d)
        .map(|(n, _)| n)
}

/// Walk `read` once for `pass`.
pub fn run_pass(ctx: &mut Ctx<'_>, read: &Read, table: &'static [Kw]) {
    let pending: Vec<&crate::reader::Event> = read
        .diags
        .iter()
        .filter(|ev| ev.every_pass || ctx.pass == Pass::Parent)
        .collect();
    let mut w = Walker {
        lines: &read.lines,
        pos: 0,
        ctx,
        pending,
    };
    w.walk(table, false, 0, None);
    w.flush_pending(usize::MAX);
    if ctx.fatal_exit.is_none() && read.unclosed > 0 {
        ctx.line = None;
        ctx.report(
            Class::General,
            format!("There are {} missing '}}'s or extra '{{'s", read.unclosed),
        );
    }
}
