//! A UDP syslog receiver for the demo: `syslog_sink 127.0.0.1:5514` prints
//! every datagram it gets as one line prefixed with `syslog| `, until it is
//! killed.
//!
//! HAProxy ends each datagram with a newline; it is dropped so that one
//! datagram stays one line, and any other control byte is shown escaped so a
//! hostile sender cannot rewrite the terminal.

use std::io::Write;
use std::net::UdpSocket;
use std::process::ExitCode;

fn printable(datagram: &[u8]) -> String {
    let text = String::from_utf8_lossy(datagram);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    text.chars()
        .flat_map(|c| {
            let shown: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5514".to_string());
    let sock = match UdpSocket::bind(&addr) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("syslog_sink: cannot listen on udp {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut buf = vec![0u8; 65536];
    let stdout = std::io::stdout();
    loop {
        let n = match sock.recv(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("syslog_sink: receive failed: {e}");
                return ExitCode::from(1);
            }
        };
        let mut out = stdout.lock();
        // A closed stdout (the demo's pipe went away) ends the sink.
        if writeln!(out, "syslog| {}", printable(&buf[..n]))
            .and_then(|_| out.flush())
            .is_err()
        {
            return ExitCode::SUCCESS;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn one_datagram_one_line() {
        assert_eq!(printable(b"<150>Dec  1 x\n"), "<150>Dec  1 x");
        assert_eq!(printable(b"a\nb\x1b[2J"), "a\\nb\\u{1b}[2J");
        assert_eq!(printable(b"\xff ok"), "\u{fffd} ok");
    }
}
