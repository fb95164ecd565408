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
    concat!(
        "Usage : rhaproxy [-f <cfgfile|cfgdir>]* [-- <cfgfile>*] [options]\n",
        "  configuration\n",
        "    -f <file|dir>   load a file, or the *.cfg files of a directory (repeatable)\n",
        "    -C <dir>        change to <dir> before loading anything\n",
        "    -c / -cc <expr> check the configuration / evaluate a .if condition, then exit\n",
        "    -q / -V         quiet (print nothing) / verbose (undo -q)\n",
        "    -dW             treat any warning as fatal (zero-warning)\n",
        "    -dD             print diagnostic notes as well\n",
        "  process\n",
        "    -D              run as a daemon        -db  stay in the foreground\n",
        "    -W / -Ws        master-worker mode (-Ws: with systemd notification)\n",
        "    -S <bind>[,...] master CLI socket      -p <file>  write PIDs there\n",
        "    -sf/-st <pid>*  after start-up, let old PIDs finish / terminate them\n",
        "    -x <socket>     take the listening sockets over from an old process\n",
        "    -L <name>       local peer name        -N/-n <n>  per-proxy/global maxconn\n",
        "    -m <MB>         memory limit\n",
        "  debugging\n",
        "    -d -dr -dV -dR -de -dp -dS -dG -dL -dK<class> -dM[<opts>]\n",
        "  information\n",
        "    -v / -vv        version / version with build features\n",
    )
    .to_string()
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
