//! `balance first`: the usable server with the lowest `id` that still
//! has a free `maxconn` slot. Weights only decide usability (0 = off).

use super::group::{count_end, count_start, farm, first_backup, Farm};
use super::{Balancer, HashKey, LbServer};

#[derive(Debug)]
pub struct First {
    servers: Vec<LbServer>,
    served: Vec<u32>,
    /// Positions sorted by id.
    by_id: Vec<usize>,
    allbackups: bool,
}

impl First {
    pub fn new(servers: Vec<LbServer>, allbackups: bool) -> Self {
        let mut by_id: Vec<usize> = (0..servers.len()).collect();
        by_id.sort_by_key(|&i| (servers[i].id, i));
        First {
            served: vec![0; servers.len()],
            servers,
            by_id,
            allbackups,
        }
    }
}

impl Balancer for First {
    fn pick(&mut self, _key: HashKey<'_>) -> Option<usize> {
        let f = farm(&self.servers, self.allbackups);
        if let Farm::FirstBackup(i) = f {
            return first_backup(&self.servers, &self.served, i);
        }
        self.by_id.iter().copied().find(|&i| {
            let s = &self.servers[i];
            f.admits(s) && s.has_room(self.served[i])
        })
    }

    fn set_up(&mut self, index: usize, up: bool) {
        if let Some(s) = self.servers.get_mut(index) {
            s.up = up;
        }
    }

    fn set_weight(&mut self, index: usize, weight: u32) {
        if let Some(s) = self.servers.get_mut(index) {
            s.weight = weight.min(256);
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
    use super::super::tests::servers;
    use super::*;

    #[test]
    fn fills_lowest_id_first() {
        let mut s = servers(&[1, 1, 1]);
        for x in &mut s {
            x.maxconn = 2;
        }
        s[0].id = 30;
        s[1].id = 10;
        s[2].id = 20;
        let mut b = First::new(s, false);
        let mut picks = Vec::new();
        for _ in 0..7 {
            let p = b.pick(HashKey::None);
            if let Some(i) = p {
                b.conn_start(i);
            }
            picks.push(p);
        }
        let want = [1, 1, 2, 2, 0, 0].map(Some).into_iter().chain([None]);
        assert_eq!(picks, want.collect::<Vec<_>>());
        b.conn_end(2);
        assert_eq!(b.pick(HashKey::None), Some(2));
    }

    #[test]
    fn without_maxconn_the_first_takes_all() {
        let mut b = First::new(servers(&[1, 1]), false);
        for _ in 0..5 {
            assert_eq!(b.pick(HashKey::None), Some(0));
            b.conn_start(0);
        }
        b.set_weight(0, 0);
        assert_eq!(b.pick(HashKey::None), Some(1));
    }
}
