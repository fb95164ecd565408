//! Sample fetches, converters and ACL keyword aliases known to 2.6.
//!
//! The lists are generated from the reference binary's keyword dump (see
//! `tools/gen_haproxy_tables.py`): names, arities and where each fetch may
//! be used. They let the parser reject `path_begin` exactly where 2.6 does.

#[derive(Debug)]
pub struct FetchSpec {
    pub name: &'static str,
    pub min_args: u8,
    pub max_args: u8,
    /// The argument signature as 2.6 prints it, e.g. `string[,integer]`.
    pub args: &'static str,
    pub out: &'static str,
    /// Bit i set: usable at rule point i (see [`Point`]).
    pub usable: u32,
}

#[derive(Debug)]
pub struct ConverterSpec {
    pub name: &'static str,
    pub min_args: u8,
    pub max_args: u8,
    pub input: &'static str,
    pub out: &'static str,
}

/// `path_beg` = `path -m beg`.
#[derive(Debug)]
pub struct AclAlias {
    pub name: &'static str,
    pub fetch: &'static str,
    pub method: &'static str,
}

/// The rule points of 2.6's fetch usability matrix, in its bit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Point {
    FeTcpConnection = 0,
    FeTcpSession,
    FeTcpContent,
    FeHttpRequest,
    FeHttpRequestBody,
    FeUseBackend,
    BeTcpContent,
    BeHttpRequest,
    BeHttpRequestBody,
    BeUseServer,
    ServerSource,
    BeTcpResponse,
    BeHttpResponse,
    BeHttpResponseBody,
    BeStickStore,
    FeTcpResponse,
    FeHttpResponse,
    FeHttpResponseBody,
    Logs,
    BeTcpCheck,
    ConfigParser,
    CliParser,
}

pub use crate::generated::samples::{ACL_ALIASES, CONVERTERS, FETCHES};

pub fn fetch(name: &str) -> Option<&'static FetchSpec> {
    FETCHES.iter().find(|f| f.name == name)
}

pub fn converter(name: &str) -> Option<&'static ConverterSpec> {
    CONVERTERS.iter().find(|c| c.name == name)
}

pub fn acl_alias(name: &str) -> Option<&'static AclAlias> {
    ACL_ALIASES.iter().find(|a| a.name == name)
}

/// Fetches that read raw layer-6 buffer contents (payload, lengths, TLS
/// hello and RDP parsing) rather than parsed HTTP.
pub fn is_l6(name: &str) -> bool {
    const L6: &[&str] = &[
        "payload",
        "payload_lv",
        "req.len",
        "req_len",
        "req.payload",
        "req.payload_lv",
        "req.proto_http",
        "req_proto_http",
        "req.rdp_cookie",
        "req.rdp_cookie_cnt",
        "rdp_cookie",
        "rdp_cookie_cnt",
        "req_rdp_cookie",
        "req_rdp_cookie_cnt",
        "req.ssl_alpn",
        "req.ssl_ec_ext",
        "req.ssl_hello_type",
        "req.ssl_sni",
        "req.ssl_st_ext",
        "req.ssl_ver",
        "req_ssl_hello_type",
        "req_ssl_sni",
        "req_ssl_ver",
        "res.len",
        "res.payload",
        "res.payload_lv",
        "res.ssl_hello_type",
        "rep_ssl_hello_type",
    ];
    L6.contains(&name)
}

impl FetchSpec {
    pub fn usable_at(&self, p: Point) -> bool {
        self.usable & (1 << p as u8) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_know_the_common_fetches() {
        for f in [
            "src",
            "dst",
            "dst_port",
            "path",
            "hdr",
            "req.hdr",
            "ssl_fc",
            "nbsrv",
            "always_true",
        ] {
            assert!(fetch(f).is_some(), "{f}");
        }
        assert!(fetch("path_begin").is_none());
        let a = acl_alias("path_beg").unwrap();
        assert_eq!((a.fetch, a.method), ("path", "beg"));
        assert!(converter("lower").is_some());
        assert!(fetch("path").unwrap().usable_at(Point::FeHttpRequest));
        assert!(!fetch("path").unwrap().usable_at(Point::FeTcpConnection));
    }
}
