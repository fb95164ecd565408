//! Health-check probes against real loopback servers started here.
//!
//! Expected statuses and texts are what haproxy 2.6.12 reported for the
//! same server behaviours (fake servers in Python, `option
//! log-health-checks`, `show stat`).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use haproxy_config::diag::Location;
use haproxy_config::model::{CheckKind, Directive};
use rhaproxy::check::fsm::Transition;
use rhaproxy::check::probe::{probe, CheckResult, CheckStatus};
use rhaproxy::check::runner::{self, CheckEvent, CheckSpec};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const MS: Duration = Duration::from_millis(1);

/// What a fake server does with each accepted connection; it reports what
/// it read on the channel.
type Handler = fn(TcpStream, mpsc::UnboundedSender<String>) -> Task;
type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

async fn serve(h: Handler) -> (SocketAddr, mpsc::UnboundedReceiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    // Tasks end with the test's runtime; a few connections at most.
    tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((s, _)) = l.accept().await else { return };
            tokio::spawn(h(s, tx.clone()));
        }
    });
    (addr, rx)
}

async fn read_line(r: &mut BufReader<TcpStream>) -> String {
    let mut l = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), r.read_line(&mut l)).await;
    l
}

fn smtp_ok(s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let mut r = BufReader::new(s);
        let _ = r.get_mut().write_all(b"220 fake ESMTP\r\n").await;
        let helo = read_line(&mut r).await;
        let reply: &[u8] = if helo.starts_with("EHLO") {
            b"250-fake hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        } else {
            b"250 fake hello\r\n"
        };
        let _ = r.get_mut().write_all(reply).await;
        let quit = read_line(&mut r).await;
        let _ = r.get_mut().write_all(b"221 bye\r\n").await;
        let _ = tx.send(helo + &quit);
    })
}

fn smtp_554(mut s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let _ = s.write_all(b"554 5.7.1 go away\r\n").await;
        tokio::time::sleep(200 * MS).await;
    })
}

fn smtp_helo_501(s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let mut r = BufReader::new(s);
        let _ = r.get_mut().write_all(b"220 fake\r\n").await;
        read_line(&mut r).await;
        let _ = r.get_mut().write_all(b"501 5.5.4 bad helo\r\n").await;
    })
}

fn smtp_banner_then_close(s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let mut r = BufReader::new(s);
        let _ = r.get_mut().write_all(b"220 fake\r\n").await;
        read_line(&mut r).await;
    })
}

fn multi_line_banner(s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let mut s = s;
        let _ = s.write_all(b"220-first\r\n220 second\r\n").await;
        tokio::time::sleep(200 * MS).await;
    })
}

fn garbage(mut s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let _ = s.write_all(b"hello there\r\n").await;
        tokio::time::sleep(100 * MS).await;
    })
}

fn closer(s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move { drop(s) })
}

fn silent(s: TcpStream, _: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(s);
    })
}

/// Reads the request head, reports it, then sends `reply`.
async fn http_reply(mut s: TcpStream, tx: mpsc::UnboundedSender<String>, reply: &'static [u8]) {
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    let _ = tx.send(String::from_utf8_lossy(&got).into_owned());
    let _ = s.write_all(reply).await;
}

fn http_200(s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(http_reply(
        s,
        tx,
        b"HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nall good here",
    ))
}

fn http_500(s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(http_reply(
        s,
        tx,
        b"HTTP/1.0 500 Whatever Reason\r\nContent-Length: 0\r\n\r\n",
    ))
}

fn http_empty_body(s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(http_reply(
        s,
        tx,
        b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    ))
}

fn http_garbage(s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(http_reply(s, tx, b"garbage\r\n\r\n"))
}

fn banner_echo(s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let mut r = BufReader::new(s);
        let _ = r.get_mut().write_all(b"+OK ready\r\n").await;
        let l = read_line(&mut r).await;
        let _ = r.get_mut().write_all(format!("got {l}").as_bytes()).await;
        let _ = tx.send(l);
        tokio::time::sleep(100 * MS).await;
    })
}

