//! Configuration errors and their classes.
//!
//! keepalived sorts every config problem into a class; `-t` exits with the
//! code of the highest class seen (so an ordinary error can hide a "cannot
//! run" one, exactly as 2.2.7 does). The library keeps the class, the
//! location and the message apart so the binary can print them verbatim.

/// Ordered like keepalived 2.2's error enum: the highest one seen decides
/// the `-t` exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A missing file or an unusable interface: cannot run (exit 4).
    FileNotFound,
    BadInterface,
    Fatal,
    /// Ordinary errors: will run with a degraded config (exit 5).
    MultipleFiles,
    UnknownKeyword,
    General,
    Warning,
    Deprecated,
    /// Scripts configured without `enable_script_security` (exit 6).
    Security,
}

impl Class {
    pub fn exit_code(self) -> i32 {
        match self {
            Class::FileNotFound | Class::BadInterface | Class::Fatal => 4,
            Class::Security => 6,
            _ => 5,
        }
    }
}

/// Where a line came from. `file` is `None` in the parent's first pass
/// over the main file, where keepalived prints `(Line N)` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `None`: informational output that does not affect the verdict.
    pub class: Option<Class>,
    pub location: Option<Location>,
    pub message: String,
    /// Our explanation, printed on its own line after keepalived's text.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Diagnostic {
            class: Some(class),
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn info(message: impl Into<String>) -> Self {
        Diagnostic {
            class: None,
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, loc: Option<Location>) -> Self {
        self.location = loc;
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }

    /// The line as keepalived prints it.
    pub fn render(&self) -> String {
        match &self.location {
            Some(Location {
                file: Some(f),
                line,
            }) => format!("({f}: Line {line}) {}", self.message),
            Some(Location { file: None, line }) => format!("(Line {line}) {}", self.message),
            None => self.message.clone(),
        }
    }
}
