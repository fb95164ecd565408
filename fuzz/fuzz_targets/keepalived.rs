//! Arbitrary bytes as keepalived.conf, through every parsing pass and the
//! post-parse checks (including includes, which resolve in memory).
#![no_main]

use keepalived_config::host::MemHost;
use keepalived_config::{check, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut host = MemHost::with_interfaces(&["eth0", "eth1"]);
    host.files.insert("/k/keepalived.conf".into(), data.to_vec());
    host.files
        .insert("/k/inc/a.conf".into(), b"vrrp_script s {\n script /bin/true\n}\n".to_vec());
    let report = check("/k/keepalived.conf", &host, &Options::default());
    let _ = report.exit_code();
    for d in &report.diags {
        let _ = d.render();
    }
});
