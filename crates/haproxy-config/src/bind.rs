//! `bind ADDR[,ADDR…] [options…]`: listeners.

use crate::addr::{self, Address, Transport, Use};
use crate::diag::{Diagnostic, Location, Prefix};
use crate::host::Host;
use crate::model::Config;
use crate::parser::{Line, Outcome, Parser};
use crate::suggest;
pub use tls::{TlsVersion, Verify};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    /// The address list as written (`*:80`, `:8000-8010,:9000`).
    pub spec: String,
    pub addresses: Vec<Address>,
    pub ssl: bool,
    /// `crt` arguments in order (files or directories).
    pub crt: Vec<String>,
    /// `crt-list` arguments in order.
    pub crt_list: Vec<String>,
    /// Certificate files actually loaded from `crt`/`crt-list` at parse
    /// time (paths after `crt-base`), in load order: the first is the
    /// default certificate.
    pub certificates: Vec<String>,
    pub ca_file: Option<String>,
    pub crl_file: Option<String>,
    pub verify: Option<Verify>,
    pub alpn: Option<Vec<String>>,
    pub ssl_min_ver: Option<TlsVersion>,
    pub ssl_max_ver: Option<TlsVersion>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub curves: Option<String>,
    pub ecdhe: Option<String>,
    pub strict_sni: bool,
    /// Every option with its argument, in order, as written.
    pub options: Vec<(String, Option<String>)>,
    pub location: Location,
}

impl Bind {
    pub fn option(&self, name: &str) -> Option<Option<&str>> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }
}

/// Bind options of 2.6 and whether each takes an argument.
pub static BIND_OPTIONS: &[(&str, u8)] = &[
    ("accept-netscaler-cip", 1),
    ("accept-proxy", 0),
    ("backlog", 1),
    ("defer-accept", 0),
    ("expose-fd", 1),
    ("gid", 1),
    ("group", 1),
    ("id", 1),
    ("interface", 1),
    ("level", 1),
    ("maxconn", 1),
    ("mode", 1),
    ("mss", 1),
    ("name", 1),
    ("namespace", 1),
    ("nice", 1),
    ("process", 1),
    ("proto", 1),
    ("severity-output", 1),
    ("shards", 1),
    ("tcp-ut", 1),
    ("tfo", 0),
    ("thread", 1),
    ("transparent", 0),
    ("uid", 1),
    ("user", 1),
    ("v4v6", 0),
    ("v6only", 0),
    ("ssl", 0),
    ("allow-0rtt", 0),
    ("alpn", 1),
    ("ca-file", 1),
    ("ca-ignore-err", 1),
    ("ca-sign-file", 1),
    ("ca-sign-pass", 1),
    ("ca-verify-file", 1),
    ("ciphers", 1),
    ("ciphersuites", 1),
    ("crl-file", 1),
    ("crt", 1),
    ("crt-ignore-err", 1),
    ("crt-list", 1),
    ("curves", 1),
    ("ecdhe", 1),
    ("force-sslv3", 0),
    ("force-tlsv10", 0),
    ("force-tlsv11", 0),
    ("force-tlsv12", 0),
    ("force-tlsv13", 0),
    ("generate-certificates", 0),
    ("no-ca-names", 0),
    ("no-sslv3", 0),
    ("no-tls-tickets", 0),
    ("no-tlsv10", 0),
    ("no-tlsv11", 0),
    ("no-tlsv12", 0),
    ("no-tlsv13", 0),
    ("npn", 1),
    ("prefer-client-ciphers", 0),
    ("ssl-max-ver", 1),
    ("ssl-min-ver", 1),
    ("strict-sni", 0),
    ("tls-ticket-keys", 1),
    ("verify", 1),
];

/// Parse a `bind` line's address list and options (shared with `peers`
/// and `stats socket`).
pub fn parse_bind(p: &Parser<'_>, line: &Line, first: usize) -> Result<Bind, Diagnostic> {
    parse_bind_with_notes(p, line, first, &mut Vec::new())
}

