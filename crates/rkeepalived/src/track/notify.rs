//! Notify scripts and the notify FIFO (reference §2.1, §2.3, §2.4).
//!
//! On a state change keepalived writes the FIFO line, then starts the
//! state's own script (`notify_master`, `notify_backup`, `notify_fault`,
//! `notify_stop`, `notify_deleted`) with exactly its configured argv, and the
//! generic `notify` script with four extra arguments: `INSTANCE` or `GROUP`,
//! the name, the state word and the priority. The scripts are started
//! asynchronously (their order is not guaranteed, which is why the FIFO
//! exists); each child is awaited by its own task, so none is left a zombie.
//! `notify_master_rx_lower_pri` runs when a master hears a lower-priority
//! advert (reference §3.4).
//!
//! FIFO lines are `INSTANCE "VI_1" MASTER 100\n` (`GROUP "G" …` for sync
//! groups). The FIFO is created (mode 0600) when it does not exist, and
//! removed again when the [`NotifyFifo`] that created it is dropped; it is
//! opened read-write and non-blocking, so writing never waits for a reader
//! and a full FIFO drops the line.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keepalived_config::model::{Notify, SyncGroup, VrrpInstance};
use keepalived_config::tokens::split_command;
use tokio::task::JoinHandle;

use super::RunAs;
use crate::vrrp::fsm::State;

/// Who is notified about: the first extra argument of `notify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Instance,
    Group,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Instance => "INSTANCE",
            Subject::Group => "GROUP",
        }
    }
}

/// One configured notify command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyCmd {
    pub argv: Vec<String>,
    pub run_as: RunAs,
}

impl NotifyCmd {
    pub fn from_model(
        n: &Notify,
        default_user: Option<&(String, Option<String>)>,
    ) -> Result<NotifyCmd, String> {
        Ok(NotifyCmd {
            argv: n.argv.clone(),
            run_as: RunAs::from_model(n.user.as_ref().or(default_user))?,
        })
    }
}

/// How one started notify command ended.
#[derive(Debug)]
pub struct NotifyRun {
    pub argv: Vec<String>,
    /// `None` when it could not be started, or was killed at the timeout.
    pub status: Option<ExitStatus>,
    pub error: Option<String>,
}

/// A notify FIFO, shared by every instance and group (`Arc`).
#[derive(Debug)]
pub struct NotifyFifo {
    path: PathBuf,
    file: Mutex<File>,
    created: bool,
}

impl NotifyFifo {
    /// Open `path`, creating the FIFO when it is missing.
    pub fn open(path: &str) -> Result<NotifyFifo, String> {
        let p = PathBuf::from(path);
        let mut created = false;
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_fifo() => {}
            Ok(_) => return Err(format!("Notify FIFO {path} exists and is not a FIFO")),
            Err(_) => {
                nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o600))
                    .map_err(|e| format!("Unable to create notify FIFO {path} - {}", e.desc()))?;
                created = true;
            }
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
            .open(&p)
            .map_err(|e| format!("Unable to open notify FIFO {path} - {e}"))?;
        Ok(NotifyFifo {
            path: p,
            file: Mutex::new(file),
            created,
        })
    }

    /// The line keepalived writes for a state change.
    pub fn line(subject: Subject, name: &str, state: State, priority: u8) -> String {
        format!(
            "{} \"{name}\" {} {priority}\n",
            subject.as_str(),
            state.as_str()
        )
    }

    /// Write one line (one `write`, below PIPE_BUF, so it is atomic);
    /// a full FIFO drops it.
    pub fn write_line(&self, line: &str) -> std::io::Result<()> {
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(line.as_bytes())
    }
}

