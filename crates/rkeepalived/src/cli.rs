//! keepalived's command line, parsed the way GNU `getopt_long` parses it
//! for keepalived 2.2.7: clustered short flags (`-nlD`), `-fFILE` or
//! `-f FILE`, `--opt=value` or `--opt value`, optional arguments only when
//! attached (`-tLOG`, `--config-test=LOG`), unambiguous long prefixes
//! (`--dont-f`), permutation of non-option words and `--` to end options.
//!
//! A table and a loop keep keepalived's own error texts and its order of
//! events, measured on the Debian 2.2.7 binary:
//! * a bad option is reported (`Unknown option -Z`) and parsing goes on;
//!   the exit (status 1) comes after the loop;
//! * `-v`, `-h` and `--signum` act as soon as they are met, so
//!   `-Z -v` reports `-Z` and still exits 0;
//! * a required argument missing at the end of argv reads
//!   `Missing parameter for option -f` for a short option, and, for a long
//!   option, `Missing parameter for option --` (keepalived does not learn
//!   which long option it was and prints whatever bytes follow in memory,
//!   different on each run; we print the stable part only); an empty attached value
//!   (`--pid=`) names the option in full;
//! * an ambiguous prefix, an unknown name, or a value given to a flag
//!   (`--vrrp=x`) reads `Unknown option <the word as typed>`;
//! * non-option words are printed on stdout as
//!   `Unexpected argument(s): a b ` and otherwise ignored.

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
    /// Accepted by rkeepalived only: named in keepalived(8) but compiled
    /// out of the Debian build (`-g/--log-file` needs `--enable-log-file`;
    /// `--flush-log-file`, `--debug`, `--no-mem-check` and `--perf` need
    /// debugging builds), where 2.2.7 rejects them. We are a superset and
    /// accept them, but only under their full name: abbreviations are
    /// resolved against the Debian table alone, so `--p` still means
    /// `--pid` and `--de` is still unknown, as with the real binary.
    extension: bool,
    help: &'static str,
}

const fn o(short: Option<char>, long: &'static str, arg: Arg, help: &'static str) -> Opt {
    Opt {
        short,
        long,
        arg,
        extension: false,
        help,
    }
}

const fn ext(short: Option<char>, long: &'static str, arg: Arg, help: &'static str) -> Opt {
    Opt {
        short,
        long,
        arg,
        extension: true,
        help,
    }
}

