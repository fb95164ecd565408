//! The keyword table of the haproxy.cfg language: every keyword declared
//! once, with the sections it may appear in, its status and its handler.
//!
//! `docs/compatibility.md` is generated from [`TABLE`] (see
//! `compat_doc`), and a test fails when the two drift apart. Proxy rows
//! follow the 2.6 keyword matrix (defaults / frontend / listen / backend);
//! `listen` accepts whatever a frontend or a backend accepts.

use crate::diag::{Diagnostic, Prefix};
use crate::model::ProxyKind;
use crate::parser::{Line, Outcome, Parser};
use crate::{acl, bind, global, legacy, proxy, rules, sections, server, suggest};

/// Where a keyword may appear, plus per-keyword flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope(pub u32);

impl std::ops::BitOr for Scope {
    type Output = Scope;
    fn bitor(self, o: Scope) -> Scope {
        Scope(self.0 | o.0)
    }
}

impl From<u32> for Scope {
    fn from(v: u32) -> Scope {
        Scope(v)
    }
}

impl Scope {
    pub const GLOBAL: Scope = Scope(1);
    pub const DEFAULTS: Scope = Scope(1 << 1);
    pub const FRONTEND: Scope = Scope(1 << 2);
    pub const BACKEND: Scope = Scope(1 << 3);
    /// Only for section dispatch; table rows use FRONTEND/BACKEND.
    pub const LISTEN: Scope = Scope(1 << 4);
    pub const USERLIST: Scope = Scope(1 << 5);
    pub const PEERS: Scope = Scope(1 << 6);
    pub const MAILERS: Scope = Scope(1 << 7);
    pub const RESOLVERS: Scope = Scope(1 << 8);
    pub const PROGRAM: Scope = Scope(1 << 9);
    pub const HTTP_ERRORS: Scope = Scope(1 << 10);
    pub const RING: Scope = Scope(1 << 11);
    pub const CACHE: Scope = Scope(1 << 12);
    /// Flag: only in named defaults sections.
    pub const NAMED: Scope = Scope(1 << 20);
    /// Flag: accepts the `no`/`default` prefix.
    pub const NEG: Scope = Scope(1 << 21);

    pub fn has(self, o: impl Into<Scope>) -> bool {
        self.0 & o.into().0 != 0
    }

    /// Does a row with this scope apply in the section `sec`?
    pub fn allows(self, sec: Scope) -> bool {
        if sec == Scope::LISTEN {
            self.has(Scope::FRONTEND) || self.has(Scope::BACKEND) || self.has(Scope::LISTEN)
        } else {
            self.has(sec)
        }
    }
}

const GL: u32 = Scope::GLOBAL.0;
const DF: u32 = Scope::DEFAULTS.0;
const FE: u32 = Scope::FRONTEND.0;
const BE: u32 = Scope::BACKEND.0;
const LI: u32 = Scope::LISTEN.0;
const UL: u32 = Scope::USERLIST.0;
const PE: u32 = Scope::PEERS.0;
const MA: u32 = Scope::MAILERS.0;
const RE: u32 = Scope::RESOLVERS.0;
const PR: u32 = Scope::PROGRAM.0;
const HE: u32 = Scope::HTTP_ERRORS.0;
const RI: u32 = Scope::RING.0;
const CA: u32 = Scope::CACHE.0;
const NAMED: u32 = Scope::NAMED.0;
const NEG: u32 = Scope::NEG.0;

/// How far our support for a keyword goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Parsed into a typed field of the model and validated.
    Supported,
    /// Accepted and checked for arity; kept as words in the model.
    Parsed,
    /// Accepted with a warning, as 2.6 does.
    Deprecated,
    /// A 1.x directive that 2.6 rejects: we accept it, warn, and translate
    /// it to its modern equivalent.
    Legacy,
    /// Rejected with 2.6's own message.
    Removed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::Parsed => "parsed",
            Status::Deprecated => "deprecated (warning)",
            Status::Legacy => "legacy (warning, translated)",
            Status::Removed => "removed (error, as 2.6)",
        }
    }
}