impl Drop for NotifyFifo {
    fn drop(&mut self) {
        if self.created {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The notifications of one instance or sync group.
#[derive(Debug, Clone)]
pub struct Notifier {
    pub subject: Subject,
    pub name: String,
    pub master: Option<NotifyCmd>,
    pub backup: Option<NotifyCmd>,
    pub fault: Option<NotifyCmd>,
    pub stop: Option<NotifyCmd>,
    pub deleted: Option<NotifyCmd>,
    pub generic: Option<NotifyCmd>,
    pub master_rx_lower_pri: Option<NotifyCmd>,
    pub fifos: Vec<Arc<NotifyFifo>>,
    /// Kill a notify command still running after this long (keepalived
    /// does not; `None` keeps that).
    pub timeout: Option<Duration>,
}

fn cmd(
    n: Option<&Notify>,
    du: Option<&(String, Option<String>)>,
    errs: &mut Vec<String>,
) -> Option<NotifyCmd> {
    match NotifyCmd::from_model(n?, du) {
        Ok(c) => Some(c),
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

impl Notifier {
    fn empty(subject: Subject, name: &str, fifos: Vec<Arc<NotifyFifo>>) -> Notifier {
        Notifier {
            subject,
            name: name.to_string(),
            master: None,
            backup: None,
            fault: None,
            stop: None,
            deleted: None,
            generic: None,
            master_rx_lower_pri: None,
            fifos,
            timeout: None,
        }
    }

    /// From a `vrrp_instance`; returns the commands it could not set up
    /// (unknown user) as messages.
    pub fn from_instance(
        i: &VrrpInstance,
        default_user: Option<&(String, Option<String>)>,
        fifos: Vec<Arc<NotifyFifo>>,
    ) -> (Notifier, Vec<String>) {
        let mut e = Vec::new();
        let mut n = Notifier::empty(Subject::Instance, &i.name, fifos);
        n.master = cmd(i.notify_master.as_ref(), default_user, &mut e);
        n.backup = cmd(i.notify_backup.as_ref(), default_user, &mut e);
        n.fault = cmd(i.notify_fault.as_ref(), default_user, &mut e);
        n.stop = cmd(i.notify_stop.as_ref(), default_user, &mut e);
        n.deleted = cmd(i.notify_deleted.as_ref(), default_user, &mut e);
        n.generic = cmd(i.notify.as_ref(), default_user, &mut e);
        // Kept by the parser as a raw directive: CMD [USER [GROUP]].
        if let Some(d) = i
            .other
            .iter()
            .find(|d| d.words.first().map(String::as_str) == Some("notify_master_rx_lower_pri"))
        {
            if let Some(Ok(argv)) = d.words.get(1).map(|c| split_command(c)) {
                if !argv.is_empty() {
                    let user = d.words.get(2).map(|u| (u.clone(), d.words.get(3).cloned()));
                    let m = Notify { argv, user };
                    n.master_rx_lower_pri = cmd(Some(&m), default_user, &mut e);
                }
            }
        }
        (n, e)
    }

    /// From a `vrrp_sync_group`.
    pub fn from_group(
        g: &SyncGroup,
        default_user: Option<&(String, Option<String>)>,
        fifos: Vec<Arc<NotifyFifo>>,
    ) -> (Notifier, Vec<String>) {
        let mut e = Vec::new();
        let mut n = Notifier::empty(Subject::Group, &g.name, fifos);
        n.master = cmd(g.notify_master.as_ref(), default_user, &mut e);
        n.backup = cmd(g.notify_backup.as_ref(), default_user, &mut e);
        n.fault = cmd(g.notify_fault.as_ref(), default_user, &mut e);
        n.stop = cmd(g.notify_stop.as_ref(), default_user, &mut e);
        n.generic = cmd(g.notify.as_ref(), default_user, &mut e);
        (n, e)
    }

    /// Notify a change to `state` at `priority`: FIFO line(s), then the
    /// state's script, then the generic one. INIT is not notified. Must be
    /// called inside a tokio runtime; the handles may be dropped (the
    /// children are still reaped).
    pub fn notify(&self, state: State, priority: u8) -> Vec<JoinHandle<NotifyRun>> {
        let specific = match state {
            State::Master => &self.master,
            State::Backup => &self.backup,
            State::Fault => &self.fault,
            State::Stop => &self.stop,
            State::Deleted => &self.deleted,
            State::Init => return Vec::new(),
        };
        let line = NotifyFifo::line(self.subject, &self.name, state, priority);
        for f in &self.fifos {
            let _ = f.write_line(&line);
        }
        let mut out = Vec::new();
        if let Some(c) = specific {
            out.push(self.start(c.argv.clone(), c.run_as));
        }
        if let Some(c) = &self.generic {
            let mut argv = c.argv.clone();
            argv.push(self.subject.as_str().to_string());
            argv.push(self.name.clone());
            argv.push(state.as_str().to_string());
            argv.push(priority.to_string());
            out.push(self.start(argv, c.run_as));
        }
        out
    }

    /// A master heard a lower-priority advert.
    pub fn notify_master_rx_lower_pri(&self) -> Option<JoinHandle<NotifyRun>> {
        let c = self.master_rx_lower_pri.as_ref()?;
        Some(self.start(c.argv.clone(), c.run_as))
    }

    fn start(&self, argv: Vec<String>, run_as: RunAs) -> JoinHandle<NotifyRun> {
        let timeout = self.timeout;
        let spawned = super::command(&argv, run_as).map(|mut c| c.spawn());
        tokio::spawn(async move {
            let mut child = match spawned {
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    return NotifyRun {
                        error: Some(format!("Unable to execute notify script {} - {e}", argv[0])),
                        argv,
                        status: None,
                    }
                }
                None => {
                    return NotifyRun {
                        argv,
                        status: None,
                        error: Some("empty notify command".into()),
                    }
                }
            };
            let status = match timeout {
                None => child.wait().await.ok(),
                Some(t) => match tokio::time::timeout(t, child.wait()).await {
                    Ok(r) => r.ok(),
                    Err(_) => {
                        let _ = child.kill().await;
                        None
                    }
                },
            };
            NotifyRun {
                argv,
                status,
                error: None,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_lines() {
        assert_eq!(
            NotifyFifo::line(Subject::Instance, "VI_1", State::Master, 100),
            "INSTANCE \"VI_1\" MASTER 100\n"
        );
        assert_eq!(
            NotifyFifo::line(Subject::Group, "G", State::Fault, 0),
            "GROUP \"G\" FAULT 0\n"
        );
    }

    #[test]
    fn from_instance_reads_rx_lower_pri() {
        let mut i = VrrpInstance::new("VI_1", None);
        i.notify = Some(Notify {
            argv: vec!["/bin/true".into()],
            user: None,
        });
        i.other.push(keepalived_config::model::Directive {
            words: vec![
                "notify_master_rx_lower_pri".into(),
                "/bin/echo 'a b'".into(),
            ],
            location: None,
        });
        let (n, e) = Notifier::from_instance(&i, None, Vec::new());
        assert!(e.is_empty());
        assert_eq!(n.generic.unwrap().argv, ["/bin/true"]);
        assert_eq!(n.master_rx_lower_pri.unwrap().argv, ["/bin/echo", "a b"]);
    }
}