static OPTS: &[Opt] = &[
    o(
        Some('f'),
        "use-file",
        Arg::Required,
        "configuration file or glob (default /etc/keepalived/keepalived.conf)",
    ),
    o(Some('P'), "vrrp", Arg::No, "run the VRRP part only"),
    o(
        Some('C'),
        "check",
        Arg::No,
        "run the health-checker part only",
    ),
    o(Some('B'), "no_bfd", Arg::No, "do not run BFD"),
    o(
        None,
        "all",
        Arg::No,
        "run every part even when it has no configuration",
    ),
    o(
        Some('l'),
        "log-console",
        Arg::No,
        "also log to the terminal (with -n)",
    ),
    o(Some('D'), "log-detail", Arg::No, "log more detail"),
    o(
        Some('S'),
        "log-facility",
        Arg::Required,
        "syslog facility: 0-7, local0-7, user or daemon (default daemon)",
    ),
    o(Some('G'), "no-syslog", Arg::No, "do not log to syslog"),
    ext(
        Some('g'),
        "log-file",
        Arg::Optional,
        "log to a file (extension; not in Debian's keepalived)",
    ),
    ext(
        None,
        "flush-log-file",
        Arg::No,
        "flush the log file after each line (extension)",
    ),
    o(
        Some('u'),
        "umask",
        Arg::Required,
        "umask for created files, numeric",
    ),
    o(
        Some('X'),
        "release-vips",
        Arg::No,
        "drop VIPs when a signal causes a transition",
    ),
    o(
        Some('V'),
        "dont-release-vrrp",
        Arg::No,
        "keep VIPs and virtual routes at stop",
    ),
    o(
        Some('I'),
        "dont-release-ipvs",
        Arg::No,
        "keep the IPVS table at stop",
    ),
    o(
        Some('R'),
        "dont-respawn",
        Arg::No,
        "do not restart child processes that die",
    ),
    o(Some('n'), "dont-fork", Arg::No, "stay in the foreground"),
    o(
        Some('d'),
        "dump-conf",
        Arg::No,
        "dump the configuration (with -t: to stdout)",
    ),
    o(Some('p'), "pid", Arg::Required, "parent pidfile"),
    o(Some('r'), "vrrp_pid", Arg::Required, "VRRP child pidfile"),
    o(
        Some('T'),
        "genhash",
        Arg::No,
        "genhash mode (must come first; not implemented)",
    ),
    o(
        Some('c'),
        "checkers_pid",
        Arg::Required,
        "checker child pidfile",
    ),
    o(
        Some('a'),
        "address-monitoring",
        Arg::No,
        "log every address change seen on netlink",
    ),
    o(Some('b'), "bfd_pid", Arg::Required, "BFD child pidfile"),
    o(Some('x'), "snmp", Arg::No, "enable SNMP (AgentX)"),
    o(
        Some('A'),
        "snmp-agent-socket",
        Arg::Required,
        "AgentX master socket",
    ),
    o(
        Some('s'),
        "namespace",
        Arg::Required,
        "run inside network namespace NAME",
    ),
    o(
        Some('m'),
        "core-dump",
        Arg::No,
        "dump core on abnormal termination",
    ),
    o(
        Some('M'),
        "core-dump-pattern",
        Arg::Optional,
        "also set kernel.core_pattern (default 'core')",
    ),
    o(
        Some('e'),
        "all-config",
        Arg::No,
        "treat any missing configuration file as an error",
    ),
    o(
        Some('i'),
        "config-id",
        Arg::Required,
        "id selecting '@id' lines (default: node name)",
    ),
    o(
        None,
        "signum",
        Arg::Required,
        "print the signal number for STOP RELOAD DATA STATS STATS_CLEAR JSON",
    ),
    o(
        Some('t'),
        "config-test",
        Arg::Optional,
        "check the configuration and exit; report to LOG_FILE (appended) or stderr",
    ),
    ext(None, "debug", Arg::Optional, "debug options (extension)"),
    ext(
        None,
        "no-mem-check",
        Arg::No,
        "accepted and ignored (extension)",
    ),
    ext(
        None,
        "perf",
        Arg::Optional,
        "accepted and ignored (extension)",
    ),
    o(Some('v'), "version", Arg::No, "print the version and exit"),
    o(Some('h'), "help", Arg::No, "print this help and exit"),
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
    pub flush_log_file: bool,
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
    /// `-t[=LOG_FILE]`
    pub config_test: Option<Option<String>>,
    pub debug: Option<Option<String>>,
    pub no_mem_check: bool,
    pub perf: Option<Option<String>>,
}

/// An option that ends the parse at once, as in keepalived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Version,
    Help,
    Signum(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// The argv word (or `-c` for a short option) as keepalived prints it.
    Unknown(String),
    /// `-c`, `--name`, or `--` (a long option at the end of argv).
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

/// The result of a parse: options, the errors met in order, the option
/// that stopped the parse (if any) and the words that were not options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub opts: Options,
    pub errors: Vec<CliError>,
    pub stop: Option<Stop>,
    pub unexpected: Vec<String>,
}

impl Parsed {
    /// The stdout line keepalived prints for non-option words.
    pub fn unexpected_line(&self) -> Option<String> {
        if self.unexpected.is_empty() {
            return None;
        }
        let mut s = String::from("Unexpected argument(s): ");
        for w in &self.unexpected {
            s.push_str(w);
            s.push(' ');
        }
        Some(s)
    }
}