/// [`parse_bind`], also returning the messages 2.6 prints while reading
/// the options, before the line's own verdict (the ca-file reports).
pub fn parse_bind_with_notes(
    p: &Parser<'_>,
    line: &Line,
    first: usize,
    notes: &mut Vec<Diagnostic>,
) -> Result<Bind, Diagnostic> {
    let here = |m: String| Diagnostic::alert(m).at(&line.loc, Prefix::Parsing);
    let Some(spec) = line.arg(first) else {
        return Err(here(format!(
            "'{}' expects {{<path>|[addr1]:port1[-end1]}}{{,[addr]:port[-end]}}... as arguments.",
            line.kw()
        )));
    };
    let env = |n: &str| p.env_var(n);
    let mut addresses = Vec::new();
    for part in spec.split(',') {
        let a = addr::parse(part, Use::Bind, p.host, &env).map_err(|e| {
            let m = match e {
                addr::AddrError::Unresolvable(h) => {
                    format!(
                        "invalid address: '{h}' in '{}'",
                        addr::expand_env(part, &env)
                    )
                }
                e => e.to_string(),
            };
            here(format!("'{}' : {m}", line.kw()))
        })?;
        let dgram = matches!(
            a,
            Address::Inet {
                transport: Transport::Datagram,
                ..
            } | Address::Unix {
                transport: Transport::Datagram,
                ..
            }
        );
        if dgram {
            return Err(here(format!(
                "'{}' : dgram-type address not acceptable in '{}'",
                line.kw(),
                addr::expand_env(part, &env)
            )));
        }
        addresses.push(a);
    }
    let mut b = Bind {
        spec: spec.to_string(),
        addresses,
        ssl: false,
        crt: Vec::new(),
        crt_list: Vec::new(),
        certificates: Vec::new(),
        ca_file: None,
        crl_file: None,
        verify: None,
        alpn: None,
        ssl_min_ver: None,
        ssl_max_ver: None,
        ciphers: None,
        ciphersuites: None,
        curves: None,
        ecdhe: None,
        strict_sni: false,
        options: Vec::new(),
        location: line.loc.clone(),
    };
    let section = p.proxy().map_or("listen", |px| px.kind.keyword());
    // Errors of an option: `'bind ADDR' in section 'S' : msg`.
    let opt_err = |m: String| {
        here(format!(
            "'{} {spec}' in section '{section}' : {m}",
            line.kw()
        ))
    };
    let crt_base = p.cfg.global.crt_base.as_deref();
    let ca_base = p.cfg.global.ca_base.as_deref();
    let mut i = first + 1;
    while i < line.words.len() {
        let o = line.words[i].as_str();
        let Some(&(_, nargs)) = BIND_OPTIONS.iter().find(|(n, _)| *n == o) else {
            let mut d = here(format!("'{} {spec}' unknown keyword '{o}'.", line.kw()));
            if let Some(s) = suggest::best_match(o, BIND_OPTIONS.iter().map(|(n, _)| *n)) {
                d = d.hint(format!("did you mean '{s}'?"));
            }
            return Err(d);
        };
        let arg = if nargs > 0 {
            match line.arg(i + 1) {
                Some(v) => {
                    i += 1;
                    Some(v.to_string())
                }
                // These keywords word their own complaint (below).
                None if matches!(o, "alpn" | "npn" | "ciphers" | "ciphersuites") => {
                    Some(String::new())
                }
                None => {
                    return Err(here(format!(
                        "'{} {spec}' : missing argument for '{o}'.",
                        line.kw()
                    )))
                }
            }
        } else {
            None
        };
        let v = arg.as_deref().unwrap_or("");
        match o {
            "ssl" => b.ssl = true,
            "strict-sni" => b.strict_sni = true,
            "crt" => {
                let path = tls::with_base(crt_base, v);
                let loaded = tls::load_crt(p.host, &path).map_err(|e| opt_err(e.to_string()))?;
                b.certificates.extend(loaded);
                b.crt.push(v.to_string());
            }
            "crt-list" => {
                let loaded = tls::load_crt_list(p.host, &tls::with_base(crt_base, v), crt_base)
                    .map_err(|e| opt_err(format!("'crt-list' : {e}")))?;
                b.certificates.extend(loaded);
                b.crt_list.push(v.to_string());
            }
            "ca-file" | "crl-file" => {
                let path = tls::with_base(ca_base, v);
                match tls::check_ca_file(p.host, &path, o == "crl-file") {
                    tls::CaCheck::Ok => {}
                    tls::CaCheck::Empty => notes.push(Diagnostic::warning(format!(
                        "ca-file: 0 CA were loaded from '{path}'"
                    ))),
                    tls::CaCheck::Unusable(why) => {
                        notes.push(Diagnostic::alert(format!(
                            "Couldn't open the ca-file '{path}' ({why})."
                        )));
                        return Err(opt_err(format!("'{o}' : unable to load {path}")));
                    }
                }
                if o == "ca-file" {
                    b.ca_file = Some(path);
                } else {
                    b.crl_file = Some(path);
                }
            }
            "verify" => {
                b.verify = Some(match v {
                    "none" => Verify::None,
                    "optional" => Verify::Optional,
                    "required" => Verify::Required,
                    _ => {
                        return Err(opt_err(format!(
                            "'verify' : unknown verify method '{v}', only 'none', 'optional', and 'required' are supported"
                        )))
                    }
                })
            }
            "ssl-min-ver" | "ssl-max-ver" => {
                let Some(ver) = TlsVersion::parse(v) else {
                    return Err(opt_err(format!("'{v}' : unknown ssl/tls version")));
                };
                if o == "ssl-min-ver" {
                    b.ssl_min_ver = Some(ver);
                } else {
                    b.ssl_max_ver = Some(ver);
                }
            }
            "alpn" | "npn" => {
                if v.is_empty() {
                    return Err(opt_err(format!(
                        "'{o}' : missing the comma-delimited {} protocol suite",
                        o.to_ascii_uppercase()
                    )));
                }
                if o == "alpn" {
                    b.alpn = Some(v.split(',').map(str::to_string).collect());
                }
            }
            "ciphers" | "ciphersuites" => {
                if v.is_empty() {
                    return Err(opt_err(format!("'{o}' : missing cipher suite")));
                }
                if o == "ciphers" {
                    b.ciphers = Some(v.to_string());
                } else {
                    b.ciphersuites = Some(v.to_string());
                }
            }
            "curves" => b.curves = Some(v.to_string()),
            "ecdhe" => b.ecdhe = Some(v.to_string()),
            _ => {}
        }
        b.options.push((o.to_string(), arg));
        i += 1;
    }
    Ok(b)
}

pub fn kw_bind(p: &mut Parser<'_>, line: &Line) -> Outcome {
    let mut notes = Vec::new();
    let r = parse_bind_with_notes(p, line, 1, &mut notes);
    p.diags.extend(notes);
    match r {
        Ok(b) => {
            if let Some(px) = p.proxy_mut() {
                px.binds.push(b);
            }
            Outcome::Ok
        }
        Err(d) => Outcome::Alert(d),
    }
}

/// Whole-configuration checks on listeners (certificates, fd@ sockets), run after parsing succeeded.
pub fn post_parse(cfg: &Config, _host: &dyn Host, out: &mut Vec<Diagnostic>) {
    let g = &cfg.global;
    let (def_min, def_max) = tls::versions_in(&g.ssl_default_bind_options);
    for px in cfg.proxies.iter().filter(|p| p.kind.has_frontend()) {
        for b in px.binds.iter().filter(|b| b.ssl) {
            let who = format!("Proxy '{}'", px.name);
            let at = format!("for bind '{}' at [{}]", b.spec, b.location);
            // 2.6 prints these twice, the copy without the level tag.
            let twice = |m: String| Diagnostic::alert(m.clone()).detail(m);
            if b.certificates.is_empty() {
                out.push(if b.strict_sni {
                    Diagnostic::warning(format!(
                        "{who}: no SSL certificate specified {at}, ssl connections will fail (use 'crt')."
                    ))
                } else {
                    Diagnostic::alert(format!(
                        "{who}: no SSL certificate specified {at} (use 'crt')."
                    ))
                });
            }
            let min = b.ssl_min_ver.or(def_min);
            let max = b.ssl_max_ver.or(def_max);
            match (min, max) {
                (Some(lo), Some(hi)) if lo > hi => out.push(Diagnostic::alert(format!(
                    "{who}: all SSL/TLS versions are disabled {at}."
                ))),
                (None, Some(hi)) if hi < TlsVersion::TlsV12 => out.push(Diagnostic::warning(format!(
                    "{who}: Ambiguous configuration {at}: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (TLSv1.2). Setting the ssl-min-ver to {}. Use 'ssl-min-ver' to fix this.",
                    hi.name()
                ))),
                _ => {}
            }
            if matches!(b.verify, Some(Verify::Optional | Verify::Required)) && b.ca_file.is_none()
            {
                out.push(twice(format!(
                    "{who}: verify is enabled but no CA file specified {at}."
                )));
            }
            if let Some(c) = b
                .ciphers
                .as_deref()
                .or(g.ssl_default_bind_ciphers.as_deref())
            {
                if !tls::cipher_list_ok(c) {
                    out.push(twice(format!(
                        "{who}: unable to set SSL cipher list to '{c}' {at}."
                    )));
                }
            }
            if let Some(c) = b
                .ciphersuites
                .as_deref()
                .or(g.ssl_default_bind_ciphersuites.as_deref())
            {
                if !tls::ciphersuites_ok(c) {
                    out.push(twice(format!(
                        "{who}: unable to set TLS 1.3 cipher suites to '{c}' {at}."
                    )));
                }
            }
            if let Some(c) = b.curves.as_deref() {
                if !c.split(':').all(tls::known_group) {
                    out.push(twice(format!(
                        "{who}: unable to set SSL curves list to '{c}' {at}."
                    )));
                }
            }
            if let Some(c) = b.ecdhe.as_deref() {
                if !tls::known_group(c) {
                    out.push(twice(format!(
                        "{who}: unable to set elliptic named curve to '{c}' {at}."
                    )));
                }
            }
        }
    }
}

