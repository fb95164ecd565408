//! Every keyword-table row is rendered in the compatibility doc (the drift
//! test against the committed file lives in compat-tests, which sees both
//! languages).

#[test]
fn every_table_row_appears_in_the_doc() {
    let doc = haproxy_config::keywords::compat_doc();
    for k in haproxy_config::keywords::TABLE {
        assert!(
            doc.contains(&format!("| `{}` |", k.name)),
            "keyword {:?} missing from compat_doc()",
            k.name
        );
    }
}
