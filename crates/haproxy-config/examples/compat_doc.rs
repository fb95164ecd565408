//! Print `docs/compatibility.md`, generated from the keyword table.
//!
//! `make docs` runs this as
//! `cargo run -q -p haproxy-config --example compat_doc > docs/compatibility.md`;
//! `tests/compat_doc.rs` fails when the committed file and the table drift.

fn main() {
    print!("{}", haproxy_config::keywords::compat_doc());
}
