//! Differential test of server selection: the real haproxy 2.6 and our
//! `lb` balancers must choose the same servers, in the same order, for
//! the same sequence of connections.
//!
//! Each case starts small TCP servers on loopback that answer with their
//! name, runs the proxy binary on a generated `listen` section (one
//! thread, no health checks), replays the case's connections and records
//! who answered; the model replays the same events against
//! `rhaproxy::lb` built from the same configuration text.
//!
//! Connections end gracefully in a fixed order (client reads the name
//! and shuts down its side; the server closes on EOF; the proxy then
//! closes the client, which the client waits for), so that the proxy has
//! released its connection slot before the next connection arrives.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rhaproxy::lb::{
    algo_from_config, allbackups_from_config, new_balancer, servers_from_config, Balancer, HashKey,
};

const HAPROXY: &str = "/usr/sbin/haproxy";
/// How long a queued connection may stay silent before we call it queued.
const QUEUED_AFTER: Duration = Duration::from_millis(300);
const IO_DEADLINE: Duration = Duration::from_secs(3);

/// One event of a case.
#[derive(Debug, Clone)]
enum Step {
    /// Connect (from this source address), read the answer, end.
    Short(Ipv4Addr),
    /// Connect and keep the connection open; it may be queued.
    Hold,
    /// End the n-th held connection (0-based, in `Hold` order).
    Release(usize),
}

struct Case {
    name: &'static str,
    /// Lines of the `listen` section besides `bind` and `server`.
    options: &'static [&'static str],
    /// Server options, one entry per server (names s1, s2, …).
    servers: &'static [&'static str],
    steps: Vec<Step>,
    /// Compare the order exactly; otherwise only check that the proxy
    /// maps each repeated key to the same server (see `source consistent`).
    exact: bool,
}

fn local() -> Ipv4Addr {
    Ipv4Addr::LOCALHOST
}

fn shorts(n: usize) -> Vec<Step> {
    vec![Step::Short(local()); n]
}

/// 127.0.0.1..=20 then a spread of 127.0.x.y.
fn sources() -> Vec<Step> {
    let mut v: Vec<Step> = (1..=20)
        .map(|x| Step::Short(Ipv4Addr::new(127, 0, 0, x)))
        .collect();
    v.extend((1..=20u8).map(|i| {
        Step::Short(Ipv4Addr::new(
            127,
            i.wrapping_mul(7),
            i.wrapping_mul(13) % 250 + 1,
            i.wrapping_mul(3) + 1,
        ))
    }));
    v
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "roundrobin equal weights",
            options: &["balance roundrobin"],
            servers: &["", "", ""],
            steps: shorts(9),
            exact: true,
        },
        Case {
            name: "roundrobin 3/1",
            options: &["balance roundrobin"],
            servers: &["weight 3", "weight 1"],
            steps: shorts(12),
            exact: true,
        },
        Case {
            name: "roundrobin 2/3/1",
            options: &["balance roundrobin"],
            servers: &["weight 2", "weight 3", "weight 1"],
            steps: shorts(18),
            exact: true,
        },
        Case {
            name: "roundrobin 10/1",
            options: &["balance roundrobin"],
            servers: &["weight 10", "weight 1"],
            steps: shorts(23),
            exact: true,
        },
        Case {
            name: "roundrobin 7/5/0/13",
            options: &["balance roundrobin"],
            servers: &["weight 7", "weight 5", "weight 0", "weight 13"],
            steps: shorts(40),
            exact: true,
        },
        Case {
            name: "static-rr 2/3/1",
            options: &["balance static-rr"],
            servers: &["weight 2", "weight 3", "weight 1"],
            steps: shorts(14),
            exact: true,
        },
        Case {
            name: "leastconn with held connections",
            options: &["balance leastconn"],
            servers: &["", "", ""],
            steps: vec![
                Step::Hold,
                Step::Hold,
                Step::Short(local()),
                Step::Short(local()),
                Step::Hold,
                Step::Release(0),
                Step::Short(local()),
                Step::Hold,
                Step::Hold,
                Step::Release(1),
                Step::Release(3),
                Step::Short(local()),
                Step::Short(local()),
                Step::Short(local()),
            ],
            exact: true,
        },
        Case {
            name: "leastconn weighted",
            options: &["balance leastconn"],
            servers: &["weight 2", "weight 1"],
            steps: vec![Step::Hold; 6],
            exact: true,
        },
        Case {
            name: "first with maxconn",
            options: &["balance first"],
            servers: &["maxconn 2 id 20", "maxconn 1 id 10", "maxconn 1 id 30"],
            steps: vec![
                Step::Hold,
                Step::Hold,
                Step::Hold,
                Step::Short(local()),
                Step::Release(1),
                Step::Hold,
                Step::Release(0),
                Step::Short(local()),
            ],
            exact: true,
        },
        Case {
            name: "source map-based",
            options: &["balance source"],
            servers: &["", "weight 2", ""],
            steps: sources(),
            exact: true,
        },
        Case {
            name: "source consistent",
            options: &["balance source", "hash-type consistent"],
            servers: &["", "", ""],
            // Twice over, to see that each address keeps its server.
            steps: [sources(), sources()].concat(),
            exact: true,
        },
        Case {
            name: "backup takes over from disabled actives",
            options: &["balance roundrobin"],
            servers: &["disabled", "backup", "backup", "weight 0"],
            steps: shorts(4),
            exact: true,
        },
        Case {
            name: "allbackups",
            options: &["balance roundrobin", "option allbackups"],
            servers: &["disabled", "backup weight 1", "backup weight 2"],
            steps: shorts(9),
            exact: true,
        },
        Case {
            name: "static-rr first backup sizes the table",
            options: &["balance static-rr"],
            servers: &["weight 5 disabled", "backup weight 2", "backup weight 3"],
            steps: shorts(6),
            exact: true,
        },
    ]
}