/// Apply one option. Returns a `Stop` for the options that end the parse.
fn set(o: &mut Options, long: &str, v: Option<String>) -> Option<Stop> {
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
        "flush-log-file" => o.flush_log_file = true,
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
        "signum" => return Some(Stop::Signum(s())),
        "config-test" => o.config_test = Some(v),
        "debug" => o.debug = Some(v),
        "no-mem-check" => o.no_mem_check = true,
        "perf" => o.perf = Some(v),
        "version" => return Some(Stop::Version),
        "help" => return Some(Stop::Help),
        _ => {}
    }
    None
}

/// Resolve a long name: an exact match (extensions included), else a
/// unique prefix among the options of the Debian build.
fn find_long(name: &str) -> Option<&'static Opt> {
    if let Some(x) = OPTS.iter().find(|x| x.long == name) {
        return Some(x);
    }
    let mut cands = OPTS
        .iter()
        .filter(|x| !x.extension && x.long.starts_with(name));
    match (cands.next(), cands.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}

pub fn parse(args: &[String]) -> Parsed {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            p.unexpected.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(opt) = find_long(name) else {
                p.errors.push(CliError::Unknown(a.clone()));
                continue;
            };
            let v = match (opt.arg, val) {
                (Arg::No, Some(_)) => {
                    p.errors.push(CliError::Unknown(a.clone()));
                    continue;
                }
                (Arg::No, None) => None,
                (Arg::Optional, v) => v,
                (Arg::Required, Some(v)) if v.is_empty() => {
                    p.errors.push(CliError::Missing(format!("--{}", opt.long)));
                    continue;
                }
                (Arg::Required, Some(v)) => Some(v),
                (Arg::Required, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => {
                        p.errors.push(CliError::Missing("--".into()));
                        continue;
                    }
                },
            };
            if let Some(stop) = set(&mut p.opts, opt.long, v) {
                p.stop = Some(stop);
                return p;
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                let Some(opt) = OPTS.iter().find(|x| x.short == Some(c)) else {
                    p.errors.push(CliError::Unknown(format!("-{c}")));
                    continue;
                };
                let rest: String = chars[j..].iter().collect();
                let v = match opt.arg {
                    Arg::No => None,
                    Arg::Optional => {
                        j = chars.len();
                        (!rest.is_empty()).then_some(rest)
                    }
                    Arg::Required => {
                        j = chars.len();
                        if !rest.is_empty() {
                            Some(rest)
                        } else if let Some(v) = args.get(i) {
                            i += 1;
                            Some(v.clone())
                        } else {
                            p.errors.push(CliError::Missing(format!("-{c}")));
                            continue;
                        }
                    }
                };
                if let Some(stop) = set(&mut p.opts, opt.long, v) {
                    p.stop = Some(stop);
                    return p;
                }
            }
        } else {
            // getopt_long permutes argv: words that are not options are
            // collected and reported after the loop.
            p.unexpected.push(a.clone());
        }
    }
    p
}

