//! Which servers an algorithm may choose from right now.

use super::LbServer;

/// The farm in use: HAProxy switches to backups only when no active
/// server is usable, and then to the first usable backup alone unless
/// `allbackups` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Farm {
    Active,
    /// Every usable backup (`allbackups`).
    Backups,
    /// Only this backup (its position).
    FirstBackup(usize),
    Nothing,
}

impl Farm {
    /// Whether server `s` belongs to the farm (as a candidate).
    pub(crate) fn admits(self, s: &LbServer) -> bool {
        match self {
            Farm::Active => !s.backup && s.usable(),
            Farm::Backups => s.backup && s.usable(),
            Farm::FirstBackup(i) => s.index == i,
            Farm::Nothing => false,
        }
    }
}

pub(crate) fn farm(servers: &[LbServer], allbackups: bool) -> Farm {
    if servers.iter().any(|s| !s.backup && s.usable()) {
        return Farm::Active;
    }
    let mut backups = servers.iter().filter(|s| s.backup && s.usable());
    match backups.next() {
        None => Farm::Nothing,
        Some(_) if allbackups => Farm::Backups,
        Some(first) => Farm::FirstBackup(first.index),
    }
}

/// The pick when the farm is a single backup: it, if it has room.
pub(crate) fn first_backup(servers: &[LbServer], served: &[u32], i: usize) -> Option<usize> {
    let s = servers.get(i)?;
    s.has_room(served.get(i).copied().unwrap_or(0)).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(index: usize, backup: bool, up: bool, weight: u32) -> LbServer {
        LbServer {
            index,
            id: index as u32 + 1,
            weight,
            backup,
            up,
            maxconn: 0,
        }
    }

    #[test]
    fn active_wins_over_backups() {
        let s = [srv(0, true, true, 1), srv(1, false, true, 1)];
        assert_eq!(farm(&s, false), Farm::Active);
    }

    #[test]
    fn weight_zero_active_lets_the_first_backup_in() {
        let s = [
            srv(0, false, true, 0),
            srv(1, true, false, 1),
            srv(2, true, true, 1),
            srv(3, true, true, 1),
        ];
        assert_eq!(farm(&s, false), Farm::FirstBackup(2));
        assert_eq!(farm(&s, true), Farm::Backups);
    }

    #[test]
    fn nothing_usable() {
        let s = [srv(0, false, false, 1), srv(1, true, true, 0)];
        assert_eq!(farm(&s, true), Farm::Nothing);
    }
}

/// One more session on server `i` (the per-server counts every balancer
/// keeps for `maxconn` and its own choice).
pub(crate) fn count_start(served: &mut [u32], i: usize) {
    if let Some(n) = served.get_mut(i) {
        *n += 1;
    }
}

/// One session fewer on server `i`.
pub(crate) fn count_end(served: &mut [u32], i: usize) {
    if let Some(n) = served.get_mut(i) {
        *n = n.saturating_sub(1);
    }
}
