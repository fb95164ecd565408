//! Diagnostics: what the parser found, where, and how serious it is.
//!
//! The library never prints. A [`Diagnostic`] keeps the pieces separately
//! (severity, location, prefix style, message, optional caret snippet and
//! hint) so the binary can render them byte-for-byte like HAProxy 2.6, and
//! other front ends (tests, an LSP some day) can use them structurally.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Diag,
    Notice,
    Warning,
    Alert,
}

impl Severity {
    /// The bracketed tag padded to HAProxy's 11 columns.
    pub fn tag(self) -> &'static str {
        match self {
            Severity::Alert => "[ALERT]    ",
            Severity::Warning => "[WARNING]  ",
            Severity::Notice => "[NOTICE]   ",
            Severity::Diag => "[DIAG]     ",
        }
    }
}

/// A file name and a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// HAProxy uses several location prefixes depending on which layer raised
/// the message; parity tests match on them, so we keep the distinction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// `parsing [f:l] : msg` (keyword handlers)
    Parsing,
    /// `parsing [f:l]: msg` (tokenizer, directives)
    ParsingTight,
    /// `Parsing [f:l]: msg` (proxy name clashes)
    ParsingCapital,
    /// `[f:l] : msg` (server lines)
    Bare,
    /// no location at all (post-parse checks)
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Whether this makes the configuration invalid. HAProxy has non-fatal
    /// ALERTs (e.g. `'pidfile' already specified. Continuing.`).
    pub fatal: bool,
    pub location: Option<Location>,
    pub prefix: Prefix,
    pub message: String,
    /// Extra lines HAProxy prints after the message, already formatted
    /// (caret snippets, `   | ` continuations).
    pub detail: Vec<String>,
    /// Our own explanation, printed on a separate line after HAProxy's text.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            fatal: severity == Severity::Alert,
            location: None,
            prefix: Prefix::None,
            message: message.into(),
            detail: Vec::new(),
            hint: None,
        }
    }

    pub fn alert(message: impl Into<String>) -> Self {
        Self::new(Severity::Alert, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    pub fn notice(message: impl Into<String>) -> Self {
        Self::new(Severity::Notice, message)
    }

    pub fn at(mut self, loc: &Location, prefix: Prefix) -> Self {
        self.location = Some(loc.clone());
        self.prefix = prefix;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.detail.push(line.into());
        self
    }

    pub fn non_fatal(mut self) -> Self {
        self.fatal = false;
        self
    }

    /// The message with its location prefix, without tag or PID.
    pub fn body(&self) -> String {
        match (&self.location, self.prefix) {
            (Some(l), Prefix::Parsing) => format!("parsing [{l}] : {}", self.message),
            (Some(l), Prefix::ParsingTight) => format!("parsing [{l}]: {}", self.message),
            (Some(l), Prefix::ParsingCapital) => format!("Parsing [{l}]: {}", self.message),
            (Some(l), Prefix::Bare) => format!("[{l}] : {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// A caret line under byte `col` (0-based) of `line`, as HAProxy prints
/// under tokenizer errors.
pub fn caret_snippet(line: &str, col: usize) -> [String; 2] {
    [line.to_string(), format!("{}^", " ".repeat(col))]
}
