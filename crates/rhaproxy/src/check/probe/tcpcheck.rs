//! `option tcp-check` sequences (also the engine behind `redis-check`).
//!
//! Observed on 2.6.12: rules are numbered from 1 in order; when the first
//! rule is not a `connect`, an implicit "initial connection step" comes
//! before them unnumbered. An expect that does not match yet waits for
//! more data until the peer closes (then "did not match") or the check
//! times out. Passing sequences report `(tcp-check)`: as L4OK when they
//! only connect, as L7OK code 0 otherwise.

use std::net::SocketAddr;

use haproxy_config::model::Directive;
use regex::bytes::Regex;
use tokio::time::Instant;

use super::conn::{strerror, Conn, Failure, Read, Timing};
use super::result::{CheckResult, CheckStatus};
use super::PlanError;

#[derive(Debug, Clone)]
enum Matcher {
    String(Vec<u8>),
    Regex(Regex),
    Binary(Vec<u8>),
    BinaryRegex(Regex),
}

impl Matcher {
    fn found(&self, buf: &[u8]) -> bool {
        match self {
            Matcher::String(s) | Matcher::Binary(s) => {
                s.is_empty() || buf.windows(s.len()).any(|w| w == s.as_slice())
            }
            Matcher::Regex(r) | Matcher::BinaryRegex(r) => r.is_match(buf),
        }
    }

    /// How "did not match" / "matched unwanted" name the pattern.
    fn content(&self) -> String {
        match self {
            Matcher::String(s) => format!("'{}'", String::from_utf8_lossy(s)),
            Matcher::Regex(_) => "(regex)".into(),
            Matcher::Binary(_) => "(binary)".into(),
            Matcher::BinaryRegex(_) => "(binary regex)".into(),
        }
    }

