//! "did you mean" suggestions, ranked by the bigram fingerprint distance
//! HAProxy 2.6 uses, so our suggestion is the one users see from haproxy.
//!
//! A word's fingerprint counts its character transitions, each character
//! folded into one of 28 classes (26 letters, digits, everything else);
//! the distance between two words is the sum of absolute differences.

fn class(c: u8) -> usize {
    match c.to_ascii_lowercase() {
        c @ b'a'..=b'z' => usize::from(c - b'a') + 1,
        b'0'..=b'9' => 27,
        _ => 28,
    }
}

fn fingerprint(word: &str) -> [u8; 1024] {
    let mut fp = [0u8; 1024];
    let mut from = 28;
    for &b in word.as_bytes() {
        let to = class(b);
        fp[32 * from + to] = fp[32 * from + to].saturating_add(1);
        from = to;
    }
    fp[32 * from + 28] = fp[32 * from + 28].saturating_add(1);
    fp
}

pub fn distance(a: &str, b: &str) -> usize {
    fp_distance(&fingerprint(a), &fingerprint(b))
}

fn fp_distance(fa: &[u8; 1024], fb: &[u8; 1024]) -> usize {
    fa.iter()
        .zip(fb.iter())
        .map(|(x, y)| (i32::from(*x) - i32::from(*y)).unsigned_abs() as usize)
        .sum()
}

/// The closest candidate, or `None` when nothing is close enough to help.
pub fn best_match<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(&str, usize)> = None;
    let fw = fingerprint(word);
    for c in candidates {
        let d = fp_distance(&fw, &fingerprint(c));
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    let (c, d) = best?;
    if d > 2 * word.len() || d > 2 * c.len() {
        None
    } else {
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_like_haproxy() {
        let kws = ["maxconn", "maxconnrate", "daemon", "chroot", "nbthread"];
        assert_eq!(best_match("maxconnn", kws), Some("maxconn"));
        let kws = ["default_backend", "use_backend", "bind", "mode"];
        assert_eq!(best_match("defualt_backend", kws), Some("default_backend"));
        assert_eq!(
            best_match("Frontend", ["frontend", "backend"]),
            Some("frontend")
        );
        assert_eq!(best_match("zzzzqqqq", ["bind", "mode"]), None);
    }

    #[test]
    fn distance_is_symmetric_and_zero_on_equal() {
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("abc", "abd"), distance("abd", "abc"));
    }
}
