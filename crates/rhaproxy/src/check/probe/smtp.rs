//! `option smtpchk`, step by step as 2.6.12 numbers and reports it.
//!
//! 2.6 runs it as a tcp-check sequence: 1 connect, 2 banner shape,
//! 3 banner is 2xx, 4 send HELO/EHLO, 5 its reply is 2xx, 6 send QUIT,
//! 7 its reply is 2xx. The step numbers show in "empty response" infos.
//! Observed quirks kept: a multi-line banner (`220-…`) is an invalid
//! response, and an empty reply to HELO or QUIT is a *wrong status* with
//! code 0 while an empty banner is an *invalid response*.

use super::conn::{strerror, Conn, Failure};
use super::result::{CheckResult, CheckStatus};

fn io_failure(f: Failure) -> CheckResult {
    match f {
        Failure::Timeout => CheckResult::new(CheckStatus::L7Tout, None, None),
        Failure::Io(e) => CheckResult::new(CheckStatus::SockErr, None, Some(strerror(&e))),
    }
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The reply code and the text after it, when the line starts with three
/// digits.
fn code_and_info(line: &[u8]) -> Option<(u32, String)> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    let info = line.get(4..).map(text).unwrap_or_default();
    Some((code, info))
}

fn empty(status: CheckStatus, step: u32) -> CheckResult {
    let code = (status == CheckStatus::L7Sts).then_some(0);
    CheckResult::new(
        status,
        code,
        Some(format!("TCPCHK got an empty response at step {step}")),
    )
}

async fn banner(conn: &mut Conn) -> Result<(), CheckResult> {
    conn.fill_line().await.map_err(io_failure)?;
    if conn.buf.is_empty() {
        return Err(empty(CheckStatus::L7Rsp, 2));
    }
    let end = conn
        .buf
        .iter()
        .position(|&b| b == b'\n')
        .map_or(conn.buf.len(), |i| i + 1);
    let raw = &conn.buf[..end];
    // Three digits then a space or CR: the shape 2.6 asks of a banner.
    let shaped =
        raw.len() > 3 && raw[..3].iter().all(u8::is_ascii_digit) && matches!(raw[3], b' ' | b'\r');
    let line = trim_eol(raw);
    if !shaped {
        return Err(CheckResult::new(CheckStatus::L7Rsp, None, Some(text(line))));
    }
    match code_and_info(line) {
        Some((code, _)) if (200..300).contains(&code) => Ok(()),
        Some((code, info)) => Err(CheckResult::new(CheckStatus::L7Sts, Some(code), Some(info))),
        None => Err(CheckResult::new(CheckStatus::L7Rsp, None, Some(text(line)))),
    }
}

/// Reads a whole (possibly multi-line) reply; returns its last line.
async fn reply(conn: &mut Conn, step: u32) -> Result<Vec<u8>, CheckResult> {
    loop {
        let mut start = 0;
        let mut last = None;
        while let Some(i) = conn.buf[start..].iter().position(|&b| b == b'\n') {
            let line = trim_eol(&conn.buf[start..start + i + 1]);
            if line.get(3) != Some(&b'-') {
                last = Some(line.to_vec());
                break;
            }
            start += i + 1;
        }
        if let Some(l) = last {
            return Ok(l);
        }
        match conn.fill().await.map_err(io_failure)? {
            super::conn::Read::Data => {}
            _ => {
                if conn.buf.is_empty() {
                    return Err(empty(CheckStatus::L7Sts, step));
                }
                // Judge what came before the close on its last line.
                let body = trim_eol(&conn.buf);
                let from = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                return Ok(trim_eol(&body[from..]).to_vec());
            }
        }
    }
}

fn judge(line: &[u8], last: bool) -> Result<CheckResult, CheckResult> {
    match code_and_info(line) {
        Some((code, info)) if (200..300).contains(&code) => Ok(CheckResult::new(
            CheckStatus::L7Ok,
            Some(code),
            last.then_some(info),
        )),
        Some((code, info)) => Err(CheckResult::new(CheckStatus::L7Sts, Some(code), Some(info))),
        None => Err(CheckResult::new(CheckStatus::L7Sts, Some(0), None)),
    }
}

pub async fn run(conn: &mut Conn, verb: &str, domain: &str) -> CheckResult {
    match steps(conn, verb, domain).await {
        Ok(r) | Err(r) => r,
    }
}

async fn steps(conn: &mut Conn, verb: &str, domain: &str) -> Result<CheckResult, CheckResult> {
    banner(conn).await?;
    conn.buf.clear();
    conn.send(format!("{verb} {domain}\r\n").as_bytes())
        .await
        .map_err(io_failure)?;
    let helo = reply(conn, 5).await?;
    judge(&helo, false)?;
    conn.buf.clear();
    conn.send(b"QUIT\r\n").await.map_err(io_failure)?;
    let quit = reply(conn, 7).await?;
    judge(&quit, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_info_split() {
        assert_eq!(
            code_and_info(b"554 5.7.1 go away"),
            Some((554, "5.7.1 go away".into()))
        );
        assert_eq!(code_and_info(b"554"), Some((554, String::new())));
        assert_eq!(code_and_info(b"hi"), None);
        assert_eq!(code_and_info(b"25x ok"), None);
    }

    #[test]
    fn judging_replies() {
        assert_eq!(
            judge(b"221 bye", true).unwrap().info.as_deref(),
            Some("bye")
        );
        let e = judge(b"hi", false).unwrap_err();
        assert_eq!(
            e.reason(),
            "Layer7 wrong status, code: 0, check duration: 0ms"
        );
        let e = judge(b"501 5.5.4 bad helo", false).unwrap_err();
        assert_eq!(
            (e.code, e.info.as_deref()),
            (Some(501), Some("5.5.4 bad helo"))
        );
    }
}
