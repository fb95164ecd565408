//! Times, sizes and integers as HAProxy 2.6 reads them.
//!
//! Times keep 2.6's verdicts exactly (an unknown unit is an error, trailing
//! text after a valid unit only a warning). Integers are where 2.6 is sloppy
//! (`atol` ignores trailing junk, so `maxconn 4k` means 4): we keep the
//! verdict but report what was really understood, as a hint.

use std::time::Duration;

/// The largest timer HAProxy accepts, in milliseconds.
pub const MAX_TIMER_MS: u64 = 2_147_483_647;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Us,
    Ms,
    S,
    M,
    H,
    D,
}

impl TimeUnit {
    fn micros(self) -> u64 {
        match self {
            TimeUnit::Us => 1,
            TimeUnit::Ms => 1_000,
            TimeUnit::S => 1_000_000,
            TimeUnit::M => 60_000_000,
            TimeUnit::H => 3_600_000_000,
            TimeUnit::D => 86_400_000_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeError {
    /// `unexpected character 'x'`
    BadChar(char),
    /// no digits at all
    Empty,
    Overflow,
}

/// A successfully read time, with the trailing text 2.6 only warns about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTime {
    pub value: Duration,
    pub trailing: Option<char>,
}

/// Read a time with `default` as the unit of a bare number.
pub fn parse_time(s: &str, default: TimeUnit) -> Result<ParsedTime, TimeError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(TimeError::Empty);
    }
    let mut i = 0;
    let mut n: u64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n.saturating_mul(10).saturating_add(u64::from(b[i] - b'0'));
        i += 1;
    }
    if i == 0 {
        return Err(TimeError::BadChar(b[0] as char));
    }
    let rest = &s[i..];
    let (unit, len) = if rest.starts_with("us") {
        (TimeUnit::Us, 2)
    } else if rest.starts_with("ms") {
        (TimeUnit::Ms, 2)
    } else if rest.starts_with('s') {
        (TimeUnit::S, 1)
    } else if rest.starts_with('m') {
        (TimeUnit::M, 1)
    } else if rest.starts_with('h') {
        (TimeUnit::H, 1)
    } else if rest.starts_with('d') {
        (TimeUnit::D, 1)
    } else if rest.is_empty() {
        (default, 0)
    } else {
        return Err(TimeError::BadChar(rest.chars().next().unwrap_or('?')));
    };
    let micros = n.saturating_mul(unit.micros());
    // HAProxy rounds sub-millisecond values up to the next millisecond.
    let ms = micros.div_ceil(1000);
    if ms > MAX_TIMER_MS {
        return Err(TimeError::Overflow);
    }
    Ok(ParsedTime {
        value: Duration::from_micros(micros),
        trailing: rest[len..].chars().next(),
    })
}

/// Milliseconds of a duration, rounded up like HAProxy's timers.
pub fn as_ms(d: Duration) -> u64 {
    (d.as_micros() as u64).div_ceil(1000)
}

/// The warning 2.6 prints for `1m30s`-style values.
pub fn trailing_time_warning(c: char, value: &str) -> String {
    format!(
        "unexpected character '{c}' after the timer value '{value}', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions."
    )
}

/// What C's `atol` would make of `s`, plus whether anything was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lenient {
    pub value: i64,
    /// The input had characters `atol` silently skipped.
    pub sloppy: bool,
}

pub fn atol(s: &str) -> Lenient {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    let mut v: i64 = 0;
    for b in digits[..n].bytes() {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    Lenient {
        value: if neg { -v } else { v },
        sloppy: n == 0 || n != digits.len() || t.len() != s.len(),
    }
}

/// A size with optional k/m/g suffix (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, char> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return Err(s.chars().next().unwrap_or('?'));
    }
    let v: u64 = s[..n].parse().map_err(|_| '?')?;
    let mult = match &s[n..] {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        r => return Err(r.chars().next().unwrap_or('?')),
    };
    v.checked_mul(mult).ok_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> u64 {
        as_ms(parse_time(s, TimeUnit::Ms).unwrap().value)
    }

    #[test]
    fn units() {
        assert_eq!(ms("5000"), 5000);
        assert_eq!(ms("5000ms"), 5000);
        assert_eq!(ms("10s"), 10_000);
        assert_eq!(ms("1m"), 60_000);
        assert_eq!(ms("2h"), 7_200_000);
        assert_eq!(ms("1d"), 86_400_000);
        assert_eq!(ms("10us"), 1);
        assert_eq!(ms("0"), 0);
        assert_eq!(
            as_ms(parse_time("3", TimeUnit::S).unwrap().value),
            3000,
            "a different default unit applies to bare numbers"
        );
    }

    #[test]
    fn errors_and_warnings_as_2_6() {
        assert_eq!(
            parse_time("10x", TimeUnit::Ms),
            Err(TimeError::BadChar('x'))
        );
        assert_eq!(
            parse_time("10S", TimeUnit::Ms),
            Err(TimeError::BadChar('S'))
        );
        assert_eq!(
            parse_time("1.5s", TimeUnit::Ms),
            Err(TimeError::BadChar('.'))
        );
        assert_eq!(parse_time("-1", TimeUnit::Ms), Err(TimeError::BadChar('-')));
        assert_eq!(parse_time("25d", TimeUnit::Ms), Err(TimeError::Overflow));
        assert_eq!(
            parse_time("3000000000", TimeUnit::Ms),
            Err(TimeError::Overflow)
        );
        assert_eq!(
            parse_time("2147483647", TimeUnit::Ms).unwrap().trailing,
            None
        );
        let t = parse_time("1m30s", TimeUnit::Ms).unwrap();
        assert_eq!((as_ms(t.value), t.trailing), (60_000, Some('3')));
        assert_eq!(
            parse_time("10sec", TimeUnit::Ms).unwrap().trailing,
            Some('e')
        );
    }

    #[test]
    fn atol_like_c() {
        assert_eq!(
            atol("4k"),
            Lenient {
                value: 4,
                sloppy: true
            }
        );
        assert_eq!(
            atol("3000"),
            Lenient {
                value: 3000,
                sloppy: false
            }
        );
        assert_eq!(
            atol("-1"),
            Lenient {
                value: -1,
                sloppy: false
            }
        );
        assert_eq!(atol("abc").value, 0);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16k"), Ok(16384));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("12"), Ok(12));
        assert_eq!(parse_size("1x"), Err('x'));
    }
}
