//! Effective VRRP priority from tracked objects, and `vrrp_script`
//! rise/fall accounting, as keepalived 2.2.7 computes them
//! (reference §2.2, §2.5, §3.5). Pure: script runs are reported to
//! [`ScriptTracker::record`], nothing is executed here.
//!
//! Arithmetic (reference §3.5):
//! - `total = base + Σ adjustment`, `effective = clamp(total, 1, 254)`;
//!   a base of 255 (address owner) is never changed by tracking.
//! - positive weight: `+w` while the object is OK, 0 while KO;
//!   negative weight: 0 while OK, `-|w|` while KO; `reverse` swaps OK/KO.
//! - weight 0: KO means FAULT.
//! - track files add `value × weight` (`reverse` negates it); a product
//!   below −253 means FAULT; with weight 0 a non-zero value means FAULT.
//! - objects that have not reported yet adjust nothing.
//!
//! `max_auto_priority` is a *scheduling* priority (realtime raise of the
//! VRRP process when it runs late, reference §2.1); it has no bearing on
//! the VRRP priority computed here.

/// The address owner's priority: tracking never changes it.
pub const PRIO_OWNER: u8 = 255;
/// Highest priority a non-owner can reach through tracking.
pub const PRIO_MAX_TRACKED: i32 = 254;
/// Lowest effective priority (0 is reserved for "master leaving").
pub const PRIO_MIN: i32 = 1;

/// What kind of object is tracked (only used for reporting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    Interface,
    Script,
    File,
    Process,
    Bfd,
}

/// The current status of a tracked object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackStatus {
    /// No result yet: adjusts nothing, never faults (reference §3.5 last
    /// bullet; the FSM's start-up wait for unweighted scripts is the
    /// caller's business).
    Unknown,
    Up,
    Down,
    /// A track file's integer value.
    Value(i64),
}

/// One tracked object as seen by one instance: the weight and `reverse`
/// already resolved (see [`resolve_weight`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub kind: TrackKind,
    pub name: String,
    pub weight: i32,
    pub reverse: bool,
    pub status: TrackStatus,
}

/// The outcome of [`effective_priority`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective {
    /// The priority to advertise and to compare with (1..=254, or 255).
    pub priority: u8,
    /// A weight-0 object is KO, or a track file is below −253.
    pub fault: bool,
    /// The unclamped sum, `base + Σ adjustments`.
    pub total: i64,
}

/// The weight an instance uses for a tracked script: the instance's
/// `track_script { NAME weight N [reverse|noreverse] }` overrides the
/// script's own `weight N [reverse]`; without `reverse`/`noreverse` on the
/// override, the script's reverse flag is kept. Inside a sync group,
/// members' tracking weights are forced to 0 unless
/// `sync_group_tracking_weight` is set (reference §2.4).
pub fn resolve_weight(
    own_weight: i32,
    own_reverse: bool,
    override_weight: Option<i32>,
    override_reverse: Option<bool>,
    forced_zero: bool,
) -> (i32, bool) {
    let weight = override_weight.unwrap_or(own_weight);
    let reverse = override_reverse.unwrap_or(own_reverse);
    if forced_zero {
        (0, reverse)
    } else {
        (weight, reverse)
    }
}

/// The adjustment one object makes, or `None` when it forces FAULT.
pub fn adjustment(t: &Tracked) -> Option<i64> {
    let w = i64::from(t.weight);
    match t.status {
        TrackStatus::Unknown => Some(0),
        TrackStatus::Value(v) => {
            if t.kind != TrackKind::File && t.weight != 0 {
                // A value for a non-file object: treat non-zero as OK.
                return Some(up_down(w, t.reverse, v != 0));
            }
            if t.weight == 0 {
                return if v != 0 { None } else { Some(0) };
            }
            let w = if t.reverse { -w } else { w };
            let adj = v.saturating_mul(w);
            if adj < -253 {
                None
            } else {
                Some(adj)
            }
        }
        TrackStatus::Up | TrackStatus::Down => {
            let up = t.status == TrackStatus::Up;
            if t.weight == 0 {
                // reverse swaps OK and KO for unweighted objects too.
                if up != t.reverse {
                    Some(0)
                } else {
                    None
                }
            } else {
                Some(up_down(w, t.reverse, up))
            }
        }
    }
}

fn up_down(w: i64, reverse: bool, up: bool) -> i64 {
    let ok = up != reverse;
    match (w > 0, ok) {
        (true, true) => w,
        (true, false) => 0,
        (false, true) => 0,
        (false, false) => w, // w < 0: subtract |w|
    }
}

