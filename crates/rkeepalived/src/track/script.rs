//! Running one `vrrp_script` on its schedule (reference §2.2): every
//! `interval` seconds (fixed rate, the first run at once; a run still going
//! when the next is due delays it), with a run-time limit of `timeout`
//! (default: the interval). A run past its limit gets SIGTERM on its process
//! group, SIGKILL [`KILL_GRACE`] later, and counts as `timed_out`. Results
//! go through [`ScriptTracker`] and every run is reported as a
//! [`ScriptEvent`] on the engine's channel.

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use keepalived_config::model::VrrpScript;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::RunAs;
use crate::vrrp::priority::{ScriptOutcome, ScriptState, ScriptTracker};

/// Between SIGTERM and SIGKILL of a script that timed out.
pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// What the runner needs of a `vrrp_script`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSpec {
    pub name: String,
    pub argv: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub rise: u32,
    pub fall: u32,
    pub weight: i32,
    pub weight_reverse: bool,
    pub init_fail: bool,
    pub run_as: RunAs,
    /// SIGTERM → SIGKILL wait after a timeout.
    pub kill_grace: Duration,
}

impl ScriptSpec {
    /// From the parsed model; `default_user` is the global `script_user`
    /// (or `keepalived_script` when it exists), used when the script has
    /// no `user` of its own.
    pub fn from_model(
        s: &VrrpScript,
        default_user: Option<&(String, Option<String>)>,
    ) -> Result<ScriptSpec, String> {
        let interval = Duration::from_secs(u64::from(s.interval.max(1)));
        let timeout = match s.timeout {
            Some(t) if t > 0 => Duration::from_secs(u64::from(t)),
            _ => interval,
        };
        let run_as = RunAs::from_model(s.user.as_ref().or(default_user))?;
        Ok(ScriptSpec {
            name: s.name.clone(),
            argv: s.argv.clone(),
            interval,
            timeout,
            rise: s.rise,
            fall: s.fall,
            weight: s.weight,
            weight_reverse: s.weight_reverse,
            init_fail: s.init_fail,
            run_as,
            kill_grace: KILL_GRACE,
        })
    }
}

/// How one run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptResult {
    pub outcome: ScriptOutcome,
    /// Wall time from spawn to exit (or to the kill).
    pub elapsed: Duration,
}

/// One run's report to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptEvent {
    pub name: String,
    /// A command that could not be started counts as
    /// [`ScriptOutcome::Exited`]`(127)` (missing) or `(126)` (refused), as a
    /// shell reports it, and `logs` says why.
    pub result: ScriptResult,
    /// keepalived's log lines for this run (may be empty).
    pub logs: Vec<String>,
    /// `Some(new)` when the tracker's state flipped on this run.
    pub changed: Option<ScriptState>,
    /// The tracker's state after this run.
    pub state: ScriptState,
}

/// Run the script once: spawn, wait with the timeout, kill on timeout.
pub async fn run_once(spec: &ScriptSpec) -> (ScriptResult, Option<String>) {
    let start = Instant::now();
    let Some(mut cmd) = super::command(&spec.argv, spec.run_as) else {
        return (
            ScriptResult {
                outcome: ScriptOutcome::Exited(127),
                elapsed: Duration::ZERO,
            },
            Some(format!("No script set for vrrp_script {}", spec.name)),
        );
    };
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
            return (
                ScriptResult {
                    outcome: ScriptOutcome::Exited(code),
                    elapsed: start.elapsed(),
                },
                Some(format!(
                    "Unable to execute script `{}` - {}",
                    spec.argv[0],
                    strip_os_error(&e)
                )),
            );
        }
    };
    let pgid = child.id().map(|p| Pid::from_raw(p as i32));
    let outcome = match tokio::time::timeout(spec.timeout, child.wait()).await {
        Ok(Ok(st)) => match (st.code(), st.signal()) {
            (Some(c), _) => ScriptOutcome::Exited(c),
            (None, Some(s)) => ScriptOutcome::Signaled(s),
            _ => ScriptOutcome::Exited(-1),
        },
        Ok(Err(_)) => ScriptOutcome::Exited(-1),
        Err(_) => {
            if let Some(pg) = pgid {
                let _ = killpg(pg, Signal::SIGTERM);
            }
            if tokio::time::timeout(spec.kill_grace, child.wait())
                .await
                .is_err()
            {
                if let Some(pg) = pgid {
                    let _ = killpg(pg, Signal::SIGKILL);
                }
                let _ = child.kill().await;
            }
            // Reap whatever else is left in the group.
            if let Some(pg) = pgid {
                let _ = killpg(pg, Signal::SIGKILL);
            }
            ScriptOutcome::TimedOut
        }
    };
    (
        ScriptResult {
            outcome,
            elapsed: start.elapsed(),
        },
        None,
    )
}

fn strip_os_error(e: &std::io::Error) -> String {
    let t = e.to_string();
    match t.find(" (os error") {
        Some(p) => t[..p].to_string(),
        None => t,
    }
}

/// Run `cfg` forever on its schedule, reporting each run on `tx`. The task
/// ends when the receiver is gone; abort the handle to stop it (a running
/// child is killed with it).
pub fn spawn_script(cfg: ScriptSpec, tx: UnboundedSender<ScriptEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tracker = ScriptTracker::new(&cfg.name, cfg.rise, cfg.fall, cfg.init_fail);
        let mut tick = tokio::time::interval(cfg.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (result, err) = run_once(&cfg).await;
            let up = tracker.record(result.outcome);
            let mut logs: Vec<String> = err.into_iter().collect();
            logs.extend(up.logs);
            let ev = ScriptEvent {
                name: cfg.name.clone(),
                result,
                logs,
                changed: up.changed,
                state: tracker.state(),
            };
            if tx.send(ev).is_err() {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_defaults() {
        let mut s = VrrpScript::new("chk", None);
        s.argv = vec!["/bin/true".into()];
        s.interval = 2;
        let spec = ScriptSpec::from_model(&s, None).unwrap();
        assert_eq!(spec.timeout, Duration::from_secs(2));
        assert_eq!(spec.interval, Duration::from_secs(2));
        s.timeout = Some(5);
        s.interval = 0;
        let spec = ScriptSpec::from_model(&s, None).unwrap();
        assert_eq!(spec.timeout, Duration::from_secs(5));
        assert_eq!(spec.interval, Duration::from_secs(1));
        let root = ("root".to_string(), None);
        let spec = ScriptSpec::from_model(&s, Some(&root)).unwrap();
        assert_eq!(spec.run_as.uid, Some(0));
    }

    #[tokio::test]
    async fn exit_codes_and_missing() {
        let mut s = VrrpScript::new("chk", None);
        s.argv = vec!["/bin/sh".into(), "-c".into(), "exit 3".into()];
        let spec = ScriptSpec::from_model(&s, None).unwrap();
        assert_eq!(run_once(&spec).await.0.outcome, ScriptOutcome::Exited(3));
        let mut spec = spec;
        spec.argv = vec!["/nonexistent/xyz".into()];
        let (r, log) = run_once(&spec).await;
        assert_eq!(r.outcome, ScriptOutcome::Exited(127));
        assert!(log.unwrap().contains("/nonexistent/xyz"));
    }
}
