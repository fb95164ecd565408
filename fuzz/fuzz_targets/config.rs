//! Arbitrary bytes as one configuration file, through the whole checker.
#![no_main]

use haproxy_config::host::MemHost;
use haproxy_config::{check, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut host = MemHost::default();
    host.env.insert("HOME".into(), "/root".into());
    host.env.insert("LIST".into(), "a b  c".into());
    host.files.insert(
        "/etc/haproxy/errors/503.http".into(),
        b"HTTP/1.0 503 x\r\n\r\n".to_vec(),
    );
    host.files
        .insert("/etc/haproxy/site.pem".into(), b"-----".to_vec());
    host.dirs.push("/etc/haproxy".into());
    host.users.push("haproxy".into());
    let src = Source {
        name: "fuzz.cfg".into(),
        data: data.to_vec(),
    };
    let report = check(&[src], &host);
    let _ = report.verdict();
    for d in &report.diags {
        let _ = d.body();
    }
});
