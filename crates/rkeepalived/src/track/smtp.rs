//! `smtp_alert` mail (reference §6): one plain SMTP dialogue per alert —
//! greeting, `HELO`, `MAIL FROM`, one `RCPT TO` per recipient, `DATA`, the
//! message, `QUIT` — with no EHLO, TLS or AUTH, no retry and no queue. The
//! connect and every reply are bounded by `smtp_connect_timeout`. The
//! expected replies are 220, 250, 250 (each RCPT), 354, 250, 221; any other
//! code logs `Error processing <CMD> cmd on SMTP server [ip]:port. SMTP
//! status code = N` and skips to QUIT.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use keepalived_config::model::{GlobalDefs, VrrpInstance};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;

use crate::vrrp::fsm::State;

pub const DEFAULT_PORT: u16 = 25;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The global SMTP settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `smtp_server` host (IP or name) and port.
    pub server: (String, u16),
    pub helo_name: String,
    pub from: String,
    pub to: Vec<String>,
    pub router_id: String,
    pub timeout: Duration,
    pub no_email_faults: bool,
}

impl SmtpConfig {
    /// `None` unless there is an `smtp_server` and at least one
    /// `notification_email`. `local_name` is the host name (default HELO
    /// name and From domain), `router_id` the resolved router id, `user`
    /// the name of the user we run as (default From local part).
    pub fn from_global(
        g: &GlobalDefs,
        local_name: &str,
        router_id: &str,
        user: &str,
    ) -> Option<SmtpConfig> {
        let server = g.smtp_server.clone()?;
        if g.notification_email.is_empty() {
            return None;
        }
        Some(SmtpConfig {
            server,
            helo_name: g
                .smtp_helo_name
                .clone()
                .unwrap_or_else(|| local_name.to_string()),
            from: g
                .notification_email_from
                .clone()
                .unwrap_or_else(|| format!("{user}@{local_name}")),
            to: g.notification_email.clone(),
            router_id: router_id.to_string(),
            timeout: g
                .smtp_connect_timeout
                .map_or(DEFAULT_TIMEOUT, |t| Duration::from_secs(u64::from(t))),
            no_email_faults: g.no_email_faults,
        })
    }
}

/// Whether an instance mails on state changes: its own `smtp_alert`, else
/// the global `smtp_alert_vrrp`, else `smtp_alert`, else off.
pub fn instance_alerts(i: &VrrpInstance, g: &GlobalDefs) -> bool {
    i.smtp_alert
        .or(g.smtp_alert_vrrp)
        .or(g.smtp_alert)
        .unwrap_or(false)
}

/// `VRRP Instance` or `VRRP Group` in the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Instance,
    Group,
}

/// The alert for one state change, or `None` for states that send none
/// (INIT; FAULT under `no_email_faults`).
pub fn alert_for(cfg: &SmtpConfig, who: Who, name: &str, state: State) -> Option<Alert> {
    let (event, body) = match (who, state) {
        (_, State::Init) => return None,
        (_, State::Fault) if cfg.no_email_faults => return None,
        (Who::Instance, State::Master) => (
            "Entering MASTER state",
            "=> VRRP Instance is now owning VRRP VIPs <=",
        ),
        (Who::Instance, State::Backup) => (
            "Entering BACKUP state",
            "=> VRRP Instance is no longer owning VRRP VIPs <=",
        ),
        (Who::Instance, State::Fault) => (
            "Entering FAULT state",
            "=> VRRP Instance is no longer owning VRRP VIPs <=",
        ),
        (Who::Instance, State::Stop) => ("Stopping", "=> VRRP Instance stopping <="),
        // Not captured in the lab: wording of ours.
        (Who::Instance, State::Deleted) => ("Deleted", "=> VRRP Instance deleted <="),
        (Who::Group, State::Master) => (
            "Entering MASTER state",
            "=> All VRRP group instances are now in MASTER state <=",
        ),
        (Who::Group, State::Backup) => (
            "Entering BACKUP state",
            "=> All VRRP group instances are now in BACKUP state <=",
        ),
        (Who::Group, State::Fault) => (
            "Entering FAULT state",
            "=> All VRRP group instances are now in FAULT state <=",
        ),
        (Who::Group, State::Stop) => ("Stopping", "=> VRRP Group stopping <="),
        (Who::Group, State::Deleted) => ("Deleted", "=> VRRP Group deleted <="),
    };
    let kind = match who {
        Who::Instance => "Instance",
        Who::Group => "Group",
    };
    Some(Alert {
        subject: format!("[{}] VRRP {kind} {name} - {event}", cfg.router_id),
        body: body.to_string(),
    })
}

/// One mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub subject: String,
    pub body: String,
}

/// A log line of the dialogue; `detail` lines are shown only with `-D`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpLog {
    pub detail: bool,
    pub text: String,
}

/// What [`send`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReport {
    pub sent: bool,
    pub logs: Vec<SmtpLog>,
}

