//! `net::route` against the real kernel, inside a network namespace this
//! test creates (veth `v0`/`v1`, 198.51.100.11/24 on `v0`, TEST-NET only).
//! The namespace is deleted in `Drop`. Needs root; prints a note and
//! passes otherwise.

mod common;
use common::ns::Ns;
use rkeepalived::net::route::{AddOutcome, DelOutcome, Route, RouteNetlink, Rule};

/// The shared namespace plus 198.51.100.11/24 on `v0`.
fn lab(tag: &str) -> Option<Ns> {
    let ns = Ns::new("rt", tag)?;
    ns.ip(&["addr", "add", "198.51.100.11/24", "dev", "v0"]);
    Some(ns)
}

fn route(s: &str) -> Route {
    Route::parse(&s.split_whitespace().collect::<Vec<_>>()).unwrap()
}

fn rule(s: &str) -> Rule {
    Rule::parse(&s.split_whitespace().collect::<Vec<_>>()).unwrap()
}

#[test]
fn routes_and_rules() {
    let Some(ns) = lab("all") else { return };
    let gw = route("192.0.2.0/24 via 198.51.100.1 dev v0");
    let bh = route("blackhole 192.0.2.128/25");
    let t100 = route("src 198.51.100.11 to 192.0.2.64/26 dev v0 table 100");
    let ru = rule("from 198.51.100.3 table 100");

    let (g2, b2, t2, r2) = (gw.clone(), bh.clone(), t100.clone(), ru.clone());
    let adds = ns.run(move || async move {
        let nl = RouteNetlink::new().unwrap();
        let mut v = vec![];
        for r in [&g2, &b2, &t2] {
            v.push(nl.add_route(r).await.unwrap());
        }
        v.push(nl.add_route(&g2).await.unwrap());
        v.push(nl.add_rule(&r2).await.unwrap());
        v.push(nl.add_rule(&r2).await.unwrap());
        v
    });
    use AddOutcome::*;
    assert_eq!(
        adds,
        vec![Added, Added, Added, AlreadyPresent, Added, AlreadyPresent]
    );

    let main = ns.ip(&["route", "show"]);
    assert!(
        main.contains("192.0.2.0/24 via 198.51.100.1 dev v0"),
        "{main}"
    );
    assert!(main.contains("blackhole 192.0.2.128/25"), "{main}");
    assert!(!main.contains("192.0.2.64/26"), "{main}");
    let t = ns.ip(&["route", "show", "table", "100"]);
    assert!(
        t.contains("192.0.2.64/26 dev v0") && t.contains("scope link src 198.51.100.11"),
        "{t}"
    );
    let rules = ns.ip(&["rule", "show"]);
    assert!(rules.contains("from 198.51.100.3 lookup 100"), "{rules}");

    let (g2, b2, t2, r2) = (gw.clone(), bh.clone(), t100.clone(), ru.clone());
    let dels = ns.run(move || async move {
        let nl = RouteNetlink::new().unwrap();
        let mut v = vec![];
        for r in [&g2, &b2, &t2] {
            v.push(nl.del_route(r).await.unwrap());
        }
        v.push(nl.del_route(&g2).await.unwrap());
        v.push(nl.del_rule(&r2).await.unwrap());
        v.push(nl.del_rule(&r2).await.unwrap());
        v
    });
    use DelOutcome::*;
    assert_eq!(
        dels,
        vec![Deleted, Deleted, Deleted, NotPresent, Deleted, NotPresent]
    );
    let main = ns.ip(&["route", "show"]);
    assert!(!main.contains("192.0.2."), "{main}");
    assert!(main.contains("198.51.100.0/24 dev v0"), "{main}");
    assert_eq!(ns.ip(&["route", "show", "table", "100"]).trim(), "");
    let rules = ns.ip(&["rule", "show"]);
    assert!(!rules.contains("198.51.100.3"), "{rules}");
}

#[test]
fn missing_device_is_an_error_on_add_not_on_delete() {
    let Some(ns) = lab("nodev") else { return };
    let r = route("192.0.2.0/24 via 198.51.100.1 dev nosuch0");
    let (add, del) = ns.run(move || async move {
        let nl = RouteNetlink::new().unwrap();
        (nl.add_route(&r).await, nl.del_route(&r).await)
    });
    let e = add.unwrap_err();
    assert!(
        matches!(e.kind, rkeepalived::net::route::ErrorKind::NoSuchLink),
        "{e}"
    );
    assert_eq!(del.unwrap(), DelOutcome::NotPresent);
}
