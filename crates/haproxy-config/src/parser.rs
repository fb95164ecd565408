//! The driver: files → lines → words → conditional blocks → sections →
//! keyword handlers, then the post-parse checks.
//!
//! Control flow mirrors HAProxy's reader so verdicts match: errors are
//! counted per file, an abort stops the current file, and the post-parse
//! phase (backend references, address resolution) runs only when parsing
//! found no error, exactly like 2.6.

use crate::diag::{Diagnostic, Location, Prefix, Severity};
use crate::host::{Host, PathKind};
use crate::keywords::{self, Scope};
use crate::lexer::{self, LexEnv};
use crate::model::{Config, Proxy, ProxyKind};

/// One configuration source, already read.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub data: Vec<u8>,
}

/// After this many fatal errors in one file the reader gives up.
pub const MAX_FATAL_PER_FILE: usize = 50;
/// `.if` blocks may nest this deep.
pub const MAX_NESTING: usize = 100;

/// `no` / `default` before a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    No,
    Default,
}

/// One tokenized line as handlers see it.
#[derive(Debug, Clone)]
pub struct Line {
    pub words: Vec<String>,
    pub loc: Location,
    pub modifier: Option<Modifier>,
}

impl Line {
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(String::as_str)
    }

    pub fn kw(&self) -> &str {
        &self.words[0]
    }
}

/// The section being filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Current {
    None,
    Global,
    Defaults(usize),
    Proxy(usize),
    Userlist(usize),
    Peers(usize),
    Mailers(usize),
    Resolvers(usize),
    Program(usize),
    HttpErrors(usize),
    Ring(usize),
    Cache(usize),
    Other(usize),
}

/// What a handler reports back to the driver.
pub enum Outcome {
    Ok,
    /// A fatal error for this line; parsing continues with the next line.
    Alert(Diagnostic),
    /// A fatal error that stops reading the current file.
    Abort(Diagnostic),
}

impl From<Result<(), Diagnostic>> for Outcome {
    fn from(r: Result<(), Diagnostic>) -> Self {
        match r {
            Ok(()) => Outcome::Ok,
            Err(d) => Outcome::Alert(d),
        }
    }
}

pub struct Parser<'h> {
    pub host: &'h dyn Host,
    pub cfg: Config,
    pub diags: Vec<Diagnostic>,
    pub current: Current,
    /// Files where parsing reported an error ("Error(s) found in
    /// configuration file : F").
    pub error_files: Vec<String>,
    file_errors: usize,
    /// Environment changes made by `setenv` & co. for later lines.
    pub env_overrides: Vec<(String, Option<String>)>,
    /// A fatal "abort" stopped the reading (no further files are read).
    pub aborted: bool,
    /// Proxy name → indexes in `cfg.proxies`, for the duplicate-name check
    /// (a scan per section would make big configs quadratic).
    pub proxy_names: std::collections::HashMap<String, Vec<usize>>,
}

/// The result of checking a configuration.
pub struct Report {
    pub config: Config,
    pub diags: Vec<Diagnostic>,
    pub error_files: Vec<String>,
    /// Reading stopped at an abort-class error; 2.6 then skips its final
    /// "Fatal errors found" line.
    pub aborted: bool,
    /// Something would listen or run (see [`Config::has_listener`]).
    pub has_listener: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    ValidWithWarnings,
    Invalid,
    NoListener,
}

impl Report {
    pub fn has_fatal(&self) -> bool {
        self.diags.iter().any(|d| d.fatal) || !self.error_files.is_empty()
    }

