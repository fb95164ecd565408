//! Hash-based selection (`balance source` and the other hashed keys),
//! for both `hash-type map-based` (2.6's default) and `consistent`.
//!
//! The key's bytes are folded into a 32-bit value by XOR of big-endian
//! words — for an IPv4 client that is its address as an integer, so
//! map-based hashing of 127.0.0.x walks the weighted table slot by slot
//! (observed on 2.6). When a single server is in use the hash is 0.
//! A missing key (no address to hash) falls back to round robin.
//!
//! With `hash-type consistent` the folded key goes through the ring's
//! avalanche ([`ring_hash`]) before the lookup, as 2.6's default for
//! consistent hashing does (its `hash-type consistent` behaves exactly
//! like `consistent sdbm avalanche`). An IPv6 client folds its 16
//! bytes the same way: observed for `::1` (key 1) and for a v4-mapped
//! `::ffff:a.b.c.d` on a dual-stack bind (key `a.b.c.d ^ 0xffff`).

use super::group::{count_end, count_start, farm, Farm};
use super::map::{table, weight_gcd};
use super::ring::{ring_hash, Ring};
use super::{Balancer, HashKey, LbServer};

#[derive(Debug)]
pub struct HashBalancer {
    servers: Vec<LbServer>,
    configured: Vec<u32>,
    served: Vec<u32>,
    allbackups: bool,
    consistent: bool,
    gcd: u32,
    farm: Farm,
    table: Vec<usize>,
    ring: Ring,
    cursor: usize,
}

/// XOR of the key's complete big-endian 32-bit words.
pub(crate) fn fold(bytes: &[u8]) -> u32 {
    bytes
        .chunks_exact(4)
        .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
        .fold(0, |h, w| h ^ w)
}

impl HashBalancer {
    pub fn new(servers: Vec<LbServer>, allbackups: bool, consistent: bool) -> Self {
        let gcd = weight_gcd(&servers);
        let mut b = HashBalancer {
            configured: servers.iter().map(|s| s.weight).collect(),
            served: vec![0; servers.len()],
            servers,
            allbackups,
            consistent,
            gcd,
            farm: Farm::Nothing,
            table: Vec::new(),
            ring: Ring::default(),
            cursor: 0,
        };
        b.rebuild();
        b
    }

    fn rebuild(&mut self) {
        self.farm = farm(&self.servers, self.allbackups);
        if self.consistent {
            self.ring = Ring::build(&self.servers, self.farm);
        } else {
            self.table = table(&self.servers, self.farm, self.gcd);
        }
    }

    fn in_use(&self) -> usize {
        self.servers.iter().filter(|s| self.farm.admits(s)).count()
    }

    fn by_hash(&self, bytes: &[u8]) -> Option<usize> {
        let h = if self.in_use() == 1 { 0 } else { fold(bytes) };
        if let Farm::FirstBackup(i) = self.farm {
            if self.consistent {
                return Some(i);
            }
        }
        if self.consistent {
            self.ring.lookup(ring_hash(h))
        } else if self.table.is_empty() {
            None
        } else {
            Some(self.table[h as usize % self.table.len()])
        }
    }

    fn round_robin(&mut self) -> Option<usize> {
        let members: Vec<usize> = self
            .servers
            .iter()
            .filter(|s| self.farm.admits(s))
            .map(|s| s.index)
            .collect();
        for _ in 0..members.len() {
            let s = members[self.cursor % members.len()];
            self.cursor = self.cursor.wrapping_add(1);
            if self.servers[s].has_room(self.served[s]) {
                return Some(s);
            }
        }
        None
    }
}

impl Balancer for HashBalancer {
    fn pick(&mut self, key: HashKey<'_>) -> Option<usize> {
        let s = match key {
            HashKey::None => return self.round_robin(),
            HashKey::Bytes(b) => self.by_hash(b)?,
        };
        // A hashed key must not move to another server when its own is
        // full: the caller queues and asks again.
        self.servers[s].has_room(self.served[s]).then_some(s)
    }

    fn set_up(&mut self, index: usize, up: bool) {
        if let Some(s) = self.servers.get_mut(index) {
            if s.up != up {
                s.up = up;
                self.rebuild();
            }
        }
    }

    fn set_weight(&mut self, index: usize, weight: u32) {
        let Some(s) = self.servers.get_mut(index) else {
            return;
        };
        // Map-based hashing is static (0 or the configured weight);
        // consistent hashing follows the new weight.
        let w = match (self.consistent, weight) {
            (_, 0) => 0,
            (true, w) => w.min(256),
            (false, _) => self.configured[index],
        };
        if s.weight != w {
            s.weight = w;
            self.rebuild();
        }
    }