/// keepalived's effective priority for `base` and the tracked objects.
pub fn effective_priority(base: u8, tracked: &[Tracked]) -> Effective {
    let mut total = i64::from(base);
    let mut fault = false;
    for t in tracked {
        match adjustment(t) {
            Some(a) => total = total.saturating_add(a),
            None => fault = true,
        }
    }
    if base == PRIO_OWNER {
        return Effective {
            priority: PRIO_OWNER,
            fault,
            total: i64::from(PRIO_OWNER),
        };
    }
    let clamped = total.clamp(i64::from(PRIO_MIN), i64::from(PRIO_MAX_TRACKED));
    Effective {
        priority: u8::try_from(clamped).unwrap_or(1),
        fault,
        total,
    }
}

/// The log line for a change, `(X) Changing effective priority from A to B`.
pub fn change_log(instance: &str, from: u8, to: u8) -> String {
    format!("({instance}) Changing effective priority from {from} to {to}")
}

/// How one run of a script ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptOutcome {
    Exited(i32),
    Signaled(i32),
    TimedOut,
}

/// The script's state as the instances see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptState {
    /// No result yet (unless `init_fail`).
    Init,
    Good,
    Bad,
}

/// rise/fall accounting for one `vrrp_script`: a counter from 0 to
/// `rise + fall − 1`, OK while it is ≥ `rise` (reference §2.2).
/// Without `init_fail` the counter starts at `rise − 1`, so the first
/// result decides at once; with `init_fail` it starts at 0 in the
/// failed state and needs `rise` successes.
#[derive(Debug, Clone)]
pub struct ScriptTracker {
    pub name: String,
    rise: u32,
    fall: u32,
    counter: u32,
    state: ScriptState,
    last_exit: i32,
}

/// What one recorded result produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptUpdate {
    /// Log lines in keepalived's words.
    pub logs: Vec<String>,
    /// `Some(new)` when the state flipped.
    pub changed: Option<ScriptState>,
}

impl ScriptTracker {
    pub fn new(name: &str, rise: u32, fall: u32, init_fail: bool) -> Self {
        let rise = rise.max(1);
        let fall = fall.max(1);
        let (counter, state) = if init_fail {
            (0, ScriptState::Bad)
        } else {
            (rise - 1, ScriptState::Init)
        };
        ScriptTracker {
            name: name.to_string(),
            rise,
            fall,
            counter,
            state,
            last_exit: 0,
        }
    }

    pub fn state(&self) -> ScriptState {
        self.state
    }

    pub fn counter(&self) -> u32 {
        self.counter
    }

    /// The status to put in a [`Tracked`].
    pub fn status(&self) -> TrackStatus {
        match self.state {
            ScriptState::Init => TrackStatus::Unknown,
            ScriptState::Good => TrackStatus::Up,
            ScriptState::Bad => TrackStatus::Down,
        }
    }

    /// After a reload keepalived keeps a script that was OK as OK and
    /// logs `VRRP_Script(NAME) considered successful on reload`.
    pub fn reload_log(&self) -> Option<String> {
        (self.state == ScriptState::Good)
            .then(|| format!("VRRP_Script({}) considered successful on reload", self.name))
    }

