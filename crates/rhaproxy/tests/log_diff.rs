//! Differential test of the traffic log: the real haproxy 2.6 proxies one
//! TCP connection and logs it; we rebuild a `SessionRecord` from the facts
//! in its line (and from what the test itself saw on the wire), render it
//! with our format and syslog header, and require the same bytes.
//!
//! Skipped, with a note, when /usr/sbin/haproxy is absent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{Local, NaiveDateTime, TimeZone};
use rhaproxy::log::format::{connect_line, LogFormat, Mode};
use rhaproxy::log::record::SessionRecord;
use rhaproxy::log::syslog::{finish, frame, Format, Level, Logger, Origin};

const HAPROXY: &str = "/usr/sbin/haproxy";
const REQUEST: &[u8] = b"hello from the client\n";
const REPLY: &[u8] = b"250 reply from the server, a bit longer\r\n";

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn haproxy() -> Option<&'static Path> {
    let p = Path::new(HAPROXY);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("{HAPROXY} is absent: differential log test skipped");
        None
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A server that answers one connection and reports the peer it saw
/// (haproxy's end of the server connection, `%bi:%bp`).
fn one_shot_server() -> (SocketAddr, mpsc::Receiver<SocketAddr>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind server");
    let addr = l.local_addr().expect("server addr");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        if let Ok((mut c, peer)) = l.accept() {
            let _ = tx.send(peer);
            let _ = c.set_read_timeout(Some(Duration::from_secs(3)));
            let mut got = Vec::new();
            let mut buf = [0u8; 256];
            while got.len() < REQUEST.len() {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let _ = c.write_all(REPLY);
        }
    });
    (addr, rx)
}

struct Run {
    /// haproxy's datagram, when UDP logging was configured.
    datagram: Option<String>,
    /// haproxy's first stdout line, when stdout logging was configured.
    stdout: Option<String>,
    pid: u32,
    client: SocketAddr,
    frontend: SocketAddr,
    server: SocketAddr,
    backend_local: Option<SocketAddr>,
    received: usize,
}

/// Run haproxy with `global_log` and `fe_log` (lines for global and the
/// frontend), make one connection through it, collect its log line.
fn run(global_log: &str, fe_log: &str, want_udp: bool, want_stdout: bool) -> Run {
    run_with(
        global_log,
        fe_log,
        want_udp,
        want_stdout,
        "server s1 SERVER",
    )
}

