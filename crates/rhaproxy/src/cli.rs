//! HAProxy's command line, read with a hand-written table.
//!
//! Flags are single-dash words (`-Ws`, `-sf`, `-dW`), some take a list that
//! ends at the next word starting with `-` (`-sf 12 13`), and `--` starts a
//! list of files. Argument parsers built around getopt conventions cannot
//! express that, so this is a table and a loop.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Start,
    Check,
    EvalCondition(String),
    Version,
    VersionVerbose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub action: Action,
    pub config_files: Vec<String>,
    pub check_only: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub daemon: bool,
    pub foreground: bool,
    pub debug: bool,
    pub master_worker: bool,
    pub systemd: bool,
    pub master_socket: Vec<String>,
    pub pidfile: Option<String>,
    /// `-sf`: PIDs to ask to finish.
    pub soft_stop: Vec<u32>,
    /// `-st`: PIDs to terminate.
    pub hard_stop: Vec<u32>,
    pub takeover_socket: Option<String>,
    pub zero_warning: bool,
    pub diag: bool,
    pub ignore_resolution: bool,
    pub no_verify: bool,
    pub no_reuseport: bool,
    pub disabled_pollers: Vec<String>,
    pub keyword_dump: Option<String>,
    pub local_peer: Option<String>,
    pub chdir: Option<String>,
    pub default_maxconn: Option<u32>,
    pub global_maxconn: Option<u32>,
    pub mem_limit_mb: Option<u32>,
    pub mem_debug: Option<String>,
    pub list_libs: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            action: Action::Start,
            config_files: Vec::new(),
            check_only: false,
            quiet: false,
            verbose: false,
            daemon: false,
            foreground: false,
            debug: false,
            master_worker: false,
            systemd: false,
            master_socket: Vec::new(),
            pidfile: None,
            soft_stop: Vec::new(),
            hard_stop: Vec::new(),
            takeover_socket: None,
            zero_warning: false,
            diag: false,
            ignore_resolution: false,
            no_verify: false,
            no_reuseport: false,
            disabled_pollers: Vec::new(),
            keyword_dump: None,
            local_peer: None,
            chdir: None,
            default_maxconn: None,
            global_maxconn: None,
            mem_limit_mb: None,
            mem_debug: None,
            list_libs: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    Unknown(String),
    MissingValue(String),
    BadNumber(String, String),
}

pub fn usage_error(e: &CliError) -> String {
    let why = match e {
        CliError::Unknown(f) => format!("unknown option '{f}'"),
        CliError::MissingValue(f) => format!("option '{f}' expects an argument"),
        CliError::BadNumber(f, v) => format!("option '{f}' expects a number, got '{v}'"),
    };
    format!("[ALERT]    ({}) : {why}.\n{}", std::process::id(), usage())
}

pub fn usage() -> String {
    format!(
        "{}Usage : rhaproxy [-f <cfgfile|cfgdir>]* [ -vdV ]\n\
        \x20       [ -n <maxconn> ] [ -N <maxpconn> ]\n\
        \x20       [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]\n\
        \x20       -v displays version ; -vv shows known build options.\n\
        \x20       -d enters debug mode ; -db only disables background mode.\n\
        \x20       -dM[<byte>,help,...] debug memory (default: poison with <byte>/0x50)\n\
        \x20       -V enters verbose mode (disables quiet mode)\n\
        \x20       -D goes daemon ; -C changes to <dir> before loading files.\n\
        \x20       -W master-worker mode.\n\
        \x20       -Ws master-worker mode with systemd notify support.\n\
        \x20       -q quiet mode : don't display messages\n\
        \x20       -c check mode : only check config files and exit\n\
        \x20       -cc check condition : evaluate a condition and exit\n\
        \x20       -n sets the maximum total # of connections (uses ulimit -n)\n\
        \x20       -m limits the usable amount of memory (in MB)\n\
        \x20       -N sets the default, per-proxy maximum # of connections (0)\n\
        \x20       -L set local peer name (default to hostname)\n\
        \x20       -p writes pids of all children to this file\n\
        \x20       -dL dumps loaded object files after config checks\n\
        \x20       -dK{{class[,...]}} dump registered keywords (use 'help' for list)\n\
        \x20       -dr ignores server address resolution failures\n\
        \x20       -dV disables SSL verify on servers side\n\
        \x20       -dW fails if any warning is emitted\n\
        \x20       -dD diagnostic mode : warn about suspicious configuration statements\n\
        \x20       -dR disables SO_REUSEPORT usage\n\
        \x20       -de disables epoll() usage even when available\n\
        \x20       -dp disables poll() usage even when available\n\
        \x20       -dS disables splice usage (broken on old kernels)\n\
        \x20       -dG disables getaddrinfo() usage\n\
        \x20       -sf/-st [pid ]* finishes/terminates old pids.\n\
        \x20       -x <unix_socket> get listening sockets from a unix socket\n\
        \x20       -S <bind>[,<bind options>...] new master CLI\n\n",
        crate::version::short_line()
    )
}

fn number(flag: &str, v: &str) -> Result<u32, CliError> {
    v.parse()
        .map_err(|_| CliError::BadNumber(flag.to_string(), v.to_string()))
}

