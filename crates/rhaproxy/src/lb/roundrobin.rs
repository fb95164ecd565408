//! `balance roundrobin`: HAProxy's weighted round robin with dynamic
//! weights.
//!
//! Each server owns a "next position" on a counter that advances by one
//! per pick; a server of effective weight `w` in a farm of total `W`
//! moves `W / w` positions ahead each time it is chosen (the remainder
//! carried in `rweight`). The server with the lowest position goes next;
//! equal positions prefer the heavier server, then insertion order.
//! Servers that have not been scheduled yet wait in an "init" queue,
//! heaviest first, and fill the holes of the current window; a window
//! ends when its queue runs dry and the "next" queue takes over. These
//! rules reproduce the exact order the real 2.6 produces (weights 3/1
//! give 1 1 1 2, weights 2/3/1 give 2 1 2 3 2 1).

use std::collections::BTreeMap;

use super::group::{count_end, count_start, farm, first_backup, Farm};
use super::{Balancer, HashKey, LbServer};

/// Effective weights are user weights times this scale, so that a
/// ramping weight can be finer than one user unit.
const SCALE: u64 = 16;
/// Largest effective weight (user weight 256).
const EW_MAX: u64 = 256 * SCALE;
/// Positions are spread this far apart in the current queue's keys so
/// that the weight tie-break fits below them.
const POS_RANGE: u64 = 256;

/// The current queue keeps its slot; "init" and "next" swap at the end
/// of each window.
const CURR: usize = 0;

type Queue = BTreeMap<(u64, u64), usize>;

#[derive(Debug, Default)]
struct Group {
    queues: [Queue; 3],
    init: usize,
    next: usize,
    curr_pos: u64,
    curr_weight: u64,
    next_weight: u64,
}

#[derive(Debug, Default, Clone)]
struct Slot {
    npos: u64,
    lpos: u64,
    rweight: u64,
    /// 0 while unusable.
    eweight: u64,
    queue: Option<usize>,
    node: (u64, u64),
}

/// Weighted, dynamic round robin (HAProxy's default algorithm).
#[derive(Debug)]
pub struct RoundRobin {
    servers: Vec<LbServer>,
    served: Vec<u32>,
    slots: Vec<Slot>,
    groups: [Group; 2],
    seq: u64,
    allbackups: bool,
}

impl RoundRobin {
    pub fn new(servers: Vec<LbServer>, allbackups: bool) -> Self {
        let n = servers.len();
        let mut rr = RoundRobin {
            servers,
            served: vec![0; n],
            slots: vec![Slot::default(); n],
            groups: [Group::new(), Group::new()],
            seq: 0,
            allbackups,
        };
        for i in 0..n {
            if rr.servers[i].usable() {
                let ew = u64::from(rr.servers[i].weight) * SCALE;
                rr.slots[i].eweight = ew;
                let g = rr.group_of(i);
                rr.groups[g].next_weight += ew;
                let init = rr.groups[g].init;
                rr.queue_by_weight(i, init);
            }
        }
        for g in &mut rr.groups {
            g.curr_weight = g.next_weight;
            g.curr_pos = g.next_weight;
        }
        rr
    }

    fn group_of(&self, i: usize) -> usize {
        usize::from(self.servers[i].backup)
    }

    fn insert(&mut self, i: usize, queue: usize, key: u64) {
        self.seq += 1;
        let node = (key, self.seq);
        let g = self.group_of(i);
        self.groups[g].queues[queue].insert(node, i);
        self.slots[i].queue = Some(queue);
        self.slots[i].node = node;
    }

    fn dequeue(&mut self, i: usize) {
        if let Some(q) = self.slots[i].queue.take() {
            let g = self.group_of(i);
            self.groups[g].queues[q].remove(&self.slots[i].node);
        }
    }

    fn queue_by_weight(&mut self, i: usize, queue: usize) {
        let key = EW_MAX - self.slots[i].eweight.min(EW_MAX);
        self.insert(i, queue, key);
    }

    /// Put a server back where its next position says: the current
    /// window, or the next one when it falls beyond it.
    fn requeue(&mut self, i: usize) {
        if !self.servers[i].usable() {
            self.dequeue(i);
            return;
        }
        let g = self.group_of(i);
        let (cw, nw) = (self.groups[g].curr_weight, self.groups[g].next_weight);
        let s = &mut self.slots[i];
        if s.eweight == 0 || s.npos >= 2 * cw || s.npos >= cw + nw {
            s.npos = s.npos.saturating_sub(cw);
            let next = self.groups[g].next;
            self.queue_by_weight(i, next);
        } else {
            let key = POS_RANGE * s.npos + (EW_MAX + s.rweight - s.eweight.min(EW_MAX)) / SCALE;
            self.insert(i, CURR, key);
        }
    }

