//! rkeepalived: the process around the keepalived.conf parser.
//! `main.rs` forwards argv to [`run`].

pub mod cli;
pub mod dump;

use keepalived_config::host::SystemHost;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The keepalived release whose configuration language we speak.
pub const COMPAT: &str = "2.2.7";

pub fn version_text() -> String {
    format!("Keepalived v{COMPAT} (rkeepalived {VERSION}, a Rust reimplementation)\n")
}

/// keepalived's `--signum` table on Linux (SIGRTMIN is 34 with glibc).
pub fn signum(name: &str) -> Option<i32> {
    match name {
        "STOP" => Some(15),
        "RELOAD" => Some(1),
        "DATA" => Some(10),
        "STATS" => Some(12),
        "STATS_CLEAR" => Some(63),
        "JSON" => Some(36),
        _ => None,
    }
}

pub fn run(args: Vec<String>) -> i32 {
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if opts.version {
        eprint!("{}", version_text());
        return 0;
    }
    if opts.help {
        eprint!("{}", cli::usage());
        return 0;
    }
    if let Some(s) = &opts.signum {
        return match signum(s) {
            Some(n) => {
                println!("{n}");
                0
            }
            None => {
                eprintln!("Unknown sigfunc {s}");
                1
            }
        };
    }
    let file = opts
        .config_file
        .clone()
        .unwrap_or_else(|| "/etc/keepalived/keepalived.conf".into());
    let kopts = keepalived_config::Options {
        config_id: opts.config_id.clone(),
        passes: None,
    };
    let report = keepalived_config::check(&file, &SystemHost, &kopts);
    if let Some(log) = &opts.config_test {
        let mut text = String::new();
        for d in &report.diags {
            text.push_str(&d.render());
            text.push('\n');
            if let Some(h) = &d.hint {
                text.push_str(&format!("   | hint: {h}\n"));
            }
        }
        match log {
            Some(path) if !path.is_empty() => {
                if let Err(e) = std::fs::write(path, &text) {
                    eprintln!("Unable to open config-test log file {path}: {e}");
                }
            }
            _ => eprint!("{text}"),
        }
        if opts.dump_conf {
            print!("{}", dump::render(&report.config));
        }
        return report.exit_code();
    }
    eprintln!("rkeepalived: the VRRP runtime is not part of this build yet; use -t to check a configuration.");
    1
}