/// The message text after DATA (CRLF lines, ending with the lone dot).
pub fn message(cfg: &SmtpConfig, alert: &Alert, date: &str) -> String {
    let mut m = String::new();
    m.push_str(&format!("Date: {date}\r\n"));
    m.push_str(&format!("From: {}\r\n", cfg.from));
    m.push_str(&format!("Subject: {}\r\n", alert.subject));
    m.push_str("X-Mailer: Keepalived\r\n");
    m.push_str(&format!("To: {}\r\n", cfg.to.join(", ")));
    m.push_str("\r\n");
    for line in alert.body.lines() {
        if line.starts_with('.') {
            m.push('.');
        }
        m.push_str(line);
        m.push_str("\r\n");
    }
    m.push_str("\r\n.\r\n");
    m
}

/// `Date:` as keepalived writes it, in local time.
pub fn date_now() -> String {
    chrono::Local::now()
        .format("%a, %d %b %Y %H:%M:%S %z")
        .to_string()
}

fn fmt_addr(a: &SocketAddr) -> String {
    format!("[{}]:{}", a.ip(), a.port())
}

enum Step {
    Ok,
    /// Logged already; go to QUIT.
    Quit,
    /// Connection unusable; stop.
    Abort,
}

struct Dialogue<'a> {
    rd: BufReader<tokio::net::tcp::OwnedReadHalf>,
    wr: tokio::net::tcp::OwnedWriteHalf,
    addr: String,
    fd: i32,
    timeout: Duration,
    logs: &'a mut Vec<SmtpLog>,
}

impl Dialogue<'_> {
    fn log(&mut self, text: String) {
        self.logs.push(SmtpLog {
            detail: false,
            text,
        });
    }

    /// Read one (possibly multi-line) reply; its code.
    async fn reply(&mut self) -> Result<u16, ()> {
        loop {
            let mut line = String::new();
            match tokio::time::timeout(self.timeout, self.rd.read_line(&mut line)).await {
                Err(_) => {
                    let t = format!("Timeout reading data to remote SMTP server {}.", self.addr);
                    self.log(t);
                    return Err(());
                }
                Ok(Err(_)) | Ok(Ok(0)) => {
                    let t = format!("smtp fd {} returned read error", self.fd);
                    self.log(t);
                    return Err(());
                }
                Ok(Ok(_)) => {}
            }
            let code: u16 = line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(code);
            }
        }
    }

    async fn write(&mut self, data: &str) -> Result<(), ()> {
        match tokio::time::timeout(self.timeout, self.wr.write_all(data.as_bytes())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => {
                let t = format!("smtp fd {} returned write error", self.fd);
                self.log(t);
                Err(())
            }
            Err(_) => {
                let t = format!("Timeout writing data to remote SMTP server {}.", self.addr);
                self.log(t);
                Err(())
            }
        }
    }

    /// Expect `want`; other codes are logged under `cmd`.
    async fn expect(&mut self, cmd: &str, want: u16) -> Step {
        match self.reply().await {
            Err(()) => Step::Quit,
            Ok(c) if c == want => Step::Ok,
            Ok(c) => {
                let t = format!(
                    "Error processing {cmd} cmd on SMTP server {}. SMTP status code = {c}",
                    self.addr
                );
                self.log(t);
                Step::Quit
            }
        }
    }

    async fn send_cmd(&mut self, cmd: &str, line: &str, want: u16) -> Step {
        if self.write(line).await.is_err() {
            return Step::Abort;
        }
        self.expect(cmd, want).await
    }
}

/// Resolve the server name (an IP literal needs no lookup).
async fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    tokio::net::lookup_host((host, port)).await.ok()?.next()
}

/// Send one alert; never fails loudly, the report says what happened in
/// keepalived's words.
pub async fn send(cfg: &SmtpConfig, alert: &Alert) -> SmtpReport {
    send_dated(cfg, alert, &date_now()).await
}

