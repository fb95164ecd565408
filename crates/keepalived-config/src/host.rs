//! The parser's window on the machine: files, globs, interfaces, users.
//! Tests use [`MemHost`]; the binary uses [`SystemHost`].

use std::collections::HashMap;

pub trait Host {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>>;
    fn is_dir(&self, path: &str) -> bool;
    /// Expand a glob pattern (`*`, `?`, `[..]`, `{a,b}`) to existing paths,
    /// sorted.
    fn glob(&self, pattern: &str) -> Vec<String>;
    fn interface_exists(&self, name: &str) -> bool;
    fn is_loopback(&self, name: &str) -> bool {
        name == "lo"
    }
    fn user_exists(&self, name: &str) -> bool;
    fn group_exists(&self, name: &str) -> bool;
    /// The node name up to the first dot (the default config-id).
    fn node_name(&self) -> String;
    /// Resolve a command name through PATH the way keepalived does.
    fn find_in_path(&self, cmd: &str) -> Option<String>;
    /// True when a non-root user could modify the file or a directory on
    /// its path (what `enable_script_security` refuses).
    fn insecure_path(&self, path: &str) -> bool;
    fn env(&self, name: &str) -> Option<String>;
}

pub struct SystemHost;

fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    match (pat.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob_match(&pat[1..], s) || (!s.is_empty() && glob_match(pat, &s[1..])),
        (Some(b'?'), Some(_)) => glob_match(&pat[1..], &s[1..]),
        (Some(b'['), Some(&c)) => {
            let Some(end) = pat.iter().position(|&b| b == b']') else {
                return false;
            };
            let set = &pat[1..end];
            let (neg, set) = match set.first() {
                Some(b'!') | Some(b'^') => (true, &set[1..]),
                _ => (false, set),
            };
            let mut hit = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == b'-' {
                    hit |= set[i] <= c && c <= set[i + 2];
                    i += 3;
                } else {
                    hit |= set[i] == c;
                    i += 1;
                }
            }
            hit != neg && glob_match(&pat[end + 1..], &s[1..])
        }
        (Some(&p), Some(&c)) => p == c && glob_match(&pat[1..], &s[1..]),
        _ => false,
    }
}

/// `{a,b}` brace expansion (one level per pass, applied recursively).
pub fn expand_braces(p: &str) -> Vec<String> {
    let Some(open) = p.find('{') else {
        return vec![p.to_string()];
    };
    let Some(close_rel) = p[open..].find('}') else {
        return vec![p.to_string()];
    };
    let close = open + close_rel;
    let mut out = Vec::new();
    for alt in p[open + 1..close].split(',') {
        out.extend(expand_braces(&format!(
            "{}{}{}",
            &p[..open],
            alt,
            &p[close + 1..]
        )));
    }
    out
}

fn glob_fs(pattern: &str) -> Vec<String> {
    let abs = pattern.starts_with('/');
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let mut cur: Vec<String> = vec![if abs { "/".into() } else { String::new() }];
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for base in &cur {
            let join = |n: &str| {
                if base.is_empty() {
                    n.to_string()
                } else if base.ends_with('/') {
                    format!("{base}{n}")
                } else {
                    format!("{base}/{n}")
                }
            };
            if !part.contains(['*', '?', '[']) {
                let p = join(part);
                if std::fs::symlink_metadata(&p).is_ok() {
                    next.push(p);
                }
                continue;
            }
            let dir = if base.is_empty() { "." } else { base.as_str() };
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') || part.starts_with('.'))
                .filter(|n| glob_match(part.as_bytes(), n.as_bytes()))
                .collect();
            names.sort();
            for n in names {
                let p = join(&n);
                if last || std::path::Path::new(&p).is_dir() {
                    next.push(p);
                }
            }
        }
        cur = next;
    }
    if parts.is_empty() {
        return Vec::new();
    }
    cur
}

impl Host for SystemHost {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn is_dir(&self, path: &str) -> bool {
        std::path::Path::new(path).is_dir()
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let mut out: Vec<String> = expand_braces(pattern)
            .iter()
            .flat_map(|p| glob_fs(p))
            .collect();
        out.dedup();
        out
    }

