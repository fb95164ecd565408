//! Property and hostile-input tests: whatever bytes keepalived.conf holds,
//! `check()` returns promptly with an exit status keepalived can give, and
//! every diagnostic renders. Self-including files, self-referencing
//! definitions and huge `~SEQ` ranges end with an error, not a hang.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use keepalived_config::host::MemHost;
use keepalived_config::{check, Options, Report};
use proptest::prelude::*;

const MAIN: &str = "/k/keepalived.conf";

fn host_with(main: &[u8]) -> MemHost {
    let mut host = MemHost::with_interfaces(&["eth0", "eth1"]);
    host.files.insert(MAIN.into(), main.to_vec());
    host.files.insert(
        "/k/inc/a.conf".into(),
        b"vrrp_script s {\n script /bin/true\n}\n".to_vec(),
    );
    host
}

fn run(main: &[u8]) -> Report {
    check(MAIN, &host_with(main), &Options::default())
}

/// Run `f` on another thread; fail if it does not finish within `limit`.
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let t0 = Instant::now();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {:?}", t0.elapsed())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

fn assert_sane(r: &Report) {
    let code = r.exit_code();
    assert!(
        [0, 1, 2, 3, 4, 5, 6].contains(&code),
        "exit code {code} is not one keepalived -t gives"
    );
    for d in &r.diags {
        assert!(!d.render().is_empty());
    }
}

fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"\n",
        b" ",
        b"{",
        b"}",
        b"\"",
        b"\\\n",
        b"#",
        b"!",
        b"$A=",
        b"$A",
        b"${A}",
        b"@node1 ",
        b"@^node1 ",
        b"~SEQ(1,1,3)",
        b"~LST(a,b)",
        b"include inc/*.conf\n",
        b"include /k/keepalived.conf\n",
        b"global_defs {\n",
        b"vrrp_instance VI {\n",
        b"state MASTER\n",
        b"interface eth0\n",
        b"virtual_router_id 51\n",
        b"priority 100\n",
        b"advert_int 1\n",
        b"authentication {\n auth_type PASS\n auth_pass 123456789\n}\n",
        b"virtual_ipaddress {\n 192.0.2.10/24\n}\n",
        b"track_script {\n s weight 20\n}\n",
        b"virtual_server 192.0.2.1 25 {\n",
        b"real_server 192.0.2.2 25 {\n",
        b"TCP_CHECK {\n",
        b"\xff\xfe",
        b"\0",
    ];
    prop_oneof![
        3 => proptest::sample::select(fixed).prop_map(|b| b.to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..16),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_end_in_a_verdict(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        assert_sane(&run(&data));
    }

    #[test]
    fn keepalived_shaped_noise_ends_in_a_verdict(parts in proptest::collection::vec(fragment(), 0..60)) {
        let data: Vec<u8> = parts.concat();
        assert_sane(&run(&data));
    }
}

#[test]
fn a_file_that_includes_itself_stops() {
    let r = within(Duration::from_secs(20), "self include", || {
        run(b"include /k/keepalived.conf\nglobal_defs {\n router_id x\n}\n")
    });
    assert_sane(&r);
    assert!(
        !r.diags.is_empty(),
        "a self-including file must be reported"
    );
}

#[test]
fn self_referencing_definitions_stop() {
    let r = within(Duration::from_secs(20), "$A=$A", || {
        run(b"$A=$A $A\n$A\nglobal_defs {\n router_id $A\n}\n")
    });
    assert_sane(&r);
}

#[test]
fn huge_seq_ranges_are_refused() {
    let r = within(Duration::from_secs(20), "~SEQ", || {
        run(b"~SEQ(i,1,1,100000000) global_defs {\n router_id x$i\n}\n")
    });
    assert_sane(&r);
    let text: String = r.diags.iter().map(|d| d.render() + "\n").collect();
    assert!(
        r.exit_code() != 0 || !text.is_empty(),
        "a 10^8-line expansion must be refused with a message"
    );
}

#[test]
fn a_very_long_line_is_handled() {
    let mut data = b"global_defs {\n router_id ".to_vec();
    data.extend(std::iter::repeat_n(b'x', 1 << 20));
    data.extend(b"\n}\n");
    let r = within(Duration::from_secs(20), "1 MiB line", move || run(&data));
    assert_sane(&r);
}