/// [`run`] with the backend's body given; `SERVER` stands for the live
/// test server, `CLOSED` for a port nobody listens on.
fn run_with(
    global_log: &str,
    fe_log: &str,
    want_udp: bool,
    want_stdout: bool,
    backend: &str,
) -> Run {
    let udp = UdpSocket::bind("127.0.0.1:0").expect("bind log socket");
    let log_port = udp.local_addr().expect("log addr").port();
    let (server, peer_rx) = one_shot_server();
    let fe_port = free_port();
    let dir = std::env::temp_dir().join(format!(
        "rhaproxy-log-diff-{}-{}",
        std::process::id(),
        fe_port
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cfg: PathBuf = dir.join("haproxy.cfg");
    let text = format!(
        "global\n    {}\n\ndefaults\n    mode tcp\n    timeout connect 2s\n    timeout client 3s\n    timeout server 3s\n\n\
         frontend fe\n    bind 127.0.0.1:{fe_port}\n    log global\n    {fe_log}\n    default_backend be\n\n\
         backend be\n    {}\n",
        global_log.replace("LOGPORT", &log_port.to_string()),
        backend
            .replace("SERVER", &server.to_string())
            .replace("CLOSED", &format!("127.0.0.1:{}", free_port()))
    );
    std::fs::write(&cfg, text).expect("write cfg");
    let child = Command::new(HAPROXY)
        .arg("-db")
        .arg("-f")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start haproxy");
    let mut child = Kill(child);
    let pid = child.0.id();
    let (line_tx, line_rx) = mpsc::channel();
    if let Some(out) = child.0.stdout.take() {
        thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut line = String::new();
            if r.read_line(&mut line).is_ok() {
                let _ = line_tx.send(line);
            }
        });
    }

    let frontend: SocketAddr = ([127, 0, 0, 1], fe_port).into();
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut conn = loop {
        match TcpStream::connect_timeout(&frontend, Duration::from_millis(200)) {
            Ok(c) => break c,
            Err(e) if Instant::now() > deadline => panic!("haproxy never listened: {e}"),
            Err(_) => thread::sleep(Duration::from_millis(20)),
        }
    };
    let client = conn.local_addr().expect("client addr");
    conn.set_read_timeout(Some(Duration::from_secs(3))).ok();
    conn.write_all(REQUEST).expect("send");
    let mut got = Vec::new();
    let _ = conn.read_to_end(&mut got);
    drop(conn);
    let backend_local = peer_rx.recv_timeout(Duration::from_secs(1)).ok();

    let datagram = want_udp.then(|| {
        udp.set_read_timeout(Some(Duration::from_secs(3))).ok();
        let mut buf = [0u8; 4096];
        let n = udp.recv(&mut buf).expect("haproxy's log datagram");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let stdout = want_stdout.then(|| {
        line_rx
            .recv_timeout(Duration::from_secs(3))
            .expect("haproxy's stdout log line")
    });
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        datagram,
        stdout,
        pid,
        client,
        frontend,
        server,
        backend_local,
        received: got.len(),
    }
}

/// `<PRI>Mmm dd hh:mm:ss TAG[PID]: ` split off a datagram: (pri, date,
/// tag, pid, message without its `\n`).
fn split_header(d: &str) -> (u32, String, String, u32, String) {
    let body = d.strip_suffix('\n').expect("datagram ends with a newline");
    let rest = body.strip_prefix('<').expect("<PRI>");
    let (pri, rest) = rest.split_once('>').expect("<PRI>");
    let date = &rest[..15];
    let b = date.as_bytes();
    let shape_ok = b[3] == b' '
        && (b[4] == b' ' || b[4].is_ascii_digit())
        && b[5].is_ascii_digit()
        && b[6] == b' '
        && b[9] == b':'
        && b[12] == b':'
        && date[..3].chars().all(|c| c.is_ascii_alphabetic());
    assert!(shape_ok, "header date {date:?}");
    let rest = rest[15..].strip_prefix(' ').expect("space after date");
    let (tag, rest) = rest.split_once('[').expect("tag[pid]");
    let (pid, msg) = rest.split_once("]: ").expect("tag[pid]: ");
    (
        pri.parse().expect("PRI"),
        date.to_string(),
        tag.to_string(),
        pid.parse().expect("pid"),
        msg.to_string(),
    )
}

/// The header date as a time, given the year (syslog dates carry none).
fn header_time(date: &str, year: i32) -> SystemTime {
    let day: u32 = date[4..6].trim().parse().expect("day");
    let text = format!("{day:02}/{}/{year}:{}", &date[..3], &date[7..]);
    local_time(&text, "%d/%b/%Y:%H:%M:%S")
}

fn local_time(text: &str, fmt: &str) -> SystemTime {
    let n = NaiveDateTime::parse_from_str(text, fmt).unwrap_or_else(|e| panic!("{text}: {e}"));
    let d = Local
        .from_local_datetime(&n)
        .earliest()
        .expect("a local time");
    SystemTime::from(d)
}

fn num<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
}

fn timer(s: &str) -> Option<u64> {
    if s == "-1" {
        None
    } else {
        Some(num(s))
    }
}

fn base_record(r: &Run) -> SessionRecord {
    let mut rec = SessionRecord::accepted(r.client, r.frontend, "fe");
    rec.backend = "be".into();
    rec.server = "s1".into();
    rec.server_addr = Some(r.server);
    rec.backend_local = r.backend_local;
    rec
}

/// Fill a record from the `%Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`
/// tail that tcplog and our custom format share.
fn fill_counters(
    rec: &mut SessionRecord,
    timers: &str,
    bytes: &str,
    ts: &str,
    conns: &str,
    queues: &str,
) {
    let t: Vec<&str> = timers.split('/').collect();
    assert_eq!(t.len(), 3, "{timers}");
    rec.tw = timer(t[0]);
    rec.tc = timer(t[1]);
    rec.tt = num(t[2]);
    rec.bytes_out = num(bytes);
    rec.termination = ts
        .as_bytes()
        .try_into()
        .expect("two termination characters");
    let c: Vec<&str> = conns.split('/').collect();
    assert_eq!(c.len(), 5, "{conns}");
    rec.actconn = num(c[0]);
    rec.feconn = num(c[1]);
    rec.beconn = num(c[2]);
    rec.srv_conn = num(c[3]);
    rec.redispatched = c[4].starts_with('+');
    rec.retries = num(c[4].trim_start_matches('+'));
    let q: Vec<&str> = queues.split('/').collect();
    assert_eq!(q.len(), 2, "{queues}");
    rec.srv_queue = num(q[0]);
    rec.backend_queue = num(q[1]);
}

