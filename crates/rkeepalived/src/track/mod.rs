//! Runtime edges of tracking and notification (reference §2.2, §2.3, §3.5,
//! §6): `vrrp_script` runs ([`script`]), notify scripts and the notify FIFO
//! ([`notify`]) and SMTP alerts ([`smtp`]). The accounting itself is pure
//! and lives in [`crate::vrrp::priority`]; these modules spawn processes and
//! open sockets, and report back through channels or return values.
//!
//! Scripts and notify commands are started the same way: argv as split by
//! the config parser, executed directly (PATH search for a bare name), or
//! through `/bin/sh -c` when the file exists but is not executable (the
//! `system()` fallback keepalived uses), in their own process group, as the
//! configured uid/gid.

pub mod file;
pub mod notify;
pub mod process;
pub mod script;
pub mod smtp;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;

/// A uid/gid pair resolved from `user USER [GROUP]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunAs {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

impl RunAs {
    /// Resolve `USER [GROUP]`: the group defaults to the user's primary
    /// group. Errors read like keepalived's config messages.
    pub fn resolve(user: &str, group: Option<&str>) -> Result<RunAs, String> {
        let u = match nix::unistd::User::from_name(user) {
            Ok(Some(u)) => u,
            _ => return Err(format!("Unable to set uid to {user}")),
        };
        let gid = match group {
            Some(g) => match nix::unistd::Group::from_name(g) {
                Ok(Some(g)) => g.gid.as_raw(),
                _ => return Err(format!("Unable to set gid to {g}")),
            },
            None => u.gid.as_raw(),
        };
        Ok(RunAs {
            uid: Some(u.uid.as_raw()),
            gid: Some(gid),
        })
    }

    /// From the model's `Option<(USER, Option<GROUP>)>`; `None` means "as
    /// we are" (root, when keepalived_script does not exist).
    pub fn from_model(user: Option<&(String, Option<String>)>) -> Result<RunAs, String> {
        match user {
            None => Ok(RunAs::default()),
            Some((u, g)) => RunAs::resolve(u, g.as_deref()),
        }
    }
}

/// Quote one word for `/bin/sh`.
fn sh_quote(w: &str) -> String {
    if !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// True when `argv0` names an existing file without any execute bit: then
/// keepalived hands the command line to the shell.
fn needs_shell(argv0: &str) -> bool {
    if !argv0.contains('/') {
        return false;
    }
    match std::fs::metadata(argv0) {
        Ok(m) => m.is_file() && m.permissions().mode() & 0o111 == 0,
        Err(_) => false,
    }
}

/// Build the command for `argv`: direct exec, or `/bin/sh -c` for a
/// non-executable file. Own process group, stdio on /dev/null, killed if
/// the handle is dropped (the PDEATHSIG analogue available without
/// `unsafe`).
pub(crate) fn command(argv: &[String], run_as: RunAs) -> Option<tokio::process::Command> {
    let first = argv.first()?;
    let mut std_cmd = if needs_shell(first) {
        let line: Vec<String> = argv.iter().map(|w| sh_quote(w)).collect();
        let mut c = std::process::Command::new("/bin/sh");
        c.arg("-c").arg(line.join(" "));
        c
    } else {
        let mut c = std::process::Command::new(first);
        c.args(&argv[1..]);
        c
    };
    std_cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    if let Some(g) = run_as.gid {
        std_cmd.gid(g);
    }
    if let Some(u) = run_as.uid {
        std_cmd.uid(u);
    }
    let mut cmd = tokio::process::Command::from(std_cmd);
    cmd.kill_on_drop(true);
    Some(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/bin/echo"), "/bin/echo");
        assert_eq!(sh_quote("two words"), "'two words'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
    }

    #[test]
    fn root_resolves() {
        let r = RunAs::resolve("root", None).unwrap();
        assert_eq!((r.uid, r.gid), (Some(0), Some(0)));
        assert!(RunAs::resolve("no-such-user-xyz", None).is_err());
        assert_eq!(RunAs::from_model(None).unwrap(), RunAs::default());
    }
}
