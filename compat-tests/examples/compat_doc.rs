//! Print `docs/compatibility.md`: the haproxy.cfg and keepalived.conf
//! keyword tables, rendered from the parsers' own tables.
//! `make docs` runs `cargo run -q -p compat-tests --example compat_doc > docs/compatibility.md`.

fn main() {
    print!("{}", compat_tests::compat_doc());
}