    fn conn_start(&mut self, index: usize) {
        count_start(&mut self.served, index);
    }

    fn conn_end(&mut self, index: usize) {
        count_end(&mut self.served, index);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{names, servers};
    use super::*;

    fn ips(b: &mut HashBalancer, last: std::ops::RangeInclusive<u8>) -> String {
        names(last.map(|x| b.pick(HashKey::Bytes(&[127, 0, 0, x]))))
    }

    #[test]
    fn map_based_is_address_modulo_the_table() {
        // 127.0.0.1 = 0x7f000001; table 1 2 3: 0x7f000001 % 3 = 2.
        let mut b = HashBalancer::new(servers(&[1, 1, 1]), false, false);
        assert_eq!(ips(&mut b, 1..=6), "3 1 2 3 1 2");
        let mut b = HashBalancer::new(servers(&[2, 3, 1]), false, false);
        assert_eq!(ips(&mut b, 1..=6), "3 1 2 1 2 2");
    }

    #[test]
    fn same_key_same_server() {
        for consistent in [false, true] {
            let mut b = HashBalancer::new(servers(&[1, 2, 3]), false, consistent);
            let a = ips(&mut b, 1..=40);
            assert_eq!(ips(&mut b, 1..=40), a);
        }
    }

    #[test]
    fn consistent_moves_only_the_lost_servers_keys() {
        let mut b = HashBalancer::new(servers(&[1, 1, 1, 1]), false, true);
        let before: Vec<_> = (0..=255u8)
            .map(|x| b.pick(HashKey::Bytes(&[10, 1, x, 7])))
            .collect();
        assert!(before.iter().all(|p| p.is_some()));
        b.set_up(1, false);
        for (x, was) in (0..=255u8).zip(before) {
            let now = b.pick(HashKey::Bytes(&[10, 1, x, 7]));
            if was != Some(1) {
                assert_eq!(now, was);
            } else {
                assert_ne!(now, Some(1));
            }
        }
    }

    #[test]
    fn consistent_places_addresses_like_2_6() {
        // Observed on haproxy 2.6.12, three servers of weight 1, ids 1..3.
        let mut b = HashBalancer::new(servers(&[1, 1, 1]), false, true);
        assert_eq!(ips(&mut b, 1..=12), "2 1 3 1 2 1 3 1 1 3 2 3");
        // Explicit ids (7, 1000, 2, 65000) and a weight of 2.
        let mut s = servers(&[1, 2, 1, 1]);
        for (srv, id) in s.iter_mut().zip([7, 1000, 2, 65000]) {
            srv.id = id;
        }
        let mut b = HashBalancer::new(s, false, true);
        assert_eq!(
            ips(&mut b, 1..=24),
            "3 2 1 1 4 2 2 2 2 4 2 2 4 2 2 1 1 2 1 2 2 3 3 2"
        );
    }

    #[test]
    fn ipv6_folds_into_the_same_ring() {
        let mut b = HashBalancer::new(servers(&[1, 1, 1, 1, 1]), false, true);
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(
            b.pick(HashKey::Bytes(&v6)),
            b.pick(HashKey::Bytes(&[0, 0, 0, 1]))
        );
    }

    #[test]
    fn single_server_in_use_takes_everything() {
        let mut s = servers(&[1, 1]);
        s[1].backup = true;
        let mut b = HashBalancer::new(s, false, false);
        assert_eq!(ips(&mut b, 1..=3), "1 1 1");
        b.set_up(0, false);
        assert_eq!(ips(&mut b, 1..=3), "2 2 2");
    }

    #[test]
    fn full_server_means_queue_not_move() {
        let mut s = servers(&[1, 1]);
        s[0].maxconn = 1;
        let mut b = HashBalancer::new(s, false, false);
        // 0x7f000002 % 2 = 0: server 1.
        assert_eq!(b.pick(HashKey::Bytes(&[127, 0, 0, 2])), Some(0));
        b.conn_start(0);
        assert_eq!(b.pick(HashKey::Bytes(&[127, 0, 0, 2])), None);
        assert_eq!(b.pick(HashKey::Bytes(&[127, 0, 0, 3])), Some(1));
    }

    #[test]
    fn no_key_round_robins() {
        let mut b = HashBalancer::new(servers(&[1, 1]), false, false);
        assert_eq!(names((0..4).map(|_| b.pick(HashKey::None))), "1 2 1 2");
    }

    #[test]
    fn fold_xors_words() {
        assert_eq!(fold(&[127, 0, 0, 1]), 0x7f00_0001);
        assert_eq!(fold(&[0, 0, 0, 1, 0, 0, 0, 3]), 2);
        assert_eq!(fold(&[1, 2, 3]), 0);
    }
}