// ---------------------------------------------------------------- servers

/// A loopback server answering `name\n` and closing once the peer has.
fn start_server(name: String) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind test server");
    let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
    thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { return };
            let name = name.clone();
            thread::spawn(move || {
                let _ = c.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = c.write_all(format!("{name}\n").as_bytes());
                let mut buf = [0u8; 64];
                while matches!(c.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    port
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

// ------------------------------------------------------------------ proxy

struct ProxyGuard(Child);

impl Drop for ProxyGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn listening(port: u16) -> bool {
    let want = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/tcp")
        .map(|t| {
            t.lines().skip(1).any(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 3 && f[1] == want && f[3] == "0A"
            })
        })
        .unwrap_or(false)
}

fn config(case: &Case, port: u16, server_ports: &[u16]) -> String {
    let mut c = format!(
        "global\n    nbthread 1\n\ndefaults\n    mode tcp\n    timeout connect 2s\n    \
         timeout client 10s\n    timeout server 10s\n    timeout queue 10s\n\n\
         listen lb\n    bind 127.0.0.1:{port}\n"
    );
    for o in case.options {
        c.push_str(&format!("    {o}\n"));
    }
    for (i, (opts, p)) in case.servers.iter().zip(server_ports).enumerate() {
        c.push_str(&format!("    server s{} 127.0.0.1:{p} {opts}\n", i + 1));
    }
    c
}

/// Read the server's name; `None` if nothing came within `wait`.
fn read_name(c: &mut TcpStream, wait: Duration) -> Option<String> {
    let _ = c.set_read_timeout(Some(wait));
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    let end = Instant::now() + wait;
    while !got.contains(&b'\n') && Instant::now() < end {
        match c.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let s = String::from_utf8_lossy(&got).trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Our side first, then wait for the proxy to close its side.
fn finish(mut c: TcpStream) {
    let _ = c.shutdown(std::net::Shutdown::Write);
    let _ = c.set_read_timeout(Some(IO_DEADLINE));
    let mut buf = [0u8; 64];
    let end = Instant::now() + IO_DEADLINE;
    while Instant::now() < end {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

fn connect(port: u16, from: Ipv4Addr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    s.bind(&SocketAddr::V4(SocketAddrV4::new(from, 0)).into())
        .expect("bind source address");
    s.connect(&SocketAddr::V4(SocketAddrV4::new(local(), port)).into())
        .expect("connect to proxy");
    s.into()
}

fn answer(name: Option<String>) -> String {
    name.unwrap_or_else(|| "-".to_string())
}

/// Run `case` through the proxy binary `bin`; the answering servers.
fn observe(bin: &Path, case: &Case) -> Vec<String> {
    let ports: Vec<u16> = (0..case.servers.len())
        .map(|i| start_server(format!("s{}", i + 1)))
        .collect();
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("lb-order-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cfg = dir.join("haproxy.cfg");
    std::fs::write(&cfg, config(case, port, &ports)).expect("write cfg");
    let child = Command::new(bin)
        .arg("-db")
        .arg("-f")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start proxy");
    let _guard = ProxyGuard(child);
    let end = Instant::now() + Duration::from_secs(5);
    while !listening(port) {
        assert!(Instant::now() < end, "{}: proxy never listened", case.name);
        thread::sleep(Duration::from_millis(20));
    }

    let mut out = Vec::new();
    let mut held: Vec<Option<TcpStream>> = Vec::new();
    // Held connections that got no answer yet (queued), oldest first.
    let mut pending: Vec<usize> = Vec::new();
    for step in &case.steps {
        match step {
            Step::Short(from) => {
                let mut c = connect(port, *from);
                out.push(answer(read_name(&mut c, IO_DEADLINE)));
                finish(c);
            }
            Step::Hold => {
                let mut c = connect(port, local());
                let n = read_name(&mut c, QUEUED_AFTER);
                if n.is_none() {
                    pending.push(held.len());
                }
                out.push(answer(n));
                held.push(Some(c));
            }
            Step::Release(k) => {
                if let Some(c) = held.get_mut(*k).and_then(Option::take) {
                    finish(c);
                }
                if !pending.is_empty() {
                    let k = pending.remove(0);
                    if let Some(Some(c)) = held.get_mut(k) {
                        out.push(answer(read_name(c, IO_DEADLINE)));
                    }
                }
            }
        }
    }
    for c in held.into_iter().flatten() {
        finish(c);
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}

// ------------------------------------------------------------------ model

/// The same events against our balancer, built from the same text.
fn model(case: &Case) -> Vec<String> {
    let text = config(case, 1, &vec![2; case.servers.len()]);
    let src = haproxy_config::Source {
        name: "model.cfg".into(),
        data: text.into_bytes(),
    };
    let report = haproxy_config::check(&[src], &haproxy_config::host::SystemHost);
    let p = report
        .config
        .proxies
        .iter()
        .find(|p| p.name == "lb")
        .expect("parsed listen section");
    let servers = servers_from_config(p);
    let mut b: Box<dyn Balancer> = new_balancer(
        &algo_from_config(&p.balance, p.hash_type),
        servers,
        allbackups_from_config(p),
    );
    let name = |i: Option<usize>| i.map_or("-".to_string(), |i| format!("s{}", i + 1));
    let mut out = Vec::new();
    let mut held: Vec<Option<usize>> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    for step in &case.steps {
        match step {
            Step::Short(from) => {
                let ip = from.octets();
                let got = b.pick(HashKey::Bytes(&ip));
                if let Some(i) = got {
                    b.conn_start(i);
                    b.conn_end(i);
                }
                out.push(name(got));
            }
            Step::Hold => {
                let got = b.pick(HashKey::Bytes(&local().octets()));
                match got {
                    Some(i) => b.conn_start(i),
                    None => pending.push(held.len()),
                }
                out.push(name(got));
                held.push(got);
            }
            Step::Release(k) => {
                if let Some(Some(i)) = held.get_mut(*k).map(Option::take) {
                    b.conn_end(i);
                }
                if !pending.is_empty() {
                    let k = pending.remove(0);
                    let got = b.pick(HashKey::Bytes(&local().octets()));
                    if let Some(i) = got {
                        b.conn_start(i);
                    }
                    held[k] = got;
                    out.push(name(got));
                }
            }
        }
    }
    out
}

fn check_against(bin: &Path) {
    let mut failures = Vec::new();
    for case in cases() {
        let got = observe(bin, &case);
        let want = model(&case);
        if !case.exact {
            let (a, b) = got.split_at(got.len() / 2);
            let spread = (1..=case.servers.len()).all(|i| got.contains(&format!("s{i}")));
            if a != b || !spread {
                failures.push(format!(
                    "{}: unstable or lopsided: {}",
                    case.name,
                    got.join(" ")
                ));
            }
            let (a, b) = want.split_at(want.len() / 2);
            assert_eq!(a, b, "{}: model unstable", case.name);
            continue;
        }
        if got != want {
            failures.push(format!(
                "{}:\n  proxy: {}\n  model: {}",
                case.name,
                got.join(" "),
                want.join(" ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn haproxy_chooses_like_our_balancers() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("note: {HAPROXY} is missing; skipping the haproxy side");
        return;
    }
    check_against(Path::new(HAPROXY));
}

#[test]
fn rhaproxy_chooses_like_our_balancers() {
    check_against(&PathBuf::from(env!("CARGO_BIN_EXE_rhaproxy")));
}
