//! `log` lines, shared by `global` and proxies.

use crate::model::LogTarget;

pub static FACILITIES: &[&str] = &[
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

pub static LEVELS: &[&str] = &[
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

pub static FORMATS: &[&str] = &[
    "local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw",
];

/// Parse `log TARGET [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`
/// from the words after `log`. Errors are 2.6's texts after `log : `.
pub fn parse_log(args: &[String]) -> Result<LogTarget, String> {
    let usage = || "expects <address> and <facility>  as arguments".to_string();
    let Some(target) = args.first() else {
        return Err(usage());
    };
    let mut t = LogTarget {
        target: target.clone(),
        len: None,
        format: None,
        facility: String::new(),
        level: None,
        min_level: None,
        sample: None,
    };
    let mut i = 1;
    loop {
        match args.get(i).map(String::as_str) {
            Some("len") => {
                let v = args.get(i + 1).ok_or_else(usage)?;
                let n: u32 = v.parse().map_err(|_| format!("invalid log length '{v}'"))?;
                t.len = Some(n);
                i += 2;
            }
            Some("format") => {
                let v = args.get(i + 1).ok_or_else(usage)?;
                if !FORMATS.contains(&v.as_str()) {
                    return Err(format!("unknown log format '{v}'"));
                }
                t.format = Some(v.clone());
                i += 2;
            }
            Some("sample") => {
                let v = args.get(i + 1).ok_or_else(usage)?;
                if !v.contains(':') {
                    return Err(format!("invalid sample '{v}' (expects <ranges>:<size>)"));
                }
                t.sample = Some(v.clone());
                i += 2;
            }
            _ => break,
        }
    }
    let Some(fac) = args.get(i) else {
        return Err(usage());
    };
    if !FACILITIES.contains(&fac.as_str()) {
        return Err(format!("unknown log facility '{fac}'"));
    }
    t.facility = fac.clone();
    if let Some(l) = args.get(i + 1) {
        if !LEVELS.contains(&l.as_str()) {
            return Err(format!("unknown optional log level '{l}'"));
        }
        t.level = Some(l.clone());
    }
    if let Some(l) = args.get(i + 2) {
        if !LEVELS.contains(&l.as_str()) {
            return Err(format!("unknown optional minimum log level '{l}'"));
        }
        t.min_level = Some(l.clone());
    }
    if let Some(x) = args.get(i + 3) {
        return Err(format!("cannot handle unexpected argument '{x}'"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn log_lines() {
        let t = parse_log(&w("172.31.0.254 local2")).unwrap();
        assert_eq!(
            (t.target.as_str(), t.facility.as_str()),
            ("172.31.0.254", "local2")
        );
        let t = parse_log(&w("stdout format raw local0 info")).unwrap();
        assert_eq!(t.format.as_deref(), Some("raw"));
        assert_eq!(t.level.as_deref(), Some("info"));
        assert_eq!(
            parse_log(&w("127.0.0.1 local9")).unwrap_err(),
            "unknown log facility 'local9'"
        );
        assert_eq!(
            parse_log(&w("127.0.0.1 local0 bogus")).unwrap_err(),
            "unknown optional log level 'bogus'"
        );
        assert_eq!(
            parse_log(&w("127.0.0.1")).unwrap_err(),
            "expects <address> and <facility>  as arguments"
        );
        assert_eq!(
            parse_log(&w("stdout format bogus local0")).unwrap_err(),
            "unknown log format 'bogus'"
        );
    }
}
