//! `balance random[(draws)]`: a random point on the consistent-hash
//! ring, drawn `draws` times; the least loaded (connections relative to
//! weight) of the drawn servers wins. With 2 draws this is the "power
//! of two choices". The generator is injected so tests are repeatable.

use std::hash::{BuildHasher, Hasher};

use super::group::{count_end, count_start, farm, first_backup, Farm};
use super::ring::Ring;
use super::{Balancer, HashKey, LbServer};

/// xorshift64*: small, fast, good enough to spread load.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed | 1)
    }

    /// Seeded from the standard library's per-process random keys.
    pub fn from_entropy() -> Self {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x5eed);
        XorShift::new(h.finish())
    }

    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    }
}

#[derive(Debug)]
pub struct RandomBalancer {
    servers: Vec<LbServer>,
    served: Vec<u32>,
    allbackups: bool,
    draws: u32,
    rng: XorShift,
    farm: Farm,
    ring: Ring,
}

impl RandomBalancer {
    pub fn new(servers: Vec<LbServer>, allbackups: bool, draws: u32, rng: XorShift) -> Self {
        let mut b = RandomBalancer {
            served: vec![0; servers.len()],
            servers,
            allbackups,
            draws: draws.max(1),
            rng,
            farm: Farm::Nothing,
            ring: Ring::default(),
        };
        b.rebuild();
        b
    }

    fn rebuild(&mut self) {
        self.farm = farm(&self.servers, self.allbackups);
        self.ring = Ring::build(&self.servers, self.farm);
    }

    /// `a` carries more load per unit of weight than `b`.
    fn busier(&self, a: usize, b: usize) -> bool {
        u64::from(self.served[a]) * u64::from(self.servers[b].weight)
            > u64::from(self.served[b]) * u64::from(self.servers[a].weight)
    }
}

impl Balancer for RandomBalancer {
    fn pick(&mut self, _key: HashKey<'_>) -> Option<usize> {
        if let Farm::FirstBackup(i) = self.farm {
            return first_backup(&self.servers, &self.served, i);
        }
        if self.ring.is_empty() {
            return None;
        }
        let mut best: Option<usize> = None;
        for _ in 0..self.draws {
            let Some(c) = self.ring.lookup(self.rng.next_u32()) else {
                break;
            };
            best = match best {
                Some(b) if b != c && self.busier(c, b) => Some(b),
                _ => Some(c),
            };
        }
        let s = best?;
        // A full winner sends the request to the queue, not elsewhere.
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
        if let Some(s) = self.servers.get_mut(index) {
            let w = weight.min(256);
            if s.weight != w {
                s.weight = w;
                self.rebuild();
            }
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

    fn counts(weights: &[u32], draws: u32, n: usize, hold: bool) -> Vec<u32> {
        let mut b = RandomBalancer::new(servers(weights), false, draws, XorShift::new(42));
        let mut c = vec![0u32; weights.len()];
        for _ in 0..n {
            if let Some(i) = b.pick(HashKey::None) {
                c[i] += 1;
                if hold {
                    b.conn_start(i);
                }
            }
        }
        c
    }

    #[test]
    fn single_draw_follows_weights() {
        let c = counts(&[1, 3], 1, 8000, false);
        // Expect 2000/6000; a consistent ring of 16 points per weight
        // unit is lumpy, so allow a wide band.
        assert!((1200..=2800).contains(&c[0]), "{c:?}");
        assert_eq!(c[0] + c[1], 8000);
    }

    #[test]
    fn two_draws_balance_held_connections() {
        let c = counts(&[1, 1, 1, 1], 2, 4000, true);
        let (lo, hi) = (c.iter().min().copied(), c.iter().max().copied());
        // Power of two choices keeps held loads within a few of each other.
        assert!(hi.unwrap_or(0) - lo.unwrap_or(0) <= 40, "{c:?}");
    }

    #[test]
    fn repeatable_with_a_seed() {
        assert_eq!(
            counts(&[1, 2, 3], 2, 500, false),
            counts(&[1, 2, 3], 2, 500, false)
        );
    }

    #[test]
    fn none_when_the_drawn_server_is_full_or_nothing_usable() {
        let mut s = servers(&[1]);
        s[0].maxconn = 1;
        let mut b = RandomBalancer::new(s, false, 2, XorShift::new(7));
        assert_eq!(b.pick(HashKey::None), Some(0));
        b.conn_start(0);
        assert_eq!(b.pick(HashKey::None), None);
        b.set_up(0, false);
        b.conn_end(0);
        assert_eq!(b.pick(HashKey::None), None);
    }
}
