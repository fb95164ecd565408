//! The typed configuration the parser produces.
//!
//! Types for larger sub-languages live beside their parsers (servers in
//! `server`, listeners in `bind`, ACLs and rules in `acl`/`rules`,
//! the small sections in `sections`) and are re-exported here.

use std::collections::BTreeMap;
use std::time::Duration;

pub use crate::acl::{Acl, Condition};
pub use crate::addr::Address;
pub use crate::bind::Bind;
use crate::diag::Location;
pub use crate::rules::Rule;
pub use crate::sections::{
    Cache, GenericSection, Group, HttpErrors, Mailer, Mailers, Nameserver, Peer, Peers, PeersTable,
    Program, Resolvers, Ring, RingServer, User, Userlist,
};
pub use crate::server::{Server, ServerOptions};

/// A directive kept as words: accepted and validated for arity, but with
/// no dedicated field yet. The keyword table says which ones these are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub keyword: String,
    pub args: Vec<String>,
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub global: Global,
    /// Every `defaults` section in order (named or not).
    pub defaults: Vec<Proxy>,
    /// Frontends, backends and listens in declaration order.
    pub proxies: Vec<Proxy>,
    pub userlists: Vec<Userlist>,
    pub resolvers: Vec<Resolvers>,
    pub peers: Vec<Peers>,
    pub mailers: Vec<Mailers>,
    pub http_errors: Vec<HttpErrors>,
    pub rings: Vec<Ring>,
    pub caches: Vec<Cache>,
    pub programs: Vec<Program>,
    /// `log-forward`, `fcgi-app`, `namespace_list`: recognised sections
    /// whose contents are kept as directives.
    pub other_sections: Vec<GenericSection>,
}

impl Config {
    pub fn proxy(&self, name: &str) -> Option<&Proxy> {
        self.proxies.iter().find(|p| p.name == name)
    }

    pub fn backend(&self, name: &str) -> Option<&Proxy> {
        self.proxies
            .iter()
            .find(|p| p.name == name && p.kind.has_backend())
    }

    /// Whether HAProxy would have anything to run. `local_peer` is the name
    /// that designates this node in `peers` sections (`-L`, `localpeer` or
    /// the host name).
    pub fn has_listener(&self, local_peer: Option<&str>) -> bool {
        self.proxies
            .iter()
            .any(|p| p.kind.has_frontend() && !p.disabled && !p.binds.is_empty())
            || !self.global.stats_sockets.is_empty()
            || self
                .peers
                .iter()
                .any(|p| !p.disabled && local_peer.is_some_and(|l| p.has_peer(l)))
            || !self.programs.is_empty()
            || self.global.master_worker
            || self.other_sections.iter().any(|s| s.kind == "log-forward")
    }
}

/// A log destination (`log` lines in global and proxies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTarget {
    pub target: String,
    pub len: Option<u32>,
    pub format: Option<String>,
    pub facility: String,
    pub level: Option<String>,
    pub min_level: Option<String>,
    pub sample: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsSocket {
    pub address: String,
    pub options: Vec<(String, Option<String>)>,
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Default)]
pub struct Global {
    pub daemon: bool,
    pub master_worker: bool,
    pub maxconn: Option<u32>,
    pub nbthread: Option<u32>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub chroot: Option<String>,
    pub pidfile: Option<String>,
    pub node: Option<String>,
    pub description: Option<String>,
    pub stats_sockets: Vec<StatsSocket>,
    pub stats_timeout: Option<Duration>,
    pub stats_maxconn: Option<u32>,
    pub logs: Vec<LogTarget>,
    pub log_tag: Option<String>,
    pub log_send_hostname: Option<Option<String>>,
    pub ca_base: Option<String>,
    pub crt_base: Option<String>,
    pub hard_stop_after: Option<Duration>,
    pub ssl_default_bind_ciphers: Option<String>,
    pub ssl_default_bind_ciphersuites: Option<String>,
    pub ssl_default_bind_options: Vec<String>,
    pub ssl_default_server_ciphers: Option<String>,
    pub ssl_default_server_ciphersuites: Option<String>,
    pub ssl_default_server_options: Vec<String>,
    pub ssl_server_verify: Option<String>,
    pub spread_checks: Option<u32>,
    pub zero_warning: bool,
    pub quiet: bool,
    pub noreuseport: bool,
    /// `localpeer NAME` (or `-L NAME`): which peer of a peers section is
    /// this process.
    pub localpeer: Option<String>,
    /// `setenv`/`presetenv`/`unsetenv`/`resetenv` lines, in order, as
    /// (keyword, arguments).
    pub env_changes: Vec<(String, Vec<String>)>,
    /// `expose-experimental-directives` was seen.
    pub expose_experimental: bool,
    /// `busy-polling` (`no busy-polling` gives `Some(false)`).
    pub busy_polling: Option<bool>,
    /// `-dr` on the command line: unresolvable server names disable the
    /// server instead of failing the configuration.
    pub cli_ignore_resolution: bool,
    /// `-dV` on the command line: no server certificate verification.
    pub cli_no_server_verify: bool,
    /// `tune.*` settings, parsed per their kind; value as written.
    pub tune: BTreeMap<String, String>,
    /// Everything else recognised but not (yet) given a field.
    pub other: Vec<Directive>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    Defaults,
    Frontend,
    Backend,
    Listen,
}