/// Parse the arguments that follow argv[0].
pub fn parse(args: &[String]) -> Result<Options, CliError> {
    let mut o = Options::default();
    let mut i = 0;
    let value = |i: &mut usize, flag: &str| -> Result<String, CliError> {
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| CliError::MissingValue(flag.to_string()))
    };
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--" => {
                o.config_files.extend(args[i + 1..].iter().cloned());
                break;
            }
            "-f" => {
                let v = value(&mut i, a)?;
                o.config_files.push(v);
            }
            "-c" => {
                o.check_only = true;
                if o.action == Action::Start {
                    o.action = Action::Check;
                }
            }
            "-cc" => {
                let v = value(&mut i, a)?;
                o.action = Action::EvalCondition(v);
            }
            "-q" => o.quiet = true,
            "-V" => o.verbose = true,
            "-v" => o.action = Action::Version,
            "-vv" => o.action = Action::VersionVerbose,
            "-D" => o.daemon = true,
            "-W" => o.master_worker = true,
            "-Ws" => {
                o.master_worker = true;
                o.systemd = true;
            }
            "-S" => {
                let v = value(&mut i, a)?;
                o.master_socket.push(v);
            }
            "-p" => o.pidfile = Some(value(&mut i, a)?),
            "-sf" | "-st" => {
                // The list ends at the next flag; an empty list is fine
                // (`-sf $(cat pidfile)` with no pidfile).
                while let Some(n) = args.get(i + 1) {
                    if n.starts_with('-') {
                        break;
                    }
                    i += 1;
                    let pid = number(a, n)?;
                    if a == "-sf" {
                        o.soft_stop.push(pid);
                    } else {
                        o.hard_stop.push(pid);
                    }
                }
            }
            "-x" => o.takeover_socket = Some(value(&mut i, a)?),
            "-d" => o.debug = true,
            "-db" => o.foreground = true,
            "-dW" => o.zero_warning = true,
            "-dD" => o.diag = true,
            "-dr" => o.ignore_resolution = true,
            "-dV" => o.no_verify = true,
            "-dR" => o.no_reuseport = true,
            "-de" | "-dp" | "-dS" | "-dG" | "-dk" => o.disabled_pollers.push(a[2..].to_string()),
            "-dL" => o.list_libs = true,
            "-L" => o.local_peer = Some(value(&mut i, a)?),
            "-C" => o.chdir = Some(value(&mut i, a)?),
            "-N" => {
                let v = value(&mut i, a)?;
                o.default_maxconn = Some(number(a, &v)?);
            }
            "-n" => {
                let v = value(&mut i, a)?;
                o.global_maxconn = Some(number(a, &v)?);
            }
            "-m" => {
                let v = value(&mut i, a)?;
                o.mem_limit_mb = Some(number(a, &v)?);
            }
            _ if a.starts_with("-dK") => o.keyword_dump = Some(a[3..].to_string()),
            _ if a.starts_with("-dM") => o.mem_debug = Some(a[3..].to_string()),
            _ if !a.starts_with('-') => {
                // HAProxy treats bare words as configuration files too.
                o.config_files.push(a.to_string());
            }
            _ => return Err(CliError::Unknown(a.to_string())),
        }
        i += 1;
    }
    if o.verbose {
        o.quiet = false;
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Options {
        parse(&s.split_whitespace().map(str::to_string).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn debian_init_script_lines() {
        let o = p("-f /etc/haproxy/haproxy.cfg -D -p /run/haproxy.pid -sf 12 13");
        assert_eq!(o.config_files, ["/etc/haproxy/haproxy.cfg"]);
        assert!(o.daemon);
        assert_eq!(o.pidfile.as_deref(), Some("/run/haproxy.pid"));
        assert_eq!(o.soft_stop, [12, 13]);
        let o = p("-f cfg -p pid -sf -D");
        assert!(o.soft_stop.is_empty() && o.daemon);
    }

    #[test]
    fn systemd_unit_lines() {
        let o = p("-Ws -f cfg -c -q -S /run/haproxy-master.sock");
        assert!(o.master_worker && o.systemd && o.quiet && o.check_only);
        assert_eq!(o.action, Action::Check);
        assert_eq!(o.master_socket, ["/run/haproxy-master.sock"]);
    }

    #[test]
    fn misc_flags() {
        let o = p("-c -dW -f a.cfg -f dir -- b.cfg c.cfg");
        assert!(o.zero_warning);
        assert_eq!(o.config_files, ["a.cfg", "dir", "b.cfg", "c.cfg"]);
        assert_eq!(p("-cc 1").action, Action::EvalCondition("1".into()));
        assert_eq!(
            p("-x sockpair@3 -L peer1 -C /tmp -N 10 -n 20 -m 64 -dKall -dMfail")
                .keyword_dump
                .as_deref(),
            Some("all")
        );
        assert!(p("-q -V").verbose && !p("-q -V").quiet);
        assert!(matches!(
            parse(&["-Z".to_string()]),
            Err(CliError::Unknown(_))
        ));
        assert!(matches!(
            parse(&["-f".to_string()]),
            Err(CliError::MissingValue(_))
        ));
    }
}
