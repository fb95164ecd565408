//! keepalived's command line: GNU getopt_long conventions (clustered short
//! flags, `-fFILE` or `-f FILE`, `--opt=value`, optional arguments only
//! when attached), with keepalived's own error texts. A table and a loop
//! keep those texts exact, which an argument-parsing framework would not.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    No,
    Required,
    Optional,
}

struct Opt {
    short: Option<char>,
    long: &'static str,
    arg: Arg,
}

const fn o(short: Option<char>, long: &'static str, arg: Arg) -> Opt {
    Opt { short, long, arg }
}

static OPTS: &[Opt] = &[
    o(Some('f'), "use-file", Arg::Required),
    o(Some('P'), "vrrp", Arg::No),
    o(Some('C'), "check", Arg::No),
    o(Some('B'), "no_bfd", Arg::No),
    o(None, "all", Arg::No),
    o(Some('l'), "log-console", Arg::No),
    o(Some('D'), "log-detail", Arg::No),
    o(Some('S'), "log-facility", Arg::Required),
    o(Some('G'), "no-syslog", Arg::No),
    o(Some('g'), "log-file", Arg::Optional),
    o(None, "flush-log-file", Arg::No),
    o(Some('u'), "umask", Arg::Required),
    o(Some('X'), "release-vips", Arg::No),
    o(Some('V'), "dont-release-vrrp", Arg::No),
    o(Some('I'), "dont-release-ipvs", Arg::No),
    o(Some('R'), "dont-respawn", Arg::No),
    o(Some('n'), "dont-fork", Arg::No),
    o(Some('d'), "dump-conf", Arg::No),
    o(Some('p'), "pid", Arg::Required),
    o(Some('r'), "vrrp_pid", Arg::Required),
    o(Some('T'), "genhash", Arg::No),
    o(Some('c'), "checkers_pid", Arg::Required),
    o(Some('a'), "address-monitoring", Arg::No),
    o(Some('b'), "bfd_pid", Arg::Required),
    o(Some('x'), "snmp", Arg::No),
    o(Some('A'), "snmp-agent-socket", Arg::Required),
    o(Some('s'), "namespace", Arg::Required),
    o(Some('m'), "core-dump", Arg::No),
    o(Some('M'), "core-dump-pattern", Arg::Optional),
    o(Some('e'), "all-config", Arg::No),
    o(Some('i'), "config-id", Arg::Required),
    o(None, "signum", Arg::Required),
    o(Some('t'), "config-test", Arg::Optional),
    o(None, "debug", Arg::Optional),
    o(None, "no-mem-check", Arg::No),
    o(None, "perf", Arg::Optional),
    o(Some('v'), "version", Arg::No),
    o(Some('h'), "help", Arg::No),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub config_file: Option<String>,
    pub vrrp_only: bool,
    pub check_only: bool,
    pub no_bfd: bool,
    pub all: bool,
    pub log_console: bool,
    pub log_detail: bool,
    pub log_facility: Option<String>,
    pub no_syslog: bool,
    pub log_file: Option<Option<String>>,
    pub umask: Option<String>,
    pub release_vips: bool,
    pub dont_release_vrrp: bool,
    pub dont_release_ipvs: bool,
    pub dont_respawn: bool,
    pub dont_fork: bool,
    pub dump_conf: bool,
    pub pidfile: Option<String>,
    pub vrrp_pidfile: Option<String>,
    pub checkers_pidfile: Option<String>,
    pub bfd_pidfile: Option<String>,
    pub genhash: bool,
    pub address_monitoring: bool,
    pub snmp: bool,
    pub snmp_socket: Option<String>,
    pub namespace: Option<String>,
    pub core_dump: bool,
    pub core_dump_pattern: Option<Option<String>>,
    pub all_config: bool,
    pub config_id: Option<String>,
    pub signum: Option<String>,
    /// `-t[=LOG_FILE]`
    pub config_test: Option<Option<String>>,
    pub debug: Option<Option<String>>,
    pub version: bool,
    pub help: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    Unknown(String),
    Missing(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Unknown(o) => write!(f, "Unknown option {o}"),
            CliError::Missing(o) => write!(f, "Missing parameter for option {o}"),
        }
    }
}