    fn interface_exists(&self, name: &str) -> bool {
        !name.is_empty()
            && !name.contains('/')
            && std::path::Path::new("/sys/class/net").join(name).exists()
    }

    fn user_exists(&self, name: &str) -> bool {
        db_has("/etc/passwd", name)
    }

    fn group_exists(&self, name: &str) -> bool {
        db_has("/etc/group", name)
    }

    fn node_name(&self) -> String {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().split('.').next().unwrap_or("").to_string())
            .unwrap_or_default()
    }

    fn find_in_path(&self, cmd: &str) -> Option<String> {
        if cmd.contains('/') {
            return std::path::Path::new(cmd).exists().then(|| cmd.to_string());
        }
        let path = std::env::var("PATH").unwrap_or_else(|_| {
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()
        });
        path.split(':')
            .map(|d| format!("{d}/{cmd}"))
            .find(|p| std::path::Path::new(p).is_file())
            .map(|p| {
                std::fs::canonicalize(&p)
                    .map(|c| c.display().to_string())
                    .unwrap_or(p)
            })
    }

    fn insecure_path(&self, path: &str) -> bool {
        use std::os::unix::fs::MetadataExt;
        let mut p = std::path::PathBuf::from(path);
        loop {
            if let Ok(m) = std::fs::metadata(&p) {
                // Writable by group or others, or owned by a non-root user.
                if m.uid() != 0 || m.mode() & 0o022 != 0 && !(m.is_dir() && m.mode() & 0o1000 != 0)
                {
                    return true;
                }
            }
            if !p.pop() || p.as_os_str().is_empty() {
                return false;
            }
        }
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

fn db_has(db: &str, name: &str) -> bool {
    name.parse::<u32>().is_ok()
        || std::fs::read_to_string(db)
            .map(|s| s.lines().any(|l| l.split(':').next() == Some(name)))
            .unwrap_or(false)
}

/// An in-memory machine for tests and fuzzing.
#[derive(Default, Clone)]
pub struct MemHost {
    pub files: HashMap<String, Vec<u8>>,
    pub interfaces: Vec<String>,
    pub users: Vec<String>,
    pub node: String,
}

impl MemHost {
    pub fn with_interfaces(ifs: &[&str]) -> Self {
        MemHost {
            interfaces: ifs.iter().map(|s| s.to_string()).collect(),
            node: "node1".into(),
            ..Default::default()
        }
    }
}

impl Host for MemHost {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }

    fn is_dir(&self, _path: &str) -> bool {
        false
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let mut out: Vec<String> = expand_braces(pattern)
            .iter()
            .flat_map(|p| {
                self.files
                    .keys()
                    .filter(move |k| glob_match(p.as_bytes(), k.as_bytes()))
                    .cloned()
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn interface_exists(&self, name: &str) -> bool {
        name == "lo" || self.interfaces.iter().any(|i| i == name)
    }

    fn user_exists(&self, name: &str) -> bool {
        name == "root" || self.users.iter().any(|u| u == name)
    }

    fn group_exists(&self, name: &str) -> bool {
        self.user_exists(name)
    }

    fn node_name(&self) -> String {
        self.node.clone()
    }

    fn find_in_path(&self, cmd: &str) -> Option<String> {
        if cmd.starts_with('/') {
            Some(cmd.to_string())
        } else {
            Some(format!("/usr/bin/{cmd}"))
        }
    }

    fn insecure_path(&self, _path: &str) -> bool {
        false
    }

    fn env(&self, _name: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        assert!(glob_match(b"*.conf", b"a.conf"));
        assert!(!glob_match(b"*.conf", b"a.cfg"));
        assert!(glob_match(b"v[0-9]?.c*", b"v1x.conf"));
        assert_eq!(
            expand_braces("a{1,2}b{x,y}"),
            ["a1bx", "a1by", "a2bx", "a2by"]
        );
    }
}