    pub fn warnings(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn verdict(&self) -> Verdict {
        if self.has_fatal() {
            Verdict::Invalid
        } else if !self.has_listener {
            Verdict::NoListener
        } else if self.warnings() > 0 {
            Verdict::ValidWithWarnings
        } else {
            Verdict::Valid
        }
    }
}

/// Turn `-f` arguments into sources: files as they are, directories as
/// their regular `*.cfg` files in byte order (hidden files skipped).
pub fn load_paths(paths: &[String], host: &dyn Host) -> (Vec<Source>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let unreadable = |p: &str, e: &std::io::Error| {
        Diagnostic::alert(format!(
            "Cannot open configuration file/directory {p} : {}",
            io_reason(e)
        ))
    };
    for p in paths {
        match host.path_kind(p) {
            PathKind::Dir => {
                let mut names = match host.list_dir(p) {
                    Ok(n) => n,
                    Err(e) => {
                        diags.push(unreadable(p, &e));
                        continue;
                    }
                };
                names.retain(|n| !n.starts_with('.') && n.ends_with(".cfg"));
                names.sort();
                for n in names {
                    let full = format!("{}/{}", p.trim_end_matches('/'), n);
                    if host.path_kind(&full) != PathKind::File {
                        continue;
                    }
                    match host.read(&full) {
                        Ok(data) => out.push(Source { name: full, data }),
                        Err(e) => diags.push(unreadable(&full, &e)),
                    }
                }
            }
            PathKind::Missing => diags.push(unreadable(
                p,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
            )),
            _ => match host.read(p) {
                Ok(data) => out.push(Source {
                    name: p.clone(),
                    data,
                }),
                Err(e) => diags.push(Diagnostic::alert(format!(
                    "Could not open configuration file {p} : {}",
                    io_reason(&e)
                ))),
            },
        }
    }
    (out, diags)
}

/// The C library's wording for common errors, as HAProxy prints them.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "No such file or directory".into(),
        PermissionDenied => "Permission denied".into(),
        IsADirectory => "Is a directory".into(),
        _ => e
            .to_string()
            .split(" (os error")
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// Settings that come from the command line rather than the file.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `-W` / `-Ws`: master-worker mode, as the `master-worker` keyword.
    pub master_worker: bool,
    /// `-L NAME`: this node's name in `peers` sections.
    pub local_peer: Option<String>,
    /// `-dr`: ignore server address resolution failures.
    pub ignore_resolution: bool,
    /// `-dV`: no server certificate verification.
    pub no_server_verify: bool,
}

/// Parse and validate `sources` as one configuration.
pub fn check(sources: &[Source], host: &dyn Host) -> Report {
    check_with(sources, host, &CheckOptions::default())
}