impl ProxyKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ProxyKind::Defaults => "defaults",
            ProxyKind::Frontend => "frontend",
            ProxyKind::Backend => "backend",
            ProxyKind::Listen => "listen",
        }
    }

    /// How HAProxy names the proxy type in messages ("proxy" for listen).
    pub fn label(self) -> &'static str {
        match self {
            ProxyKind::Listen => "proxy",
            k => k.keyword(),
        }
    }

    pub fn has_frontend(self) -> bool {
        matches!(
            self,
            ProxyKind::Frontend | ProxyKind::Listen | ProxyKind::Defaults
        )
    }

    pub fn has_backend(self) -> bool {
        matches!(
            self,
            ProxyKind::Backend | ProxyKind::Listen | ProxyKind::Defaults
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Tcp,
    Http,
    Log,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Balance {
    #[default]
    RoundRobin,
    StaticRr,
    LeastConn,
    First,
    Source,
    Uri {
        args: Vec<String>,
    },
    UrlParam {
        param: String,
        args: Vec<String>,
    },
    Hdr {
        name: String,
        use_domain_only: bool,
    },
    Random {
        draws: u32,
    },
    RdpCookie {
        name: Option<String>,
    },
    Hash {
        expr: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashType {
    #[default]
    MapBased,
    Consistent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub client: Option<Duration>,
    pub server: Option<Duration>,
    pub connect: Option<Duration>,
    pub check: Option<Duration>,
    pub queue: Option<Duration>,
    pub tunnel: Option<Duration>,
    pub http_request: Option<Duration>,
    pub http_keep_alive: Option<Duration>,
    pub tarpit: Option<Duration>,
    pub client_fin: Option<Duration>,
    pub server_fin: Option<Duration>,
}

/// Health-check configuration of a backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CheckKind {
    /// A plain TCP connect.
    #[default]
    Tcp,
    Http {
        method: Option<String>,
        uri: Option<String>,
        version: Option<String>,
        host: Option<String>,
    },
    Smtp {
        verb: String,
        domain: String,
    },
    TcpCheck,
    SslHello,
    Mysql {
        user: Option<String>,
    },
    Pgsql {
        user: Option<String>,
    },
    Redis,
    Ldap,
    Spop,
    External,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    pub kind: CheckKind,
    /// `http-check …` and `tcp-check …` steps, in order.
    pub http_check: Vec<Directive>,
    pub tcp_check: Vec<Directive>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub enabled: bool,
    pub uri: Option<String>,
    pub realm: Option<String>,
    pub auth: Vec<(String, String)>,
    pub hide_version: bool,
    pub refresh: Option<Duration>,
    pub show_legends: bool,
    pub show_node: Option<Option<String>>,
    pub show_desc: Option<Option<String>>,
    pub admin: Vec<Condition>,
    pub scope: Vec<String>,
    pub http_request: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Proxy {
    pub kind: ProxyKind,
    pub name: String,
    pub location: Location,
    /// `from NAME`, for proxies and named defaults.
    pub from: Option<String>,
    /// Which defaults section this proxy was built on (index in
    /// `Config::defaults`), if any.
    pub defaults_index: Option<usize>,
    pub mode: Mode,
    pub mode_set: bool,
    pub id: Option<u32>,
    pub description: Option<String>,
    pub disabled: bool,
    pub binds: Vec<Bind>,
    pub servers: Vec<Server>,
    pub default_server: ServerOptions,
    pub acls: Vec<Acl>,
    /// `use_backend NAME [cond]`
    pub use_backends: Vec<(String, Option<Condition>, Location)>,
    pub use_servers: Vec<(String, Option<Condition>, Location)>,
    pub default_backend: Option<(String, Location)>,
    pub balance: Balance,
    pub hash_type: HashType,
    pub timeouts: Timeouts,
    /// `option X` flags, after `no`/`default` are applied. Only options
    /// explicitly set appear; absence means HAProxy's default.
    pub options: BTreeMap<String, bool>,
    /// Arguments of options that take some (`forwardfor except …`, …).
    pub option_args: BTreeMap<String, Vec<String>>,
    pub logs: Vec<LogTarget>,
    pub log_global: bool,
    pub no_log: bool,
    pub log_format: Option<String>,
    pub log_tag: Option<String>,
    pub maxconn: Option<u32>,
    pub fullconn: Option<u32>,
    pub backlog: Option<u32>,
    pub retries: Option<u32>,
    pub checks: Checks,
    pub stats: Stats,
    pub http_request: Vec<Rule>,
    pub http_response: Vec<Rule>,
    pub http_after_response: Vec<Rule>,
    pub tcp_request: Vec<Rule>,
    pub tcp_response: Vec<Rule>,
    /// `errorfile CODE FILE`: code and the file's bytes.
    pub errorfiles: Vec<(u16, String)>,
    pub monitor_uri: Option<String>,
    pub unique_id_format: Option<String>,
    pub unique_id_header: Option<String>,
    pub cookie: Option<Vec<String>>,
    /// Warnings raised for legacy directives are also recorded here with
    /// the modern line they were turned into.
    pub legacy_translations: Vec<(Location, String, String)>,
    pub other: Vec<Directive>,
}

impl Proxy {
    pub fn new(kind: ProxyKind, name: String, location: Location) -> Self {
        Proxy {
            kind,
            name,
            location,
            from: None,
            defaults_index: None,
            mode: Mode::Tcp,
            mode_set: false,
            id: None,
            description: None,
            disabled: false,
            binds: Vec::new(),
            servers: Vec::new(),
            default_server: ServerOptions::default(),
            acls: Vec::new(),
            use_backends: Vec::new(),
            use_servers: Vec::new(),
            default_backend: None,
            balance: Balance::default(),
            hash_type: HashType::default(),
            timeouts: Timeouts::default(),
            options: BTreeMap::new(),
            option_args: BTreeMap::new(),
            logs: Vec::new(),
            log_global: false,
            no_log: false,
            log_format: None,
            log_tag: None,
            maxconn: None,
            fullconn: None,
            backlog: None,
            retries: None,
            checks: Checks::default(),
            stats: Stats::default(),
            http_request: Vec::new(),
            http_response: Vec::new(),
            http_after_response: Vec::new(),
            tcp_request: Vec::new(),
            tcp_response: Vec::new(),
            errorfiles: Vec::new(),
            monitor_uri: None,
            unique_id_format: None,
            unique_id_header: None,
            cookie: None,
            legacy_translations: Vec::new(),
            other: Vec::new(),
        }
    }

    pub fn option(&self, name: &str) -> bool {
        self.options.get(name).copied().unwrap_or(false)
    }

    /// Whether the section holds rules that 2.6 only allows in named
    /// defaults and that make a defaults section frontend- or backend-only.
    pub fn has_rules(&self) -> bool {
        !self.acls.is_empty()
            || !self.http_request.is_empty()
            || !self.http_response.is_empty()
            || !self.http_after_response.is_empty()
            || !self.tcp_request.is_empty()
            || !self.tcp_response.is_empty()
    }

    /// Copy everything a proxy inherits from a defaults section. Names,
    /// locations and the things 2.6 never inherits stay as they are.
    pub fn inherit_from(&mut self, d: &Proxy) {
        let keep = (
            self.kind,
            self.name.clone(),
            self.location.clone(),
            self.from.clone(),
        );
        let binds = std::mem::take(&mut self.binds);
        *self = d.clone();
        (self.kind, self.name, self.location, self.from) = keep;
        self.binds = binds;
        self.servers.clear();
        self.use_backends.clear();
        self.description = None;
        self.id = None;
        self.other.clear();
        self.legacy_translations.clear();
    }
}