/// TLS material as 2.6 judges it at `-c` time: certificate files and
/// directories, CA/CRL files, protocol versions and OpenSSL cipher
/// strings. PEM files are recognised by their BEGIN markers only.
pub mod tls {
    use crate::host::{Host, PathKind};

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum TlsVersion {
        SslV3,
        TlsV10,
        TlsV11,
        TlsV12,
        TlsV13,
    }

    impl TlsVersion {
        /// `SSLv3`, `TLSv1.0` … `TLSv1.3`, case-sensitive as in 2.6.
        pub fn parse(s: &str) -> Option<Self> {
            Some(match s {
                "SSLv3" => TlsVersion::SslV3,
                "TLSv1.0" => TlsVersion::TlsV10,
                "TLSv1.1" => TlsVersion::TlsV11,
                "TLSv1.2" => TlsVersion::TlsV12,
                "TLSv1.3" => TlsVersion::TlsV13,
                _ => return None,
            })
        }

        pub fn name(self) -> &'static str {
            match self {
                TlsVersion::SslV3 => "SSLv3",
                TlsVersion::TlsV10 => "TLSv1.0",
                TlsVersion::TlsV11 => "TLSv1.1",
                TlsVersion::TlsV12 => "TLSv1.2",
                TlsVersion::TlsV13 => "TLSv1.3",
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Verify {
        None,
        Optional,
        Required,
    }

    /// `ssl-min-ver`/`ssl-max-ver` among `ssl-default-*-options` words.
    pub fn versions_in(words: &[String]) -> (Option<TlsVersion>, Option<TlsVersion>) {
        let mut out = (None, None);
        for w in words.windows(2) {
            match w[0].as_str() {
                "ssl-min-ver" => out.0 = TlsVersion::parse(&w[1]),
                "ssl-max-ver" => out.1 = TlsVersion::parse(&w[1]),
                _ => {}
            }
        }
        out
    }

    /// A relative path is taken from `base` (`crt-base`, `ca-base`) when
    /// one is set, else from the working directory.
    pub fn with_base(base: Option<&str>, path: &str) -> String {
        match base {
            Some(b) if !path.starts_with('/') && !b.is_empty() => {
                format!("{}/{path}", b.trim_end_matches('/'))
            }
            _ => path.to_string(),
        }
    }

    /// Why a certificate could not be loaded, worded as 2.6 words it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CertError {
        Stat { path: String, reason: String },
        NotCert(String),
        NoKey(String),
        BadKey(String),
        Ocsp { dir: Option<String>, ocsp: String },
        List(String),
    }