/// Send `msg` through our own `Logger` to a socket of ours and return the
/// datagram, so the real send path is what gets compared.
fn our_datagram(msg: &str, at: SystemTime) -> String {
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = rx.local_addr().expect("addr").port();
    let words: Vec<String> = [format!("127.0.0.1:{port}"), "local2".into()].to_vec();
    let target = haproxy_config::log::parse_log(&words).expect("log target");
    let logger = Logger::from_targets(&[target], "haproxy", None).expect("logger");
    logger.log_at(Level::Info, msg, at);
    rx.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let mut buf = [0u8; 4096];
    let n = rx.recv(&mut buf).expect("our datagram");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Same bytes once the pid fields are made equal (ours is the test's).
fn assert_same_datagram(theirs: &str, ours: &str, their_pid: u32) {
    let ours = ours.replacen(
        &format!("haproxy[{}]", std::process::id()),
        &format!("haproxy[{their_pid}]"),
        1,
    );
    assert_eq!(ours, theirs);
}

#[test]
fn tcplog_datagram_matches_haproxy() {
    if haproxy().is_none() {
        return;
    }
    let r = run("log 127.0.0.1:LOGPORT local2", "option tcplog", true, false);
    let d = r.datagram.clone().expect("datagram");
    let (pri, date, tag, pid, msg) = split_header(&d);
    assert_eq!(pri, 18 * 8 + 6, "local2.info");
    assert_eq!(tag, "haproxy");
    assert_eq!(pid, r.pid);

    // 127.0.0.1:PORT [DATE] fe be/s1 TW/TC/TT B TS AC/FC/BC/SC/RC SQ/BQ
    let f: Vec<&str> = msg.split(' ').collect();
    assert_eq!(f.len(), 9, "{msg}");
    assert_eq!(f[0], format!("127.0.0.1:{}", r.client.port()));
    let accept = f[1]
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .expect("[date]");
    assert_eq!(f[2], "fe");
    assert_eq!(f[3], "be/s1");
    let mut rec = base_record(&r);
    rec.accept_date = local_time(accept, "%d/%b/%Y:%H:%M:%S%.3f");
    fill_counters(&mut rec, f[4], f[5], f[6], f[7], f[8]);
    // Independent of haproxy's line: what the client really received.
    assert_eq!(rec.bytes_out as usize, r.received);
    assert_eq!(r.received, REPLY.len());

    let ours = LogFormat::tcplog().render_to_string(&rec);
    assert_eq!(ours, msg);

    let year: i32 = num(&accept[7..11]);
    let at = header_time(&date, year);
    assert_same_datagram(&d, &our_datagram(&ours, at), r.pid);
}

#[test]
fn custom_log_format_matches_haproxy() {
    if haproxy().is_none() {
        return;
    }
    let fmt = "%ci:%cp %fi:%fp %si:%sp %bi:%bp %{+Q}f %b %s %B %U %ts \
               %ac/%fc/%bc/%sc/%rc %sq/%bq %Tw/%Tc/%Tt %{+X}cp %{+X}ci \
               %[src]:%[dst_port] %pid %{+Q}ID %ms %Ts %%ok %T";
    let r = run(
        "log 127.0.0.1:LOGPORT local0",
        &format!("log-format \"{fmt}\""),
        true,
        false,
    );
    let d = r.datagram.clone().expect("datagram");
    let (pri, date, _tag, _pid, msg) = split_header(&d);
    assert_eq!(pri, 16 * 8 + 6, "local0.info");
    let f: Vec<&str> = msg.split(' ').collect();
    assert_eq!(f.len(), 23, "{msg}");
    // The addresses are facts the test saw itself.
    assert_eq!(f[0], r.client.to_string());
    assert_eq!(f[1], r.frontend.to_string());
    assert_eq!(f[2], r.server.to_string());
    if let Some(b) = r.backend_local {
        assert_eq!(f[3], b.to_string());
    }
    assert_eq!(f[7], REPLY.len().to_string());
    assert_eq!(f[8], REQUEST.len().to_string());
    assert_eq!(f[16], r.pid.to_string());

    let mut rec = base_record(&r);
    fill_counters(&mut rec, f[12], f[7], f[9], f[10], f[11]);
    rec.bytes_in = num(f[8]);
    let ms: u64 = num(f[18]);
    let secs: u64 = num(f[19]);
    rec.accept_date = UNIX_EPOCH + Duration::from_millis(secs * 1000 + ms);

    // Our %pid is the test's own: put haproxy's in its place.
    let ours = LogFormat::parse_for(fmt, Mode::Tcp)
        .expect("our parser accepts the format")
        .render_to_string(&rec)
        .replacen(
            &format!(" {} ", std::process::id()),
            &format!(" {} ", r.pid),
            1,
        );
    assert_eq!(ours, msg);

    let year: i32 = num(&f[21][7..11]);
    let at = header_time(&date, year);
    let mut framed = Vec::new();
    let origin = Origin {
        tag: "haproxy".into(),
        pid: r.pid,
        hostname: None,
    };
    frame(
        Format::Local,
        16,
        Level::Info,
        &origin,
        at,
        &ours,
        &mut framed,
    );
    finish(&mut framed, 1024, true);
    assert_eq!(String::from_utf8_lossy(&framed), d);
}

#[test]
fn stdout_raw_matches_haproxy() {
    if haproxy().is_none() {
        return;
    }
    let r = run("log stdout format raw local0", "option tcplog", false, true);
    let line = r.stdout.clone().expect("stdout line");
    let msg = line.strip_suffix('\n').expect("line ends with a newline");
    assert!(!msg.starts_with('<'), "raw has no header: {line:?}");
    let f: Vec<&str> = msg.split(' ').collect();
    assert_eq!(f.len(), 9, "{msg}");
    let accept = &f[1][1..f[1].len() - 1];
    let mut rec = base_record(&r);
    rec.accept_date = local_time(accept, "%d/%b/%Y:%H:%M:%S%.3f");
    fill_counters(&mut rec, f[4], f[5], f[6], f[7], f[8]);
    assert_eq!(rec.bytes_out as usize, r.received);
    let ours = LogFormat::tcplog().render_to_string(&rec);
    let mut framed = Vec::new();
    let origin = Origin {
        tag: "haproxy".into(),
        pid: r.pid,
        hostname: None,
    };
    frame(
        Format::Raw,
        16,
        Level::Info,
        &origin,
        SystemTime::now(),
        &ours,
        &mut framed,
    );
    finish(&mut framed, 1024, false);
    assert_eq!(String::from_utf8_lossy(&framed), line);
}

#[test]
fn connect_line_matches_haproxy() {
    if haproxy().is_none() {
        return;
    }
    let r = run("log 127.0.0.1:LOGPORT local2", "", true, false);
    let d = r.datagram.clone().expect("datagram");
    let (pri, _date, _tag, _pid, msg) = split_header(&d);
    assert_eq!(pri, 150);
    let rec = base_record(&r);
    assert_eq!(connect_line(&rec, "tcp"), msg);
}

/// The server refuses: no connect time (`-1`), `SC`, and with
/// `option redispatch` a `+` before the retry count.
#[test]
fn refused_and_redispatched_match_haproxy() {
    if haproxy().is_none() {
        return;
    }
    for (backend, server, ts) in [
        ("retries 0\n    server s1 CLOSED", "s1", "SC"),
        (
            "retries 1\n    option redispatch\n    balance first\n    server s1 CLOSED\n    server s2 SERVER",
            "s2",
            "--",
        ),
    ] {
        let r = run_with("log 127.0.0.1:LOGPORT local2", "option tcplog", true, false, backend);
        let d = r.datagram.clone().expect("datagram");
        let (_pri, date, _tag, _pid, msg) = split_header(&d);
        let f: Vec<&str> = msg.split(' ').collect();
        assert_eq!(f.len(), 9, "{msg}");
        assert_eq!(f[3], format!("be/{server}"));
        assert_eq!(f[6], ts, "{msg}");
        let accept = &f[1][1..f[1].len() - 1];
        let mut rec = base_record(&r);
        rec.server = server.into();
        rec.accept_date = local_time(accept, "%d/%b/%Y:%H:%M:%S%.3f");
        fill_counters(&mut rec, f[4], f[5], f[6], f[7], f[8]);
        if server == "s1" {
            assert_eq!(rec.tc, None, "{msg}");
            assert_eq!(r.received, 0);
        } else {
            assert!(rec.redispatched, "{msg}");
        }
        let ours = LogFormat::tcplog().render_to_string(&rec);
        assert_eq!(ours, msg);
        let at = header_time(&date, num(&accept[7..11]));
        assert_same_datagram(&d, &our_datagram(&ours, at), r.pid);
    }
}