    /// How the timeout info names the rule.
    fn rule(&self) -> String {
        match self {
            Matcher::String(s) => format!("expect string '{}'", String::from_utf8_lossy(s)),
            Matcher::Regex(_) => "expect regex".into(),
            Matcher::Binary(s) => format!("expect binary '{}'", String::from_utf8_lossy(s)),
            Matcher::BinaryRegex(_) => "expect binary regex".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Expect {
    negate: bool,
    min_recv: usize,
    matcher: Matcher,
    ok_status: Option<CheckStatus>,
    error_status: CheckStatus,
    tout_status: CheckStatus,
}

#[derive(Debug, Clone)]
enum Step {
    Connect {
        port: Option<u16>,
        send_proxy: bool,
    },
    Send(Vec<u8>),
    Expect(Expect),
    /// Accepted rules with nothing to do here (`set-var`, …).
    Nothing,
}

#[derive(Debug, Clone)]
pub struct TcpCheckPlan {
    steps: Vec<Step>,
}

impl TcpCheckPlan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// `redis-check`: PING, expect +PONG.
    pub fn redis() -> Self {
        TcpCheckPlan {
            steps: vec![
                Step::Send(b"PING\r\n".to_vec()),
                Step::Expect(Expect {
                    negate: false,
                    min_recv: 0,
                    matcher: Matcher::String(b"+PONG".to_vec()),
                    ok_status: None,
                    error_status: CheckStatus::L7Sts,
                    tout_status: CheckStatus::L7Tout,
                }),
            ],
        }
    }
}

pub fn hex(s: &str) -> Result<Vec<u8>, PlanError> {
    let bad = || PlanError::BadHex(s.to_string());
    // Two digits a byte (`is_multiple_of` is newer than our MSRV).
    if s.len() & 1 == 1 {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn regex(p: &str) -> Result<Regex, PlanError> {
    Regex::new(p).map_err(|e| PlanError::BadRegex {
        pattern: p.to_string(),
        reason: e.to_string(),
    })
}

fn status(v: Option<&String>) -> Option<CheckStatus> {
    v.and_then(|s| CheckStatus::from_name(s))
}

fn parse_expect(args: &[String]) -> Result<Expect, PlanError> {
    let mut e = Expect {
        negate: false,
        min_recv: 0,
        matcher: Matcher::String(Vec::new()),
        ok_status: None,
        error_status: CheckStatus::L7Rsp,
        tout_status: CheckStatus::L7Tout,
    };
    let mut matcher = None;
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1);
        let need = || {
            v.map(String::as_str)
                .ok_or_else(|| PlanError::MissingArgument {
                    keyword: format!("tcp-check expect {}", args[i]),
                })
        };
        match args[i].as_str() {
            "!" => {
                e.negate = true;
                i += 1;
                continue;
            }
            "min-recv" => e.min_recv = need()?.parse().unwrap_or(0),
            "ok-status" => e.ok_status = status(v),
            "error-status" => e.error_status = status(v).unwrap_or(e.error_status),
            "tout-status" => e.tout_status = status(v).unwrap_or(e.tout_status),
            "string" | "string-lf" => matcher = Some(Matcher::String(need()?.as_bytes().to_vec())),
            "rstring" => matcher = Some(Matcher::Regex(regex(need()?)?)),
            "binary" | "binary-lf" => matcher = Some(Matcher::Binary(hex(need()?)?)),
            "rbinary" => {
                let bytes = hex(need()?)?;
                let text: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
                matcher = Some(Matcher::BinaryRegex(regex(&format!("(?-u){text}"))?));
            }
            "custom" => return Err(PlanError::Unsupported("tcp-check expect custom".into())),
            // on-success, on-error, status-code, comment: text only.
            _ => {}
        }
        i += 2;
    }
    e.matcher = matcher.ok_or_else(|| PlanError::MissingArgument {
        keyword: "tcp-check expect".into(),
    })?;
    Ok(e)
}

pub fn plan(rules: &[Directive]) -> Result<TcpCheckPlan, PlanError> {
    let mut steps = Vec::new();
    for d in rules {
        let arg = |i: usize| d.args.get(i).map(String::as_str);
        let step = match d.keyword.as_str() {
            "tcp-check connect" => {
                let mut port = None;
                let mut send_proxy = false;
                for (i, w) in d.args.iter().enumerate() {
                    match w.as_str() {
                        "port" => port = arg(i + 1).and_then(|p| p.parse().ok()),
                        "send-proxy" => send_proxy = true,
                        _ => {}
                    }
                }
                Step::Connect { port, send_proxy }
            }
            "tcp-check send" | "tcp-check send-lf" => Step::Send(
                arg(0)
                    .ok_or_else(|| PlanError::MissingArgument {
                        keyword: d.keyword.clone(),
                    })?
                    .as_bytes()
                    .to_vec(),
            ),
            "tcp-check send-binary" | "tcp-check send-binary-lf" => {
                Step::Send(hex(arg(0).unwrap_or(""))?)
            }
            "tcp-check expect" => Step::Expect(parse_expect(&d.args)?),
            // A comment labels the next rule; it is not a step.
            "tcp-check comment" => continue,
            _ => Step::Nothing,
        };
        steps.push(step);
    }
    Ok(TcpCheckPlan { steps })
}

fn connect_label(port: Option<u16>) -> String {
    match port {
        Some(p) => format!("connect port {p}"),
        None => "connect".into(),
    }
}

async fn connect(
    addr: SocketAddr,
    timing: &Timing,
    proxy: bool,
    at: &str,
) -> Result<Conn, CheckResult> {
    let mut c = match Conn::connect(addr, timing.connect_deadline(Instant::now())).await {
        Ok(c) => c,
        Err(Failure::Timeout) => {
            return Err(CheckResult::new(
                CheckStatus::L4Tout,
                None,
                Some(format!(" {at}")),
            ))
        }
        Err(Failure::Io(e)) => {
            return Err(CheckResult::new(
                CheckStatus::L4Con,
                None,
                Some(format!("{} {at}", strerror(&e))),
            ))
        }
    };
    c.deadline = timing.io_deadline(Instant::now());
    if proxy {
        c.send_proxy_header().await.map_err(|f| io_failure(f, at))?;
    }
    Ok(c)
}

fn io_failure(f: Failure, at: &str) -> CheckResult {
    match f {
        Failure::Timeout => CheckResult::new(CheckStatus::L7Tout, None, Some(format!(" {at}"))),
        Failure::Io(e) => CheckResult::new(CheckStatus::SockErr, None, Some(strerror(&e))),
    }
}

pub async fn run(
    plan: &TcpCheckPlan,
    addr: SocketAddr,
    timing: &Timing,
    send_proxy: bool,
) -> CheckResult {
    match steps(plan, addr, timing, send_proxy).await {
        Ok(r) | Err(r) => r,
    }
}

async fn steps(
    plan: &TcpCheckPlan,
    addr: SocketAddr,
    timing: &Timing,
    send_proxy: bool,
) -> Result<CheckResult, CheckResult> {
    let mut conn = match plan.steps.first() {
        Some(Step::Connect { .. }) => None,
        _ => Some(
            connect(
                addr,
                timing,
                send_proxy,
                "at initial connection step of tcp-check",
            )
            .await?,
        ),
    };
    let mut layer7 = false;
    let mut ok_status = None;
    for (i, step) in plan.steps.iter().enumerate() {
        let n = i + 1;
        match step {
            Step::Connect {
                port,
                send_proxy: sp,
            } => {
                let mut target = addr;
                if let Some(p) = port {
                    target.set_port(*p);
                }
                let at = format!("at step {n} of tcp-check ({})", connect_label(*port));
                drop(conn.take());
                conn = Some(
                    connect(target, timing, *sp || (send_proxy && port.is_none()), &at).await?,
                );
            }
            Step::Send(data) => {
                layer7 = true;
                let c = live(&mut conn)?;
                // A send starts a new exchange: what came before is spent.
                c.buf.clear();
                c.send(data)
                    .await
                    .map_err(|f| io_failure(f, &format!("at step {n} of tcp-check (send)")))?;
            }
            Step::Expect(e) => {
                layer7 = true;
                let c = live(&mut conn)?;
                expect(c, e, n).await?;
                ok_status = e.ok_status.or(ok_status);
            }
            Step::Nothing => {}
        }
    }
    let status = ok_status.unwrap_or(if layer7 {
        CheckStatus::L7Ok
    } else {
        CheckStatus::L4Ok
    });
    let code = status.shows_code().then_some(0);
    Ok(CheckResult::new(status, code, Some("(tcp-check)".into())))
}

fn live(conn: &mut Option<Conn>) -> Result<&mut Conn, CheckResult> {
    // Unreachable by construction (the first step always connects), but
    // a missing connection must not panic.
    conn.as_mut()
        .ok_or_else(|| CheckResult::new(CheckStatus::SockErr, None, Some("no connection".into())))
}

async fn expect(c: &mut Conn, e: &Expect, n: usize) -> Result<(), CheckResult> {
    let fail = |status: CheckStatus, info: String| {
        let code = status.shows_code().then_some(0);
        CheckResult::new(status, code, Some(info))
    };
    loop {
        if c.buf.len() >= e.min_recv.max(1) {
            let found = e.matcher.found(&c.buf);
            if found && !e.negate {
                return Ok(());
            }
            if found && e.negate {
                return Err(fail(
                    e.error_status,
                    format!(
                        "TCPCHK matched unwanted content {} at step {n}",
                        e.matcher.content()
                    ),
                ));
            }
        }
        match c.fill().await {
            Ok(Read::Data) => {}
            Ok(Read::Closed | Read::Full) => {
                if c.buf.is_empty() {
                    return Err(fail(
                        e.error_status,
                        format!("TCPCHK got an empty response at step {n}"),
                    ));
                }
                if e.negate {
                    return Ok(());
                }
                return Err(fail(
                    e.error_status,
                    format!(
                        "TCPCHK did not match content {} at step {n}",
                        e.matcher.content()
                    ),
                ));
            }
            Err(Failure::Timeout) => {
                return Err(fail(
                    e.tout_status,
                    format!(" at step {n} of tcp-check ({})", e.matcher.rule()),
                ))
            }
            Err(Failure::Io(err)) => {
                return Err(CheckResult::new(
                    CheckStatus::SockErr,
                    None,
                    Some(strerror(&err)),
                ))
            }
        }
    }
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

    #[test]
    fn hex_decoding() {
        assert_eq!(hex("50494e470d0a").unwrap(), b"PING\r\n");
        assert_eq!(hex("").unwrap(), b"");
        assert!(hex("abc").is_err());
        assert!(hex("zz").is_err());
        assert!(hex("é1").is_err());
    }

    #[test]
    fn parses_rules() {
        let p = plan(&[
            d("tcp-check comment", &["hello"]),
            d("tcp-check connect", &["port", "25", "send-proxy"]),
            d("tcp-check send-binary", &["0d0a"]),
            d(
                "tcp-check expect",
                &[
                    "min-recv",
                    "3",
                    "!",
                    "rstring",
                    "^5",
                    "error-status",
                    "L7STS",
                ],
            ),
        ])
        .unwrap();
        assert_eq!(p.steps.len(), 3);
        assert!(matches!(
            p.steps[0],
            Step::Connect {
                port: Some(25),
                send_proxy: true
            }
        ));
        assert!(matches!(&p.steps[1], Step::Send(b) if b == b"\r\n"));
        match &p.steps[2] {
            Step::Expect(e) => {
                assert!(e.negate);
                assert_eq!(e.min_recv, 3);
                assert_eq!(e.error_status, CheckStatus::L7Sts);
                assert!(e.matcher.found(b"550 no"));
                assert!(!e.matcher.found(b"250 ok"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejects_bad_rules() {
        assert!(plan(&[d("tcp-check expect", &["rstring", "("])]).is_err());
        assert!(plan(&[d("tcp-check expect", &["string"])]).is_err());
        assert!(plan(&[d("tcp-check send", &[])]).is_err());
        assert!(plan(&[d("tcp-check send-binary", &["0"])]).is_err());
        assert!(plan(&[d("tcp-check expect", &["min-recv", "4"])]).is_err());
    }

    #[test]
    fn matcher_texts() {
        let b = Matcher::Binary(b"nope".to_vec());
        assert_eq!(b.rule(), "expect binary 'nope'");
        assert_eq!(b.content(), "(binary)");
        let s = Matcher::String(b"+OK".to_vec());
        assert_eq!(s.rule(), "expect string '+OK'");
        assert_eq!(s.content(), "'+OK'");
        let rb = Matcher::BinaryRegex(regex("(?-u)\\x2b").unwrap());
        assert!(rb.found(b"a+b"));
    }
}
