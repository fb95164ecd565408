//! The expression language of `.if`/`.elif` and `-cc`.
//!
//! `&&` binds tighter than `||`, `!` negates a term, parentheses group,
//! a number is true when non-zero, and predicates take comma-separated raw
//! arguments. Error texts and positions follow 2.6 so `-cc` scripts and
//! regression-test gates see the same verdicts.

/// The HAProxy release whose language we speak; `version_atleast()` and
/// `-v` use it.
pub const COMPAT_VERSION: &str = "2.6.12";

/// Build features `feature()` answers true for: the set Debian's 2.6
/// reports with `-vv`, so configs gated on them take the same branch.
pub const FEATURES: &[&str] = &[
    "ACCEPT4",
    "BACKTRACE",
    "CPU_AFFINITY",
    "CRYPT_H",
    "DL",
    "EPOLL",
    "GETADDRINFO",
    "LIBCRYPT",
    "LINUX_SPLICE",
    "LINUX_TPROXY",
    "LUA",
    "NETFILTER",
    "NS",
    "OPENSSL",
    "OT",
    "PCRE2",
    "PCRE2_JIT",
    "POLL",
    "PRCTL",
    "PROMEX",
    "RT",
    "SLZ",
    "SYSTEMD",
    "TFO",
    "THREAD",
    "THREAD_DUMP",
    "TPROXY",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondError {
    pub message: String,
    /// 1-based position in the expression where the problem starts.
    pub position: usize,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    defined: &'a dyn Fn(&str) -> bool,
}

/// Evaluate `expr`. `defined` says whether an environment variable is set.
pub fn evaluate(expr: &str, defined: &dyn Fn(&str) -> bool) -> Result<bool, CondError> {
    let mut p = Parser {
        s: expr.as_bytes(),
        i: 0,
        defined,
    };
    p.skip_ws();
    if p.i >= p.s.len() {
        return Ok(false);
    }
    let v = p.or_expr()?;
    p.skip_ws();
    if p.i < p.s.len() {
        return Err(CondError {
            message: format!(
                "unexpected character '{}' at the end of conditional expression '{}'",
                p.s[p.i] as char, expr
            ),
            position: p.i + 1,
        });
    }
    Ok(v)
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t') {
            self.i += 1;
        }
    }

    fn rest_from(&self, at: usize) -> String {
        String::from_utf8_lossy(&self.s[at.min(self.s.len())..]).into_owned()
    }

    fn unparsable(&self, at: usize) -> CondError {
        CondError {
            message: format!("unparsable conditional expression '{}'", self.rest_from(at)),
            position: at + 1,
        }
    }

    fn eat(&mut self, tok: &[u8]) -> bool {
        self.skip_ws();
        if self.s[self.i..].starts_with(tok) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }

    fn or_expr(&mut self) -> Result<bool, CondError> {
        let mut v = self.and_expr()?;
        loop {
            let op = self.i;
            if !self.eat(b"||") {
                return Ok(v);
            }
            let r = self.term_after_op(op, Self::and_expr)?;
            v = v || r;
        }
    }

    fn and_expr(&mut self) -> Result<bool, CondError> {
        let mut v = self.term()?;
        loop {
            let op = self.i;
            if !self.eat(b"&&") {
                return Ok(v);
            }
            let r = self.term_after_op(op, Self::term)?;
            v = v && r;
        }
    }

    // An operator with nothing after it is reported from the operator on.
    fn term_after_op(
        &mut self,
        op: usize,
        f: fn(&mut Self) -> Result<bool, CondError>,
    ) -> Result<bool, CondError> {
        self.skip_ws();
        if self.i >= self.s.len() {
            let mut at = op;
            while at < self.s.len() && self.s[at] == b' ' {
                at += 1;
            }
            return Err(self.unparsable(at));
        }
        f(self)
    }

    fn term(&mut self) -> Result<bool, CondError> {
        self.skip_ws();
        let start = self.i;
        let Some(&c) = self.s.get(self.i) else {
            return Err(self.unparsable(start));
        };
        if c == b'!' {
            self.i += 1;
            return Ok(!self.term()?);
        }
        if c == b'(' {
            self.i += 1;
            let v = self.or_expr()?;
            if !self.eat(b")") {
                return Err(CondError {
                    message: format!(
                        "expected ')' after conditional expression '{}'",
                        self.rest_from(start)
                    ),
                    position: self.i + 1,
                });
            }
            return Ok(v);
        }
        if c.is_ascii_digit() || c == b'-' {
            let mut j = self.i + 1;
            while j < self.s.len() && self.s[j].is_ascii_digit() {
                j += 1;
            }
            let n: i64 = std::str::from_utf8(&self.s[self.i..j])
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            self.i = j;
            return Ok(n != 0);
        }
        let mut j = self.i;
        while j < self.s.len() && (self.s[j].is_ascii_alphanumeric() || self.s[j] == b'_') {
            j += 1;
        }
        let name = String::from_utf8_lossy(&self.s[self.i..j]).into_owned();
        let arity = match name.as_str() {
            "defined" | "feature" | "version_atleast" | "version_before" => 1,
            "streq" | "strneq" => 2,
            _ => return Err(self.unparsable(start)),
        };
        if self.s.get(j) != Some(&b'(') {
            return Err(self.unparsable(start));
        }
        let Some(close) = self.s[j..].iter().position(|&b| b == b')') else {
            return Err(self.unparsable(start));
        };
        let inner = String::from_utf8_lossy(&self.s[j + 1..j + close]).into_owned();
        self.i = j + close + 1;
        let args: Vec<&str> = inner.split(',').collect();
        if args.len() < arity {
            return Err(CondError {
                message: format!(
                    "missing arguments (got {}/{arity}), type 'string' expected in argument {} of predicate '{name}' used in conditional expression",
                    args.len(),
                    args.len()
                ),
                position: start + 1,
            });
        }
        if args.len() > arity {
            return Err(CondError {
                message: format!(
                    "end of arguments expected at position {}, but got ',{}' in predicate '{name}' used in conditional expression",
                    arity + 1,
                    args[arity..].join(",")
                ),
                position: start + 1,
            });
        }
        Ok(match name.as_str() {
            "defined" => !args[0].is_empty() && (self.defined)(args[0]),
            "feature" => FEATURES.contains(&args[0]),
            "streq" => args[0] == args[1],
            "strneq" => args[0] != args[1],
            "version_atleast" => compare_versions(COMPAT_VERSION, args[0]).is_ge(),
            "version_before" => compare_versions(COMPAT_VERSION, args[0]).is_lt(),
            _ => unreachable!("arity table and evaluation table list the same names"),
        })
    }
}

