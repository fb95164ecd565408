//! `net::netlink` against the real kernel, inside network namespaces this
//! test creates (a veth pair `v0`/`v1`, TEST-NET addresses only). Each
//! test's namespace is deleted in `Drop`. Needs root; prints a note and
//! passes otherwise.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

mod common;
use common::ns::{run, Ns};
use rkeepalived::net::netlink::{
    watch_addrs, watch_links, AddOutcome, DelOutcome, ErrorKind, Netlink, Scope, Vip,
};

const WAIT: Duration = Duration::from_secs(5);

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The `inet`/`inet6` lines for `needle` (a word of `ip -o addr`).
fn line_with<'a>(out: &'a str, needle: &str) -> Option<&'a str> {
    out.lines()
        .find(|l| l.split_whitespace().any(|w| w == needle))
}

#[test]
fn link_index_mac_and_state() {
    let Some(ns) = Ns::new("nl", "link") else {
        return;
    };
    let link = ns.ip(&["-o", "link", "show", "dev", "v0"]);
    let index: u32 = link.split(':').next().unwrap().trim().parse().unwrap();
    let mac = link
        .split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .unwrap()
        .to_string();
    let (got_index, got_mac, up, missing) = ns.run(|| async {
        let nl = Netlink::new().unwrap();
        let i = nl.link_index("v0").await.unwrap();
        let m = nl.link_mac("v0").await.unwrap();
        let up = nl.link_is_up("v0").await.unwrap();
        let missing = nl.link_index("nosuch0").await.unwrap_err();
        (i, m, up, missing)
    });
    assert_eq!(got_index, index);
    let got_mac: Vec<String> = got_mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got_mac.join(":"), mac);
    assert!(up);
    assert!(matches!(missing.kind, ErrorKind::NoSuchLink), "{missing}");
    assert!(missing.to_string().contains("nosuch0"));

    // Peer down: v0 is UP but loses carrier, so not running.
    ns.ip(&["link", "set", "v1", "down"]);
    let up = ns.run(|| async { Netlink::new().unwrap().link_is_up("v0").await.unwrap() });
    assert!(!up);
}

#[test]
fn v4_vip_add_del() {
    let Some(ns) = Ns::new("nl", "v4") else {
        return;
    };
    ns.ip(&["addr", "add", "192.0.2.1/24", "dev", "v0"]);
    let (primary, r) = ns.run(|| async {
        let nl = Netlink::new().unwrap();
        let p = nl.primary_v4("v0").await.unwrap();
        let a1 = nl
            .add_addr(
                "v0",
                ip("192.0.2.10"),
                24,
                Some("192.0.2.255".parse().unwrap()),
                None,
                Some("v0:vip"),
            )
            .await
            .unwrap();
        let a2 = nl
            .add_addr("v0", ip("192.0.2.10"), 24, None, None, None)
            .await
            .unwrap();
        let plain = nl
            .add_vip("v0", &Vip::new(ip("198.51.100.3")))
            .await
            .unwrap();
        let mut host = Vip::new(ip("198.51.100.4"));
        host.scope = Scope::Host;
        let host = nl.add_vip("v0", &host).await.unwrap();
        let has = nl.has_addr("v0", ip("192.0.2.10"), 24).await.unwrap();
        let has_wrong_len = nl.has_addr("v0", ip("192.0.2.10"), 32).await.unwrap();
        (p, (a1, a2, plain, host, has, has_wrong_len))
    });
    assert_eq!(primary, Some(Ipv4Addr::new(192, 0, 2, 1)));
    assert_eq!(
        r,
        (
            AddOutcome::Added,
            AddOutcome::AlreadyPresent,
            AddOutcome::Added,
            AddOutcome::Added,
            true,
            false
        )
    );
    let out = ns.addrs();
    let l = line_with(&out, "192.0.2.10/24").expect(&out);
    assert!(
        l.contains("inet 192.0.2.10/24 brd 192.0.2.255 scope global secondary v0:vip"),
        "{l}"
    );
    let l = line_with(&out, "198.51.100.3/32").expect(&out);
    assert!(l.contains("inet 198.51.100.3/32 scope global v0"), "{l}");
    assert!(l.contains("valid_lft forever preferred_lft forever"), "{l}");
    assert!(!l.contains("brd"), "{l}");
    let l = line_with(&out, "198.51.100.4/32").expect(&out);
    assert!(l.contains("scope host"), "{l}");

    let (d1, d2, d3, primary) = ns.run(|| async {
        let nl = Netlink::new().unwrap();
        let d1 = nl.del_addr("v0", ip("192.0.2.10"), 24).await.unwrap();
        let d2 = nl.del_addr("v0", ip("192.0.2.10"), 24).await.unwrap();
        // The prefix is part of the key.
        let d3 = nl.del_addr("v0", ip("198.51.100.3"), 24).await.unwrap();
        (d1, d2, d3, nl.primary_v4("v0").await.unwrap())
    });
    assert_eq!(
        (d1, d2, d3),
        (
            DelOutcome::Deleted,
            DelOutcome::NotPresent,
            DelOutcome::NotPresent
        )
    );
    assert_eq!(primary, Some(Ipv4Addr::new(192, 0, 2, 1)));
    let out = ns.addrs();
    assert!(line_with(&out, "192.0.2.10/24").is_none(), "{out}");
    assert!(line_with(&out, "198.51.100.3/32").is_some(), "{out}");
}

