//! `balance static-rr`: round robin over the weighted table, weights
//! fixed at start-up (a runtime weight only switches a server off at 0
//! and back on at anything else, as in 2.6).

use super::group::{count_end, count_start, farm};
use super::map::{table, weight_gcd};
use super::{Balancer, HashKey, LbServer};

#[derive(Debug)]
pub struct StaticRr {
    servers: Vec<LbServer>,
    configured: Vec<u32>,
    served: Vec<u32>,
    gcd: u32,
    allbackups: bool,
    table: Vec<usize>,
    next: usize,
}

impl StaticRr {
    pub fn new(servers: Vec<LbServer>, allbackups: bool) -> Self {
        let gcd = weight_gcd(&servers);
        let mut s = StaticRr {
            configured: servers.iter().map(|s| s.weight).collect(),
            served: vec![0; servers.len()],
            servers,
            gcd,
            allbackups,
            table: Vec::new(),
            next: 0,
        };
        s.rebuild();
        s
    }

    fn rebuild(&mut self) {
        let f = farm(&self.servers, self.allbackups);
        self.table = table(&self.servers, f, self.gcd);
    }

    /// Walk the table once from the cursor, skipping full servers.
    pub(crate) fn next_with_room(&mut self) -> Option<usize> {
        let len = self.table.len();
        let mut idx = self.next;
        for _ in 0..len {
            if idx >= len {
                idx = 0;
            }
            let s = self.table[idx];
            idx += 1;
            if self.servers[s].has_room(self.served[s]) {
                self.next = idx;
                return Some(s);
            }
        }
        None
    }
}

impl Balancer for StaticRr {
    fn pick(&mut self, _key: HashKey<'_>) -> Option<usize> {
        self.next_with_room()
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
        let w = if weight == 0 {
            0
        } else {
            self.configured[index]
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

    fn run(b: &mut StaticRr, n: usize) -> String {
        names((0..n).map(|_| b.pick(HashKey::None)))
    }

    #[test]
    fn follows_the_table() {
        let mut b = StaticRr::new(servers(&[2, 3, 1]), false);
        assert_eq!(run(&mut b, 12), "1 2 1 2 2 3 1 2 1 2 2 3");
    }

    #[test]
    fn weights_are_static_but_zero_switches_off() {
        let mut b = StaticRr::new(servers(&[1, 1]), false);
        b.set_weight(0, 50);
        assert_eq!(run(&mut b, 4), "1 2 1 2");
        b.set_weight(0, 0);
        assert_eq!(run(&mut b, 3), "2 2 2");
        // Back at its configured weight; the cursor kept its place.
        b.set_weight(0, 7);
        assert_eq!(run(&mut b, 4), "2 1 2 1");
    }

    #[test]
    fn backups_take_over_and_allbackups_spreads() {
        let mut s = servers(&[1, 1, 2]);
        s[1].backup = true;
        s[2].backup = true;
        let mut b = StaticRr::new(s.clone(), false);
        b.set_up(0, false);
        // Sized by the first backup (weight 1): a single slot.
        assert_eq!(run(&mut b, 3), "2 2 2");
        let mut b = StaticRr::new(s, true);
        b.set_up(0, false);
        assert_eq!(run(&mut b, 6), "2 3 3 2 3 3");
    }

    #[test]
    fn full_servers_are_skipped() {
        let mut s = servers(&[1, 1]);
        s[0].maxconn = 1;
        let mut b = StaticRr::new(s, false);
        b.conn_start(0);
        assert_eq!(run(&mut b, 3), "2 2 2");
        b.conn_start(1);
        assert_eq!(run(&mut b, 1), "2");
        b.set_up(1, false);
        assert_eq!(run(&mut b, 1), "-");
    }
}