fn capture(mut s: TcpStream, tx: mpsc::UnboundedSender<String>) -> Task {
    Box::pin(async move {
        let mut buf = vec![0u8; 512];
        let mut got = Vec::new();
        while let Ok(Ok(n)) = tokio::time::timeout(300 * MS, s.read(&mut buf)).await {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let _ = tx.send(String::from_utf8_lossy(&got).into_owned());
    })
}

fn spec(addr: SocketAddr, kind: CheckKind) -> CheckSpec {
    let mut s = CheckSpec::new("bk", "srv", addr);
    s.kind = kind;
    s.inter = Duration::from_secs(2);
    s.timeout_connect = Some(150 * MS);
    s.timeout_check = Some(150 * MS);
    s
}

fn smtp(verb: &str, domain: &str) -> CheckKind {
    CheckKind::Smtp {
        verb: verb.into(),
        domain: domain.into(),
    }
}

fn httpchk() -> CheckKind {
    CheckKind::Http {
        method: None,
        uri: None,
        version: None,
        host: None,
    }
}

fn rule(kw: &str, args: &[&str]) -> Directive {
    Directive {
        keyword: kw.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        location: Location {
            file: "t.cfg".into(),
            line: 1,
        },
    }
}

/// The reason without its duration, which is asserted separately.
fn reason_head(r: &CheckResult) -> String {
    let full = r.reason();
    let tail = format!(", check duration: {}ms", r.duration.as_millis());
    assert!(full.ends_with(&tail), "{full}");
    full[..full.len() - tail.len()].to_string()
}

fn assert_result(r: &CheckResult, status: CheckStatus, code: Option<u32>, reason: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(r.code, code, "{r:?}");
    assert_eq!(reason_head(r), reason);
}

async fn refused_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    a
}

#[tokio::test]
async fn smtp_helo_passes_with_quit_reply() {
    let (addr, mut rx) = serve(smtp_ok).await;
    let r = probe(&spec(addr, smtp("HELO", "haproxy"))).await;
    assert_result(
        &r,
        CheckStatus::L7Ok,
        Some(221),
        "Layer7 check passed, code: 221, info: \"bye\"",
    );
    assert_eq!(r.status_name(), "L7OK");
    assert_eq!(r.last_chk(), "bye");
    assert_eq!(rx.recv().await.unwrap(), "HELO haproxy\r\nQUIT\r\n");
}

#[tokio::test]
async fn smtp_ehlo_multi_line_reply_passes() {
    let (addr, mut rx) = serve(smtp_ok).await;
    let r = probe(&spec(addr, smtp("EHLO", "me.example"))).await;
    assert_result(
        &r,
        CheckStatus::L7Ok,
        Some(221),
        "Layer7 check passed, code: 221, info: \"bye\"",
    );
    assert_eq!(rx.recv().await.unwrap(), "EHLO me.example\r\nQUIT\r\n");
}

#[tokio::test]
async fn smtp_failures() {
    let kind = smtp("HELO", "haproxy");
    let (a, _rx1) = serve(smtp_554).await;
    let r = probe(&spec(a, kind.clone())).await;
    assert_result(
        &r,
        CheckStatus::L7Sts,
        Some(554),
        "Layer7 wrong status, code: 554, info: \"5.7.1 go away\"",
    );
    assert!(r.duration < 100 * MS, "{r:?}");

    let (a, _rx2) = serve(smtp_helo_501).await;
    let r = probe(&spec(a, kind.clone())).await;
    assert_result(
        &r,
        CheckStatus::L7Sts,
        Some(501),
        "Layer7 wrong status, code: 501, info: \"5.5.4 bad helo\"",
    );

    let (a, _rx3) = serve(smtp_banner_then_close).await;
    let r = probe(&spec(a, kind.clone())).await;
    assert_result(
        &r,
        CheckStatus::L7Sts,
        Some(0),
        "Layer7 wrong status, code: 0, info: \"TCPCHK got an empty response at step 5\"",
    );

    let (a, _rx4) = serve(closer).await;
    let r = probe(&spec(a, kind.clone())).await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"TCPCHK got an empty response at step 2\"",
    );

    let (a, _rx5) = serve(garbage).await;
    let r = probe(&spec(a, kind.clone())).await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"hello there\"",
    );

    // 2.6.12 does not accept a multi-line banner.
    let (a, _rx6) = serve(multi_line_banner).await;
    let r = probe(&spec(a, kind)).await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"220-first\"",
    );
}

