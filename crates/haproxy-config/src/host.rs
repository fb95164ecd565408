//! The parser's only window on the outside world.
//!
//! HAProxy's `-c` reads environment variables, stats files (certificates,
//! errorfiles), looks up users and groups and resolves server addresses.
//! Keeping all of that behind one trait makes the parser pure: tests and the
//! fuzzer hand it an in-memory host, the binary hands it the real one.

use std::collections::HashMap;
use std::net::IpAddr;

/// What a file path turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    File,
    Dir,
    Other,
}

pub trait Host {
    fn env(&self, name: &str) -> Option<String>;
    fn path_kind(&self, path: &str) -> PathKind;
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>>;
    /// Entries of a directory (names only), unsorted.
    fn list_dir(&self, path: &str) -> std::io::Result<Vec<String>>;
    fn user_exists(&self, name: &str) -> bool;
    fn group_exists(&self, name: &str) -> bool;
    /// Resolve a host name the way `-c` does (libc). `None` when it fails.
    fn resolve(&self, name: &str) -> Option<IpAddr>;
    /// What an inherited file descriptor is (`bind fd@N`, `sockpair@N`).
    fn fd_state(&self, fd: u32) -> FdState;
}

/// An inherited file descriptor as `bind fd@N` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdState {
    /// Not open in this process (`Bad file descriptor`).
    Closed,
    /// Open, but not a socket (`Socket operation on non-socket`).
    NotSocket,
    Socket,
}

impl FdState {
    /// The C library's wording of why the descriptor cannot be used.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            FdState::Closed => Some("Bad file descriptor"),
            FdState::NotSocket => Some("Socket operation on non-socket"),
            FdState::Socket => None,
        }
    }
}

/// The real machine.
pub struct SystemHost;

impl Host for SystemHost {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }

    fn path_kind(&self, path: &str) -> PathKind {
        match std::fs::metadata(path) {
            Err(_) => PathKind::Missing,
            Ok(m) if m.is_dir() => PathKind::Dir,
            Ok(m) if m.is_file() => PathKind::File,
            Ok(_) => PathKind::Other,
        }
    }

    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn list_dir(&self, path: &str) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(path)? {
            out.push(e?.file_name().to_string_lossy().into_owned());
        }
        Ok(out)
    }

    fn user_exists(&self, name: &str) -> bool {
        name.parse::<u32>().is_ok() || name_in_db("/etc/passwd", name)
    }

    fn group_exists(&self, name: &str) -> bool {
        name.parse::<u32>().is_ok() || name_in_db("/etc/group", name)
    }

    fn resolve(&self, name: &str) -> Option<IpAddr> {
        use std::net::ToSocketAddrs;
        if let Ok(ip) = name.parse() {
            return Some(ip);
        }
        (name, 0).to_socket_addrs().ok()?.next().map(|a| a.ip())
    }

    // Linux names a socket's descriptor link `socket:[inode]`; std gives
    // no fstat(), and this keeps the crate free of libc.
    fn fd_state(&self, fd: u32) -> FdState {
        match std::fs::read_link(format!("/proc/self/fd/{fd}")) {
            Err(_) => FdState::Closed,
            Ok(t) if t.to_string_lossy().starts_with("socket:") => FdState::Socket,
            Ok(_) => FdState::NotSocket,
        }
    }
}

// NSS would also consult LDAP etc.; the flat files cover the machines we
// target and avoid linking libc's getpwnam into a pure crate.
fn name_in_db(db: &str, name: &str) -> bool {
    std::fs::read_to_string(db)
        .map(|s| s.lines().any(|l| l.split(':').next() == Some(name)))
        .unwrap_or(false)
}

/// An in-memory host for tests and fuzzing.
#[derive(Default, Clone)]
pub struct MemHost {
    pub env: HashMap<String, String>,
    pub files: HashMap<String, Vec<u8>>,
    pub dirs: Vec<String>,
    pub users: Vec<String>,
    /// Descriptors that are inherited sockets; others count as closed,
    /// except 0-2 which are open non-sockets.
    pub sockets: Vec<u32>,
}

impl Host for MemHost {
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn path_kind(&self, path: &str) -> PathKind {
        let p = path.trim_end_matches('/');
        if self.files.contains_key(path) {
            PathKind::File
        } else if self.dirs.iter().any(|d| d.trim_end_matches('/') == p) {
            PathKind::Dir
        } else {
            PathKind::Missing
        }
    }

    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }

    fn list_dir(&self, path: &str) -> std::io::Result<Vec<String>> {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        Ok(self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_string)
            .collect())
    }

    fn user_exists(&self, name: &str) -> bool {
        name == "root" || self.users.iter().any(|u| u == name)
    }

    fn group_exists(&self, name: &str) -> bool {
        self.user_exists(name)
    }

    fn resolve(&self, name: &str) -> Option<IpAddr> {
        name.parse().ok()
    }

    fn fd_state(&self, fd: u32) -> FdState {
        if self.sockets.contains(&fd) {
            FdState::Socket
        } else if fd <= 2 {
            FdState::NotSocket
        } else {
            FdState::Closed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_host_fds() {
        let h = MemHost {
            sockets: vec![5],
            ..Default::default()
        };
        assert_eq!(h.fd_state(5), FdState::Socket);
        assert_eq!(h.fd_state(1), FdState::NotSocket);
        assert_eq!(h.fd_state(9), FdState::Closed);
        assert_eq!(
            FdState::NotSocket.reason(),
            Some("Socket operation on non-socket")
        );
    }

    #[test]
    fn system_host_fds() {
        // stdin of a test may be anything, but a huge descriptor is closed.
        assert_eq!(SystemHost.fd_state(1_000_000), FdState::Closed);
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        use std::os::fd::AsRawFd;
        assert_eq!(SystemHost.fd_state(l.as_raw_fd() as u32), FdState::Socket);
        let f = std::fs::File::open("/proc/self/status").unwrap();
        assert_eq!(
            SystemHost.fd_state(f.as_raw_fd() as u32),
            FdState::NotSocket
        );
    }
}
