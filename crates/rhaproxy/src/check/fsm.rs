//! The health counter of one server, as HAProxy 2.6 keeps it.
//!
//! Pure: the caller passes `now` as a monotonic offset from any epoch it
//! likes, so tests drive it with a fake clock.
//!
//! Observed on haproxy 2.6.12 (`option log-health-checks`, rise 2 fall 3):
//! the counter runs 0..=rise+fall-1 and the server is UP while it is at
//! least `rise`. It starts at `rise`. A success below the top adds one,
//! and reaching `rise` jumps straight to the top ("1/2 DOWN" then
//! "3/3 UP"; "1/3 UP" plus one success is "3/3 UP" again). A failure above
//! `rise` takes one off, and a failure at `rise` drops to 0 and DOWN.
//! Intervals: `inter` at the top, `downinter` at 0, `fastinter` between.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Up,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub rise: u32,
    pub fall: u32,
    pub inter: Duration,
    pub fastinter: Duration,
    pub downinter: Duration,
}

impl Params {
    /// `fastinter` and `downinter` default to `inter`, as in HAProxy.
    pub fn new(rise: u32, fall: u32, inter: Duration) -> Self {
        Params {
            rise,
            fall,
            inter,
            fastinter: inter,
            downinter: inter,
        }
    }
}

#[derive(Debug, Clone)]
pub struct HealthFsm {
    p: Params,
    health: u32,
    next_due: Duration,
}

impl HealthFsm {
    /// `first_delay` is the spread before the first check (see
    /// [`first_delay`]); the server starts just UP.
    pub fn new(mut p: Params, now: Duration, first_delay: Duration) -> Self {
        // The parser refuses 0, but a zero here must not make the server
        // flap or the counter underflow.
        p.rise = p.rise.max(1);
        p.fall = p.fall.max(1);
        HealthFsm {
            health: p.rise,
            p,
            next_due: now + first_delay,
        }
    }

    pub fn params(&self) -> &Params {
        &self.p
    }

    pub fn health(&self) -> u32 {
        self.health
    }

    pub fn max_health(&self) -> u32 {
        self.p.rise + self.p.fall - 1
    }

    pub fn is_up(&self) -> bool {
        self.health >= self.p.rise
    }

    /// When the next check should start.
    pub fn next_due(&self) -> Duration {
        self.next_due
    }

    pub fn is_due(&self, now: Duration) -> bool {
        now >= self.next_due
    }

    /// The wait after a check ends, given the counter now.
    pub fn interval(&self) -> Duration {
        if self.health == 0 {
            self.p.downinter
        } else if self.health >= self.max_health() {
            self.p.inter
        } else {
            self.p.fastinter
        }
    }

    /// Feed one finished check; `now` is when it ended.
    pub fn record(&mut self, passed: bool, now: Duration) -> Option<Transition> {
        let was_up = self.is_up();
        if passed {
            if self.health < self.max_health() {
                self.health += 1;
                if self.health >= self.p.rise {
                    self.health = self.max_health();
                }
            }
        } else if self.health > self.p.rise {
            self.health -= 1;
        } else {
            self.health = 0;
        }
        self.next_due = now + self.interval();
        match (was_up, self.is_up()) {
            (false, true) => Some(Transition::Up),
            (true, false) => Some(Transition::Down),
            _ => None,
        }
    }

    /// The `status: X/Y UP` part of `option log-health-checks` lines:
    /// while UP it counts the failures left, while DOWN the successes made.
    pub fn counter_text(&self) -> String {
        counter_text(self.health, self.p.rise, self.p.fall)
    }
}

/// See [`HealthFsm::counter_text`].
pub fn counter_text(health: u32, rise: u32, fall: u32) -> String {
    if health >= rise {
        format!("{}/{} UP", health - rise + 1, fall)
    } else {
        format!("{}/{} DOWN", health, rise)
    }
}

