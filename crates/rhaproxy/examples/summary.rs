//! Print what the parser understood of a configuration:
//! `cargo run -p rhaproxy --example summary -- FILE...`
use haproxy_config::host::SystemHost;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let (sources, _) = haproxy_config::load_paths(&files, &SystemHost);
    let report = haproxy_config::check(&sources, &SystemHost);
    print!("{}", rhaproxy::summary::render(&report.config));
}