    fn candidate(&mut self, g: usize) -> Option<usize> {
        let grp = &self.groups[g];
        let s1 = grp.queues[CURR].values().next().copied();
        if let Some(s) = s1 {
            if self.slots[s].npos <= grp.curr_pos {
                return Some(s);
            }
        }
        // A hole in the current window: an unscheduled server fills it.
        if let Some(s2) = grp.queues[grp.init].values().next().copied() {
            let pos = grp.curr_pos;
            self.dequeue(s2);
            self.slots[s2].npos = pos;
            return Some(s2);
        }
        s1
    }

    fn advance(&mut self, i: usize) {
        let g = self.group_of(i);
        let (pos, nw) = (self.groups[g].curr_pos, self.groups[g].next_weight);
        let s = &mut self.slots[i];
        if s.eweight == 0 {
            return;
        }
        if s.npos == 0 {
            s.npos = pos;
        }
        s.lpos = s.npos;
        s.npos += nw / s.eweight;
        s.rweight += nw % s.eweight;
        if s.rweight >= s.eweight {
            s.rweight -= s.eweight;
            s.npos += 1;
        }
    }

    fn pick_in(&mut self, g: usize) -> Option<usize> {
        {
            let grp = &mut self.groups[g];
            if grp.curr_weight == 0 {
                grp.curr_weight = grp.next_weight;
                grp.curr_pos = grp.next_weight;
            }
        }
        let mut switched = false;
        let mut full = Vec::new();
        let chosen = loop {
            let found = loop {
                if let Some(s) = self.candidate(g) {
                    break Some(s);
                }
                if switched {
                    break None;
                }
                switched = true;
                let grp = &mut self.groups[g];
                std::mem::swap(&mut grp.init, &mut grp.next);
                grp.curr_weight = grp.next_weight;
                grp.curr_pos = grp.next_weight;
            };
            let Some(s) = found else { break None };
            self.advance(s);
            self.dequeue(s);
            self.groups[g].curr_pos += 1;
            if self.servers[s].has_room(self.served[s]) {
                self.requeue(s);
                break Some(s);
            }
            // Full: it keeps its new position but sits out this pick.
            full.push(s);
        };
        for s in full.into_iter().rev() {
            self.requeue(s);
        }
        chosen
    }

    fn went_down(&mut self, i: usize) {
        let g = self.group_of(i);
        let grp = &mut self.groups[g];
        grp.next_weight = grp.next_weight.saturating_sub(self.slots[i].eweight);
        self.slots[i].eweight = 0;
        self.dequeue(i);
    }

    fn came_up(&mut self, i: usize) {
        let ew = u64::from(self.servers[i].weight) * SCALE;
        let g = self.group_of(i);
        let grp = &mut self.groups[g];
        grp.next_weight += ew;
        // It joins ahead of the current position by one of its steps
        // over what remains of this window and the next.
        let span = (grp.next_weight + grp.curr_weight).saturating_sub(grp.curr_pos);
        let pos = grp.curr_pos;
        let s = &mut self.slots[i];
        s.eweight = ew;
        s.npos = pos + span / ew;
        self.dequeue(i);
        self.requeue(i);
    }

    fn reweighted(&mut self, i: usize, old: u64) {
        let ew = u64::from(self.servers[i].weight) * SCALE;
        let g = self.group_of(i);
        let grp = &mut self.groups[g];
        grp.next_weight = (grp.next_weight + ew).saturating_sub(old);
        let (init, next) = (grp.init, grp.next);
        let (pos, cw, nw) = (grp.curr_pos, grp.curr_weight, grp.next_weight);
        self.slots[i].eweight = ew;
        match self.slots[i].queue {
            Some(q) if q == init => {
                self.dequeue(i);
                self.queue_by_weight(i, init);
            }
            None => self.came_up_after_reweight(i),
            Some(q) => {
                let s = &mut self.slots[i];
                if q == next {
                    s.npos += cw;
                }
                let step = nw / ew;
                let prev = s.npos;
                s.npos = (s.lpos + step).min(prev);
                s.rweight = 0;
                if s.npos < pos + 2 {
                    s.npos = pos + step;
                }
                self.dequeue(i);
                self.requeue(i);
            }
        }
    }

    fn came_up_after_reweight(&mut self, i: usize) {
        let g = self.group_of(i);
        let grp = &self.groups[g];
        let span = (grp.next_weight + grp.curr_weight).saturating_sub(grp.curr_pos);
        let pos = grp.curr_pos;
        let s = &mut self.slots[i];
        s.npos = pos + span / s.eweight.max(1);
        self.requeue(i);
    }

    /// Apply a change of `up` or `weight` already written to
    /// `servers[i]`, given whether it was usable before.
    fn settle(&mut self, i: usize, was_usable: bool, old_ew: u64) {
        match (was_usable, self.servers[i].usable()) {
            (false, true) => self.came_up(i),
            (true, false) => self.went_down(i),
            (true, true) if old_ew != u64::from(self.servers[i].weight) * SCALE => {
                self.reweighted(i, old_ew)
            }
            _ => {}
        }
    }
}

impl Group {
    fn new() -> Self {
        Group {
            init: 1,
            next: 2,
            ..Group::default()
        }
    }
}