    impl std::fmt::Display for CertError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                CertError::Stat { path, reason } => write!(
                    f,
                    "unable to stat SSL certificate from file '{path}' : {reason}."
                ),
                CertError::NotCert(p) => write!(f, "unable to load certificate from file '{p}'."),
                CertError::NoKey(k) => write!(f, "No Private Key found in '{k}'."),
                CertError::BadKey(k) => write!(
                    f,
                    "\n  unable to load private key from file '{k}'.\n   '{k}' is present but cannot be read or parsed'."
                ),
                CertError::Ocsp { dir, ocsp } => {
                    if let Some(d) = dir {
                        write!(f, "error processing line 0 in file '{d}' : ")?;
                    }
                    write!(f, " '{ocsp}' is present and activates OCSP but it is impossible to compute the OCSP certificate ID (maybe the issuer could not be found)'.")
                }
                CertError::List(m) => f.write_str(m),
            }
        }
    }

    fn text(host: &dyn Host, path: &str) -> Option<String> {
        host.read(path)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    pub fn has_cert(pem: &str) -> bool {
        pem.contains("-----BEGIN CERTIFICATE-----")
            || pem.contains("-----BEGIN TRUSTED CERTIFICATE-----")
    }

    pub fn has_key(pem: &str) -> bool {
        pem.lines()
            .any(|l| l.starts_with("-----BEGIN ") && l.ends_with("PRIVATE KEY-----"))
    }

    /// Load one certificate file: a PEM certificate, its key in the same
    /// file or in `<file>.key`, and no `.ocsp` response 2.6 cannot use.
    pub fn load_cert_file(host: &dyn Host, path: &str, dir: Option<&str>) -> Result<(), CertError> {
        let Some(pem) = text(host, path) else {
            return Err(CertError::Stat {
                path: path.to_string(),
                reason: "No such file or directory".into(),
            });
        };
        if !has_cert(&pem) {
            return Err(CertError::NotCert(path.to_string()));
        }
        if !has_key(&pem) {
            let key = format!("{path}.key");
            match text(host, &key) {
                None => return Err(CertError::NoKey(key)),
                Some(k) if !has_key(&k) => return Err(CertError::BadKey(key)),
                Some(_) => {}
            }
        }
        let ocsp = format!("{path}.ocsp");
        let chained = pem.matches("-----BEGIN CERTIFICATE-----").count() > 1;
        if host.path_kind(&ocsp) == PathKind::File
            && !chained
            && host.path_kind(&format!("{path}.issuer")) != PathKind::File
        {
            return Err(CertError::Ocsp {
                dir: dir.map(str::to_string),
                ocsp,
            });
        }
        Ok(())
    }

    /// Whether a directory entry is a certificate to load.
    pub fn is_cert_entry(name: &str) -> bool {
        !name.starts_with('.')
            && ![".key", ".issuer", ".ocsp", ".sctl"]
                .iter()
                .any(|e| name.ends_with(e))
    }

    /// `crt <file|dir>`: the certificate files loaded, in order. An empty
    /// directory loads nothing (the listener then has no certificate).
    pub fn load_crt(host: &dyn Host, path: &str) -> Result<Vec<String>, CertError> {
        match host.path_kind(path) {
            PathKind::Missing => Err(CertError::Stat {
                path: path.to_string(),
                reason: "No such file or directory".into(),
            }),
            PathKind::Dir => {
                let mut names = host.list_dir(path).unwrap_or_default();
                names.retain(|n| is_cert_entry(n));
                names.sort();
                let mut out = Vec::new();
                for n in names {
                    let full = format!("{}/{n}", path.trim_end_matches('/'));
                    if host.path_kind(&full) != PathKind::File {
                        continue;
                    }
                    load_cert_file(host, &full, Some(path))?;
                    out.push(full);
                }
                Ok(out)
            }
            _ => {
                load_cert_file(host, path, None)?;
                Ok(vec![path.to_string()])
            }
        }
    }

    /// SSL bind keywords allowed between brackets in a crt-list line.
    const CRT_LIST_KEYWORDS: &[&str] = &[
        "allow-0rtt",
        "alpn",
        "ca-file",
        "ca-verify-file",
        "ciphers",
        "ciphersuites",
        "crl-file",
        "curves",
        "ecdhe",
        "no-ca-names",
        "npn",
        "ssl-min-ver",
        "ssl-max-ver",
        "verify",
        "ocsp-update",
    ];

    /// `crt-list <file>`: each line `<crt> [opts] [sni filters]`; lines
    /// starting with `#` and blank lines are skipped.
    pub fn load_crt_list(
        host: &dyn Host,
        path: &str,
        crt_base: Option<&str>,
    ) -> Result<Vec<String>, CertError> {
        let Some(body) = text(host, path) else {
            return Err(CertError::List(format!(
                "cannot open file '{path}' : No such file or directory"
            )));
        };
        let mut out = Vec::new();
        for (n, raw) in body.lines().enumerate() {
            if raw.starts_with('#') || raw.trim().is_empty() {
                continue;
            }
            let mut words = raw.split_whitespace();
            let crt = words.next().unwrap_or_default();
            let rest: Vec<&str> = words.collect();
            if rest.first().is_some_and(|w| w.starts_with('[')) {
                let joined = rest.join(" ");
                let inner = joined
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .unwrap_or_default();
                let mut it = inner.split_whitespace();
                while let Some(kw) = it.next() {
                    if !CRT_LIST_KEYWORDS.contains(&kw) {
                        return Err(CertError::List(format!(
                            "parsing [{path}:{}]: unknown ssl keyword {kw}",
                            n + 1
                        )));
                    }
                    if !matches!(kw, "allow-0rtt" | "no-ca-names") {
                        it.next();
                    }
                }
            }
            let full = with_base(crt_base, crt);
            out.extend(load_crt(host, &full)?);
        }
        Ok(out)
    }

    /// What a `ca-file`/`crl-file` turned out to hold.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CaCheck {
        Ok,
        /// A directory without certificates (a warning in 2.6).
        Empty,
        /// Unusable, with the reason 2.6 gives in parentheses.
        Unusable(String),
    }

    pub fn check_ca_file(host: &dyn Host, path: &str, crl: bool) -> CaCheck {
        if path == "@system-ca" && !crl {
            return CaCheck::Ok;
        }
        match host.path_kind(path) {
            PathKind::Missing => CaCheck::Unusable("No such file or directory".into()),
            PathKind::Dir => {
                let any = host.list_dir(path).unwrap_or_default().iter().any(|n| {
                    text(host, &format!("{}/{n}", path.trim_end_matches('/')))
                        .is_some_and(|t| has_cert(&t))
                });
                if any || crl {
                    CaCheck::Ok
                } else {
                    CaCheck::Empty
                }
            }
            _ => match text(host, path) {
                Some(t) if has_cert(&t) || t.contains("-----BEGIN X509 CRL-----") => CaCheck::Ok,
                _ => CaCheck::Unusable("no certificate or crl found".into()),
            },
        }
    }

    /// TLS 1.3 suite names OpenSSL 3.0 knows; unknown names in a list are
    /// skipped, a list with none known is refused.
    pub fn ciphersuites_ok(s: &str) -> bool {
        const SUITES: &[&str] = &[
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_128_CCM_SHA256",
            "TLS_AES_128_CCM_8_SHA256",
        ];
        s.split(':').any(|n| SUITES.contains(&n))
    }

    /// A group (curve) name OpenSSL 3.0 accepts in a curves list: the TLS
    /// group names (any case) and the NIST/X9.62 aliases of those curves.
    pub fn known_group(name: &str) -> bool {
        const GROUPS: &[&str] = &[
            "sect163k1",
            "sect163r1",
            "sect163r2",
            "sect193r1",
            "sect193r2",
            "sect233k1",
            "sect233r1",
            "sect239k1",
            "sect283k1",
            "sect283r1",
            "sect409k1",
            "sect409r1",
            "sect571k1",
            "sect571r1",
            "secp160k1",
            "secp160r1",
            "secp160r2",
            "secp192k1",
            "secp192r1",
            "secp224k1",
            "secp224r1",
            "secp256k1",
            "secp256r1",
            "secp384r1",
            "secp521r1",
            "brainpoolP256r1",
            "brainpoolP384r1",
            "brainpoolP512r1",
            "x25519",
            "x448",
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
        ];
        const ALIASES: &[&str] = &[
            "prime192v1",
            "prime256v1",
            "P-192",
            "P-224",
            "P-256",
            "P-384",
            "P-521",
            "K-163",
            "B-163",
            "K-233",
            "B-233",
            "K-283",
            "B-283",
            "K-409",
            "B-409",
            "K-571",
            "B-571",
        ];
        GROUPS.iter().any(|g| g.eq_ignore_ascii_case(name)) || ALIASES.contains(&name)
    }

    // The TLS 1.2-and-older suites of OpenSSL 3.0 as built for Debian 12
    // (the library 2.6.12 runs with), and for each alias the suites it
    // selects, as bits over that list. Measured with `openssl ciphers`.
    static CIPHERS: &[&str] = &[
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "DHE-DSS-AES256-GCM-SHA384",
        "DHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-CCM8",
        "ECDHE-ECDSA-AES256-CCM",
        "DHE-RSA-AES256-CCM8",
        "DHE-RSA-AES256-CCM",
        "ECDHE-ECDSA-ARIA256-GCM-SHA384",
        "ECDHE-ARIA256-GCM-SHA384",
        "DHE-DSS-ARIA256-GCM-SHA384",
        "DHE-RSA-ARIA256-GCM-SHA384",
        "ADH-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "DHE-DSS-AES128-GCM-SHA256",
        "DHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES128-CCM8",
        "ECDHE-ECDSA-AES128-CCM",
        "DHE-RSA-AES128-CCM8",
        "DHE-RSA-AES128-CCM",
        "ECDHE-ECDSA-ARIA128-GCM-SHA256",
        "ECDHE-ARIA128-GCM-SHA256",
        "DHE-DSS-ARIA128-GCM-SHA256",
        "DHE-RSA-ARIA128-GCM-SHA256",
        "ADH-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA384",
        "DHE-RSA-AES256-SHA256",
        "DHE-DSS-AES256-SHA256",
        "ECDHE-ECDSA-CAMELLIA256-SHA384",
        "ECDHE-RSA-CAMELLIA256-SHA384",
        "DHE-RSA-CAMELLIA256-SHA256",
        "DHE-DSS-CAMELLIA256-SHA256",
        "ADH-AES256-SHA256",
        "ADH-CAMELLIA256-SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "DHE-RSA-AES128-SHA256",
        "DHE-DSS-AES128-SHA256",
        "ECDHE-ECDSA-CAMELLIA128-SHA256",
        "ECDHE-RSA-CAMELLIA128-SHA256",
        "DHE-RSA-CAMELLIA128-SHA256",
        "DHE-DSS-CAMELLIA128-SHA256",
        "ADH-AES128-SHA256",
        "ADH-CAMELLIA128-SHA256",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES256-SHA",
        "DHE-RSA-AES256-SHA",
        "DHE-DSS-AES256-SHA",
        "DHE-RSA-CAMELLIA256-SHA",
        "DHE-DSS-CAMELLIA256-SHA",
        "AECDH-AES256-SHA",
        "ADH-AES256-SHA",
        "ADH-CAMELLIA256-SHA",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "DHE-RSA-AES128-SHA",
        "DHE-DSS-AES128-SHA",
        "DHE-RSA-CAMELLIA128-SHA",
        "DHE-DSS-CAMELLIA128-SHA",
        "AECDH-AES128-SHA",
        "ADH-AES128-SHA",
        "ADH-CAMELLIA128-SHA",
        "RSA-PSK-AES256-GCM-SHA384",
        "DHE-PSK-AES256-GCM-SHA384",
        "RSA-PSK-CHACHA20-POLY1305",
        "DHE-PSK-CHACHA20-POLY1305",
        "ECDHE-PSK-CHACHA20-POLY1305",
        "DHE-PSK-AES256-CCM8",
        "DHE-PSK-AES256-CCM",
        "RSA-PSK-ARIA256-GCM-SHA384",
        "DHE-PSK-ARIA256-GCM-SHA384",
        "AES256-GCM-SHA384",
        "AES256-CCM8",
        "AES256-CCM",
        "ARIA256-GCM-SHA384",
        "PSK-AES256-GCM-SHA384",
        "PSK-CHACHA20-POLY1305",
        "PSK-AES256-CCM8",
        "PSK-AES256-CCM",
        "PSK-ARIA256-GCM-SHA384",
        "RSA-PSK-AES128-GCM-SHA256",
        "DHE-PSK-AES128-GCM-SHA256",
        "DHE-PSK-AES128-CCM8",
        "DHE-PSK-AES128-CCM",
        "RSA-PSK-ARIA128-GCM-SHA256",
        "DHE-PSK-ARIA128-GCM-SHA256",
        "AES128-GCM-SHA256",
        "AES128-CCM8",
        "AES128-CCM",
        "ARIA128-GCM-SHA256",
        "PSK-AES128-GCM-SHA256",
        "PSK-AES128-CCM8",
        "PSK-AES128-CCM",
        "PSK-ARIA128-GCM-SHA256",
        "AES256-SHA256",
        "CAMELLIA256-SHA256",
        "AES128-SHA256",
        "CAMELLIA128-SHA256",
        "ECDHE-PSK-AES256-CBC-SHA384",
        "ECDHE-PSK-AES256-CBC-SHA",
        "SRP-DSS-AES-256-CBC-SHA",
        "SRP-RSA-AES-256-CBC-SHA",
        "SRP-AES-256-CBC-SHA",
        "RSA-PSK-AES256-CBC-SHA384",
        "DHE-PSK-AES256-CBC-SHA384",
        "RSA-PSK-AES256-CBC-SHA",
        "DHE-PSK-AES256-CBC-SHA",
        "ECDHE-PSK-CAMELLIA256-SHA384",
        "RSA-PSK-CAMELLIA256-SHA384",
        "DHE-PSK-CAMELLIA256-SHA384",
        "AES256-SHA",
        "CAMELLIA256-SHA",
        "PSK-AES256-CBC-SHA384",
        "PSK-AES256-CBC-SHA",
        "PSK-CAMELLIA256-SHA384",
        "ECDHE-PSK-AES128-CBC-SHA256",
        "ECDHE-PSK-AES128-CBC-SHA",
        "SRP-DSS-AES-128-CBC-SHA",
        "SRP-RSA-AES-128-CBC-SHA",
        "SRP-AES-128-CBC-SHA",
        "RSA-PSK-AES128-CBC-SHA256",
        "DHE-PSK-AES128-CBC-SHA256",
        "RSA-PSK-AES128-CBC-SHA",
        "DHE-PSK-AES128-CBC-SHA",
        "ECDHE-PSK-CAMELLIA128-SHA256",
        "RSA-PSK-CAMELLIA128-SHA256",
        "DHE-PSK-CAMELLIA128-SHA256",
        "AES128-SHA",
        "CAMELLIA128-SHA",
        "PSK-AES128-CBC-SHA256",
        "PSK-AES128-CBC-SHA",
        "PSK-CAMELLIA128-SHA256",
        "ECDHE-ECDSA-NULL-SHA",
        "ECDHE-RSA-NULL-SHA",
        "AECDH-NULL-SHA",
        "NULL-SHA256",
        "ECDHE-PSK-NULL-SHA384",
        "ECDHE-PSK-NULL-SHA256",
        "ECDHE-PSK-NULL-SHA",
        "RSA-PSK-NULL-SHA384",
        "RSA-PSK-NULL-SHA256",
        "DHE-PSK-NULL-SHA384",
        "DHE-PSK-NULL-SHA256",
        "RSA-PSK-NULL-SHA",
        "DHE-PSK-NULL-SHA",
        "NULL-SHA",
        "NULL-MD5",
        "PSK-NULL-SHA384",
        "PSK-NULL-SHA256",
        "PSK-NULL-SHA",
    ];

    static ALIASES: &[(&str, [u64; 3])] = &[
        ("ALL", [0xffffffffffffffff, 0xffffffffffffffff, 0x1ff]),
        ("COMPLEMENTOFALL", [0x0, 0x0, 0x7fffe00]),
        (
            "COMPLEMENTOFDEFAULT",
            [0xe3f1fc7f1ff4ff84, 0x4970257779cef07, 0x12e],
        ),
        ("HIGH", [0xffffffffffffffff, 0xffffffffffffffff, 0x1ff]),
        ("FIPS", [0x3d9e87a1f00f800f, 0xe368f1a88861101b, 0xd1]),
        ("kRSA", [0x0, 0x1800787800f000, 0xc01030]),
        ("kEDH", [0xf379e6799ccce64c, 0x6, 0x0]),
        ("kDHE", [0xf379e6799ccce64c, 0x6, 0x0]),
        ("DH", [0xf379e6799ccce64c, 0x6, 0x0]),
        ("kEECDH", [0xc861986633319b3, 0x1, 0xe00]),
        ("kECDHE", [0xc861986633319b3, 0x1, 0xe00]),
        ("ECDH", [0xc861986633319b3, 0x1, 0xe00]),
        ("kPSK", [0x0, 0xe00007801f0000, 0x70001c0]),
        ("kRSAPSK", [0x0, 0xa002500002200428, 0x130004]),
        ("kECDHEPSK", [0x0, 0x301018000000080, 0xe002]),
        ("kDHEPSK", [0x0, 0x4004a00005c00b50, 0x2c0009]),
        ("kSRP", [0x0, 0x1c000e0000000000, 0x0]),
        ("aRSA", [0x582c330ccaca566a, 0xa81a54787a20f428, 0xd31434]),
        ("aDSS", [0xa050441104042004, 0x400020000000000, 0x0]),
        ("DSS", [0xa050441104042004, 0x400020000000000, 0x0]),
        ("aNULL", [0x381806010008000, 0x7, 0x800]),
        ("aECDSA", [0x402088221310991, 0x0, 0x200]),
        ("ECDSA", [0x402088221310991, 0x0, 0x200]),
        ("aPSK", [0x0, 0x43e5a18785df0bd0, 0x72ce1cb]),
        ("aSRP", [0x0, 0x1000080000000000, 0x0]),
        ("EDH", [0xf07866198ccc664c, 0x0, 0x0]),
        ("DHE", [0xf07866198ccc664c, 0x0, 0x0]),
        ("EECDH", [0xc061986633319b3, 0x0, 0x600]),
        ("ECDHE", [0xc061986633319b3, 0x0, 0x600]),
        ("NULL", [0x0, 0x0, 0x7fffe00]),
        ("eNULL", [0x0, 0x0, 0x7fffe00]),
        ("RSA", [0x0, 0x1800787800f000, 0xc01030]),
        ("ADH", [0x301806010008000, 0x6, 0x0]),
        ("AECDH", [0x80000000000000, 0x1, 0x800]),
        ("PSK", [0x0, 0xe3e7f18787ff0ff8, 0x73fe1cf]),
        ("SRP", [0x0, 0x1c000e0000000000, 0x0]),
        ("SSLv3", [0xf378000000000000, 0x9c58ce0000000006, 0x4f000b1]),
        ("TLSv1", [0xc86000000000000, 0x63a7318000000001, 0x30fef4e]),
        (
            "TLSv1.0",
            [0xc86000000000000, 0x63a7318000000001, 0x30fef4e],
        ),
        ("TLSv1.2", [0x1ffffffffffff, 0x7ffffffff8, 0x1000]),
        ("AES128", [0x3c00878010ff0000, 0xff000023b9e00003, 0xd1]),
        ("AES256", [0x19e0021e000878f, 0x68ff88000d7318, 0x0]),
        ("AES", [0x3d9e87a1f0ff878f, 0xff68ffabb9ed731b, 0xd1]),
        ("AESGCM", [0x100f800f, 0x88611018, 0x0]),
        ("AESCCM", [0xf00780, 0x3318c6300, 0x0]),
        ("AESCCM8", [0x500280, 0x110842100, 0x0]),
        ("CAMELLIA128", [0xc001780000000000, 0x4000000004, 0x12e]),
        ("CAMELLIA256", [0x260005e00000000, 0x97001000000000, 0x0]),
        ("CAMELLIA", [0xc261785e00000000, 0x97005000000004, 0x12e]),
        ("CHACHA20", [0x70, 0x200e0, 0x0]),
        ("ARIA", [0xf007800, 0x446108c00, 0x0]),
        ("ARIA128", [0xf000000, 0x446000000, 0x0]),
        ("ARIA256", [0x7800, 0x108c00, 0x0]),
        ("ARIAGCM", [0xf007800, 0x446108c00, 0x0]),
        ("CBC", [0xffffffffe0000000, 0xfffffff800000007, 0x1ff]),
        ("MD5", [0x0, 0x0, 0x800000]),
        ("SHA1", [0xfffe000000000000, 0x9e58cf0000000007, 0x4708eb1]),
        ("SHA", [0xfffe000000000000, 0x9e58cf0000000007, 0x4708eb1]),
        ("SHA256", [0x1fff980000000, 0x6100007800000000, 0x20a514e]),
        ("SHA384", [0x660000000, 0xa7308000000000, 0x1052000]),
        ("SUITEB128", [0x10001, 0x0, 0x0]),
        ("SUITEB128ONLY", [0x10000, 0x0, 0x0]),
        ("SUITEB128C2", [0x1, 0x0, 0x0]),
        ("SUITEB192", [0x1, 0x0, 0x0]),
    ];

    static DEFAULT: [u64; 3] = [0x1c0e0380e00b007b, 0xfb68fda8886310f8, 0xd1];

    fn lookup(name: &str) -> Option<[u64; 3]> {
        if let Some((_, m)) = ALIASES.iter().find(|(a, _)| *a == name) {
            return Some(*m);
        }
        let i = CIPHERS.iter().position(|c| *c == name)?;
        let mut m = [0u64; 3];
        m[i / 64] |= 1 << (i % 64);
        Some(m)
    }

    fn and(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
        [a[0] & b[0], a[1] & b[1], a[2] & b[2]]
    }

    fn and_not(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
        [a[0] & !b[0], a[1] & !b[1], a[2] & !b[2]]
    }

    fn or(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
        [a[0] | b[0], a[1] | b[1], a[2] | b[2]]
    }

    /// Evaluate an OpenSSL cipher string (`ciphers`, `ssl-default-*-ciphers`)
    /// the way `SSL_CTX_set_cipher_list` does, and tell whether it leaves
    /// at least one TLS 1.2-or-older suite: 2.6 refuses the string
    /// otherwise. Elements are separated by `:`, `,`, `;` or spaces; `!`
    /// removes for good, `-` removes, `+` only reorders; `A+B` intersects;
    /// unknown names select nothing; a malformed element fails the string.
    pub fn cipher_list_ok(s: &str) -> bool {
        let mut active = [0u64; 3];
        let mut killed = [0u64; 3];
        let rest = match s.strip_prefix("DEFAULT") {
            Some(r) => {
                active = DEFAULT;
                r
            }
            None => s,
        };
        let b = rest.as_bytes();
        let sep = |c: u8| matches!(c, b':' | b' ' | b';' | b',');
        let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'=');
        let mut i = 0;
        while i < b.len() {
            let ch = b[i];
            if sep(ch) {
                i += 1;
                continue;
            }
            let op = if matches!(ch, b'-' | b'+' | b'!' | b'@') {
                i += 1;
                ch
            } else {
                b'a'
            };
            let mut set = Some([u64::MAX; 3]);
            loop {
                let st = i;
                while i < b.len() && name_char(b[i]) {
                    i += 1;
                }
                if i == st {
                    return false;
                }
                let name = &rest[st..i];
                if op == b'@' {
                    let ok = name == "STRENGTH"
                        || name.strip_prefix("SECLEVEL=").is_some_and(|l| {
                            l.len() == 1 && (b'0'..=b'5').contains(&l.as_bytes()[0])
                        });
                    if !ok {
                        return false;
                    }
                    set = None;
                    while i < b.len() && !sep(b[i]) {
                        i += 1;
                    }
                    break;
                }
                set = match (set, lookup(name)) {
                    (Some(a), Some(m)) => Some(and(a, m)),
                    _ => None,
                };
                if i < b.len() && b[i] == b'+' {
                    i += 1;
                } else {
                    break;
                }
            }
            let Some(set) = set else { continue };
            match op {
                b'!' => {
                    active = and_not(active, set);
                    killed = or(killed, set);
                }
                b'-' => active = and_not(active, set),
                b'+' => {}
                _ => active = or(active, and_not(set, killed)),
            }
        }
        active != [0; 3]
    }
}

