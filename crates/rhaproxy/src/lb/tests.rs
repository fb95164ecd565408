//! Helpers shared by the algorithms' unit tests, and the config glue.

use super::*;

/// Active servers with these weights, ids 1.., all up, no maxconn.
pub(crate) fn servers(weights: &[u32]) -> Vec<LbServer> {
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| LbServer {
            index: i,
            id: i as u32 + 1,
            weight: w,
            backup: false,
            up: true,
            maxconn: 0,
        })
        .collect()
}

/// Picks as 1-based server numbers ("-" for none), space separated, the
/// way the differential test prints haproxy's answers.
pub(crate) fn names(picks: impl Iterator<Item = Option<usize>>) -> String {
    picks
        .map(|p| p.map_or("-".to_string(), |i| (i + 1).to_string()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn full_hash_is_the_six_shift_mix() {
    // Vectors computed with an independent implementation of the mix.
    assert_eq!(full_hash(0), 0x6b4e_d927);
    assert_eq!(full_hash(1), 0xb486_81b6);
    assert_eq!(full_hash(0x7f00_0001), 0x4a1b_584b);
}

fn parse(text: &str) -> haproxy_config::model::Config {
    let host = haproxy_config::host::SystemHost;
    let src = haproxy_config::Source {
        name: "t.cfg".into(),
        data: text.as_bytes().to_vec(),
    };
    haproxy_config::check(&[src], &host).config
}

#[test]
fn servers_and_algo_from_config() {
    let cfg = parse(
        "defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n\
         listen l\n bind 127.0.0.1:1\n balance source\n hash-type consistent\n option allbackups\n\
         default-server weight 5\n\
         server a 127.0.0.1:2\n server b 127.0.0.1:3 weight 7 id 9 maxconn 3\n\
         server c 127.0.0.1:4 backup disabled\n",
    );
    let p = cfg.proxies.iter().find(|p| p.name == "l").expect("proxy l");
    assert_eq!(
        algo_from_config(&p.balance, p.hash_type),
        Algo::Hash { consistent: true }
    );
    assert!(allbackups_from_config(p));
    let s = servers_from_config(p);
    assert_eq!(
        s.iter()
            .map(|s| (s.index, s.id, s.weight, s.backup, s.up, s.maxconn))
            .collect::<Vec<_>>(),
        vec![
            (0, 1, 5, false, true, 0),
            (1, 9, 7, false, true, 3),
            (2, 3, 5, true, false, 0)
        ]
    );
}

#[test]
fn every_balance_maps_to_an_algo() {
    use haproxy_config::model::{Balance, HashType};
    assert_eq!(
        algo_from_config(&Balance::RoundRobin, HashType::MapBased),
        Algo::RoundRobin
    );
    assert_eq!(
        algo_from_config(&Balance::Random { draws: 0 }, HashType::MapBased),
        Algo::Random { draws: 1 }
    );
    assert_eq!(
        algo_from_config(&Balance::Source, HashType::MapBased),
        Algo::Hash { consistent: false }
    );
}
