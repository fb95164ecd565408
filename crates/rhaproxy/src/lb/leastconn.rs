//! `balance leastconn`: the server with the fewest current connections
//! relative to its weight. Servers sit in a queue ordered by the load
//! they would carry with one more connection, `(connections + 1) × 4096
//! / (weight × 16)` — so with weights 2/1 and loads 2/1 the heavier one
//! wins (observed on 2.6: 1 2 1 1 2 1). A server whose count changes
//! goes behind the others of the same load, which turns ties into a
//! round robin (three idle servers serve 1 2 3 1 2 3).

use std::collections::BTreeMap;

use super::group::{farm, first_backup, Farm};
use super::{Balancer, HashKey, LbServer};

const EW_MAX: u64 = 256 * 16;

#[derive(Debug)]
pub struct LeastConn {
    servers: Vec<LbServer>,
    served: Vec<u32>,
    queues: [BTreeMap<(u64, u64), usize>; 2],
    nodes: Vec<Option<(u64, u64)>>,
    seq: u64,
    allbackups: bool,
}

impl LeastConn {
    pub fn new(servers: Vec<LbServer>, allbackups: bool) -> Self {
        let n = servers.len();
        let mut b = LeastConn {
            servers,
            served: vec![0; n],
            queues: [BTreeMap::new(), BTreeMap::new()],
            nodes: vec![None; n],
            seq: 0,
            allbackups,
        };
        for i in 0..n {
            b.reposition(i);
        }
        b
    }

    fn remove(&mut self, i: usize) {
        if let Some(node) = self.nodes[i].take() {
            self.queues[usize::from(self.servers[i].backup)].remove(&node);
        }
    }

    /// Take the server out and, if usable, put it back behind its peers.
    fn reposition(&mut self, i: usize) {
        self.remove(i);
        let s = &self.servers[i];
        if !s.usable() {
            return;
        }
        let key = (u64::from(self.served[i]) + 1) * EW_MAX / (u64::from(s.weight) * 16);
        self.seq += 1;
        let node = (key, self.seq);
        self.queues[usize::from(s.backup)].insert(node, i);
        self.nodes[i] = Some(node);
    }

    fn least_loaded(&self, g: usize) -> Option<usize> {
        self.queues[g]
            .values()
            .copied()
            .find(|&i| self.servers[i].has_room(self.served[i]))
    }
}

impl Balancer for LeastConn {
    fn pick(&mut self, _key: HashKey<'_>) -> Option<usize> {
        match farm(&self.servers, self.allbackups) {
            Farm::Active => self.least_loaded(0),
            Farm::Backups => self.least_loaded(1),
            Farm::FirstBackup(i) => first_backup(&self.servers, &self.served, i),
            Farm::Nothing => None,
        }
    }

    fn set_up(&mut self, index: usize, up: bool) {
        let Some(s) = self.servers.get_mut(index) else {
            return;
        };
        if s.up != up {
            s.up = up;
            self.reposition(index);
        }
    }

    fn set_weight(&mut self, index: usize, weight: u32) {
        let Some(s) = self.servers.get_mut(index) else {
            return;
        };
        let w = weight.min(256);
        if s.weight != w {
            s.weight = w;
            self.reposition(index);
        }
    }

    fn conn_start(&mut self, index: usize) {
        if let Some(n) = self.served.get_mut(index) {
            *n += 1;
            self.reposition(index);
        }
    }

    fn conn_end(&mut self, index: usize) {
        if let Some(n) = self.served.get_mut(index) {
            *n = n.saturating_sub(1);
            self.reposition(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{names, servers};
    use super::*;

    /// Pick and immediately finish, like sequential short connections.
    fn short(b: &mut LeastConn, n: usize) -> String {
        names((0..n).map(|_| {
            let p = b.pick(HashKey::None);
            if let Some(i) = p {
                b.conn_start(i);
                b.conn_end(i);
            }
            p
        }))
    }

    #[test]
    fn idle_servers_rotate() {
        let mut b = LeastConn::new(servers(&[1, 1, 1]), false);
        assert_eq!(short(&mut b, 7), "1 2 3 1 2 3 1");
    }

    #[test]
    fn held_connections_steer_new_ones() {
        let mut b = LeastConn::new(servers(&[1, 1, 1]), false);
        let mut held = Vec::new();
        for _ in 0..3 {
            let i = b.pick(HashKey::None).unwrap_or(9);
            b.conn_start(i);
            held.push(i);
        }
        assert_eq!(held, vec![0, 1, 2]);
        b.conn_end(1);
        assert_eq!(short(&mut b, 2), "2 2");
        // Equal loads: the one idle the longest goes first.
        b.conn_end(2);
        assert_eq!(b.pick(HashKey::None), Some(1));
        b.conn_start(1);
        assert_eq!(b.pick(HashKey::None), Some(2));
    }

    #[test]
    fn weight_scales_the_load() {
        let mut b = LeastConn::new(servers(&[2, 1]), false);
        let mut picks = Vec::new();
        for _ in 0..6 {
            let i = b.pick(HashKey::None);
            if let Some(i) = i {
                b.conn_start(i);
            }
            picks.push(i);
        }
        // Judged on the load after taking the connection: 3/2 beats 2/1.
        assert_eq!(names(picks.into_iter()), "1 2 1 1 2 1");
    }

    #[test]
    fn full_and_zero_weight_servers_are_skipped() {
        let mut s = servers(&[1, 0, 1]);
        s[0].maxconn = 1;
        s[2].maxconn = 1;
        let mut b = LeastConn::new(s, false);
        b.conn_start(0);
        assert_eq!(b.pick(HashKey::None), Some(2));
        b.conn_start(2);
        assert_eq!(b.pick(HashKey::None), None);
    }
}