pub type Handler = fn(&mut Parser<'_>, &Line) -> Outcome;

pub struct Keyword {
    /// One or two words (`option httplog`, `timeout client`).
    pub name: &'static str,
    pub scope: Scope,
    pub status: Status,
    pub handler: Handler,
}

const fn kw(name: &'static str, scope: u32, status: Status, handler: Handler) -> Keyword {
    Keyword {
        name,
        scope: Scope(scope),
        status,
        handler,
    }
}

use Status::*;

pub static TABLE: &[Keyword] = &[
    // ---- global ------------------------------------------------------
    kw("51degrees-cache-size", GL, Parsed, global::kw_store),
    kw("51degrees-data-file", GL, Parsed, global::kw_store),
    kw("51degrees-property-name-list", GL, Parsed, global::kw_store),
    kw("51degrees-property-separator", GL, Parsed, global::kw_store),
    kw("busy-polling", GL | NEG, Parsed, global::kw_store),
    kw("ca-base", GL, Supported, global::kw_path),
    kw("chroot", GL, Supported, global::kw_path),
    kw("close-spread-time", GL, Supported, global::kw_time),
    kw("cluster-secret", GL, Parsed, global::kw_store),
    kw("cpu-map", GL, Parsed, global::kw_store),
    kw("crt-base", GL, Supported, global::kw_path),
    kw("daemon", GL, Supported, global::kw_flag),
    kw("debug", GL, Parsed, global::kw_store),
    kw("default-path", GL, Parsed, global::kw_store),
    kw("description", GL, Supported, global::kw_text),
    kw("deviceatlas-json-file", GL, Parsed, global::kw_store),
    kw("deviceatlas-log-level", GL, Parsed, global::kw_store),
    kw(
        "deviceatlas-properties-cookie",
        GL,
        Parsed,
        global::kw_store,
    ),
    kw("deviceatlas-separator", GL, Parsed, global::kw_store),
    kw(
        "expose-experimental-directives",
        GL,
        Parsed,
        global::kw_store,
    ),
    kw("external-check", GL, Parsed, global::kw_store),
    kw("fd-hard-limit", GL, Parsed, global::kw_store),
    kw("gid", GL, Supported, global::kw_gid),
    kw("grace", GL, Supported, global::kw_time),
    kw("group", GL, Supported, global::kw_group),
    kw(
        "h1-accept-payload-with-any-method",
        GL,
        Parsed,
        global::kw_store,
    ),
    kw("h1-case-adjust", GL, Parsed, global::kw_store),
    kw("h1-case-adjust-file", GL, Parsed, global::kw_store),
    kw(
        "h2-workaround-bogus-websocket-clients",
        GL,
        Parsed,
        global::kw_store,
    ),
    kw("hard-stop-after", GL, Supported, global::kw_time),
    kw("httpclient.resolvers.id", GL, Parsed, global::kw_store),
    kw("httpclient.resolvers.prefer", GL, Parsed, global::kw_store),
    kw("httpclient.ssl.ca-file", GL, Parsed, global::kw_store),
    kw("httpclient.ssl.verify", GL, Parsed, global::kw_store),
    kw("insecure-fork-wanted", GL | NEG, Parsed, global::kw_store),
    kw("insecure-setuid-wanted", GL, Parsed, global::kw_store),
    kw("issuers-chain-path", GL, Parsed, global::kw_store),
    kw("localpeer", GL, Parsed, global::kw_store),
    kw("log", GL, Supported, global::kw_log),
    kw(
        "log-send-hostname",
        GL,
        Supported,
        global::kw_log_send_hostname,
    ),
    kw("log-tag", GL, Supported, global::kw_text),
    kw("lua-load", GL, Parsed, global::kw_store),
    kw("lua-load-per-thread", GL, Parsed, global::kw_store),
    kw("lua-prepend-path", GL, Parsed, global::kw_store),
    kw("master-worker", GL, Supported, global::kw_master_worker),
    kw("max-spread-checks", GL, Supported, global::kw_time),
    kw("maxcompcpuusage", GL, Parsed, global::kw_store),
    kw("maxcomprate", GL, Parsed, global::kw_store),
    kw("maxconn", GL, Supported, global::kw_maxconn),
    kw("maxconnrate", GL, Supported, global::kw_int),
    kw("maxpipes", GL, Supported, global::kw_int),
    kw("maxsessrate", GL, Supported, global::kw_int),
    kw("maxsslconn", GL, Supported, global::kw_int),
    kw("maxsslrate", GL, Supported, global::kw_int),
    kw("maxzlibmem", GL, Parsed, global::kw_store),
    kw("mworker-max-reloads", GL, Supported, global::kw_int),
    kw("nbproc", GL, Removed, global::kw_nbproc),
    kw("nbthread", GL, Supported, global::kw_nbthread),
    kw("no-memory-trimming", GL, Parsed, global::kw_store),
    kw("node", GL, Supported, global::kw_text),
    kw("noepoll", GL, Parsed, global::kw_store),
    kw("noevports", GL, Parsed, global::kw_store),
    kw("nogetaddrinfo", GL, Parsed, global::kw_store),
    kw("nokqueue", GL, Parsed, global::kw_store),
    kw("nopoll", GL, Parsed, global::kw_store),
    kw("noreuseport", GL, Supported, global::kw_flag),
    kw("nosplice", GL, Parsed, global::kw_store),
    kw("numa-cpu-mapping", GL | NEG, Parsed, global::kw_store),
    kw("pidfile", GL, Supported, global::kw_pidfile),
    kw("pp2-never-send-local", GL, Parsed, global::kw_store),
    kw("presetenv", GL, Supported, global::kw_env),
    kw("profiling.tasks", GL, Parsed, global::kw_store),
    kw("quiet", GL, Supported, global::kw_flag),
    kw("resetenv", GL, Supported, global::kw_env),
    kw("server-state-base", GL, Parsed, global::kw_store),
    kw("server-state-file", GL, Parsed, global::kw_store),
    kw("set-dumpable", GL | NEG, Parsed, global::kw_store),
    kw("set-var", GL, Parsed, global::kw_store),
    kw("set-var-fmt", GL, Parsed, global::kw_store),
    kw("setenv", GL, Supported, global::kw_env),
    kw("spread-checks", GL, Supported, global::kw_spread_checks),
    kw("ssl-default-bind-ciphers", GL, Supported, global::kw_text),
    kw(
        "ssl-default-bind-ciphersuites",
        GL,
        Supported,
        global::kw_text,
    ),
    kw("ssl-default-bind-curves", GL, Parsed, global::kw_store),
    kw(
        "ssl-default-bind-options",
        GL,
        Supported,
        global::kw_ssl_options,
    ),
    kw("ssl-default-server-ciphers", GL, Supported, global::kw_text),
    kw(
        "ssl-default-server-ciphersuites",
        GL,
        Supported,
        global::kw_text,
    ),
    kw(
        "ssl-default-server-options",
        GL,
        Supported,
        global::kw_ssl_options,
    ),
    kw("ssl-dh-param-file", GL, Parsed, global::kw_store),
    kw("ssl-engine", GL, Parsed, global::kw_store),
    kw("ssl-load-extra-del-ext", GL, Parsed, global::kw_store),
    kw("ssl-load-extra-files", GL, Parsed, global::kw_store),
    kw("ssl-mode-async", GL, Parsed, global::kw_store),
    kw("ssl-propquery", GL, Parsed, global::kw_store),
    kw("ssl-provider", GL, Parsed, global::kw_store),
    kw("ssl-provider-path", GL, Parsed, global::kw_store),
    kw(
        "ssl-server-verify",
        GL,
        Supported,
        global::kw_ssl_server_verify,
    ),
    kw("ssl-skip-self-issued-ca", GL, Parsed, global::kw_store),
    kw("stats", GL, Supported, global::kw_stats),
    kw("strict-limits", GL | NEG, Parsed, global::kw_store),
    kw("thread-group", GL, Parsed, global::kw_store),
    kw("thread-groups", GL, Parsed, global::kw_store),
    kw("tune.buffers.limit", GL, Supported, global::kw_tune),
    kw("tune.buffers.reserve", GL, Supported, global::kw_tune),
    kw("tune.bufsize", GL, Supported, global::kw_tune),
    kw("tune.comp.maxlevel", GL, Supported, global::kw_tune),
    kw("tune.fail-alloc", GL, Supported, global::kw_tune),
    kw("tune.fd.edge-triggered", GL, Supported, global::kw_tune),
    kw("tune.h2.header-table-size", GL, Supported, global::kw_tune),
    kw(
        "tune.h2.initial-window-size",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw(
        "tune.h2.max-concurrent-streams",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw("tune.h2.max-frame-size", GL, Supported, global::kw_tune),
    kw("tune.http.cookielen", GL, Supported, global::kw_tune),
    kw("tune.http.logurilen", GL, Supported, global::kw_tune),
    kw("tune.http.maxhdr", GL, Supported, global::kw_tune),
    kw("tune.idle-pool.shared", GL, Supported, global::kw_tune),
    kw("tune.idletimer", GL, Supported, global::kw_tune),
    kw("tune.listener.multi-queue", GL, Supported, global::kw_tune),
    kw("tune.lua.forced-yield", GL, Supported, global::kw_tune),
    kw("tune.lua.maxmem", GL, Supported, global::kw_tune),
    kw("tune.lua.service-timeout", GL, Supported, global::kw_tune),
    kw("tune.lua.session-timeout", GL, Supported, global::kw_tune),
    kw("tune.lua.task-timeout", GL, Supported, global::kw_tune),
    kw("tune.maxaccept", GL, Supported, global::kw_tune),
    kw("tune.maxpollevents", GL, Supported, global::kw_tune),
    kw("tune.maxrewrite", GL, Supported, global::kw_tune),
    kw("tune.pattern.cache-size", GL, Supported, global::kw_tune),
    kw(
        "tune.peers.max-updates-at-once",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw("tune.pipesize", GL, Supported, global::kw_tune),
    kw("tune.pool-high-fd-ratio", GL, Supported, global::kw_tune),
    kw("tune.pool-low-fd-ratio", GL, Supported, global::kw_tune),
    kw(
        "tune.quic.frontend.conn-tx-buffers.limit",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw(
        "tune.quic.frontend.max-idle-timeout",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw(
        "tune.quic.frontend.max-streams-bidi",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw("tune.quic.retry-threshold", GL, Supported, global::kw_tune),
    kw("tune.rcvbuf.client", GL, Supported, global::kw_tune),
    kw("tune.rcvbuf.server", GL, Supported, global::kw_tune),
    kw("tune.recv_enough", GL, Supported, global::kw_tune),
    kw("tune.runqueue-depth", GL, Supported, global::kw_tune),
    kw("tune.sched.low-latency", GL, Supported, global::kw_tune),
    kw("tune.sndbuf.client", GL, Supported, global::kw_tune),
    kw("tune.sndbuf.server", GL, Supported, global::kw_tune),
    kw("tune.ssl.cachesize", GL, Supported, global::kw_tune),
    kw(
        "tune.ssl.capture-buffer-size",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw(
        "tune.ssl.capture-cipherlist-size",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw("tune.ssl.default-dh-param", GL, Supported, global::kw_tune),
    kw(
        "tune.ssl.force-private-cache",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw("tune.ssl.hard-maxrecord", GL, Supported, global::kw_tune),
    kw("tune.ssl.keylog", GL, Supported, global::kw_tune),
    kw("tune.ssl.lifetime", GL, Supported, global::kw_tune),
    kw("tune.ssl.maxrecord", GL, Supported, global::kw_tune),
    kw(
        "tune.ssl.ssl-ctx-cache-size",
        GL,
        Supported,
        global::kw_tune,
    ),
    kw("tune.vars.check-max-size", GL, Supported, global::kw_tune),
    kw("tune.vars.global-max-size", GL, Supported, global::kw_tune),
    kw("tune.vars.proc-max-size", GL, Supported, global::kw_tune),
    kw("tune.vars.reqres-max-size", GL, Supported, global::kw_tune),
    kw("tune.vars.sess-max-size", GL, Supported, global::kw_tune),
    kw("tune.vars.txn-max-size", GL, Supported, global::kw_tune),
    kw("tune.zlib.memlevel", GL, Supported, global::kw_tune),
    kw("tune.zlib.windowsize", GL, Supported, global::kw_tune),
    kw("uid", GL, Supported, global::kw_uid),
    kw("ulimit-n", GL, Supported, global::kw_int),
    kw("unix-bind", GL, Parsed, global::kw_store),
    kw("unsetenv", GL, Supported, global::kw_env),
    kw("user", GL, Supported, global::kw_user),
    kw("wurfl-cache-size", GL, Parsed, global::kw_store),
    kw("wurfl-data-file", GL, Parsed, global::kw_store),
    kw("wurfl-information-list", GL, Parsed, global::kw_store),
    kw(
        "wurfl-information-list-separator",
        GL,
        Parsed,
        global::kw_store,
    ),
    kw("zero-warning", GL, Supported, global::kw_flag),
    // ---- defaults / frontend / listen / backend (2.6 matrix) ---------
    kw("acl", DF | FE | BE | NAMED, Supported, acl::kw_acl),
    kw("backlog", DF | FE, Supported, proxy::kw_backlog),
    kw("balance", DF | BE, Supported, proxy::kw_balance),
    kw("bind", FE, Supported, bind::kw_bind),
    kw("bind-process", DF | FE | BE, Parsed, proxy::kw_store),
    kw("capture cookie", FE, Parsed, proxy::kw_capture),
    kw("capture request header", FE, Parsed, proxy::kw_capture),
    kw("capture response header", FE, Parsed, proxy::kw_capture),
    kw("clitcpka-cnt", DF | FE, Parsed, proxy::kw_store),
    kw("clitcpka-idle", DF | FE, Parsed, proxy::kw_store),
    kw("clitcpka-intvl", DF | FE, Parsed, proxy::kw_store),
    kw("compression", DF | FE | BE, Parsed, proxy::kw_store),
    kw("cookie", DF | BE, Supported, proxy::kw_cookie),
    kw("declare capture", FE, Parsed, proxy::kw_declare_capture),
    kw("dynamic-cookie-key", DF | BE, Parsed, proxy::kw_store),
    kw(
        "default-server",
        DF | BE,
        Supported,
        server::kw_default_server,
    ),
    kw(
        "default_backend",
        DF | FE,
        Supported,
        proxy::kw_default_backend,
    ),
    kw("description", FE | BE, Supported, proxy::kw_description),
    kw("disabled", DF | FE | BE, Supported, proxy::kw_disabled),
    kw("dispatch", BE, Parsed, proxy::kw_store),
    kw("email-alert from", DF | FE | BE, Parsed, proxy::kw_store),
    kw("email-alert level", DF | FE | BE, Parsed, proxy::kw_store),
    kw("email-alert mailers", DF | FE | BE, Parsed, proxy::kw_store),
    kw(
        "email-alert myhostname",
        DF | FE | BE,
        Parsed,
        proxy::kw_store,
    ),
    kw("email-alert to", DF | FE | BE, Parsed, proxy::kw_store),
    kw("enabled", DF | FE | BE, Supported, proxy::kw_enabled),
    kw("errorfile", DF | FE | BE, Supported, proxy::kw_errorfile),
    kw("errorfiles", DF | FE | BE, Parsed, proxy::kw_store),
    kw("errorloc", DF | FE | BE, Parsed, proxy::kw_store),
    kw("errorloc302", DF | FE | BE, Parsed, proxy::kw_store),
    kw("errorloc303", DF | FE | BE, Parsed, proxy::kw_store),
    kw("error-log-format", DF | FE, Parsed, proxy::kw_store),
    kw("force-persist", BE, Parsed, proxy::kw_store),
    kw("filter", FE | BE, Parsed, proxy::kw_store),
    kw("fullconn", DF | BE, Supported, proxy::kw_fullconn),
    // 2.6 accepts it silently in a frontend as well.
    kw("hash-balance-factor", DF | FE | BE, Parsed, proxy::kw_store),
    kw("hash-type", DF | BE, Supported, proxy::kw_hash_type),
    kw(
        "http-after-response",
        DF | FE | BE | NAMED,
        Supported,
        rules::kw_http_after_response,
    ),
    kw(
        "http-check comment",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw(
        "http-check connect",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw(
        "http-check disable-on-404",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw(
        "http-check expect",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw("http-check send", DF | BE, Supported, proxy::kw_http_check),
    kw(
        "http-check send-state",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw(
        "http-check set-var",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw(
        "http-check unset-var",
        DF | BE,
        Supported,
        proxy::kw_http_check,
    ),
    kw("http-error", DF | FE | BE, Parsed, proxy::kw_store),
    kw(
        "http-request",
        DF | FE | BE | NAMED,
        Supported,
        rules::kw_http_request,
    ),
    kw(
        "http-response",
        DF | FE | BE | NAMED,
        Supported,
        rules::kw_http_response,
    ),
    kw("http-reuse", DF | BE, Parsed, proxy::kw_store),
    kw("http-send-name-header", DF | BE, Parsed, proxy::kw_store),
    kw("id", FE | BE, Supported, proxy::kw_id),
    kw("ignore-persist", BE, Parsed, proxy::kw_store),
    kw(
        "load-server-state-from-file",
        DF | BE,
        Parsed,
        proxy::kw_store,
    ),
    kw("log", DF | FE | BE | NEG, Supported, proxy::kw_log),
    kw("log-format", DF | FE, Supported, proxy::kw_log_format),
    kw("log-format-sd", DF | FE, Parsed, proxy::kw_store),
    kw("log-tag", DF | FE | BE, Parsed, proxy::kw_store),
    kw("max-keep-alive-queue", DF | BE, Parsed, proxy::kw_store),
    kw("max-session-srv-conns", DF | FE, Parsed, proxy::kw_store),
    kw("maxconn", DF | FE, Supported, proxy::kw_maxconn),
    kw("mode", DF | FE | BE, Supported, proxy::kw_mode),
    kw("monitor fail", FE, Parsed, proxy::kw_monitor),
    kw("monitor-uri", DF | FE, Supported, proxy::kw_monitor_uri),
    kw(
        "option abortonclose",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option accept-invalid-http-request",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option accept-invalid-http-response",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option allbackups",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option checkcache",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option clitcpka",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option contstats",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option disable-h2-upgrade",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option dontlog-normal",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option dontlognull",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option forwardfor",
        DF | FE | BE,
        Supported,
        proxy::kw_option_forwardfor,
    ),
    kw(
        "option h1-case-adjust-bogus-client",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option h1-case-adjust-bogus-server",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-buffer-request",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-ignore-probes",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-keep-alive",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-no-delay",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-pretend-keepalive",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-restrict-req-hdr-names",
        DF | FE | BE,
        Parsed,
        proxy::kw_option_generic,
    ),
    kw(
        "option http-server-close",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option http-use-proxy-header",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option httpchk",
        DF | BE,
        Supported,
        proxy::kw_option_httpchk,
    ),
    kw(
        "option httpclose",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option httplog",
        DF | FE,
        Supported,
        proxy::kw_option_httplog,
    ),
    kw(
        "option httpslog",
        DF | FE,
        Supported,
        proxy::kw_option_httplog,
    ),
    kw(
        "option independent-streams",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option ldap-check",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option external-check",
        DF | FE | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option log-health-checks",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option log-separate-errors",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option logasap",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option mysql-check",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option nolinger",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option originalto",
        DF | FE | BE,
        Parsed,
        proxy::kw_option_generic,
    ),
    kw(
        "option persist",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option pgsql-check",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option prefer-last-server",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option redispatch",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_redispatch,
    ),
    kw(
        "option redis-check",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option smtpchk",
        DF | BE,
        Supported,
        proxy::kw_option_smtpchk,
    ),
    kw(
        "option socket-stats",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option splice-auto",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option splice-request",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option splice-response",
        DF | FE | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option spop-check",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option srvtcpka",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option ssl-hello-chk",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option tcp-check",
        DF | BE,
        Supported,
        proxy::kw_option_check_kind,
    ),
    kw(
        "option tcp-smart-accept",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option tcp-smart-connect",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option tcpka",
        DF | FE | BE,
        Parsed,
        proxy::kw_option_generic,
    ),
    kw("option tcplog", DF | FE, Supported, proxy::kw_option_tcplog),
    kw(
        "option transparent",
        DF | BE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw(
        "option idle-close-on-response",
        DF | FE | NEG,
        Supported,
        proxy::kw_option_flag,
    ),
    kw("external-check command", DF | BE, Parsed, proxy::kw_store),
    kw("external-check path", DF | BE, Parsed, proxy::kw_store),
    kw("persist rdp-cookie", DF | BE, Parsed, proxy::kw_store),
    kw("rate-limit sessions", DF | FE, Parsed, proxy::kw_store),
    kw("redirect", FE | BE, Parsed, proxy::kw_redirect),
    kw("retries", DF | BE, Supported, proxy::kw_retries),
    kw("retry-on", DF | BE, Parsed, proxy::kw_store),
    kw("server", BE, Supported, server::kw_server),
    kw("server-state-file-name", DF | BE, Parsed, proxy::kw_store),
    kw("server-template", BE, Parsed, proxy::kw_store),
    kw("source", DF | BE, Parsed, proxy::kw_store),
    kw("srvtcpka-cnt", DF | BE, Parsed, proxy::kw_store),
    kw("srvtcpka-idle", DF | BE, Parsed, proxy::kw_store),
    kw("srvtcpka-intvl", DF | BE, Parsed, proxy::kw_store),
    kw("stats admin", FE | BE, Supported, proxy::kw_stats),
    kw("stats auth", DF | FE | BE, Supported, proxy::kw_stats),
    kw("stats enable", DF | FE | BE, Supported, proxy::kw_stats),
    kw(
        "stats hide-version",
        DF | FE | BE,
        Supported,
        proxy::kw_stats,
    ),
    kw("stats http-request", FE | BE, Supported, proxy::kw_stats),
    kw("stats realm", DF | FE | BE, Supported, proxy::kw_stats),
    kw("stats refresh", DF | FE | BE, Supported, proxy::kw_stats),
    kw("stats scope", DF | FE | BE, Supported, proxy::kw_stats),
    kw("stats show-desc", DF | FE | BE, Supported, proxy::kw_stats),
    kw(
        "stats show-legends",
        DF | FE | BE,
        Supported,
        proxy::kw_stats,
    ),
    kw("stats show-modules", DF | FE | BE, Parsed, proxy::kw_stats),
    kw("stats show-node", DF | FE | BE, Supported, proxy::kw_stats),
    kw("stats uri", DF | FE | BE, Supported, proxy::kw_stats),
    kw("stick match", BE, Parsed, proxy::kw_store),
    kw("stick on", BE, Parsed, proxy::kw_store),
    kw("stick store-request", BE, Parsed, proxy::kw_store),
    kw("stick store-response", BE, Parsed, proxy::kw_store),
    kw("stick-table", FE | BE, Parsed, proxy::kw_store),
    kw("tcp-check comment", DF | BE, Supported, proxy::kw_tcp_check),
    kw("tcp-check connect", DF | BE, Supported, proxy::kw_tcp_check),
    kw("tcp-check expect", DF | BE, Supported, proxy::kw_tcp_check),
    kw("tcp-check send", DF | BE, Supported, proxy::kw_tcp_check),
    kw("tcp-check send-lf", DF | BE, Supported, proxy::kw_tcp_check),
    kw(
        "tcp-check send-binary",
        DF | BE,
        Supported,
        proxy::kw_tcp_check,
    ),
    kw(
        "tcp-check send-binary-lf",
        DF | BE,
        Supported,
        proxy::kw_tcp_check,
    ),
    kw("tcp-check set-var", DF | BE, Supported, proxy::kw_tcp_check),
    kw(
        "tcp-check unset-var",
        DF | BE,
        Supported,
        proxy::kw_tcp_check,
    ),
    kw(
        "tcp-request connection",
        DF | FE | NAMED,
        Supported,
        rules::kw_tcp_request,
    ),
    kw(
        "tcp-request content",
        DF | FE | BE | NAMED,
        Supported,
        rules::kw_tcp_request,
    ),
    kw(
        "tcp-request inspect-delay",
        DF | FE | BE | NAMED,
        Supported,
        rules::kw_tcp_request,
    ),
    kw(
        "tcp-request session",
        DF | FE | NAMED,
        Supported,
        rules::kw_tcp_request,
    ),
    kw(
        "tcp-response content",
        DF | BE | NAMED,
        Supported,
        rules::kw_tcp_response,
    ),
    kw(
        "tcp-response inspect-delay",
        DF | BE | NAMED,
        Supported,
        rules::kw_tcp_response,
    ),
    kw("timeout check", DF | BE, Supported, proxy::kw_timeout),
    kw("timeout client", DF | FE, Supported, proxy::kw_timeout),
    kw("timeout client-fin", DF | FE, Supported, proxy::kw_timeout),
    kw("timeout connect", DF | BE, Supported, proxy::kw_timeout),
    kw(
        "timeout http-keep-alive",
        DF | FE | BE,
        Supported,
        proxy::kw_timeout,
    ),
    kw(
        "timeout http-request",
        DF | FE | BE,
        Supported,
        proxy::kw_timeout,
    ),
    kw("timeout queue", DF | BE, Supported, proxy::kw_timeout),
    kw("timeout server", DF | BE, Supported, proxy::kw_timeout),
    kw("timeout server-fin", DF | BE, Supported, proxy::kw_timeout),
    kw("timeout tarpit", DF | FE | BE, Supported, proxy::kw_timeout),
    kw("timeout tunnel", DF | BE, Supported, proxy::kw_timeout),
    kw("transparent", DF | BE, Deprecated, proxy::kw_store),
    kw(
        "unique-id-format",
        DF | FE,
        Supported,
        proxy::kw_unique_id_format,
    ),
    kw(
        "unique-id-header",
        DF | FE,
        Supported,
        proxy::kw_unique_id_header,
    ),
    kw("use_backend", FE, Supported, proxy::kw_use_backend),
    kw("use-fcgi-app", BE, Parsed, proxy::kw_store),
    kw("use-server", BE, Supported, proxy::kw_use_server),
    // ---- proxies: 1.x directives removed by 2.1 ------------------------
    kw("reqadd", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqiadd", FE | BE, Legacy, legacy::kw_legacy),
    kw("rspadd", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqrep", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqirep", FE | BE, Legacy, legacy::kw_legacy),
    kw("rsprep", FE | BE, Legacy, legacy::kw_legacy),
    kw("rspirep", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqdel", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqidel", FE | BE, Legacy, legacy::kw_legacy),
    kw("rspdel", FE | BE, Legacy, legacy::kw_legacy),
    kw("rspidel", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqallow", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqiallow", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqdeny", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqideny", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqtarpit", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqitarpit", FE | BE, Legacy, legacy::kw_legacy),
    kw("rspdeny", FE | BE, Legacy, legacy::kw_legacy),
    kw("rspideny", FE | BE, Legacy, legacy::kw_legacy),
    kw("reqpass", FE | BE, Removed, legacy::kw_removed),
    kw("reqipass", FE | BE, Removed, legacy::kw_removed),
    kw("block", FE | BE, Removed, legacy::kw_removed),
    kw("clitimeout", DF | FE | BE, Removed, legacy::kw_removed),
    kw("srvtimeout", DF | FE | BE, Removed, legacy::kw_removed),
    kw("contimeout", DF | FE | BE, Removed, legacy::kw_removed),
    kw("redispatch", DF | FE | BE, Removed, legacy::kw_removed),
    kw("monitor-net", DF | FE | BE, Removed, legacy::kw_removed),
    kw("appsession", DF | FE | BE, Removed, legacy::kw_removed),
    kw(
        "option http-tunnel",
        DF | FE | BE,
        Removed,
        legacy::kw_removed,
    ),
    kw(
        "option forceclose",
        DF | FE | BE,
        Removed,
        legacy::kw_removed,
    ),
    kw(
        "stats bind-process",
        DF | FE | BE,
        Removed,
        legacy::kw_removed,
    ),
    // ---- small sections ------------------------------------------------
    kw("user", UL, Supported, sections::kw_userlist),
    kw("group", UL, Supported, sections::kw_userlist),
    kw("peer", PE, Supported, sections::kw_peers),
    kw("server", PE, Supported, sections::kw_peers),
    kw("bind", PE, Supported, sections::kw_peers),
    kw("default-server", PE, Parsed, sections::kw_peers),
    kw("default-bind", PE, Parsed, sections::kw_peers),
    kw("disabled", PE, Parsed, sections::kw_peers),
    kw("enabled", PE, Parsed, sections::kw_peers),
    kw("table", PE, Parsed, sections::kw_peers),
    kw("mailer", MA, Supported, sections::kw_mailers),
    kw("timeout mail", MA, Supported, sections::kw_mailers),
    kw("timeout", MA, Supported, sections::kw_mailers),
    kw("nameserver", RE, Supported, sections::kw_resolvers),
    kw("parse-resolv-conf", RE, Supported, sections::kw_resolvers),
    kw(
        "accepted_payload_size",
        RE,
        Supported,
        sections::kw_resolvers,
    ),
    kw("resolve_retries", RE, Supported, sections::kw_resolvers),
    kw("hold", RE, Supported, sections::kw_resolvers),
    kw("timeout resolve", RE, Supported, sections::kw_resolvers),
    kw("timeout retry", RE, Supported, sections::kw_resolvers),
    kw("timeout", RE, Supported, sections::kw_resolvers),
    kw("command", PR, Supported, sections::kw_program),
    kw("user", PR, Supported, sections::kw_program),
    kw("group", PR, Supported, sections::kw_program),
    kw(
        "option start-on-reload",
        PR | NEG,
        Supported,
        sections::kw_program,
    ),
    kw("option", PR | NEG, Supported, sections::kw_program),
    kw("errorfile", HE, Supported, sections::kw_http_errors),
    kw("description", RI, Supported, sections::kw_ring),
    kw("format", RI, Supported, sections::kw_ring),
    kw("maxlen", RI, Supported, sections::kw_ring),
    kw("size", RI, Supported, sections::kw_ring),
    kw("timeout connect", RI, Supported, sections::kw_ring),
    kw("timeout server", RI, Supported, sections::kw_ring),
    kw("server", RI, Supported, sections::kw_ring),
    kw("timeout", RI, Supported, sections::kw_ring),
    kw("total-max-size", CA, Supported, sections::kw_cache),
    kw("max-object-size", CA, Supported, sections::kw_cache),
    kw("max-age", CA, Supported, sections::kw_cache),
    kw("process-vary", CA, Supported, sections::kw_cache),
    kw("max-secondary-entries", CA, Supported, sections::kw_cache),
];

/// Section keywords of 2.6, in the order HAProxy registers them.
pub static SECTION_KEYWORDS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "mailers",
    "resolvers",
    "program",
    "http-errors",
    "ring",
    "log-forward",
    "cache",
    "fcgi-app",
    "namespace_list",
];

pub fn section_keyword(word: &str) -> Option<&'static str> {
    SECTION_KEYWORDS.iter().copied().find(|s| *s == word)
}

/// Global keywords that take `no`/`default`.
pub static GLOBAL_NEGATABLE: &[&str] = &[
    "busy-polling",
    "set-dumpable",
    "strict-limits",
    "insecure-fork-wanted",
    "numa-cpu-mapping",
];

fn family(sec: Scope) -> Scope {
    if sec.has(DF | FE | BE | LI) {
        Scope(DF | FE | BE | LI)
    } else {
        sec
    }
}

fn first_word(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

/// Keyword names usable in `sec` (first words, for suggestions).
pub fn names_in(sec: Scope) -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(move |k| k.scope.allows(sec) && k.status != Removed && k.status != Legacy)
        .map(|k| first_word(k.name))
}

enum Found {
    Row(&'static Keyword),
    /// The first word names a group (`option`, `timeout`, …) but the
    /// second word is not one of its members.
    Group(&'static str),
    Unknown,
}

/// Rows by first word, built once: a config has many lines and the table
/// hundreds of rows, so each lookup only looks at its own group.
fn by_first_word() -> &'static std::collections::HashMap<&'static str, Vec<&'static Keyword>> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, Vec<&'static Keyword>>,
    > = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: std::collections::HashMap<&'static str, Vec<&'static Keyword>> =
            Default::default();
        for k in TABLE {
            m.entry(first_word(k.name)).or_default().push(k);
        }
        m
    })
}

fn find(sec: Scope, line: &Line) -> Found {
    let fam = family(sec);
    let Some(group) = by_first_word().get(line.kw()) else {
        return Found::Unknown;
    };
    let rows = || {
        group
            .iter()
            .copied()
            .filter(move |k| k.scope.0 & fam.0 != 0)
    };
    // Longest name first: `capture request header` before `capture
    // request`, `option httplog` before `option`. A parenthesised
    // argument glued to the second word (`http-check set-var(txn.x)`)
    // does not take part in the lookup.
    let w1 = line.arg(1).map(|w| w.split('(').next().unwrap_or(w));
    let matches = |k: &Keyword, n: usize| {
        let mut parts = k.name.split(' ');
        let ok = parts.next() == Some(line.kw())
            && (n < 2 || parts.next() == w1)
            && (n < 3 || parts.next() == line.arg(2));
        ok && parts.next().is_none() && k.name.split(' ').count() == n
    };
    for n in [3, 2, 1] {
        if n >= 2 && w1.is_none() || n == 3 && line.arg(2).is_none() {
            continue;
        }
        if let Some(k) = rows().find(|k| matches(k, n)) {
            return Found::Row(k);
        }
    }
    if let Some(k) = rows().find(|k| k.name.contains(' ')) {
        return Found::Group(first_word(k.name));
    }
    Found::Unknown
}

/// Members of a keyword group (`option` → `httplog`, …) usable in `sec`.
pub fn group_members(group: &str, sec: Scope) -> Vec<&'static str> {
    let fam = family(sec);
    TABLE
        .iter()
        .filter(|k| k.scope.0 & fam.0 != 0 && k.status != Removed)
        .filter_map(|k| k.name.strip_prefix(group)?.strip_prefix(' '))
        .collect()
}

/// Route a line to its handler, applying the section rules 2.6 applies
/// before any handler runs.
pub fn dispatch(p: &mut Parser<'_>, sec: Scope, label: &str, line: &Line) -> Outcome {
    match find(sec, line) {
        Found::Row(k) => run(p, k, sec, line),
        Found::Group(g) => {
            if g == "capture" {
                capture_cap_warning(p, line);
            }
            group_error(g, sec, line)
        }
        Found::Unknown if family(sec) != family(Scope(DF)) && sec != Scope(GL) => {
            match sections::unknown_keyword(label, line) {
                Some(d) => Outcome::Alert(d),
                None => Outcome::Alert(
                    Diagnostic::alert(format!(
                        "unknown keyword '{}' in '{label}' section",
                        line.kw()
                    ))
                    .at(&line.loc, Prefix::Parsing),
                ),
            }
        }
        Found::Unknown => {
            let cands = names_in(sec).chain(SECTION_KEYWORDS.iter().copied());
            let mut msg = format!("unknown keyword '{}' in '{label}' section", line.kw());
            if let Some(s) = suggest::best_match(line.kw(), cands) {
                msg.push_str(&format!("; did you mean '{s}' maybe ?"));
            }
            let mut d = Diagnostic::alert(msg).at(&line.loc, Prefix::Parsing);
            if let Some(h) = elsewhere_hint(line.kw(), sec) {
                d = d.hint(h);
            }
            Outcome::Alert(d)
        }
    }
}

fn group_error(group: &str, sec: Scope, line: &Line) -> Outcome {
    let arg = line.arg(1).unwrap_or("");
    let d = match group {
        "option" if arg.is_empty() => Diagnostic::alert("'option' expects an option name.")
            .at(&line.loc, Prefix::ParsingTight),
        "capture" => Diagnostic::alert(
            "'capture' expects 'cookie' or 'request header' or 'response header'.",
        )
        .at(&line.loc, Prefix::Parsing),
        "option" if line.modifier.is_some() => Diagnostic::alert(format!(
            "negation/default is not supported for option '{arg}'."
        ))
        .at(&line.loc, Prefix::ParsingTight),
        "option" => {
            let members = group_members("option", sec);
            let mut msg = format!("unknown option '{arg}'");
            match suggest::best_match(arg, members.iter().copied()) {
                Some(s) => msg.push_str(&format!("; did you mean '{s}' maybe ?")),
                None => msg.push('.'),
            }
            Diagnostic::alert(msg).at(&line.loc, Prefix::Parsing)
        }
        "timeout" if family(sec) == family(Scope(DF)) => {
            let mut d = Diagnostic::alert(format!(
                "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '{arg}')"
            ))
            .at(&line.loc, Prefix::Parsing);
            let members = group_members("timeout", sec);
            if let Some(s) = suggest::best_match(arg, members.iter().copied()) {
                d = d.hint(format!("did you mean 'timeout {s}'?"));
            }
            d
        }
        "stats" if sec != Scope(GL) => Diagnostic::alert(format!(
            "unknown stats parameter '{arg}', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."
        ))
        .at(&line.loc, Prefix::ParsingTight),
        _ => {
            let members = group_members(group, sec);
            let mut d = Diagnostic::alert(format!(
                "'{group}' expects one of {} (got '{arg}').",
                members
                    .iter()
                    .map(|m| format!("'{m}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .at(&line.loc, Prefix::Parsing);
            if let Some(s) = suggest::best_match(arg, members.iter().copied()) {
                d = d.hint(format!("did you mean '{group} {s}'?"));
            }
            d
        }
    };
    Outcome::Alert(d)
}

/// `capture …` in a backend: 2.6 warns, then still checks the line.
fn capture_cap_warning(p: &mut Parser<'_>, line: &Line) {
    if let Some(px) = p.proxy() {
        if px.kind == ProxyKind::Backend {
            let msg = format!(
                "'capture' ignored because backend '{}' has no frontend capability.",
                px.name
            );
            p.warn(&line.loc, msg);
        }
    }
}

/// The name 2.6 uses in "ignored because …" warnings.
fn short_name(k: &Keyword) -> &'static str {
    if let Some(o) = k.name.strip_prefix("option ") {
        o
    } else if k.name.starts_with("timeout ") {
        k.name
    } else {
        first_word(k.name)
    }
}

fn run(p: &mut Parser<'_>, k: &'static Keyword, sec: Scope, line: &Line) -> Outcome {
    if family(sec) == family(Scope(DF)) && k.status != Removed && k.status != Legacy {
        let (kind, anon) = match p.proxy() {
            Some(px) => (px.kind, px.name.is_empty()),
            None => return Outcome::Ok,
        };
        if kind == ProxyKind::Defaults {
            if !k.scope.has(DF) {
                let name = match first_word(k.name) {
                    "capture" | "tcp-request" | "tcp-response" => {
                        let mut it = k.name.split(' ');
                        let a = it.next().unwrap_or("");
                        format!("{a} {}", it.next().unwrap_or(""))
                    }
                    n => n.to_string(),
                };
                let prefix = match name.as_str() {
                    "server" | "default-server" => Prefix::Bare,
                    "description" | "id" => Prefix::ParsingTight,
                    _ => Prefix::Parsing,
                };
                return Outcome::Alert(
                    Diagnostic::alert(format!("'{name}' not allowed in 'defaults' section."))
                        .at(&line.loc, prefix)
                        .hint("defaults sections hold settings only; move it to a frontend, backend or listen section"),
                );
            }
            if k.scope.has(NAMED) && anon {
                return Outcome::Alert(
                    Diagnostic::alert(format!(
                        "'{}' not allowed in anonymous 'defaults' section.",
                        first_word(k.name)
                    ))
                    .at(&line.loc, Prefix::Parsing)
                    .hint("give the defaults section a name (`defaults NAME`) and reference it with `from NAME`"),
                );
            }
        }
        let missing = match kind {
            ProxyKind::Frontend if !k.scope.has(FE) && k.scope.has(BE) => Some("backend"),
            ProxyKind::Backend if !k.scope.has(BE) && k.scope.has(FE) => Some("frontend"),
            _ => None,
        };
        if k.name.starts_with("option ") {
            let warning = missing.map(|cap| {
                let name = p.proxy().map(|x| x.name.clone()).unwrap_or_default();
                format!(
                    "'{}' ignored because {} '{name}' has no {cap} capability.",
                    short_name(k),
                    kind.label()
                )
            });
            return proxy::option_line(p, line, k.scope.has(NEG), warning);
        }
        if missing.is_some() && first_word(k.name) == "capture" {
            capture_cap_warning(p, line);
            return (k.handler)(p, line);
        }
        if let Some(cap) = missing {
            let label = kind.label();
            let name = p.proxy().map(|x| x.name.clone()).unwrap_or_default();
            let short = short_name(k);
            if matches!(short, "server" | "default-server") {
                return Outcome::Alert(
                    Diagnostic::alert(format!(
                        "parsing [{}] : '{short}' not allowed because {label} '{name}' has no {cap} capability.",
                        line.loc
                    ))
                    .at(&line.loc, Prefix::Bare),
                );
            }
            if k.name == "tcp-request connection" || k.name == "tcp-request session" {
                return Outcome::Alert(
                    Diagnostic::alert(format!(
                        "{} is not allowed because {label} {name} is not a frontend",
                        k.name
                    ))
                    .at(&line.loc, Prefix::Parsing),
                );
            }
            let msg = if k.name.starts_with("timeout ") {
                format!(
                    "'{short}' will be ignored because {label} '{name}' has no {cap} capability"
                )
            } else {
                let extra = match short {
                    "fullconn" => " Maybe you want 'maxconn' instead ?",
                    "maxconn" => " Maybe you want 'fullconn' instead ?",
                    _ => "",
                };
                format!(
                    "'{short}' ignored because {label} '{name}' has no {cap} capability.{extra}"
                )
            };
            // Some keywords still record their setting (2.6 checks
            // use_backend targets even in a backend); most are dropped.
            if matches!(short, "default_backend" | "use_backend") {
                let _ = (k.handler)(p, line);
            }
            p.warn(&line.loc, msg);
            return Outcome::Ok;
        }
    }
    if line.modifier.is_some()
        && !k.scope.has(NEG)
        && k.name != "log"
        && !k.name.starts_with("option ")
    {
        return Outcome::Alert(
            Diagnostic::alert(
                "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
            )
            .at(&line.loc, Prefix::ParsingTight),
        );
    }
    (k.handler)(p, line)
}

/// When a keyword is unknown here but valid in another section, say where.
pub fn elsewhere_hint(word: &str, sec: Scope) -> Option<String> {
    let mut places: Vec<&str> = Vec::new();
    for k in TABLE
        .iter()
        .filter(|k| first_word(k.name) == word && k.status != Removed)
    {
        for (bit, label) in [
            (GL, "global"),
            (DF, "defaults"),
            (FE, "frontend"),
            (BE, "backend"),
            (UL, "userlist"),
            (PE, "peers"),
            (MA, "mailers"),
            (RE, "resolvers"),
            (PR, "program"),
            (HE, "http-errors"),
            (RI, "ring"),
            (CA, "cache"),
        ] {
            if k.scope.has(bit) && !sec.has(bit) && !places.contains(&label) {
                places.push(label);
            }
        }
    }
    if places.is_empty() {
        None
    } else {
        Some(format!(
            "'{word}' belongs in a {} section",
            places.join(" / ")
        ))
    }
}

/// `docs/compatibility.md`, generated from [`TABLE`].
pub fn compat_doc() -> String {
    let mut out = String::new();
    out.push_str("# haproxy.cfg keyword compatibility\n\n");
    out.push_str("Generated from `crates/haproxy-config/src/keywords.rs` by `make docs`; a test fails when this file and the table drift apart.\n\n");
    out.push_str("Statuses: **supported** = parsed into the typed model and validated; **parsed** = accepted, arity-checked and kept as words; **deprecated** = accepted with a warning as in 2.6; **legacy** = a 1.x directive that 2.6 rejects, accepted here with a warning naming the modern form and translated to it; **removed** = rejected with 2.6's message.\n\n");
    let groups: [(&str, u32); 12] = [
        ("global", GL),
        ("defaults / frontend / listen / backend", DF | FE | BE | LI),
        ("userlist", UL),
        ("peers", PE),
        ("mailers", MA),
        ("resolvers", RE),
        ("program", PR),
        ("http-errors", HE),
        ("ring", RI),
        ("cache", CA),
        ("", 0),
        ("", 0),
    ];
    for (title, fam) in groups.iter().filter(|(t, _)| !t.is_empty()) {
        out.push_str(&format!("## {title}\n\n"));
        let fam = Scope(*fam);
        let proxy = fam.has(FE);
        if proxy {
            out.push_str("| keyword | defaults | frontend | listen | backend | status |\n|---|---|---|---|---|---|\n");
        } else {
            out.push_str("| keyword | status |\n|---|---|\n");
        }
        let mut rows: Vec<&Keyword> = TABLE.iter().filter(|k| k.scope.0 & fam.0 != 0).collect();
        rows.sort_by_key(|k| k.name);
        for k in rows {
            let mark = |b: bool| if b { "X" } else { "-" };
            if proxy {
                let named = if k.scope.has(NAMED) {
                    " (named only)"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "| `{}` | {}{named} | {} | {} | {} | {} |\n",
                    k.name,
                    mark(k.scope.has(DF)),
                    mark(k.scope.has(FE)),
                    mark(k.scope.allows(Scope(LI))),
                    mark(k.scope.has(BE)),
                    k.status.label()
                ));
            } else {
                out.push_str(&format!("| `{}` | {} |\n", k.name, k.status.label()));
            }
        }
        out.push('\n');
    }
    out
}