    /// Account one run.
    pub fn record(&mut self, outcome: ScriptOutcome) -> ScriptUpdate {
        let mut up = ScriptUpdate::default();
        if let ScriptOutcome::Exited(code) = outcome {
            if code != self.last_exit {
                up.logs
                    .push(format!("Script `{}` now returning {code}", self.name));
                self.last_exit = code;
            }
        }
        let top = self.rise + self.fall - 1;
        let success = outcome == ScriptOutcome::Exited(0);
        if success {
            if self.counter + 1 >= self.rise {
                self.counter = top;
            } else {
                self.counter += 1;
            }
        } else if self.counter > self.rise {
            self.counter -= 1;
        } else {
            self.counter = 0;
        }
        let new = if self.counter >= self.rise {
            ScriptState::Good
        } else if self.counter == 0 {
            ScriptState::Bad
        } else {
            self.state
        };
        if new != self.state {
            // A script in Init that is between 0 and rise stays Init.
            if new == ScriptState::Good {
                up.logs
                    .push(format!("VRRP_Script({}) succeeded", self.name));
            } else if new == ScriptState::Bad {
                up.logs.push(match outcome {
                    ScriptOutcome::Exited(c) => {
                        format!("VRRP_Script({}) failed (exited with status {c})", self.name)
                    }
                    ScriptOutcome::Signaled(s) => {
                        format!("VRRP_Script({}) failed (due to signal {s})", self.name)
                    }
                    ScriptOutcome::TimedOut => format!("VRRP_Script({}) timed_out", self.name),
                });
            }
            self.state = new;
            up.changed = Some(new);
        }
        up
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(weight: i32, reverse: bool, status: TrackStatus) -> Tracked {
        Tracked {
            kind: TrackKind::Script,
            name: "chk".into(),
            weight,
            reverse,
            status,
        }
    }

    fn file(weight: i32, reverse: bool, v: i64) -> Tracked {
        Tracked {
            kind: TrackKind::File,
            name: "f".into(),
            weight,
            reverse,
            status: TrackStatus::Value(v),
        }
    }

    #[test]
    fn guide_chk_haproxy_weight_20_override() {
        // vrrp_script chk_haproxy { weight 2 } overridden by the instance's
        // track_script { chk_haproxy weight 20 }; both nodes priority 101.
        let (w, r) = resolve_weight(2, false, Some(20), None, false);
        assert_eq!((w, r), (20, false));
        let up = effective_priority(101, &[script(w, r, TrackStatus::Up)]);
        let down = effective_priority(101, &[script(w, r, TrackStatus::Down)]);
        let init = effective_priority(101, &[script(w, r, TrackStatus::Unknown)]);
        assert_eq!(up.priority, 121);
        assert_eq!(down.priority, 101);
        assert_eq!(init.priority, 101);
        assert!(!up.fault && !down.fault);
        // Two nodes with haproxy up: 121 against 121, a tie (decided by the
        // FSM: backups accept equal adverts, masters compare addresses).
        assert_eq!(
            up.priority,
            effective_priority(101, &[script(w, r, TrackStatus::Up)]).priority
        );
        assert_eq!(
            change_log("dc1server", 101, 121),
            "(dc1server) Changing effective priority from 101 to 121"
        );
    }

    #[test]
    fn weights_table() {
        use TrackStatus::*;
        // (base, weight, reverse, status, effective, fault)
        let cases: &[(u8, i32, bool, TrackStatus, u8, bool)] = &[
            (100, 10, false, Up, 110, false),
            (100, 10, false, Down, 100, false),
            (100, -10, false, Up, 100, false),
            (100, -10, false, Down, 90, false),
            (100, 10, true, Up, 100, false),
            (100, 10, true, Down, 110, false),
            (100, -10, true, Up, 90, false),
            (100, -10, true, Down, 100, false),
            (100, 0, false, Up, 100, false),
            (100, 0, false, Down, 100, true),
            (100, 0, true, Up, 100, true),
            (100, 0, true, Down, 100, false),
            (250, 20, false, Up, 254, false),
            (10, -50, false, Down, 1, false),
            (255, 20, false, Up, 255, false),
            (255, -200, false, Down, 255, false),
            (255, 0, false, Down, 255, true),
            (1, 253, false, Up, 254, false),
            (100, 253, false, Unknown, 100, false),
            (100, 0, false, Unknown, 100, false),
        ];
        for &(base, w, rev, st, want, fault) in cases {
            let e = effective_priority(base, &[script(w, rev, st)]);
            assert_eq!(
                (e.priority, e.fault),
                (want, fault),
                "{base} {w} {rev} {st:?}"
            );
        }
    }

    #[test]
    fn several_objects_sum_before_clamping() {
        let e = effective_priority(
            200,
            &[
                script(50, false, TrackStatus::Up),
                script(-60, false, TrackStatus::Down),
                script(30, false, TrackStatus::Up),
            ],
        );
        // 200 + 50 - 60 + 30 = 220: the sum is clamped, not each step.
        assert_eq!(e.total, 220);
        assert_eq!(e.priority, 220);
        let e = effective_priority(
            240,
            &[
                script(50, false, TrackStatus::Up),
                script(-60, false, TrackStatus::Down),
            ],
        );
        assert_eq!((e.total, e.priority), (230, 230));
    }

    #[test]
    fn track_files() {
        assert_eq!(effective_priority(100, &[file(1, false, 5)]).priority, 105);
        assert_eq!(effective_priority(100, &[file(-2, false, 5)]).priority, 90);
        assert_eq!(effective_priority(100, &[file(2, true, 5)]).priority, 90);
        assert_eq!(
            effective_priority(100, &[file(10, false, 100)]).priority,
            254
        );
        let e = effective_priority(100, &[file(1, false, -254)]);
        assert!(e.fault);
        let e = effective_priority(100, &[file(1, false, -253)]);
        assert!(!e.fault);
        assert_eq!(e.priority, 1);
        assert!(effective_priority(100, &[file(0, false, 3)]).fault);
        assert!(!effective_priority(100, &[file(0, false, 0)]).fault);
    }

    #[test]
    fn override_reverse_and_sync_group_zero() {
        assert_eq!(resolve_weight(-10, true, None, None, false), (-10, true));
        assert_eq!(resolve_weight(-10, true, Some(5), None, false), (5, true));
        assert_eq!(
            resolve_weight(-10, true, Some(5), Some(false), false),
            (5, false)
        );
        assert_eq!(resolve_weight(-10, false, None, None, true), (0, false));
    }

    #[test]
    fn script_rise_fall() {
        let mut s = ScriptTracker::new("chk_haproxy", 1, 1, false);
        assert_eq!(s.state(), ScriptState::Init);
        let u = s.record(ScriptOutcome::Exited(0));
        assert_eq!(u.logs, vec!["VRRP_Script(chk_haproxy) succeeded"]);
        assert_eq!(u.changed, Some(ScriptState::Good));
        assert!(s.record(ScriptOutcome::Exited(0)).logs.is_empty());
        let u = s.record(ScriptOutcome::Exited(1));
        assert_eq!(
            u.logs,
            vec![
                "Script `chk_haproxy` now returning 1",
                "VRRP_Script(chk_haproxy) failed (exited with status 1)"
            ]
        );
        let u = s.record(ScriptOutcome::Exited(1));
        assert!(u.logs.is_empty() && u.changed.is_none());
        let u = s.record(ScriptOutcome::Exited(0));
        assert_eq!(
            u.logs,
            vec![
                "Script `chk_haproxy` now returning 0",
                "VRRP_Script(chk_haproxy) succeeded"
            ]
        );
    }

    #[test]
    fn script_fall_3_rise_2() {
        let mut s = ScriptTracker::new("s", 2, 3, false);
        // First success decides at once (counter starts at rise-1).
        assert_eq!(
            s.record(ScriptOutcome::Exited(0)).changed,
            Some(ScriptState::Good)
        );
        assert_eq!(s.counter(), 4);
        assert_eq!(s.record(ScriptOutcome::Exited(2)).changed, None);
        assert_eq!(s.record(ScriptOutcome::Exited(2)).changed, None);
        let u = s.record(ScriptOutcome::Signaled(9));
        assert_eq!(u.changed, Some(ScriptState::Bad));
        assert_eq!(u.logs, vec!["VRRP_Script(s) failed (due to signal 9)"]);
        assert_eq!(s.record(ScriptOutcome::Exited(0)).changed, None);
        assert_eq!(s.state(), ScriptState::Bad);
        let u = s.record(ScriptOutcome::Exited(0));
        assert_eq!(u.changed, Some(ScriptState::Good));
        // a failure in between resets the rise count
        s.record(ScriptOutcome::TimedOut);
        s.record(ScriptOutcome::TimedOut);
        let u = s.record(ScriptOutcome::TimedOut);
        assert_eq!(u.logs, vec!["VRRP_Script(s) timed_out"]);
        s.record(ScriptOutcome::Exited(0));
        s.record(ScriptOutcome::Exited(1));
        assert_eq!(s.record(ScriptOutcome::Exited(0)).changed, None);
        assert_eq!(
            s.record(ScriptOutcome::Exited(0)).changed,
            Some(ScriptState::Good)
        );
    }

    #[test]
    fn script_init_fail() {
        let mut s = ScriptTracker::new("s", 2, 1, true);
        assert_eq!(s.state(), ScriptState::Bad);
        assert_eq!(s.status(), TrackStatus::Down);
        assert_eq!(s.record(ScriptOutcome::Exited(0)).changed, None);
        assert_eq!(
            s.record(ScriptOutcome::Exited(0)).changed,
            Some(ScriptState::Good)
        );
        assert_eq!(
            s.reload_log().as_deref(),
            Some("VRRP_Script(s) considered successful on reload")
        );
        // first result a failure without init_fail: failed at once
        let mut s = ScriptTracker::new("t", 3, 2, false);
        let u = s.record(ScriptOutcome::Exited(1));
        assert_eq!(u.changed, Some(ScriptState::Bad));
    }
}
