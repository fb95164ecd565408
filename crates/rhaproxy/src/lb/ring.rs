//! The consistent-hash ring of `hash-type consistent` and `random`.
//!
//! Each server places `weight × 16` points on a 32-bit circle, at the
//! [`ring_hash`] of `id × 4096 + n` (wrapping): a server's points depend
//! on its `id` only, so adding or removing one server moves only the
//! keys that land next to its points. A key goes to the nearest point,
//! the one before it on a tie.
//!
//! All of this was established against haproxy 2.6 with raw keys
//! (`hash-type consistent sdbm`, which hashes a source address without
//! the avalanche step): the server boundaries found by bisecting
//! 127.0.0.0/8 are exactly the midpoints these points predict, for up to
//! 250 servers, ids up to 2^31 and weights 0 to 256.

use super::group::Farm;
use super::{full_hash, LbServer};

/// Points per unit of user weight.
const POINTS_PER_WEIGHT: u32 = 16;
/// Spacing of servers' point numbers (largest weight × scale).
const ID_STRIDE: u32 = 256 * POINTS_PER_WEIGHT;
/// 3·2^30 + 1, the odd factor 2.6 applies after the six-shift mix.
const SPREAD: u32 = 0xc000_0001;

/// The avalanche 2.6 uses for ring points and for hashed keys: the
/// six-shift mix times [`SPREAD`]. Recovering 2.6's hashed keys
/// exactly (map-based tables of 247..=256 slots give the key modulo
/// each size) showed they differ from the bare mix only in their top
/// two bits, by a multiple of 2^30 that depends on the key: that is
/// this product. Being odd, it keeps the hash a bijection.
pub(crate) fn ring_hash(a: u32) -> u32 {
    full_hash(a).wrapping_mul(SPREAD)
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Ring {
    /// (point, server position), sorted by point.
    points: Vec<(u32, usize)>,
}

impl Ring {
    pub(crate) fn build(servers: &[LbServer], farm: Farm) -> Ring {
        let mut points = Vec::new();
        for s in servers.iter().filter(|s| farm.admits(s)) {
            let base = s.id.wrapping_mul(ID_STRIDE);
            for n in 0..s.weight.min(256) * POINTS_PER_WEIGHT {
                points.push((ring_hash(base.wrapping_add(n)), s.index));
            }
        }
        // Stable: on equal points the earlier server stays first.
        points.sort_by_key(|&(p, _)| p);
        Ring { points }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The server owning the point nearest to `key`.
    pub(crate) fn lookup(&self, key: u32) -> Option<usize> {
        let len = self.points.len();
        if len == 0 {
            return None;
        }
        let at = self.points.partition_point(|&(p, _)| p < key);
        let next = self.points[at % len];
        let prev = self.points[(at + len - 1) % len];
        let before = key.wrapping_sub(prev.0);
        let after = next.0.wrapping_sub(key);
        Some(if before <= after { prev.1 } else { next.1 })
    }
}

#[cfg(test)]
mod tests {
    use super::super::group::farm;
    use super::super::tests::servers;
    use super::*;

    #[test]
    fn points_follow_weight() {
        let s = servers(&[1, 3]);
        let r = Ring::build(&s, farm(&s, false));
        assert_eq!(r.points.len(), 64);
        assert_eq!(r.points.iter().filter(|p| p.1 == 1).count(), 48);
    }

    #[test]
    fn removing_a_server_moves_only_its_keys() {
        let s = servers(&[1, 1, 1, 1]);
        let all = Ring::build(&s, farm(&s, false));
        let mut less = s.clone();
        less[2].up = false;
        let fewer = Ring::build(&less, farm(&less, false));
        for k in (0..u32::MAX).step_by(9_973_231) {
            let a = all.lookup(k);
            if a != Some(2) {
                assert_eq!(fewer.lookup(k), a, "key {k}");
            }
        }
    }

    #[test]
    fn ring_hash_is_the_mix_spread_by_an_odd_factor() {
        // Keys of 2.6 for 127.0.0.1 and 127.0.0.3, recovered from its
        // map-based choices; the bare mix gives 0x4a1b584b, 0x50c0b6d2.
        assert_eq!(ring_hash(0x7f00_0001), 0x8a1b_584b);
        assert_eq!(ring_hash(0x7f00_0003), 0xd0c0_b6d2);
        assert_eq!(ring_hash(0x7f00_5cce), full_hash(0x7f00_5cce));
    }

    #[test]
    fn points_sit_at_the_hash_of_id_stride_plus_rank() {
        let mut s = servers(&[2]);
        s[0].id = 7;
        let r = Ring::build(&s, farm(&s, false));
        let mut want: Vec<u32> = (0..32).map(|n| ring_hash(7 * 4096 + n)).collect();
        want.sort_unstable();
        assert_eq!(r.points.iter().map(|p| p.0).collect::<Vec<_>>(), want);
        // Huge ids wrap instead of overflowing.
        s[0].id = u32::MAX;
        assert_eq!(Ring::build(&s, farm(&s, false)).points.len(), 32);
    }

    #[test]
    fn nearest_point_wins() {
        let r = Ring {
            points: vec![(100, 0), (200, 1)],
        };
        assert_eq!(r.lookup(149), Some(0));
        assert_eq!(r.lookup(150), Some(0));
        assert_eq!(r.lookup(151), Some(1));
        // Distances wrap around the circle.
        assert_eq!(r.lookup(10), Some(0));
        assert_eq!(r.lookup(u32::MAX), Some(0));
        assert_eq!(r.lookup(u32::MAX / 2), Some(1));
    }
}
