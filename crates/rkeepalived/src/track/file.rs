//! `track_file NAME { file PATH; weight N [reverse]; init_file [VALUE]
//! [overwrite] }`: the integer in the file, times the weight, is added to
//! the priority of every instance that tracks it (weight 0: non-zero means
//! FAULT). keepalived watches the file with inotify; we read it once a
//! second, which is simpler and bounded (a change is seen within a second).

use std::time::Duration;

use keepalived_config::model::{Config, Section};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpec {
    pub name: String,
    pub path: String,
    /// Default 1.
    pub weight: i32,
    pub reverse: bool,
    /// `init_file [VALUE] [overwrite]`: write VALUE (default 0) at start
    /// when the file is missing, or always with `overwrite`.
    pub init: Option<(i64, bool)>,
}

/// A new value read from a tracked file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEvent {
    pub name: String,
    pub value: i64,
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"')
}

fn spec_of(s: &Section) -> Option<FileSpec> {
    let name = s.args.first()?.clone();
    let mut f = FileSpec {
        name,
        path: String::new(),
        weight: 1,
        reverse: false,
        init: None,
    };
    for d in &s.directives {
        let w: Vec<&str> = d.words.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["file", p, ..] => f.path = unquote(p).to_string(),
            ["weight", n, rest @ ..] => {
                f.weight = n.parse().unwrap_or(1);
                f.reverse = rest.first() == Some(&"reverse");
            }
            ["init_file", rest @ ..] => {
                let value = rest.first().and_then(|v| v.parse().ok()).unwrap_or(0);
                f.init = Some((value, rest.contains(&"overwrite")));
            }
            _ => {}
        }
    }
    (!f.path.is_empty()).then_some(f)
}

/// Every `track_file` (and deprecated `vrrp_track_file`) of the config.
pub fn specs(cfg: &Config) -> Vec<FileSpec> {
    cfg.vrrp_sections
        .iter()
        .filter(|s| s.kind == "track_file" || s.kind == "vrrp_track_file")
        .filter_map(spec_of)
        .collect()
}

/// The value a file holds: its first word as a signed integer; a missing
/// or unreadable file, or one that does not start with a number, is 0.
pub fn read_value(path: &str) -> i64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|w| w.parse().ok()))
        .unwrap_or(0)
}

/// Apply `init_file` before the first read.
pub fn init_file(f: &FileSpec) -> std::io::Result<()> {
    if let Some((value, overwrite)) = f.init {
        if overwrite || std::fs::metadata(&f.path).is_err() {
            std::fs::write(&f.path, format!("{value}\n"))?;
        }
    }
    Ok(())
}

/// Report the file's value now, then every change, until the receiver is
/// gone.
pub fn spawn_watch(f: FileSpec, tx: UnboundedSender<FileEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = None;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let v = read_value(&f.path);
            if last != Some(v) {
                last = Some(v);
                if tx
                    .send(FileEvent {
                        name: f.name.clone(),
                        value: v,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepalived_config::host::MemHost;

    #[test]
    fn sections_values_and_init() {
        let dir = std::env::temp_dir().join(format!("rk-tf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("prio");
        let text = format!(
            "track_file tf {{\n file \"{}\"\n weight -5 reverse\n init_file 3 overwrite\n}}\n\
             vrrp_instance VI {{\n interface eth0\n virtual_router_id 1\n priority 100\n\
             virtual_ipaddress {{\n 192.0.2.1\n }}\n track_file {{\n tf weight 2\n }}\n}}\n",
            path.display()
        );
        let mut host = MemHost::with_interfaces(&["eth0"]);
        host.files.insert("/k.conf".into(), text.into_bytes());
        let cfg =
            keepalived_config::check("/k.conf", &host, &keepalived_config::Options::default())
                .config;
        let s = specs(&cfg);
        assert_eq!(s.len(), 1, "{:?}", cfg.vrrp_sections);
        assert_eq!(
            (s[0].name.as_str(), s[0].weight, s[0].reverse),
            ("tf", -5, true)
        );
        assert_eq!(s[0].init, Some((3, true)));
        assert_eq!(cfg.instances[0].track_files[0].name, "tf");
        init_file(&s[0]).unwrap();
        assert_eq!(read_value(s[0].path.as_str()), 3);
        std::fs::write(&path, "-12 trailing words\n").unwrap();
        assert_eq!(read_value(s[0].path.as_str()), -12);
        std::fs::write(&path, "junk").unwrap();
        assert_eq!(read_value(s[0].path.as_str()), 0);
        assert_eq!(read_value("/nonexistent/rk-tf"), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