/// [`send`] with a given `Date:` value.
pub async fn send_dated(cfg: &SmtpConfig, alert: &Alert, date: &str) -> SmtpReport {
    let mut logs = Vec::new();
    let (host, port) = (&cfg.server.0, cfg.server.1);
    let Some(addr) = resolve(host, port).await else {
        logs.push(SmtpLog {
            detail: false,
            text: format!("Unable to resolve SMTP server {host}"),
        });
        return SmtpReport { sent: false, logs };
    };
    let shown = fmt_addr(&addr);
    let sock = match if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    } {
        Ok(s) => s,
        Err(e) => {
            logs.push(SmtpLog {
                detail: false,
                text: format!("Error creating SMTP socket - {e}"),
            });
            return SmtpReport { sent: false, logs };
        }
    };
    let fd = sock.as_raw_fd();
    let stream = match tokio::time::timeout(cfg.timeout, sock.connect(addr)).await {
        Err(_) => {
            logs.push(SmtpLog {
                detail: false,
                text: format!("Timeout opening connection to remote SMTP server {shown}."),
            });
            return SmtpReport { sent: false, logs };
        }
        Ok(Err(_)) => {
            logs.push(SmtpLog {
                detail: false,
                text: format!("smtp fd {fd} returned write error"),
            });
            return SmtpReport { sent: false, logs };
        }
        Ok(Ok(s)) => s,
    };
    logs.push(SmtpLog {
        detail: false,
        text: format!("Remote SMTP server {shown} connected."),
    });
    let (r, w) = stream.into_split();
    let mut d = Dialogue {
        rd: BufReader::new(r),
        wr: w,
        addr: shown,
        fd,
        timeout: cfg.timeout,
        logs: &mut logs,
    };
    let mut sent = false;
    let step = 'dialogue: {
        match d.expect("connect", 220).await {
            Step::Ok => {}
            s => break 'dialogue s,
        }
        let helo = format!("HELO {}\r\n", cfg.helo_name);
        match d.send_cmd("HELO", &helo, 250).await {
            Step::Ok => {}
            s => break 'dialogue s,
        }
        let from = format!("MAIL FROM:<{}>\r\n", cfg.from);
        match d.send_cmd("MAIL", &from, 250).await {
            Step::Ok => {}
            s => break 'dialogue s,
        }
        for rcpt in &cfg.to {
            let line = format!("RCPT TO:<{rcpt}>\r\n");
            match d.send_cmd("RCPT", &line, 250).await {
                Step::Ok => {}
                s => break 'dialogue s,
            }
        }
        match d.send_cmd("DATA", "DATA\r\n", 354).await {
            Step::Ok => {}
            s => break 'dialogue s,
        }
        let body = message(cfg, alert, date);
        match d.send_cmd("BODY", &body, 250).await {
            Step::Ok => {}
            s => break 'dialogue s,
        }
        sent = true;
        Step::Ok
    };
    if !matches!(step, Step::Abort) {
        let _ = d.send_cmd("QUIT", "QUIT\r\n", 221).await;
    }
    if sent {
        logs.push(SmtpLog {
            detail: true,
            text: "SMTP alert successfully sent.".into(),
        });
    }
    SmtpReport { sent, logs }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    fn cfg() -> SmtpConfig {
        let mut g = GlobalDefs::default();
        g.smtp_server = Some(("192.0.2.25".into(), 25));
        g.notification_email = vec!["a@example.com".into(), "b@example.com".into()];
        g.notification_email_from = Some("keepalive@dc1server.home.local".into());
        SmtpConfig::from_global(&g, "host1", "vm", "root").unwrap()
    }

    #[test]
    fn needs_server_and_recipients() {
        let g = GlobalDefs::default();
        assert!(SmtpConfig::from_global(&g, "h", "r", "root").is_none());
        let mut g = GlobalDefs::default();
        g.smtp_server = Some(("192.0.2.25".into(), 25));
        assert!(SmtpConfig::from_global(&g, "h", "r", "root").is_none());
        g.notification_email = vec!["x@y".into()];
        let c = SmtpConfig::from_global(&g, "h", "r", "root").unwrap();
        assert_eq!(c.from, "root@h");
        assert_eq!(c.helo_name, "h");
        assert_eq!(c.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn subject_and_body() {
        let c = cfg();
        let a = alert_for(&c, Who::Instance, "dc1server", State::Master).unwrap();
        assert_eq!(
            a.subject,
            "[vm] VRRP Instance dc1server - Entering MASTER state"
        );
        assert_eq!(a.body, "=> VRRP Instance is now owning VRRP VIPs <=");
        let m = message(&c, &a, "Tue, 24 Nov 2026 01:30:42 +0000");
        assert_eq!(
            m,
            "Date: Tue, 24 Nov 2026 01:30:42 +0000\r\n\
             From: keepalive@dc1server.home.local\r\n\
             Subject: [vm] VRRP Instance dc1server - Entering MASTER state\r\n\
             X-Mailer: Keepalived\r\n\
             To: a@example.com, b@example.com\r\n\
             \r\n\
             => VRRP Instance is now owning VRRP VIPs <=\r\n\
             \r\n.\r\n"
        );
        assert!(alert_for(&c, Who::Instance, "x", State::Init).is_none());
        let mut c2 = c.clone();
        c2.no_email_faults = true;
        assert!(alert_for(&c2, Who::Instance, "x", State::Fault).is_none());
        let s = alert_for(&c, Who::Group, "G", State::Stop).unwrap();
        assert_eq!(s.subject, "[vm] VRRP Group G - Stopping");
    }

    #[test]
    fn alert_flag_precedence() {
        let mut g = GlobalDefs::default();
        let mut i = VrrpInstance::new("VI", None);
        assert!(!instance_alerts(&i, &g));
        g.smtp_alert = Some(true);
        assert!(instance_alerts(&i, &g));
        g.smtp_alert_vrrp = Some(false);
        assert!(!instance_alerts(&i, &g));
        i.smtp_alert = Some(true);
        assert!(instance_alerts(&i, &g));
    }
}
