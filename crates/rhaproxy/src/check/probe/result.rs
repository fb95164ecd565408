//! What one check found, and the words HAProxy uses for it.

use std::time::Duration;

/// HAProxy's check statuses (the `check_status` CSV column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckStatus {
    Unknown,
    Init,
    SockErr,
    L4Ok,
    L4Tout,
    L4Con,
    L6Ok,
    L6Tout,
    L6Rsp,
    L7Tout,
    L7Rsp,
    L7Ok,
    L7Okc,
    L7Sts,
    ProcErr,
    ProcTout,
    ProcOk,
}

impl CheckStatus {
    pub fn name(self) -> &'static str {
        use CheckStatus::*;
        match self {
            Unknown => "UNK",
            Init => "INI",
            SockErr => "SOCKERR",
            L4Ok => "L4OK",
            L4Tout => "L4TOUT",
            L4Con => "L4CON",
            L6Ok => "L6OK",
            L6Tout => "L6TOUT",
            L6Rsp => "L6RSP",
            L7Tout => "L7TOUT",
            L7Rsp => "L7RSP",
            L7Ok => "L7OK",
            L7Okc => "L7OKC",
            L7Sts => "L7STS",
            ProcErr => "PROCERR",
            ProcTout => "PROCTOUT",
            ProcOk => "PROCOK",
        }
    }

    /// The words starting the `reason:` of server state messages.
    pub fn description(self) -> &'static str {
        use CheckStatus::*;
        match self {
            Unknown => "Unknown",
            Init => "Initializing",
            SockErr => "Socket error",
            L4Ok => "Layer4 check passed",
            L4Tout => "Layer4 timeout",
            L4Con => "Layer4 connection problem",
            L6Ok => "Layer6 check passed",
            L6Tout => "Layer6 timeout",
            L6Rsp => "Layer6 invalid response",
            L7Tout => "Layer7 timeout",
            L7Rsp => "Layer7 invalid response",
            L7Ok => "Layer7 check passed",
            L7Okc => "Layer7 check conditionally passed",
            L7Sts => "Layer7 wrong status",
            ProcErr => "External check error",
            ProcTout => "External check timeout",
            ProcOk => "External check passed",
        }
    }

    /// Whether the check counts as a success for the health counter.
    pub fn passed(self) -> bool {
        use CheckStatus::*;
        matches!(self, L4Ok | L6Ok | L7Ok | L7Okc | ProcOk)
    }

    /// HAProxy prints `code: N` only for the statuses that carry one,
    /// even when N is 0 (a tcp-check pass says `code: 0`).
    pub fn shows_code(self) -> bool {
        use CheckStatus::*;
        matches!(self, L7Ok | L7Okc | L7Sts)
    }

    /// The status named by `ok-status`/`error-status`/`tout-status`.
    pub fn from_name(s: &str) -> Option<CheckStatus> {
        use CheckStatus::*;
        Some(match s {
            "L4OK" => L4Ok,
            "L4TOUT" => L4Tout,
            "L4CON" => L4Con,
            "L6OK" => L6Ok,
            "L6TOUT" => L6Tout,
            "L6RSP" => L6Rsp,
            "L7TOUT" => L7Tout,
            "L7RSP" => L7Rsp,
            "L7OK" => L7Ok,
            "L7OKC" => L7Okc,
            "L7STS" => L7Sts,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub status: CheckStatus,
    pub code: Option<u32>,
    pub info: Option<String>,
    pub duration: Duration,
}

impl CheckResult {
    pub fn new(status: CheckStatus, code: Option<u32>, info: Option<String>) -> Self {
        CheckResult {
            status,
            code,
            // An empty info is never printed, so it is kept as none.
            info: info.filter(|i| !i.is_empty()),
            duration: Duration::ZERO,
        }
    }

    pub fn passed(&self) -> bool {
        self.status.passed()
    }

    pub fn status_name(&self) -> &'static str {
        self.status.name()
    }

    /// The `last_chk` CSV column: the info text, or nothing.
    pub fn last_chk(&self) -> &str {
        self.info.as_deref().unwrap_or("")
    }

    /// What 2.6 writes after `reason: ` in "Server b/s is DOWN, reason:
    /// …. N active and M backup servers left." and in the
    /// log-health-checks lines.
    pub fn reason(&self) -> String {
        let mut s = self.status.description().to_string();
        if self.status.shows_code() {
            s.push_str(&format!(", code: {}", self.code.unwrap_or(0)));
        }
        if let Some(info) = &self.info {
            s.push_str(&format!(", info: \"{info}\""));
        }
        s.push_str(&format!(
            ", check duration: {}ms",
            self.duration.as_millis()
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::CheckStatus::*;
    use super::*;

    fn r(status: CheckStatus, code: Option<u32>, info: &str, ms: u64) -> String {
        let mut c = CheckResult::new(status, code, Some(info.to_string()));
        c.duration = Duration::from_millis(ms);
        c.reason()
    }

    // Each expected text below was printed by haproxy 2.6.12 against a
    // fake server on loopback (see the notes in the probe tests).
    #[test]
    fn layer4_reasons() {
        assert_eq!(
            r(L4Con, None, "Connection refused", 0),
            "Layer4 connection problem, info: \"Connection refused\", check duration: 0ms"
        );
        assert_eq!(
            r(L4Tout, None, "", 300),
            "Layer4 timeout, check duration: 300ms"
        );
        assert_eq!(
            r(L4Ok, None, "", 0),
            "Layer4 check passed, check duration: 0ms"
        );
        assert_eq!(
            r(L4Ok, None, "(tcp-check)", 0),
            "Layer4 check passed, info: \"(tcp-check)\", check duration: 0ms"
        );
        assert_eq!(
            r(L4Tout, None, " at initial connection step of tcp-check", 300),
            "Layer4 timeout, info: \" at initial connection step of tcp-check\", check duration: 300ms"
        );
    }

    #[test]
    fn layer7_reasons() {
        assert_eq!(
            r(L7Ok, Some(221), "bye", 1),
            "Layer7 check passed, code: 221, info: \"bye\", check duration: 1ms"
        );
        assert_eq!(
            r(L7Ok, Some(200), "", 51),
            "Layer7 check passed, code: 200, check duration: 51ms"
        );
        assert_eq!(
            r(L7Sts, Some(554), "5.7.1 go away", 0),
            "Layer7 wrong status, code: 554, info: \"5.7.1 go away\", check duration: 0ms"
        );
        assert_eq!(
            r(L7Sts, Some(554), "", 0),
            "Layer7 wrong status, code: 554, check duration: 0ms"
        );
        assert_eq!(
            r(L7Sts, None, "TCPCHK got an empty response at step 5", 0),
            "Layer7 wrong status, code: 0, info: \"TCPCHK got an empty response at step 5\", check duration: 0ms"
        );
        assert_eq!(
            r(L7Rsp, None, "hello there", 0),
            "Layer7 invalid response, info: \"hello there\", check duration: 0ms"
        );
        assert_eq!(
            r(L7Rsp, None, "", 50),
            "Layer7 invalid response, check duration: 50ms"
        );
        assert_eq!(
            r(L7Tout, None, "", 1001),
            "Layer7 timeout, check duration: 1001ms"
        );
        assert_eq!(
            r(L7Ok, Some(0), "(tcp-check)", 0),
            "Layer7 check passed, code: 0, info: \"(tcp-check)\", check duration: 0ms"
        );
        assert_eq!(
            r(L7Tout, None, " at step 1 of tcp-check (expect string '+OK')", 301),
            "Layer7 timeout, info: \" at step 1 of tcp-check (expect string '+OK')\", check duration: 301ms"
        );
        assert_eq!(
            r(SockErr, None, "Connection reset by peer", 0),
            "Socket error, info: \"Connection reset by peer\", check duration: 0ms"
        );
    }

    #[test]
    fn duration_is_truncated_to_ms() {
        let mut c = CheckResult::new(L4Ok, None, None);
        c.duration = Duration::from_micros(1999);
        assert!(c.reason().ends_with("check duration: 1ms"));
    }

    #[test]
    fn names_and_outcomes() {
        assert_eq!(CheckResult::new(L7Okc, None, None).status_name(), "L7OKC");
        assert!(L7Okc.passed() && L4Ok.passed() && !L7Sts.passed() && !SockErr.passed());
        assert_eq!(CheckStatus::from_name("L7RSP"), Some(L7Rsp));
        assert_eq!(CheckStatus::from_name("bogus"), None);
        let c = CheckResult::new(L7Ok, Some(221), Some("bye".into()));
        assert_eq!(c.last_chk(), "bye");
        assert_eq!(
            CheckResult::new(L7Ok, Some(200), Some(String::new())).last_chk(),
            ""
        );
    }
}