/// `-h`: our own wording, one line per option of the table.
pub fn usage(prog: &str) -> String {
    let mut s = format!(
        "Usage: {prog} [OPTION...]\n\
         rkeepalived: a keepalived 2.2 compatible VRRP daemon.\n\n"
    );
    for x in OPTS {
        let short = x
            .short
            .map(|c| format!("-{c}, "))
            .unwrap_or_else(|| "    ".into());
        let arg = match (x.arg, x.long) {
            (Arg::No, _) => String::new(),
            (Arg::Required, "use-file" | "pid" | "vrrp_pid" | "checkers_pid" | "bfd_pid") => {
                "=FILE".into()
            }
            (Arg::Required, "snmp-agent-socket") => "=FILE".into(),
            (Arg::Required, "namespace") => "=NAME".into(),
            (Arg::Required, "config-id") => "=ID".into(),
            (Arg::Required, "signum") => "=SIGFUNC".into(),
            (Arg::Required, "umask") => "=MASK".into(),
            (Arg::Required, "log-facility") => "=FACILITY".into(),
            (Arg::Required, _) => "=VALUE".into(),
            (Arg::Optional, "config-test") => "[=LOG_FILE]".into(),
            (Arg::Optional, "core-dump-pattern") => "[=PATTERN]".into(),
            (Arg::Optional, "log-file") => "[=FILE]".into(),
            (Arg::Optional, _) => "[=VALUE]".into(),
        };
        let head = format!("  {short}--{}{arg}", x.long);
        if head.len() < 32 {
            s.push_str(&format!("{head:<32} {}\n", x.help));
        } else {
            s.push_str(&format!("{head}\n{:<32} {}\n", "", x.help));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn p(s: &str) -> Parsed {
        parse(&v(s))
    }

    fn errs(s: &str) -> Vec<String> {
        p(s).errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn getopt_forms() {
        let o = p("-nlD -S local2 -f/etc/k.conf --pid=/run/k.pid -i n1").opts;
        assert!(o.dont_fork && o.log_console && o.log_detail);
        assert_eq!(o.log_facility.as_deref(), Some("local2"));
        assert_eq!(o.config_file.as_deref(), Some("/etc/k.conf"));
        assert_eq!(o.pidfile.as_deref(), Some("/run/k.pid"));
        assert_eq!(o.config_id.as_deref(), Some("n1"));
        assert_eq!(p("-f /a").opts.config_file.as_deref(), Some("/a"));
        assert_eq!(p("--use-file=/a").opts.config_file.as_deref(), Some("/a"));
        assert_eq!(p("--use-file /a").opts.config_file.as_deref(), Some("/a"));
        assert_eq!(p("-nf/a").opts.config_file.as_deref(), Some("/a"));
        // A required argument may look like an option.
        assert_eq!(p("-f -v").opts.config_file.as_deref(), Some("-v"));
        assert_eq!(p("-f -v").stop, None);
        // Short required argument may be empty when separate.
        let e = parse(&["-i".to_string(), String::new()]);
        assert!(e.errors.is_empty());
        assert_eq!(e.opts.config_id.as_deref(), Some(""));
    }

    #[test]
    fn optional_arguments_only_attached() {
        assert_eq!(p("-t").opts.config_test, Some(None));
        assert_eq!(p("-t/tmp/l").opts.config_test, Some(Some("/tmp/l".into())));
        assert_eq!(
            p("--config-test=/tmp/log").opts.config_test,
            Some(Some("/tmp/log".into()))
        );
        let q = p("--config-test /x");
        assert_eq!(q.opts.config_test, Some(None));
        assert_eq!(q.unexpected, ["/x"]);
        // `-tZ`: Z is the log file, not an option.
        assert_eq!(p("-tZ").opts.config_test, Some(Some("Z".into())));
        assert!(p("-tZ").errors.is_empty());
        assert_eq!(p("-M").opts.core_dump_pattern, Some(None));
        assert_eq!(
            p("-Mcore.%p").opts.core_dump_pattern,
            Some(Some("core.%p".into()))
        );
        assert_eq!(
            p("--config-test=").opts.config_test,
            Some(Some(String::new()))
        );
    }

    #[test]
    fn long_prefixes() {
        assert!(p("--dont-f").opts.dont_fork);
        assert!(p("--dump").opts.dump_conf);
        assert_eq!(p("--sig=RELOAD").stop, Some(Stop::Signum("RELOAD".into())));
        assert_eq!(p("--use-f=/x").opts.config_file.as_deref(), Some("/x"));
        // Ambiguous prefixes are unknown options, named as typed.
        assert_eq!(errs("--d"), ["Unknown option --d"]);
        assert_eq!(errs("--vrr"), ["Unknown option --vrr"]);
        assert_eq!(errs("--dont-"), ["Unknown option --dont-"]);
        assert_eq!(errs("--s=STOP"), ["Unknown option --s=STOP"]);
        // Extensions do not take part in abbreviation.
        assert_eq!(p("--p=/x").opts.pidfile.as_deref(), Some("/x"));
        assert_eq!(errs("--de"), ["Unknown option --de"]);
        assert_eq!(errs("--no-m"), ["Unknown option --no-m"]);
        assert!(p("--no-mem-check").errors.is_empty());
    }

    #[test]
    fn superset_options_are_accepted() {
        let q = p("-g --log-file=/var/log/k --flush-log-file --debug --no-mem-check --perf=a");
        assert!(q.errors.is_empty(), "{:?}", q.errors);
        assert_eq!(q.opts.log_file, Some(Some("/var/log/k".into())));
        assert!(q.opts.flush_log_file && q.opts.no_mem_check);
        assert_eq!(q.opts.debug, Some(None));
        assert_eq!(q.opts.perf, Some(Some("a".into())));
        assert_eq!(p("-g/tmp/x").opts.log_file, Some(Some("/tmp/x".into())));
    }

    #[test]
    fn errors_in_keepalived_words() {
        assert_eq!(errs("-Z"), ["Unknown option -Z"]);
        assert_eq!(errs("--bogus"), ["Unknown option --bogus"]);
        assert_eq!(errs("--bogus=1"), ["Unknown option --bogus=1"]);
        assert_eq!(errs("-f"), ["Missing parameter for option -f"]);
        assert_eq!(errs("-nS"), ["Missing parameter for option -S"]);
        assert_eq!(errs("-t -f"), ["Missing parameter for option -f"]);
        // keepalived prints -- and noise for any long option missing its argument…
        assert_eq!(errs("--use-file"), ["Missing parameter for option --"]);
        assert_eq!(errs("--pi"), ["Missing parameter for option --"]);
        // …and the full name when the attached value is empty.
        assert_eq!(
            errs("--use-f="),
            ["Missing parameter for option --use-file"]
        );
        assert_eq!(errs("--sig="), ["Missing parameter for option --signum"]);
        assert_eq!(errs("--vrrp=x"), ["Unknown option --vrrp=x"]);
        assert_eq!(errs("--version=x"), ["Unknown option --version=x"]);
        // Clusters go on after an unknown letter.
        let q = p("-nZd");
        assert_eq!(q.errors, [CliError::Unknown("-Z".into())]);
        assert!(q.opts.dont_fork && q.opts.dump_conf);
        assert_eq!(errs("-Z -Y"), ["Unknown option -Z", "Unknown option -Y"]);
    }

    #[test]
    fn stops_and_order() {
        assert_eq!(p("-v").stop, Some(Stop::Version));
        assert_eq!(p("--ver").stop, Some(Stop::Version));
        assert_eq!(p("--he").stop, Some(Stop::Help));
        assert_eq!(p("-h -v").stop, Some(Stop::Help));
        assert_eq!(p("-v -h").stop, Some(Stop::Version));
        // Errors before the stop are kept; nothing after it is looked at.
        let q = p("-Z -v -Y");
        assert_eq!(q.stop, Some(Stop::Version));
        assert_eq!(q.errors, [CliError::Unknown("-Z".into())]);
        let q = p("--signum= --signum=STOP --signum=RELOAD");
        assert_eq!(q.errors, [CliError::Missing("--signum".into())]);
        assert_eq!(q.stop, Some(Stop::Signum("STOP".into())));
        assert_eq!(
            p("-t --signum=DATA").stop,
            Some(Stop::Signum("DATA".into()))
        );
    }

    #[test]
    fn unexpected_words() {
        let q = p("-t foo -f /x bar");
        assert_eq!(q.unexpected, ["foo", "bar"]);
        assert_eq!(q.opts.config_file.as_deref(), Some("/x"));
        assert_eq!(
            q.unexpected_line().unwrap(),
            "Unexpected argument(s): foo bar "
        );
        let q = p("-t -- -Z");
        assert!(q.errors.is_empty());
        assert_eq!(q.unexpected, ["-Z"]);
        assert_eq!(p("-").unexpected, ["-"]);
        assert_eq!(p("-t").unexpected_line(), None);
    }

    #[test]
    fn every_option_has_a_help_line() {
        let u = usage("rkeepalived");
        for x in OPTS {
            assert!(u.contains(&format!("--{}", x.long)), "{}", x.long);
        }
        assert!(u.starts_with("Usage: rkeepalived [OPTION...]\n"));
    }
}