/// HAProxy spreads the first checks of all servers over `inter`; `random`
/// is any uniformly drawn number.
pub fn first_delay(inter: Duration, random: u64) -> Duration {
    let ms = inter.as_millis() as u64;
    if ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(random % ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn fsm() -> HealthFsm {
        let p = Params {
            rise: 2,
            fall: 3,
            inter: 1000 * MS,
            fastinter: 300 * MS,
            downinter: 2000 * MS,
        };
        HealthFsm::new(p, Duration::ZERO, 200 * MS)
    }

    /// Runs results through the fsm on a fake clock where each check
    /// takes 1 ms and the next starts when due; returns per check the
    /// start time, the counter text and the transition.
    fn run(f: &mut HealthFsm, results: &[bool]) -> Vec<(u64, String, Option<Transition>)> {
        results
            .iter()
            .map(|&ok| {
                let start = f.next_due();
                let t = f.record(ok, start + MS);
                (start.as_millis() as u64, f.counter_text(), t)
            })
            .collect()
    }

    #[test]
    fn starts_just_up_and_one_failure_marks_down() {
        let mut f = fsm();
        assert!(f.is_up());
        assert_eq!(f.health(), 2);
        assert_eq!(f.next_due(), 200 * MS);
        let r = run(&mut f, &[false]);
        assert_eq!(r, vec![(200, "0/2 DOWN".into(), Some(Transition::Down))]);
        assert_eq!(f.interval(), 2000 * MS);
    }

    #[test]
    fn first_success_jumps_to_full_health() {
        let mut f = fsm();
        let r = run(&mut f, &[true, true]);
        assert_eq!(r[0], (200, "3/3 UP".into(), None));
        // Fully UP: the next check waits `inter`.
        assert_eq!(r[1].0, 1201);
        assert_eq!(f.health(), 4);
    }

    #[test]
    fn sequence_observed_on_haproxy() {
        // Down at start, back after rise successes, a short outage that
        // does not reach fall, then a long one.
        let mut f = fsm();
        let r = run(
            &mut f,
            &[
                false, false, true, true, true, false, false, true, false, false, false, false,
            ],
        );
        let texts: Vec<&str> = r.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(
            texts,
            [
                "0/2 DOWN", "0/2 DOWN", "1/2 DOWN", "3/3 UP", "3/3 UP", "2/3 UP", "1/3 UP",
                "3/3 UP", "2/3 UP", "1/3 UP", "0/2 DOWN", "0/2 DOWN"
            ]
        );
        let transitions: Vec<(usize, Transition)> = r
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.2.map(|t| (i, t)))
            .collect();
        assert_eq!(
            transitions,
            [
                (0, Transition::Down),
                (3, Transition::Up),
                (10, Transition::Down)
            ]
        );
        // Start times: downinter while at 0, fastinter in transition,
        // inter when full.
        let starts: Vec<u64> = r.iter().map(|x| x.0).collect();
        assert_eq!(
            starts,
            [200, 2201, 4202, 4503, 5504, 6505, 6806, 7107, 8108, 8409, 8710, 10711]
        );
    }

    #[test]
    fn fully_healthy_needs_fall_failures() {
        let mut f = fsm();
        run(&mut f, &[true]);
        let r = run(&mut f, &[false, false, false]);
        assert_eq!(r[0].2, None);
        assert_eq!(r[1].2, None);
        assert_eq!(r[2].2, Some(Transition::Down));
    }

    #[test]
    fn down_needs_rise_successes() {
        let p = Params::new(3, 2, 1000 * MS);
        let mut f = HealthFsm::new(p, Duration::ZERO, Duration::ZERO);
        assert_eq!(run(&mut f, &[false])[0].2, Some(Transition::Down));
        let r = run(&mut f, &[true, true, true]);
        assert_eq!(r[0].1, "1/3 DOWN");
        assert_eq!(r[1].1, "2/3 DOWN");
        assert_eq!(r[2], (r[2].0, "2/2 UP".into(), Some(Transition::Up)));
    }

    #[test]
    fn intervals_default_to_inter() {
        let p = Params::new(2, 3, 500 * MS);
        let mut f = HealthFsm::new(p, Duration::ZERO, Duration::ZERO);
        let r = run(&mut f, &[false, true, true, false]);
        let starts: Vec<u64> = r.iter().map(|x| x.0).collect();
        assert_eq!(starts, [0, 501, 1002, 1503]);
    }

    #[test]
    fn rise_and_fall_one() {
        let p = Params::new(1, 1, 1000 * MS);
        let mut f = HealthFsm::new(p, Duration::ZERO, Duration::ZERO);
        assert_eq!(f.max_health(), 1);
        let r = run(&mut f, &[true, false, true, false]);
        let t: Vec<Option<Transition>> = r.iter().map(|x| x.2).collect();
        assert_eq!(
            t,
            [
                None,
                Some(Transition::Down),
                Some(Transition::Up),
                Some(Transition::Down)
            ]
        );
    }

    #[test]
    fn zero_rise_fall_do_not_underflow() {
        let p = Params::new(0, 0, 1000 * MS);
        let mut f = HealthFsm::new(p, Duration::ZERO, Duration::ZERO);
        assert_eq!(f.record(false, MS), Some(Transition::Down));
        assert_eq!(f.record(true, MS), Some(Transition::Up));
    }

    #[test]
    fn first_delay_stays_within_inter() {
        let inter = 2000 * MS;
        for r in [0u64, 1, 1999, 2000, u64::MAX] {
            assert!(first_delay(inter, r) < inter);
        }
        assert_eq!(first_delay(inter, 2500), 500 * MS);
        assert_eq!(first_delay(Duration::ZERO, 7), Duration::ZERO);
    }
}