#[tokio::test]
async fn silent_server_times_out_after_timeout_check() {
    let (a, _rx) = serve(silent).await;
    let r = probe(&spec(a, smtp("HELO", "x"))).await;
    assert_result(&r, CheckStatus::L7Tout, None, "Layer7 timeout");
    assert!(r.duration >= 150 * MS && r.duration < 1000 * MS, "{r:?}");

    // Without `timeout check`, `inter` bounds the whole check.
    let mut s = spec(a, httpchk());
    s.timeout_check = None;
    s.inter = 250 * MS;
    let r = probe(&s).await;
    assert_result(&r, CheckStatus::L7Tout, None, "Layer7 timeout");
    assert!(r.duration >= 250 * MS && r.duration < 1000 * MS, "{r:?}");
}

#[tokio::test]
async fn refused_port_is_a_layer4_problem() {
    let a = refused_addr().await;
    for kind in [CheckKind::Tcp, smtp("HELO", "x"), httpchk()] {
        let r = probe(&spec(a, kind)).await;
        assert_result(
            &r,
            CheckStatus::L4Con,
            None,
            "Layer4 connection problem, info: \"Connection refused\"",
        );
        assert_eq!(r.last_chk(), "Connection refused");
    }
    let mut s = spec(a, CheckKind::TcpCheck);
    s.tcp_check = vec![rule("tcp-check expect", &["string", "x"])];
    let r = probe(&s).await;
    assert_result(
        &r,
        CheckStatus::L4Con,
        None,
        "Layer4 connection problem, info: \"Connection refused at initial connection step of tcp-check\"",
    );
}

#[tokio::test]
async fn full_backlog_is_a_layer4_timeout() {
    // A listener that never accepts, with its queue filled, drops SYNs.
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    sock.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    sock.listen(0).unwrap();
    let a = sock.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let f = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        f.set_nonblocking(true).unwrap();
        let _ = f.connect(&a.into());
        fillers.push(f);
    }
    tokio::time::sleep(20 * MS).await;
    let mut s = spec(a, CheckKind::Tcp);
    s.timeout_connect = Some(100 * MS);
    let r = probe(&s).await;
    assert_result(&r, CheckStatus::L4Tout, None, "Layer4 timeout");
    assert!(r.duration >= 100 * MS && r.duration < 1000 * MS, "{r:?}");
}

#[tokio::test]
async fn plain_connect_and_proxy_header() {
    let (a, mut rx) = serve(capture).await;
    let mut s = spec(a, CheckKind::Tcp);
    s.send_proxy = true;
    let r = probe(&s).await;
    assert_result(&r, CheckStatus::L4Ok, None, "Layer4 check passed");
    let got = rx.recv().await.unwrap();
    let words: Vec<&str> = got.trim_end().split(' ').collect();
    assert_eq!(&words[..4], ["PROXY", "TCP4", "127.0.0.1", "127.0.0.1"]);
    assert_eq!(words[5], a.port().to_string());
    assert!(got.ends_with("\r\n"));
}

