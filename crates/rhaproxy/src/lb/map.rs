//! The weighted table behind `static-rr` and `hash-type map-based`.
//!
//! HAProxy divides the user weights by their greatest common divisor
//! and lays out a table with one slot per remaining weight unit, in an
//! order that spreads each server evenly and lets the first declared
//! server win ties. When only the first backup may serve, the table is
//! still filled from every usable backup but sized by that backup's
//! weight alone — a quirk of 2.6 kept here because it decides which
//! backup `static-rr` and `source` really use (observed: backups of
//! weight 2 and 3 alternate; 2 and 6 give only the second).

use super::group::Farm;
use super::LbServer;

/// The slots (server positions) for the farm in use.
pub(crate) fn table(servers: &[LbServer], farm: Farm, gcd: u32) -> Vec<usize> {
    let gcd = gcd.max(1);
    let ew = |s: &LbServer| s.weight.div_ceil(gcd);
    let (members, total): (Vec<&LbServer>, u32) = match farm {
        Farm::Nothing => return Vec::new(),
        Farm::Active => {
            let m: Vec<_> = servers.iter().filter(|s| farm.admits(s)).collect();
            let t = m.iter().map(|s| ew(s)).sum();
            (m, t)
        }
        Farm::Backups | Farm::FirstBackup(_) => {
            let m: Vec<_> = servers.iter().filter(|s| s.backup && s.usable()).collect();
            let t = match farm {
                Farm::FirstBackup(i) => servers.get(i).map_or(0, ew),
                _ => m.iter().map(|s| ew(s)).sum(),
            };
            (m, t)
        }
    };
    if total == 0 || members.is_empty() {
        return Vec::new();
    }
    if total == 1 {
        return vec![members[0].index];
    }
    let total = i64::from(total);
    let mut score = vec![0i64; members.len()];
    let mut out = Vec::with_capacity(total as usize);
    for _ in 0..total {
        let mut best: Option<(usize, i64)> = None;
        for (k, s) in members.iter().enumerate() {
            score[k] += i64::from(ew(s));
            let v = (score[k] + total) / total;
            let better = match best {
                None => true,
                Some((_, m)) => v > m,
            };
            if better {
                best = Some((k, v));
            }
        }
        if let Some((k, _)) = best {
            score[k] -= total;
            out.push(members[k].index);
        }
    }
    out
}

/// The divisor HAProxy applies to every non-zero configured weight.
pub(crate) fn weight_gcd(servers: &[LbServer]) -> u32 {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    servers
        .iter()
        .map(|s| s.weight)
        .filter(|&w| w > 0)
        .fold(0, gcd)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::super::group::farm;
    use super::super::tests::servers;
    use super::*;

    fn t(weights: &[u32]) -> Vec<usize> {
        let s = servers(weights);
        table(&s, farm(&s, false), weight_gcd(&s))
    }

    #[test]
    fn equal_weights_alternate() {
        assert_eq!(t(&[1, 1, 1]), vec![0, 1, 2]);
        assert_eq!(t(&[4, 4]), vec![0, 1]);
    }

    #[test]
    fn unequal_weights_spread() {
        assert_eq!(t(&[2, 3, 1]), vec![0, 1, 0, 1, 1, 2]);
        assert_eq!(t(&[3, 1]), vec![0, 0, 0, 1]);
        // Divided by the common factor first.
        assert_eq!(t(&[30, 10]), vec![0, 0, 0, 1]);
    }

    #[test]
    fn first_backup_sizes_the_table() {
        let mut s = servers(&[5, 2, 6]);
        s[0].up = false;
        s[1].backup = true;
        s[2].backup = true;
        let f = farm(&s, false);
        assert_eq!(table(&s, f, weight_gcd(&s)), vec![2, 2]);
        s[0].weight = 4;
        assert_eq!(table(&s, f, weight_gcd(&s)), vec![1]);
    }
}