#[test]
fn v6_vip_add_del() {
    let Some(ns) = Ns::new("nl", "v6") else {
        return;
    };
    let ll = ns.run(|| async {
        let nl = Netlink::new().unwrap();
        let ll = nl.primary_v6_linklocal("v0").await.unwrap();
        let a = nl
            .add_vip("v0", &Vip::new(ip("2001:db8::10")))
            .await
            .unwrap();
        let mut v = Vip::new(ip("2001:db8:1::10"));
        v.prefix = 64;
        let b = nl.add_vip("v0", &v).await.unwrap();
        let again = nl.add_vip("v0", &v).await.unwrap();
        assert_eq!(
            (a, b, again),
            (
                AddOutcome::Added,
                AddOutcome::Added,
                AddOutcome::AlreadyPresent
            )
        );
        assert!(nl.has_addr("v0", ip("2001:db8::10"), 128).await.unwrap());
        ll
    });
    let out = ns.addrs();
    let expect_ll = out
        .lines()
        .filter_map(|l| l.split_whitespace().skip_while(|w| *w != "inet6").nth(1))
        .find(|a| a.starts_with("fe80:"))
        .map(|a| a.split('/').next().unwrap().to_string());
    assert_eq!(ll.map(|a| a.to_string()), expect_ll, "{out}");
    // /128: nodad and deprecated (preferred 0), so never a source address.
    let l = line_with(&out, "2001:db8::10/128").expect(&out);
    assert!(l.contains("scope global nodad deprecated"), "{l}");
    assert!(l.contains("valid_lft forever preferred_lft 0sec"), "{l}");
    let l = line_with(&out, "2001:db8:1::10/64").expect(&out);
    assert!(l.contains("scope global nodad"), "{l}");
    assert!(!l.contains("tentative"), "{l}");

    let r = ns.run(|| async {
        let nl = Netlink::new().unwrap();
        (
            nl.del_addr("v0", ip("2001:db8::10"), 128).await.unwrap(),
            nl.del_addr("v0", ip("2001:db8::10"), 128).await.unwrap(),
        )
    });
    assert_eq!(r, (DelOutcome::Deleted, DelOutcome::NotPresent));
    assert!(line_with(&ns.addrs(), "2001:db8::10/128").is_none());
}

#[test]
fn watch_links_reports_down_and_up() {
    let Some(ns) = Ns::new("nl", "watch") else {
        return;
    };
    let name = ns.name.clone();
    ns.run(move || async move {
        let mut w = watch_links().unwrap();
        let set = |state: &str| {
            run(&["ip", "-n", &name, "link", "set", "v0", state]);
        };
        async fn wait_for(
            w: &mut rkeepalived::net::netlink::Watch<rkeepalived::net::netlink::LinkEvent>,
            up: bool,
        ) {
            tokio::time::timeout(WAIT, async {
                loop {
                    let e = w.recv().await.expect("watch ended");
                    if e.name == "v0" && e.up == up && !e.removed {
                        return;
                    }
                }
            })
            .await
            .unwrap_or_else(|_| panic!("no v0 up={up} event within {WAIT:?}"));
        }
        set("down");
        wait_for(&mut w, false).await;
        set("up");
        wait_for(&mut w, true).await;
    });
}

#[test]
fn watch_addrs_reports_removal_behind_our_back() {
    let Some(ns) = Ns::new("nl", "waddr") else {
        return;
    };
    let name = ns.name.clone();
    ns.run(move || async move {
        let nl = Netlink::new().unwrap();
        let index = nl.link_index("v0").await.unwrap();
        let mut w = watch_addrs().unwrap();
        nl.add_vip("v0", &Vip::new(ip("198.51.100.7")))
            .await
            .unwrap();
        run(&[
            "ip",
            "-n",
            &name,
            "addr",
            "del",
            "198.51.100.7/32",
            "dev",
            "v0",
        ]);
        let mut seen_add = false;
        tokio::time::timeout(WAIT, async {
            loop {
                let e = w.recv().await.expect("watch ended");
                if e.addr != ip("198.51.100.7") {
                    continue;
                }
                assert_eq!((e.index, e.prefix), (index, 32));
                if !e.removed {
                    seen_add = true;
                } else {
                    return;
                }
            }
        })
        .await
        .expect("no RTM_DELADDR within the bound");
        assert!(seen_add);
    });
}