impl Balancer for RoundRobin {
    fn pick(&mut self, _key: HashKey<'_>) -> Option<usize> {
        match farm(&self.servers, self.allbackups) {
            Farm::Active => self.pick_in(0),
            Farm::Backups => self.pick_in(1),
            Farm::FirstBackup(i) => first_backup(&self.servers, &self.served, i),
            Farm::Nothing => None,
        }
    }

    fn set_up(&mut self, index: usize, up: bool) {
        let Some(s) = self.servers.get_mut(index) else {
            return;
        };
        let was = s.usable();
        s.up = up;
        let old = self.slots[index].eweight;
        self.settle(index, was, old);
    }

    fn set_weight(&mut self, index: usize, weight: u32) {
        let Some(s) = self.servers.get_mut(index) else {
            return;
        };
        let was = s.usable();
        s.weight = weight.min(256);
        let old = self.slots[index].eweight;
        self.settle(index, was, old);
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

    fn seq(weights: &[u32], n: usize) -> String {
        let mut rr = RoundRobin::new(servers(weights), false);
        names((0..n).map(|_| rr.pick(HashKey::None)))
    }

    // Expected orders observed on haproxy 2.6.12 (nbthread 1, no checks).
    #[test]
    fn equal_weights_rotate_in_order() {
        assert_eq!(seq(&[1, 1, 1], 7), "1 2 3 1 2 3 1");
    }

    #[test]
    fn heavy_server_first_light_server_last() {
        assert_eq!(seq(&[3, 1], 8), "1 1 1 2 1 1 1 2");
        assert_eq!(seq(&[1, 3], 8), "2 2 2 1 2 2 2 1");
        assert_eq!(seq(&[10, 1], 12), "1 1 1 1 1 1 1 1 1 1 2 1");
    }

    #[test]
    fn three_unequal_weights_interleave_like_haproxy() {
        assert_eq!(seq(&[2, 3, 1], 12), "2 1 2 3 2 1 2 1 2 3 2 1");
        assert_eq!(seq(&[1, 2, 3], 12), "3 2 3 1 3 2 3 2 3 1 3 2");
        assert_eq!(seq(&[5, 3, 2], 10), "1 2 1 3 1 2 1 2 1 3");
        assert_eq!(seq(&[4, 4, 1], 10), "1 2 1 2 1 2 1 2 3 1");
        assert_eq!(seq(&[7, 5], 12), "1 1 2 1 2 1 2 1 1 2 1 2");
    }

    #[test]
    fn weight_shares_hold_over_long_runs() {
        let mut rr = RoundRobin::new(servers(&[7, 2, 200, 1]), false);
        let mut count = [0u32; 4];
        for _ in 0..210 * 5 {
            if let Some(i) = rr.pick(HashKey::None) {
                count[i] += 1;
            }
        }
        assert_eq!(count, [35, 10, 1000, 5]);
    }

    #[test]
    fn down_server_is_skipped_and_returns() {
        let mut rr = RoundRobin::new(servers(&[1, 1, 1]), false);
        assert_eq!(rr.pick(HashKey::None), Some(0));
        rr.set_up(1, false);
        let s = names((0..4).map(|_| rr.pick(HashKey::None)));
        assert_eq!(s, "3 1 3 1");
        rr.set_up(1, true);
        let mut count = [0u32; 3];
        for _ in 0..30 {
            count[rr.pick(HashKey::None).unwrap_or(9)] += 1;
        }
        assert_eq!(count, [10, 10, 10]);
    }

    #[test]
    fn weight_change_takes_effect() {
        let mut rr = RoundRobin::new(servers(&[1, 1]), false);
        rr.set_weight(0, 3);
        let mut count = [0u32; 2];
        // Let the change settle, then count whole rounds.
        for _ in 0..8 {
            rr.pick(HashKey::None);
        }
        for _ in 0..40 {
            count[rr.pick(HashKey::None).unwrap_or(9)] += 1;
        }
        assert_eq!(count, [30, 10]);
        rr.set_weight(0, 0);
        assert_eq!(rr.pick(HashKey::None), Some(1));
        assert_eq!(rr.pick(HashKey::None), Some(1));
    }

    #[test]
    fn full_server_is_passed_over_then_none() {
        let mut list = servers(&[1, 1]);
        list[0].maxconn = 1;
        list[1].maxconn = 1;
        let mut rr = RoundRobin::new(list, false);
        let a = rr.pick(HashKey::None).unwrap_or(9);
        rr.conn_start(a);
        let b = rr.pick(HashKey::None).unwrap_or(9);
        rr.conn_start(b);
        assert_eq!((a, b), (0, 1));
        assert_eq!(rr.pick(HashKey::None), None);
        rr.conn_end(0);
        assert_eq!(rr.pick(HashKey::None), Some(0));
    }

    #[test]
    fn weight_zero_is_never_picked() {
        assert_eq!(seq(&[0, 1, 0], 3), "2 2 2");
    }
}