fn set(o: &mut Options, long: &str, v: Option<String>) {
    let s = || v.clone().unwrap_or_default();
    match long {
        "use-file" => o.config_file = Some(s()),
        "vrrp" => o.vrrp_only = true,
        "check" => o.check_only = true,
        "no_bfd" => o.no_bfd = true,
        "all" => o.all = true,
        "log-console" => o.log_console = true,
        "log-detail" => o.log_detail = true,
        "log-facility" => o.log_facility = Some(s()),
        "no-syslog" => o.no_syslog = true,
        "log-file" => o.log_file = Some(v),
        "umask" => o.umask = Some(s()),
        "release-vips" => o.release_vips = true,
        "dont-release-vrrp" => o.dont_release_vrrp = true,
        "dont-release-ipvs" => o.dont_release_ipvs = true,
        "dont-respawn" => o.dont_respawn = true,
        "dont-fork" => o.dont_fork = true,
        "dump-conf" => o.dump_conf = true,
        "pid" => o.pidfile = Some(s()),
        "vrrp_pid" => o.vrrp_pidfile = Some(s()),
        "checkers_pid" => o.checkers_pidfile = Some(s()),
        "bfd_pid" => o.bfd_pidfile = Some(s()),
        "genhash" => o.genhash = true,
        "address-monitoring" => o.address_monitoring = true,
        "snmp" => o.snmp = true,
        "snmp-agent-socket" => o.snmp_socket = Some(s()),
        "namespace" => o.namespace = Some(s()),
        "core-dump" => o.core_dump = true,
        "core-dump-pattern" => o.core_dump_pattern = Some(v),
        "all-config" => o.all_config = true,
        "config-id" => o.config_id = Some(s()),
        "signum" => o.signum = Some(s()),
        "config-test" => o.config_test = Some(v),
        "debug" => o.debug = Some(v),
        "version" => o.version = true,
        "help" => o.help = true,
        _ => {}
    }
}

pub fn parse(args: &[String]) -> Result<Options, CliError> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(long) = a.strip_prefix("--") {
            if long.is_empty() {
                break;
            }
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            // getopt_long accepts unambiguous prefixes.
            let cands: Vec<&Opt> = OPTS.iter().filter(|x| x.long.starts_with(name)).collect();
            let opt = OPTS
                .iter()
                .find(|x| x.long == name)
                .or(if cands.len() == 1 {
                    Some(cands[0])
                } else {
                    None
                })
                .ok_or_else(|| CliError::Unknown(a.clone()))?;
            let v = match opt.arg {
                Arg::No => None,
                Arg::Optional => val,
                Arg::Required => match val {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        Some(
                            args.get(i)
                                .cloned()
                                .ok_or_else(|| CliError::Missing(format!("--{}", opt.long)))?,
                        )
                    }
                },
            };
            set(&mut o, opt.long, v);
        } else if a.starts_with('-') && a.len() > 1 {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let opt = OPTS
                    .iter()
                    .find(|x| x.short == Some(c))
                    .ok_or_else(|| CliError::Unknown(format!("-{c}")))?;
                let rest: String = chars[j + 1..].iter().collect();
                match opt.arg {
                    Arg::No => set(&mut o, opt.long, None),
                    Arg::Optional => {
                        set(&mut o, opt.long, (!rest.is_empty()).then_some(rest));
                        break;
                    }
                    Arg::Required => {
                        let v = if !rest.is_empty() {
                            rest
                        } else {
                            i += 1;
                            args.get(i)
                                .cloned()
                                .ok_or_else(|| CliError::Missing(format!("-{c}")))?
                        };
                        set(&mut o, opt.long, Some(v));
                        break;
                    }
                }
                j += 1;
            }
        }
        // Non-option words are ignored, as getopt leaves them for nobody.
        i += 1;
    }
    Ok(o)
}

pub fn usage() -> String {
    let mut s = String::from("Usage: rkeepalived [OPTION...]\n");
    for x in OPTS {
        let short = x
            .short
            .map(|c| format!("-{c}, "))
            .unwrap_or_else(|| "    ".into());
        let arg = match x.arg {
            Arg::No => String::new(),
            Arg::Required => "=VALUE".into(),
            Arg::Optional => "[=VALUE]".into(),
        };
        s.push_str(&format!("  {short}--{}{arg}\n", x.long));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Options, CliError> {
        parse(&s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn getopt_forms() {
        let o = p("-nlD -S local2 -f/etc/k.conf --pid=/run/k.pid -i n1").unwrap();
        assert!(o.dont_fork && o.log_console && o.log_detail);
        assert_eq!(o.log_facility.as_deref(), Some("local2"));
        assert_eq!(o.config_file.as_deref(), Some("/etc/k.conf"));
        assert_eq!(o.pidfile.as_deref(), Some("/run/k.pid"));
        assert_eq!(o.config_id.as_deref(), Some("n1"));
        assert_eq!(p("-t").unwrap().config_test, Some(None));
        assert_eq!(
            p("--config-test=/tmp/log").unwrap().config_test,
            Some(Some("/tmp/log".into()))
        );
        assert_eq!(p("--config-test /x").unwrap().config_test, Some(None));
        assert_eq!(p("--dont-f").unwrap().dont_fork, true);
        assert_eq!(
            p("--signum=RELOAD").unwrap().signum.as_deref(),
            Some("RELOAD")
        );
    }

    #[test]
    fn errors_in_keepalived_words() {
        assert_eq!(p("-Z").unwrap_err().to_string(), "Unknown option -Z");
        assert_eq!(
            p("-f").unwrap_err().to_string(),
            "Missing parameter for option -f"
        );
        assert_eq!(
            p("--bogus").unwrap_err().to_string(),
            "Unknown option --bogus"
        );
    }
}