#[tokio::test]
async fn http_checks() {
    let (a, mut rx) = serve(http_200).await;
    let r = probe(&spec(a, httpchk())).await;
    assert_result(
        &r,
        CheckStatus::L7Ok,
        Some(200),
        "Layer7 check passed, code: 200",
    );
    assert_eq!(rx.recv().await.unwrap(), "OPTIONS / HTTP/1.0\r\n\r\n");

    let (a, _rx) = serve(http_500).await;
    let r = probe(&spec(a, httpchk())).await;
    assert_result(
        &r,
        CheckStatus::L7Sts,
        Some(500),
        "Layer7 wrong status, code: 500, info: \"Whatever Reason\"",
    );

    let (a, _rx) = serve(http_garbage).await;
    let r = probe(&spec(a, httpchk())).await;
    assert_result(&r, CheckStatus::L7Rsp, None, "Layer7 invalid response");
}

#[tokio::test]
async fn http_expect_rules() {
    let with = |a, rules: Vec<Directive>| {
        let mut s = spec(a, httpchk());
        s.http_check = rules;
        s
    };
    let (a200, _r1) = serve(http_200).await;
    let (aempty, _r2) = serve(http_empty_body).await;

    let r = probe(&with(
        a200,
        vec![rule("http-check expect", &["status", "302"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Sts,
        Some(200),
        "Layer7 wrong status, code: 200, info: \"OK\"",
    );
    let r = probe(&with(
        a200,
        vec![rule("http-check expect", &["rstatus", "^2"])],
    ))
    .await;
    assert_eq!(r.status, CheckStatus::L7Ok);
    let r = probe(&with(
        a200,
        vec![rule("http-check expect", &["string", "good"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Ok,
        Some(200),
        "Layer7 check passed, code: 200",
    );
    let r = probe(&with(
        a200,
        vec![rule("http-check expect", &["string", "bad"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"HTTP content check did not match\"",
    );
    let r = probe(&with(
        aempty,
        vec![rule("http-check expect", &["string", "good"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"HTTP content check could not find a response body\"",
    );
}

#[tokio::test]
async fn tcp_check_sequences() {
    let tc = |a, rules: Vec<Directive>| {
        let mut s = spec(a, CheckKind::TcpCheck);
        s.tcp_check = rules;
        s
    };
    let (echo, mut rx) = serve(banner_echo).await;
    let r = probe(&tc(
        echo,
        vec![
            rule("tcp-check expect", &["string", "+OK"]),
            rule("tcp-check send", &["PING\r\n"]),
            rule("tcp-check expect", &["rstring", "^got P"]),
            rule("tcp-check expect", &["binary", "676f74"]),
        ],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Ok,
        Some(0),
        "Layer7 check passed, code: 0, info: \"(tcp-check)\"",
    );
    assert_eq!(rx.recv().await.unwrap(), "PING\r\n");

    // No match and the server waits: a timeout naming the rule.
    let (smtp_srv, _r) = serve(smtp_ok).await;
    let r = probe(&tc(
        smtp_srv,
        vec![rule("tcp-check expect", &["string", "+OK"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Tout,
        None,
        "Layer7 timeout, info: \" at step 1 of tcp-check (expect string '+OK')\"",
    );

    // No match and the server closes.
    let (g, _r) = serve(garbage).await;
    for (m, p, text) in [
        ("string", "nope", "'nope'"),
        ("rstring", "^\\+OK", "(regex)"),
        ("binary", "2b4f4b", "(binary)"),
    ] {
        let r = probe(&tc(g, vec![rule("tcp-check expect", &[m, p])])).await;
        assert_result(
            &r,
            CheckStatus::L7Rsp,
            None,
            &format!(
                "Layer7 invalid response, info: \"TCPCHK did not match content {text} at step 1\""
            ),
        );
    }
    let r = probe(&tc(
        g,
        vec![rule("tcp-check expect", &["!", "string", "hello"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"TCPCHK matched unwanted content 'hello' at step 1\"",
    );

    let (c, _r) = serve(closer).await;
    let r = probe(&tc(
        c,
        vec![rule("tcp-check expect", &["binary", "2b4f4b"])],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L7Rsp,
        None,
        "Layer7 invalid response, info: \"TCPCHK got an empty response at step 1\"",
    );

    // `connect port` goes elsewhere; a refused explicit connect names it.
    let refused = refused_addr().await;
    let r = probe(&tc(
        refused,
        vec![
            rule("tcp-check connect", &["port", &echo.port().to_string()]),
            rule("tcp-check expect", &["string", "+OK"]),
            rule("tcp-check connect", &[]),
        ],
    ))
    .await;
    assert_result(
        &r,
        CheckStatus::L4Con,
        None,
        "Layer4 connection problem, info: \"Connection refused at step 3 of tcp-check (connect)\"",
    );
    let r = probe(&tc(echo, vec![rule("tcp-check connect", &[])])).await;
    assert_result(
        &r,
        CheckStatus::L4Ok,
        None,
        "Layer4 check passed, info: \"(tcp-check)\"",
    );
}

/// Kills the child it holds, by PID, when dropped.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn real_smtp_sink() {
    const SINK: &str = "/usr/sbin/smtp-sink";
    if !std::path::Path::new(SINK).exists() {
        eprintln!("skipped: {SINK} (Debian postfix) is not installed");
        return;
    }
    let addr = refused_addr().await;
    let mut cmd = Command::new(SINK);
    // smtp-sink refuses to run as root without a user to switch to.
    if is_root() {
        cmd.args(["-u", "nobody"]);
    }
    let child = cmd
        .arg(addr.to_string())
        .arg("10")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = ChildGuard(child);
    let deadline = Instant::now() + Duration::from_secs(3);
    while TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "smtp-sink did not listen");
        tokio::time::sleep(20 * MS).await;
    }
    let r = probe(&spec(addr, smtp("EHLO", "haproxy.local"))).await;
    assert_result(
        &r,
        CheckStatus::L7Ok,
        Some(221),
        "Layer7 check passed, code: 221, info: \"Bye\"",
    );
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[tokio::test]
async fn runner_marks_down_then_up() {
    let addr = refused_addr().await;
    let mut s = spec(addr, CheckKind::Tcp);
    s.inter = 100 * MS;
    s.fastinter = 30 * MS;
    s.downinter = 60 * MS;
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, CheckEvent)>();
    let on_event: runner::OnEvent = std::sync::Arc::new(move |spec: &CheckSpec, e: CheckEvent| {
        let _ = tx.send((format!("{}/{}", spec.backend, spec.server), e));
    });
    let task = runner::spawn(s, on_event);
    // Starts just UP: the first (refused) check marks it DOWN.
    let (who, e) = next_event(&mut rx).await;
    assert_eq!(who, "bk/srv");
    assert_eq!(e.transition, Some(Transition::Down));
    assert_eq!(
        (e.previous_health, e.health, e.counter_text().as_str()),
        (2, 0, "0/2 DOWN")
    );
    assert_eq!(e.result.status, CheckStatus::L4Con);

    let listener = TcpListener::bind(addr).await.unwrap();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    // Refused checks may still come before the listener is seen.
    while Instant::now() < deadline {
        let (_, e) = next_event(&mut rx).await;
        let up = e.transition == Some(Transition::Up);
        seen.push((e.result.status, e.counter_text(), e.transition));
        if up {
            break;
        }
    }
    task.abort();
    drop(listener);
    let tail: Vec<_> = seen.iter().rev().take(2).rev().cloned().collect();
    assert_eq!(
        tail,
        [
            (CheckStatus::L4Ok, "1/2 DOWN".to_string(), None),
            (
                CheckStatus::L4Ok,
                "3/3 UP".to_string(),
                Some(Transition::Up)
            ),
        ],
        "{seen:?}"
    );
}

async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<(String, CheckEvent)>,
) -> (String, CheckEvent) {
    tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .expect("no check event in time")
        .expect("runner ended")
}
