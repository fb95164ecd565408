//! `option httpchk` with `http-check send` / `http-check expect`.
//!
//! Observed on 2.6.12: the default request is `OPTIONS / HTTP/1.0` with
//! no header at all; headers hidden in the version string go out with
//! lowercased names, and an HTTP/1.1 request gets `connection: close`.
//! Without an expect rule 2xx and 3xx pass; a failing status reports
//! the reason phrase as info; an unparsable or empty reply is an invalid
//! response without info.

use haproxy_config::model::{CheckKind, Directive};
use regex::bytes::Regex;

use super::conn::{strerror, Conn, Failure, Read};
use super::result::{CheckResult, CheckStatus};
use super::PlanError;

#[derive(Debug, Clone)]
enum Match {
    /// Inclusive code ranges.
    Status(Vec<(u32, u32)>),
    RStatus(Regex),
    String(Vec<u8>),
    RString(Regex),
}

#[derive(Debug, Clone)]
struct Expect {
    negate: bool,
    matcher: Match,
}

#[derive(Debug, Clone)]
pub struct HttpPlan {
    request: Vec<u8>,
    expects: Vec<Expect>,
}

impl HttpPlan {
    pub fn request(&self) -> &[u8] {
        &self.request
    }
}

fn status_list(s: &str) -> Option<Vec<(u32, u32)>> {
    s.split(',')
        .map(|part| match part.split_once('-') {
            Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
            None => {
                let n = part.trim().parse().ok()?;
                Some((n, n))
            }
        })
        .collect()
}

fn regex(p: &str) -> Result<Regex, PlanError> {
    Regex::new(p).map_err(|e| PlanError::BadRegex {
        pattern: p.to_string(),
        reason: e.to_string(),
    })
}

fn parse_expect(args: &[String]) -> Result<Option<Expect>, PlanError> {
    let mut negate = false;
    let mut i = 0;
    while i < args.len() {
        let w = args[i].as_str();
        let pat = args.get(i + 1).map(String::as_str);
        let need = || {
            pat.ok_or_else(|| PlanError::MissingArgument {
                keyword: format!("http-check expect {w}"),
            })
        };
        let matcher = match w {
            "!" => {
                negate = true;
                i += 1;
                continue;
            }
            "status" => Match::Status(
                status_list(need()?)
                    .ok_or_else(|| PlanError::BadStatus(need().unwrap_or_default().to_string()))?,
            ),
            "rstatus" => Match::RStatus(regex(need()?)?),
            "string" => Match::String(need()?.as_bytes().to_vec()),
            "rstring" => Match::RString(regex(need()?)?),
            // Header matchers and custom code are not run: the rule is
            // skipped rather than failing every check.
            "hdr" | "fhdr" | "custom" => return Ok(None),
            _ => {
                // `min-recv N`, `comment C`, `ok-status S` and friends
                // come before the matcher with one value each.
                i += 2;
                continue;
            }
        };
        return Ok(Some(Expect { negate, matcher }));
    }
    Ok(None)
}