#[cfg(test)]
mod tests {
    use super::tls::*;

    use crate::host::MemHost;
    use crate::{check, Source, Verdict};

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    const CERT_ONLY: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const KEY_ONLY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";

    fn host(files: &[(&str, &str)], dirs: &[&str]) -> MemHost {
        let mut h = MemHost::default();
        for (p, c) in files {
            h.files.insert(p.to_string(), c.as_bytes().to_vec());
        }
        h.dirs = dirs.iter().map(|d| d.to_string()).collect();
        h
    }

    fn run(cfg: &str, h: &MemHost) -> crate::Report {
        let src = Source {
            name: "f".into(),
            data: format!(
                "{cfg}\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
            )
            .into_bytes(),
        };
        check(&[src], h)
    }

    fn listen(global: &str, bind: &str, h: &MemHost) -> crate::Report {
        let src = Source {
            name: "f".into(),
            data: format!(
                "global\n{global}\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten stats\n  {bind}\n  server s 192.0.2.1:80\n"
            )
            .into_bytes(),
        };
        check(&[src], h)
    }

    fn messages(r: &crate::Report) -> Vec<String> {
        r.diags.iter().map(|d| d.body()).collect()
    }

    #[test]
    fn guide_cipher_string_is_accepted_and_empty_ones_refused() {
        assert!(cipher_list_ok(
            "kEECDH+aRSA+AES:kRSA+AES:+AES256:RC4-SHA:!kEDH:!LOW:!EXP:!MD5:!aNULL:!eNULL"
        ));
        for bad in [
            "RC4-SHA",
            "FOO:BAR",
            "ALL:!ALL",
            "3DES",
            "!AES",
            "@STRENGTH",
            "AES*",
            "AES+",
            "AES:@SECLEVEL=x",
            "FOO:DEFAULT",
            "aes",
        ] {
            assert!(!cipher_list_ok(bad), "{bad}");
        }
        for good in [
            "DEFAULT",
            "HIGH:!aNULL:!MD5",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "FOO:AES128-SHA",
            "AES@SECLEVEL=0",
            "AES:@STRENGTH",
            "DEFAULT:!AES",
            "eNULL",
            "-ALL:AES",
            "AES RSA",
        ] {
            assert!(cipher_list_ok(good), "{good}");
        }
    }