/// Order two HAProxy version strings: numeric dotted parts, then a
/// pre-release tag (`-devN` < `-preN` < `-rcN` < release). Unparsable
/// parts count as zero.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(v: &str) -> (Vec<u64>, u8, u64) {
        let (main, tag) = match v.find('-') {
            Some(p) => (&v[..p], &v[p + 1..]),
            None => (v, ""),
        };
        let mut nums: Vec<u64> = main
            .split('.')
            .map(|p| {
                p.chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0)
            })
            .collect();
        while nums.len() < 4 {
            nums.push(0);
        }
        let num_of = |t: &str| t.parse::<u64>().unwrap_or(0);
        let (rank, n) = if let Some(t) = tag.strip_prefix("dev") {
            (0, num_of(t))
        } else if let Some(t) = tag.strip_prefix("pre") {
            (1, num_of(t))
        } else if let Some(t) = tag.strip_prefix("rc") {
            (2, num_of(t))
        } else {
            (3, 0)
        };
        (nums, rank, n)
    }
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(e: &str) -> Result<bool, String> {
        evaluate(e, &|n| n == "HOME").map_err(|e| e.message)
    }

    #[test]
    fn verdicts_match_haproxy_cc() {
        // Each pair was measured with `haproxy -cc` on 2.6.12.
        for (e, want) in [
            ("1", true),
            ("0", false),
            ("", false),
            ("2", true),
            ("defined(HOME)", true),
            ("defined(NOPE)", false),
            ("defined()", false),
            ("feature(OPENSSL)", true),
            ("feature(FOO)", false),
            ("streq(a,a)", true),
            ("streq(a, a)", false),
            ("strneq(a,b)", true),
            ("version_atleast(2.5-dev0)", true),
            ("version_atleast(2.7)", false),
            ("version_before(2.7)", true),
            ("version_atleast(abc)", true),
            ("1 && 0", false),
            ("1 || 0", true),
            ("!0", true),
            ("!(1&&0)", true),
            ("!!1", true),
            ("1&&1||0", true),
            (" 1 ", true),
        ] {
            assert_eq!(ev(e), Ok(want), "{e}");
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(ev("1 || 0 && 0"), Ok(true));
        assert_eq!(ev("(1 || 0) && 0"), Ok(false));
    }

    #[test]
    fn errors_match_haproxy_cc() {
        assert_eq!(
            ev("foo"),
            Err("unparsable conditional expression 'foo'".into())
        );
        assert_eq!(
            ev("foo(1)"),
            Err("unparsable conditional expression 'foo(1)'".into())
        );
        assert_eq!(
            ev("(1"),
            Err("expected ')' after conditional expression '(1'".into())
        );
        assert_eq!(
            ev("1 0"),
            Err("unexpected character '0' at the end of conditional expression '1 0'".into())
        );
        assert_eq!(
            ev("1 &&"),
            Err("unparsable conditional expression '&&'".into())
        );
        assert!(ev("streq(a)")
            .unwrap_err()
            .starts_with("missing arguments (got 1/2)"));
    }

    #[test]
    fn version_order() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("2.6.12", "2.6"), Greater);
        assert_eq!(compare_versions("2.6", "2.6-dev3"), Greater);
        assert_eq!(compare_versions("2.6-dev3", "2.6-rc1"), Less);
        assert_eq!(compare_versions("2.6.0", "2.6"), Equal);
    }
}