pub fn plan(kind: &CheckKind, rules: &[Directive]) -> Result<HttpPlan, PlanError> {
    let (mut method, mut uri, mut version, host) = match kind {
        CheckKind::Http {
            method,
            uri,
            version,
            host,
        } => (method.clone(), uri.clone(), version.clone(), host.clone()),
        _ => (None, None, None, None),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut body: Option<String> = None;
    let mut expects = Vec::new();
    for d in rules {
        match d.keyword.as_str() {
            "http-check send" => {
                let mut it = d.args.iter();
                while let Some(w) = it.next() {
                    match w.as_str() {
                        "meth" => method = it.next().cloned(),
                        "uri" => uri = it.next().cloned(),
                        "ver" => version = it.next().cloned(),
                        "body" => body = it.next().cloned(),
                        "hdr" => {
                            if let (Some(n), Some(v)) = (it.next(), it.next()) {
                                headers.push((n.to_ascii_lowercase(), v.clone()));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "http-check expect" => {
                if let Some(e) = parse_expect(&d.args)? {
                    expects.push(e);
                }
            }
            _ => {}
        }
    }
    let method = method.unwrap_or_else(|| "OPTIONS".into());
    let uri = uri.unwrap_or_else(|| "/".into());
    let version = version.unwrap_or_else(|| "HTTP/1.0".into());
    // A version word may smuggle headers after a CRLF (deprecated).
    let mut parts = version.split("\r\n");
    let version = parts.next().unwrap_or("HTTP/1.0").trim().to_string();
    let mut hidden: Vec<(String, String)> = parts
        .filter_map(|h| h.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    hidden.append(&mut headers);
    if let Some(h) = host {
        if !hidden.iter().any(|(n, _)| n == "host") {
            hidden.insert(0, ("host".into(), h));
        }
    }
    let mut req = format!("{method} {uri} {version}\r\n");
    for (n, v) in &hidden {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    if version == "HTTP/1.1" && !hidden.iter().any(|(n, _)| n == "connection") {
        req.push_str("connection: close\r\n");
    }
    if let Some(b) = &body {
        req.push_str(&format!("content-length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(&b);
    }
    Ok(HttpPlan {
        request: req.into_bytes(),
        expects,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

struct Head {
    code: u32,
    reason: String,
    body_start: usize,
    content_length: Option<usize>,
}

fn parse_head(buf: &[u8]) -> Option<Result<Head, ()>> {
    let end = find(buf, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| find(buf, b"\n\n").map(|i| i + 2))?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("");
    let mut words = status.splitn(3, ' ');
    let (Some(v), Some(c)) = (words.next(), words.next()) else {
        return Some(Err(()));
    };
    if !v.starts_with("HTTP/") || c.len() != 3 {
        return Some(Err(()));
    }
    let Ok(code) = c.parse::<u32>() else {
        return Some(Err(()));
    };
    let reason = words.next().unwrap_or("").trim().to_string();
    let content_length = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok());
    Some(Ok(Head {
        code,
        reason,
        body_start: end,
        content_length,
    }))
}

fn io_failure(f: Failure) -> CheckResult {
    match f {
        Failure::Timeout => CheckResult::new(CheckStatus::L7Tout, None, None),
        Failure::Io(e) => CheckResult::new(CheckStatus::SockErr, None, Some(strerror(&e))),
    }
}

pub async fn run(conn: &mut Conn, plan: &HttpPlan) -> CheckResult {
    match exchange(conn, plan).await {
        Ok(r) | Err(r) => r,
    }
}

async fn exchange(conn: &mut Conn, plan: &HttpPlan) -> Result<CheckResult, CheckResult> {
    conn.send(&plan.request).await.map_err(io_failure)?;
    let head = loop {
        if let Some(h) = parse_head(&conn.buf) {
            break h.map_err(|()| CheckResult::new(CheckStatus::L7Rsp, None, None))?;
        }
        match conn.fill().await.map_err(io_failure)? {
            Read::Data => {}
            Read::Closed | Read::Full => {
                return Err(CheckResult::new(CheckStatus::L7Rsp, None, None));
            }
        }
    };
    let wants_body = plan
        .expects
        .iter()
        .any(|e| matches!(e.matcher, Match::String(_) | Match::RString(_)));
    if wants_body {
        loop {
            let have = conn.buf.len() - head.body_start;
            if head.content_length.is_some_and(|n| have >= n) {
                break;
            }
            match conn.fill().await.map_err(io_failure)? {
                Read::Data => {}
                Read::Closed | Read::Full => break,
            }
        }
    }
    let mut body = &conn.buf[head.body_start..];
    if let Some(n) = head.content_length {
        body = &body[..n.min(body.len())];
    }
    let ok = CheckResult::new(CheckStatus::L7Ok, Some(head.code), None);
    let wrong = || {
        CheckResult::new(
            CheckStatus::L7Sts,
            Some(head.code),
            Some(head.reason.clone()),
        )
    };
    if plan.expects.is_empty() {
        return if (200..400).contains(&head.code) {
            Ok(ok)
        } else {
            Err(wrong())
        };
    }
    for e in &plan.expects {
        let content = |text: &str| CheckResult::new(CheckStatus::L7Rsp, None, Some(text.into()));
        match &e.matcher {
            Match::Status(ranges) => {
                let hit = ranges.iter().any(|(a, b)| (*a..=*b).contains(&head.code));
                if hit == e.negate {
                    return Err(wrong());
                }
            }
            Match::RStatus(re) => {
                if re.is_match(head.code.to_string().as_bytes()) == e.negate {
                    return Err(wrong());
                }
            }
            Match::String(_) | Match::RString(_) => {
                if body.is_empty() {
                    return Err(content("HTTP content check could not find a response body"));
                }
                let hit = match &e.matcher {
                    Match::String(s) => find(body, s).is_some(),
                    Match::RString(re) => re.is_match(body),
                    _ => false,
                };
                match (hit, e.negate) {
                    (false, false) => return Err(content("HTTP content check did not match")),
                    (true, true) => {
                        return Err(content("HTTP content check matched unwanted content"))
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use haproxy_config::diag::Location;

    fn d(kw: &str, args: &[&str]) -> Directive {
        Directive {
            keyword: kw.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            location: Location {
                file: "t".into(),
                line: 1,
            },
        }
    }

    fn http(m: Option<&str>, u: Option<&str>, v: Option<&str>) -> CheckKind {
        CheckKind::Http {
            method: m.map(Into::into),
            uri: u.map(Into::into),
            version: v.map(Into::into),
            host: None,
        }
    }

    fn req(p: &HttpPlan) -> String {
        String::from_utf8_lossy(p.request()).into_owned()
    }

    // Requests as captured from haproxy 2.6.12.
    #[test]
    fn requests() {
        assert_eq!(
            req(&plan(&http(None, None, None), &[]).unwrap()),
            "OPTIONS / HTTP/1.0\r\n\r\n"
        );
        assert_eq!(
            req(&plan(&http(Some("HEAD"), Some("/x"), None), &[]).unwrap()),
            "HEAD /x HTTP/1.0\r\n\r\n"
        );
        assert_eq!(
            req(&plan(
                &http(Some("GET"), Some("/h"), Some("HTTP/1.1\r\nHost: x")),
                &[]
            )
            .unwrap()),
            "GET /h HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        );
    }

    #[test]
    fn send_rule_overrides() {
        let p = plan(
            &http(None, None, None),
            &[d(
                "http-check send",
                &["meth", "POST", "uri", "/a", "hdr", "X-A", "1", "body", "hi"],
            )],
        )
        .unwrap();
        assert_eq!(
            req(&p),
            "POST /a HTTP/1.0\r\nx-a: 1\r\ncontent-length: 2\r\n\r\nhi"
        );
    }

    #[test]
    fn expect_rules() {
        let p = plan(
            &http(None, None, None),
            &[
                d("http-check expect", &["status", "200-299,404"]),
                d("http-check expect", &["!", "rstring", "err.r"]),
            ],
        )
        .unwrap();
        assert_eq!(p.expects.len(), 2);
        assert!(
            matches!(&p.expects[0].matcher, Match::Status(r) if r == &[(200, 299), (404, 404)])
        );
        assert!(p.expects[1].negate);
        assert!(plan(
            &http(None, None, None),
            &[d("http-check expect", &["rstring", "("])]
        )
        .is_err());
        assert!(plan(
            &http(None, None, None),
            &[d("http-check expect", &["status", "abc"])]
        )
        .is_err());
    }

    #[test]
    fn heads() {
        let h = parse_head(b"HTTP/1.0 500 Whatever Reason\r\nContent-Length: 3\r\n\r\nabc")
            .unwrap()
            .unwrap_or_else(|()| panic!("bad head"));
        assert_eq!(
            (h.code, h.reason.as_str(), h.content_length),
            (500, "Whatever Reason", Some(3))
        );
        assert!(parse_head(b"HTTP/1.0 200 OK\r\n").is_none());
        assert!(matches!(parse_head(b"garbage\r\n\r\n"), Some(Err(()))));
        let h = parse_head(b"HTTP/1.1 503\r\n\r\n")
            .unwrap()
            .unwrap_or_else(|()| panic!());
        assert_eq!(h.reason, "");
    }
}