    #[test]
    fn tls13_suites_and_groups() {
        assert!(ciphersuites_ok("FOO:TLS_AES_128_GCM_SHA256"));
        assert!(!ciphersuites_ok("FOO"));
        assert!(known_group("X25519") && known_group("prime256v1") && known_group("P-256"));
        assert!(!known_group("p-256") && !known_group("FOO"));
    }

    #[test]
    fn versions() {
        assert_eq!(TlsVersion::parse("TLSv1.2"), Some(TlsVersion::TlsV12));
        assert_eq!(TlsVersion::parse("tlsv1.2"), None);
        let w: Vec<String> = ["ssl-min-ver", "TLSv1.3", "no-tls-tickets"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(versions_in(&w), (Some(TlsVersion::TlsV13), None));
    }

    #[test]
    fn crt_directory_rules() {
        let h = host(
            &[
                ("/c/b.pem", PEM),
                ("/c/a.pem", CERT_ONLY),
                ("/c/a.pem.key", KEY_ONLY),
                ("/c/.hidden", "x"),
                ("/c/x.issuer", "x"),
                ("/c/x.ocsp", "x"),
                ("/c/x.sctl", "x"),
            ],
            &["/c", "/empty"],
        );
        assert_eq!(load_crt(&h, "/c").unwrap(), vec!["/c/a.pem", "/c/b.pem"]);
        assert_eq!(load_crt(&h, "/empty").unwrap(), Vec::<String>::new());
        assert_eq!(
            load_crt(&h, "/nope/").unwrap_err().to_string(),
            "unable to stat SSL certificate from file '/nope/' : No such file or directory."
        );
        let h2 = host(&[("/d/readme.txt", "hello"), ("/d/z.pem", PEM)], &["/d"]);
        assert_eq!(
            load_crt(&h2, "/d").unwrap_err().to_string(),
            "unable to load certificate from file '/d/readme.txt'."
        );
        let h3 = host(&[("/e.pem", CERT_ONLY)], &[]);
        assert_eq!(
            load_crt(&h3, "/e.pem").unwrap_err().to_string(),
            "No Private Key found in '/e.pem.key'."
        );
        let h4 = host(&[("/f.pem", PEM), ("/f.pem.ocsp", "x")], &[]);
        assert!(matches!(
            load_crt(&h4, "/f.pem"),
            Err(CertError::Ocsp { .. })
        ));
    }

    #[test]
    fn missing_crt_is_a_parse_error() {
        let r = listen(
            "",
            "bind *:9000 ssl crt /etc/pki/tls/private/",
            &MemHost::default(),
        );
        assert_eq!(r.verdict(), Verdict::Invalid);
        assert_eq!(
            messages(&r)[0],
            "parsing [f:9] : 'bind *:9000' in section 'listen' : unable to stat SSL certificate from file '/etc/pki/tls/private/' : No such file or directory."
        );
        assert!(!r.error_files.is_empty());
    }

    #[test]
    fn empty_dir_and_no_crt_are_post_parse_errors() {
        let h = host(&[], &["/empty"]);
        for b in ["bind *:9000 ssl crt /empty", "bind *:9000 ssl"] {
            let r = listen("", b, &h);
            assert_eq!(r.verdict(), Verdict::Invalid);
            assert!(r.error_files.is_empty());
            assert_eq!(
                messages(&r),
                vec!["Proxy 'stats': no SSL certificate specified for bind '*:9000' at [f:9] (use 'crt')."]
            );
        }
        let r = listen("", "bind *:9000 ssl strict-sni", &h);
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
    }

    #[test]
    fn crt_base_and_crt_list() {
        let h = host(
            &[
                ("/certs/s.pem", PEM),
                ("/l.list", "# c\n\ns.pem [alpn h2] example.com\n"),
                ("/bad.list", "s.pem [bogus x]\n"),
            ],
            &["/certs"],
        );
        let r = listen("  crt-base /certs", "bind *:9000 ssl crt s.pem", &h);
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        let r = listen("  crt-base /certs", "bind *:9000 ssl crt-list /l.list", &h);
        assert_eq!(r.verdict(), Verdict::Valid, "{:?}", messages(&r));
        let r = listen(
            "  crt-base /certs",
            "bind *:9000 ssl crt-list /bad.list",
            &h,
        );
        assert!(messages(&r)[0]
            .ends_with("'crt-list' : parsing [/bad.list:1]: unknown ssl keyword bogus"));
        let r = listen("", "bind *:9000 ssl crt-list /none.list", &h);
        assert!(messages(&r)[0]
            .ends_with("'crt-list' : cannot open file '/none.list' : No such file or directory"));
    }

    #[test]
    fn bind_tls_options() {
        let h = host(&[("/s.pem", PEM)], &[]);
        let r = listen("", "bind *:9000 ssl crt /s.pem ciphers RC4-SHA", &h);
        assert_eq!(
            messages(&r),
            vec!["Proxy 'stats': unable to set SSL cipher list to 'RC4-SHA' for bind '*:9000' at [f:9]."]
        );
        assert_eq!(r.diags[0].detail.len(), 1);
        let r = listen(
            "  ssl-default-bind-ciphers FOO",
            "bind *:9000 ssl crt /s.pem",
            &h,
        );
        assert_eq!(r.verdict(), Verdict::Invalid);
        let r = listen("  ssl-default-bind-ciphers FOO", "bind *:9000", &h);
        assert_eq!(r.verdict(), Verdict::Valid);
        let r = listen("  ssl-default-bind-ciphers kEECDH+aRSA+AES:kRSA+AES:+AES256:RC4-SHA:!kEDH:!LOW:!EXP:!MD5:!aNULL:!eNULL", "bind *:9000 ssl crt /s.pem", &h);
        assert_eq!(r.verdict(), Verdict::Valid);
        for (opt, want) in [
            ("verify bogus", "'verify' : unknown verify method 'bogus', only 'none', 'optional', and 'required' are supported"),
            ("ssl-min-ver tlsv1.2", "'tlsv1.2' : unknown ssl/tls version"),
            ("alpn ''", "'alpn' : missing the comma-delimited ALPN protocol suite"),
            ("ciphers ''", "'ciphers' : missing cipher suite"),
        ] {
            let r = listen("", &format!("bind *:9000 ssl crt /s.pem {opt}"), &h);
            assert_eq!(messages(&r)[0], format!("parsing [f:9] : 'bind *:9000' in section 'listen' : {want}"));
        }
        let r = listen("", "bind *:9000 ssl crt /s.pem verify required", &h);
        assert_eq!(messages(&r), vec!["Proxy 'stats': verify is enabled but no CA file specified for bind '*:9000' at [f:9]."]);
        let r = listen(
            "",
            "bind *:9000 ssl crt /s.pem ca-file /s.pem verify optional",
            &h,
        );
        assert_eq!(r.verdict(), Verdict::Valid);
        let r = listen(
            "",
            "bind *:9000 ssl crt /s.pem ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2",
            &h,
        );
        assert_eq!(
            messages(&r),
            vec!["Proxy 'stats': all SSL/TLS versions are disabled for bind '*:9000' at [f:9]."]
        );
        let r = listen("", "bind *:9000 ssl crt /s.pem ssl-max-ver TLSv1.1", &h);
        assert_eq!(r.verdict(), Verdict::ValidWithWarnings);
        let r = listen("", "bind *:9000 ssl crt /s.pem ca-file /none.pem", &h);
        assert_eq!(
            messages(&r)[..2],
            [
                "Couldn't open the ca-file '/none.pem' (No such file or directory).".to_string(),
                "parsing [f:9] : 'bind *:9000' in section 'listen' : 'ca-file' : unable to load /none.pem".to_string()
            ]
        );
    }

    #[test]
    fn bind_addresses() {
        let h = MemHost::default();
        for (b, want) in [
            (
                "bind fd@3",
                "'bind' : cannot use file descriptor '3' : Bad file descriptor.",
            ),
            (
                "bind fd@1",
                "'bind' : cannot use file descriptor '1' : Socket operation on non-socket.",
            ),
            (
                "bind fd@abc",
                "'bind' : file descriptor 'abc' is not a valid integer in 'fd@abc'",
            ),
            (
                "bind udp@:80",
                "'bind' : dgram-type address not acceptable in 'udp@:80'",
            ),
            (
                "bind uxdg@/tmp/s",
                "'bind' : dgram-type address not acceptable in 'uxdg@/tmp/s'",
            ),
            (
                "bind ipv4@[::1]:80",
                "'bind' : invalid address: '[::1]' in 'ipv4@[::1]:80'",
            ),
            (
                "bind ipv6@127.0.0.1:80",
                "'bind' : invalid address: '127.0.0.1' in 'ipv6@127.0.0.1:80'",
            ),
            ("bind ::80", "'bind' : invalid address: ':' in '::80'"),
            (
                "bind nosuch.invalid:80",
                "'bind' : invalid address: 'nosuch.invalid' in 'nosuch.invalid:80'",
            ),
            ("bind :80-70", "'bind' : invalid port range '80-70'"),
            (
                "bind *:+1",
                "'bind' : port offset not permitted here in '*:+1'",
            ),
            (
                "bind bogus@:80",
                "'bind' : invalid address: 'bogus@' in 'bogus@:80'",
            ),
        ] {
            let r = listen("", b, &h);
            assert_eq!(messages(&r)[0], format!("parsing [f:9] : {want}"), "{b}");
        }
        let h = MemHost {
            sockets: vec![3],
            ..Default::default()
        };
        assert_eq!(listen("", "bind fd@3", &h).verdict(), Verdict::Valid);
        for ok in [
            "bind ::1:80",
            "bind :::80",
            "bind ipv6@::1:80",
            "bind *:80-90,:91",
        ] {
            assert_eq!(
                listen("", ok, &MemHost::default()).verdict(),
                Verdict::Valid,
                "{ok}"
            );
        }
        let _ = run("", &MemHost::default());
    }
}