/// [`check`] with command-line settings.
pub fn check_with(sources: &[Source], host: &dyn Host, opts: &CheckOptions) -> Report {
    let mut p = Parser {
        host,
        cfg: Config::default(),
        diags: Vec::new(),
        current: Current::None,
        error_files: Vec::new(),
        file_errors: 0,
        env_overrides: Vec::new(),
        aborted: false,
        proxy_names: Default::default(),
    };
    p.cfg.global.master_worker = opts.master_worker;
    p.cfg.global.cli_ignore_resolution = opts.ignore_resolution;
    p.cfg.global.cli_no_server_verify = opts.no_server_verify;
    if opts.local_peer.is_some() {
        p.cfg.global.localpeer = opts.local_peer.clone();
    }
    for s in sources {
        p.parse_source(s);
        if p.aborted {
            break;
        }
    }
    if p.error_files.is_empty() && !p.diags.iter().any(|d| d.fatal) {
        crate::validate::post_parse(&mut p);
    }
    let local = crate::sections::local_peer_name(&p.cfg.global, host);
    let has_listener = p.cfg.has_listener(local.as_deref());
    Report {
        config: p.cfg,
        diags: p.diags,
        error_files: p.error_files,
        aborted: p.aborted,
        has_listener,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    /// This branch is being read.
    Active,
    /// An earlier branch was taken; skip until `.endif`.
    Done,
    /// No branch taken yet; a later `.elif`/`.else` may be.
    Waiting,
    /// The whole `.if` sits inside a skipped block.
    Nested,
}

struct CondFrame {
    state: Block,
    seen_else: bool,
}

impl<'h> Parser<'h> {
    pub fn env_var(&self, name: &str) -> Option<String> {
        lookup_env(&self.env_overrides, self.host, name)
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// An integer read as 2.6 reads it (`atol`, trailing junk ignored),
    /// with a notice saying what was really understood.
    pub fn lenient_int(&mut self, line: &Line, v: &str) -> i64 {
        let n = crate::units::atol(v);
        if n.sloppy {
            self.push(
                Diagnostic::notice(format!(
                    "'{}' value '{v}' is read as {} (trailing characters ignored, as HAProxy 2.6 does).",
                    line.kw(),
                    n.value
                ))
                .at(&line.loc, Prefix::ParsingTight),
            );
        }
        n.value
    }

    pub fn warn(&mut self, loc: &Location, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(msg).at(loc, Prefix::Parsing));
    }

    /// The proxy or defaults section being filled, if any.
    pub fn proxy_mut(&mut self) -> Option<&mut Proxy> {
        match self.current {
            Current::Defaults(i) => self.cfg.defaults.get_mut(i),
            Current::Proxy(i) => self.cfg.proxies.get_mut(i),
            _ => None,
        }
    }

    pub fn proxy(&self) -> Option<&Proxy> {
        match self.current {
            Current::Defaults(i) => self.cfg.defaults.get(i),
            Current::Proxy(i) => self.cfg.proxies.get(i),
            _ => None,
        }
    }

    fn section_label(&self) -> &'static str {
        match self.current {
            Current::None => "",
            Current::Global => "global",
            Current::Defaults(_) => "defaults",
            Current::Proxy(i) => self.cfg.proxies[i].kind.keyword(),
            Current::Userlist(_) => "userlist",
            Current::Peers(_) => "peers",
            Current::Mailers(_) => "mailers",
            Current::Resolvers(_) => "resolvers",
            Current::Program(_) => "program",
            Current::HttpErrors(_) => "http-errors",
            Current::Ring(_) => "ring",
            Current::Cache(_) => "cache",
            Current::Other(i) => {
                keywords::section_keyword(&self.cfg.other_sections[i].kind).unwrap_or("")
            }
        }
    }

    /// `${.SECTION}`: the section's name, or its type when unnamed.
    fn section_name(&self) -> String {
        match self.current {
            Current::Defaults(i) if !self.cfg.defaults[i].name.is_empty() => {
                self.cfg.defaults[i].name.clone()
            }
            Current::Proxy(i) => self.cfg.proxies[i].name.clone(),
            _ => self.section_label().to_string(),
        }
    }

    fn fail(&mut self, d: Diagnostic, file: &str) {
        self.diags.push(d);
        self.file_errors += 1;
        if !self.error_files.iter().any(|f| f == file) {
            self.error_files.push(file.to_string());
        }
    }

    fn parse_source(&mut self, src: &Source) {
        self.current = Current::None;
        self.file_errors = 0;
        let mut conds: Vec<CondFrame> = Vec::new();
        let data = &src.data[..];
        let mut start = 0;
        let mut lineno = 0;
        while start < data.len() {
            lineno += 1;
            let end = data[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|p| start + p);
            let raw_full = &data[start..end.unwrap_or(data.len())];
            // A NUL ends the line as far as the reader can tell, so what
            // follows looks like a truncated file.
            let nul = raw_full.iter().position(|&b| b == 0);
            let raw = &raw_full[..nul.unwrap_or(raw_full.len())];
            let loc = Location {
                file: src.name.clone(),
                line: lineno,
            };
            let stop = self.parse_line(raw, &loc, &mut conds);
            if stop || self.file_errors >= MAX_FATAL_PER_FILE {
                self.aborted = true;
                if self.file_errors >= MAX_FATAL_PER_FILE {
                    self.diags.push(
                        Diagnostic::alert("too many fatal errors (50), stopping now.")
                            .at(&loc, Prefix::ParsingTight),
                    );
                }
                return;
            }
            if end.is_none() || nul.is_some() {
                let pos = raw.len() + 1;
                self.fail(
                    Diagnostic::alert(format!(
                        "Missing LF on last line, file might have been truncated at position {pos}."
                    ))
                    .at(&loc, Prefix::ParsingTight)
                    .hint("add a newline at the end of the file"),
                    &src.name,
                );
                return;
            }
            start = end.map_or(data.len(), |e| e + 1);
        }
        crate::sections::end_section(self);
        if !conds.is_empty() {
            let loc = Location {
                file: src.name.clone(),
                line: lineno,
            };
            self.aborted = true;
            self.fail(
                Diagnostic::alert("non-terminated '.if' block.")
                    .at(&loc, Prefix::ParsingTight)
                    .hint("every '.if' needs a matching '.endif'"),
                &src.name,
            );
        }
    }

    /// Returns true when the rest of the file must be skipped.
    fn parse_line(&mut self, raw: &[u8], loc: &Location, conds: &mut Vec<CondFrame>) -> bool {
        let lexed = {
            let section = self.section_name();
            let overrides = &self.env_overrides;
            let host = self.host;
            let var = move |n: &str| lookup_env(overrides, host, n);
            let env = LexEnv {
                var: &var,
                file: &loc.file,
                line: loc.line,
                section: &section,
            };
            lexer::tokenize(raw, &env)
        };
        let text = || String::from_utf8_lossy(raw).into_owned();
        let lexed = match lexed {
            Ok(l) => l,
            Err(e) => {
                let mut d = Diagnostic::alert(e.message.clone()).at(loc, Prefix::ParsingTight);
                d.detail = e.snippet(text().trim_end_matches('\r'));
                self.fail(d, &loc.file);
                return false;
            }
        };
        let mut words = lexed.words;
        if words.is_empty() {
            return false;
        }
        let active = conds.iter().all(|c| c.state == Block::Active);

        if words[0].starts_with('.') {
            return self.directive(&words, &text(), loc, conds, active);
        }
        if !active {
            return false;
        }
        if !lexed.dropped.is_empty() {
            self.push(
                Diagnostic::notice(format!(
                    "an empty word ends the line: {} word(s) after it are ignored ({}).",
                    lexed.dropped.len(),
                    lexed.dropped.join(" ")
                ))
                .at(loc, Prefix::ParsingTight)
                .hint("HAProxy 2.6 silently drops them too; quote the value or set the variable"),
            );
        }

        let mut modifier = None;
        if words[0] == "no" || words[0] == "default" {
            modifier = Some(if words[0] == "no" {
                Modifier::No
            } else {
                Modifier::Default
            });
            words.remove(0);
            if words.is_empty() {
                return false;
            }
        }

        if let Some(kind) = keywords::section_keyword(&words[0]) {
            if modifier.is_some() {
                self.fail(negation_error(loc), &loc.file);
                return false;
            }
            let line = Line {
                words,
                loc: loc.clone(),
                modifier,
            };
            let outcome = crate::sections::start_section(self, kind, &line);
            return self.settle(outcome, loc);
        }

        let line = Line {
            words,
            loc: loc.clone(),
            modifier,
        };
        let outcome = self.dispatch(&line);
        self.settle(outcome, loc)
    }

    /// Record a handler's outcome; true when the file must stop.
    fn settle(&mut self, outcome: Outcome, loc: &Location) -> bool {
        match outcome {
            Outcome::Ok => false,
            Outcome::Alert(d) => {
                self.fail(d, &loc.file);
                false
            }
            Outcome::Abort(d) => {
                self.fail(d, &loc.file);
                true
            }
        }
    }

    fn dispatch(&mut self, line: &Line) -> Outcome {
        let scope = match self.current {
            Current::None => return Outcome::Alert(
                Diagnostic::alert(format!("unknown keyword '{}' out of section.", line.kw()))
                    .at(&line.loc, Prefix::ParsingTight)
                    .hint(
                        "a file must start with a section keyword such as 'global' or 'defaults'",
                    ),
            ),
            Current::Global => Scope::GLOBAL,
            Current::Defaults(_) => Scope::DEFAULTS,
            Current::Proxy(i) => match self.cfg.proxies[i].kind {
                ProxyKind::Frontend => Scope::FRONTEND,
                ProxyKind::Backend => Scope::BACKEND,
                _ => Scope::LISTEN,
            },
            Current::Userlist(_) => Scope::USERLIST,
            Current::Peers(_) => Scope::PEERS,
            Current::Mailers(_) => Scope::MAILERS,
            Current::Resolvers(_) => Scope::RESOLVERS,
            Current::Program(_) => Scope::PROGRAM,
            Current::HttpErrors(_) => Scope::HTTP_ERRORS,
            Current::Ring(_) => Scope::RING,
            Current::Cache(_) => Scope::CACHE,
            Current::Other(_) => return crate::sections::other_section_line(self, line),
        };
        if line.modifier.is_some() {
            let kw = line.kw();
            let allowed = kw == "option"
                || kw == "log"
                || (scope == Scope::GLOBAL && keywords::GLOBAL_NEGATABLE.contains(&kw));
            if !allowed {
                return Outcome::Alert(negation_error(&line.loc));
            }
        }
        let label = self.section_label();
        keywords::dispatch(self, scope, label, line)
    }

    fn directive(
        &mut self,
        words: &[String],
        text: &str,
        loc: &Location,
        conds: &mut Vec<CondFrame>,
        active: bool,
    ) -> bool {
        let name = words[0].as_str();
        let tight = |m: String| Diagnostic::alert(m).at(loc, Prefix::ParsingTight);
        match name {
            ".if" | ".elif" => {
                if name == ".if" && conds.len() >= MAX_NESTING {
                    self.fail(
                        tight(format!("too many nested '.if', max is {MAX_NESTING}.")),
                        &loc.file,
                    );
                    return true;
                }
                if name == ".elif" {
                    match conds.last() {
                        None => {
                            self.fail(
                                tight("lone '.elif' with no matching '.if'.".into()),
                                &loc.file,
                            );
                            return true;
                        }
                        Some(f) if f.seen_else => {
                            self.fail(
                                tight("'.elif' after '.else' is not permitted.".into()),
                                &loc.file,
                            );
                            return true;
                        }
                        _ => {}
                    }
                }
                let parent_active = if name == ".if" {
                    active
                } else {
                    conds[..conds.len() - 1]
                        .iter()
                        .all(|c| c.state == Block::Active)
                };
                let waiting =
                    name == ".if" || conds.last().map(|f| f.state) == Some(Block::Waiting);
                let value = if parent_active && waiting {
                    let expr = words[1..].join(" ");
                    let var = |n: &str| self.env_var(n).is_some();
                    match crate::cond::evaluate(&expr, &var) {
                        Ok(v) => v,
                        Err(e) => {
                            let col = text
                                .find(&words[1..].first().cloned().unwrap_or_default())
                                .unwrap_or(0);
                            let mut d = tight(format!(
                                "{} in '{name}' at position {}:",
                                e.message, e.position
                            ));
                            d.detail =
                                crate::diag::caret_snippet(text, col + e.position - 1).to_vec();
                            self.fail(d, &loc.file);
                            return true;
                        }
                    }
                } else {
                    false
                };
                let state = if !parent_active {
                    Block::Nested
                } else if !waiting {
                    Block::Done
                } else if value {
                    Block::Active
                } else {
                    Block::Waiting
                };
                if name == ".if" {
                    conds.push(CondFrame {
                        state,
                        seen_else: false,
                    });
                } else if let Some(f) = conds.last_mut() {
                    f.state = state;
                }
                false
            }
            ".else" => {
                let Some(f) = conds.last_mut() else {
                    self.fail(
                        tight("lone '.else' with no matching '.if'.".into()),
                        &loc.file,
                    );
                    return true;
                };
                if f.seen_else {
                    self.fail(
                        tight("'.else' after '.else' is not permitted.".into()),
                        &loc.file,
                    );
                    return true;
                }
                f.seen_else = true;
                f.state = match f.state {
                    Block::Waiting => Block::Active,
                    Block::Active | Block::Done => Block::Done,
                    Block::Nested => Block::Nested,
                };
                false
            }
            ".endif" => {
                if conds.pop().is_none() {
                    self.fail(
                        tight("lone '.endif' with no matching '.if'.".into()),
                        &loc.file,
                    );
                    return true;
                }
                false
            }
            ".diag" | ".notice" | ".warning" | ".alert" => {
                if !active {
                    return false;
                }
                if words.len() > 2 {
                    self.fail(
                        tight(format!(
                            "Unexpected argument '{}' for '{name}'. Use quotes if the message should contain spaces.",
                            words[2]
                        )),
                        &loc.file,
                    );
                    return false;
                }
                let msg = format!("'{}'.", words.get(1).map(String::as_str).unwrap_or(""));
                match name {
                    ".diag" => self
                        .push(Diagnostic::new(Severity::Diag, msg).at(loc, Prefix::ParsingTight)),
                    ".notice" => self.push(Diagnostic::notice(msg).at(loc, Prefix::ParsingTight)),
                    ".warning" => self.push(Diagnostic::warning(msg).at(loc, Prefix::ParsingTight)),
                    _ => {
                        self.fail(tight(msg), &loc.file);
                        return true;
                    }
                }
                false
            }
            _ => {
                if !active {
                    return false;
                }
                self.fail(tight(format!("unknown directive '{name}'.")), &loc.file);
                true
            }
        }
    }
}

/// The environment as `setenv`, `unsetenv` and `resetenv` left it: the
/// latest change to `name` wins; a `resetenv` before it hides the host's.
fn lookup_env(
    overrides: &[(String, Option<String>)],
    host: &dyn Host,
    name: &str,
) -> Option<String> {
    for (k, v) in overrides.iter().rev() {
        if k == name {
            return v.clone();
        }
        if k == crate::global::RESETENV_MARK {
            return None;
        }
    }
    host.env(name)
}

fn negation_error(loc: &Location) -> Diagnostic {
    Diagnostic::alert(
        "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
    )
    .at(loc, Prefix::ParsingTight)
}
