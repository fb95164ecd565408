//! `virtual_routes`/`virtual_rules` and `static_routes`/`static_rules`:
//! parsing the configuration's words into typed [`Route`]s and [`Rule`]s,
//! and installing/removing them through rtnetlink (same crates, error type
//! and [`AddOutcome`]/[`DelOutcome`] as [`crate::net::netlink`]).
//!
//! # Semantics (our own reading of `ip route`/`ip rule` and keepalived 2.2)
//! - Routes: `[TYPE] [to] PREFIX|default [from PREFIX] [src ADDR]
//!   [via|gw ADDR] [dev IF] [metric|priority|preference N] [table T]
//!   [scope S] [proto P] [onlink]`, in any order. `TYPE` is one of
//!   `unicast` (default), `blackhole`, `unreachable`, `prohibit`, `throw`.
//!   A bare address is a host route (/32 or /128).
//! - Default scope: `link` for a unicast route without a gateway, else
//!   `global`. Default table `main`, default protocol `keepalived` (18).
//! - Rules: `[not] [from PREFIX|all] [to PREFIX|all] [table T]
//!   [priority|pref|preference N] [iif IF] [oif IF] [fwmark M[/MASK]]
//!   [blackhole|unreachable|prohibit]`. A rule with neither an action nor a
//!   table looks up `main`.
//! - Adding what is already there is [`AddOutcome::AlreadyPresent`] (EEXIST
//!   with NLM_F_EXCL); deleting what is not there is
//!   [`DelOutcome::NotPresent`] (ESRCH for routes, ENOENT for rules).
//! - Deletion sends the same keys as the addition, with scope `nowhere`
//!   (the kernel's wildcard), so only the route we added matches.
//! - Anything not understood is a [`ParseError`], never a panic.

use std::fmt;
use std::net::IpAddr;

use futures_util::stream::{StreamExt, TryStreamExt};
use keepalived_config::model::RouteSpec;
use netlink_packet_core::{
    NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_packet_route::route::{
    RouteAttribute, RouteFlags, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::rule::{RuleAction, RuleAttribute, RuleFlags, RuleMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::net::netlink::IFNAMSIZ_MAX;
pub use crate::net::netlink::{AddOutcome, DelOutcome, ErrorKind, NetlinkError, Result};

const ENOENT: i32 = 2;
const ESRCH: i32 = 3;
const EEXIST: i32 = 17;

/// The main routing table.
pub const TABLE_MAIN: u32 = 254;
/// `RTPROT_KEEPALIVED`.
pub const PROTO_KEEPALIVED: u8 = 18;

// ---------------------------------------------------------------- parse errors

/// Why a route or rule line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// A word we do not support (or do not know).
    Unsupported(String),
    /// A keyword at the end of the line, without its value.
    MissingValue(String),
    /// A keyword's value did not parse.
    InvalidValue { keyword: String, value: String },
    /// A keyword given twice.
    Duplicate(String),
    /// A route without a destination prefix.
    MissingDestination,
    /// IPv4 and IPv6 addresses mixed on one line.
    FamilyMismatch,
    /// The line is empty.
    Empty,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Unsupported(w) => write!(f, "unsupported word '{w}'"),
            ParseError::MissingValue(k) => write!(f, "'{k}' is missing its value"),
            ParseError::InvalidValue { keyword, value } => {
                write!(f, "invalid {keyword} '{value}'")
            }
            ParseError::Duplicate(k) => write!(f, "'{k}' given twice"),
            ParseError::MissingDestination => write!(f, "no destination prefix"),
            ParseError::FamilyMismatch => write!(f, "IPv4 and IPv6 addresses mixed"),
            ParseError::Empty => write!(f, "empty route/rule"),
        }
    }
}

impl std::error::Error for ParseError {}

type PResult<T> = std::result::Result<T, ParseError>;

// ---------------------------------------------------------------- typed values

/// An address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    pub addr: IpAddr,
    pub len: u8,
}

impl Prefix {
    /// `ADDR[/LEN]`; a bare address is a host prefix.
    pub fn parse(s: &str) -> Option<Prefix> {
        let (a, l) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let len = match l {
            Some(l) => l.parse::<u8>().ok().filter(|l| *l <= max)?,
            None => max,
        };
        Some(Prefix { addr, len })
    }
}

/// The route type (`rtm_type`) we support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RouteKind {
    #[default]
    Unicast,
    Blackhole,
    Unreachable,
    Prohibit,
    Throw,
}

impl RouteKind {
    fn parse(s: &str) -> Option<RouteKind> {
        Some(match s {
            "unicast" => RouteKind::Unicast,
            "blackhole" => RouteKind::Blackhole,
            "unreachable" => RouteKind::Unreachable,
            "prohibit" => RouteKind::Prohibit,
            "throw" => RouteKind::Throw,
            _ => return None,
        })
    }

    fn to_nl(self) -> RouteType {
        match self {
            RouteKind::Unicast => RouteType::Unicast,
            RouteKind::Blackhole => RouteType::BlackHole,
            RouteKind::Unreachable => RouteType::Unreachable,
            RouteKind::Prohibit => RouteType::Prohibit,
            RouteKind::Throw => RouteType::Throw,
        }
    }
}

/// The action of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleKind {
    /// Look up `table`.
    #[default]
    Table,
    Blackhole,
    Unreachable,
    Prohibit,
}

/// `main`, `local`, `default` or a number 1..=2^32-1.
pub fn parse_table(s: &str) -> Option<u32> {
    match s {
        "main" => Some(TABLE_MAIN),
        "local" => Some(255),
        "default" => Some(253),
        n => n.parse::<u32>().ok().filter(|t| *t != 0),
    }
}

fn parse_scope(s: &str) -> Option<u8> {
    Some(match s {
        "global" | "universe" => 0,
        "site" => 200,
        "link" => 253,
        "host" => 254,
        "nowhere" => 255,
        n => n.parse().ok()?,
    })
}

fn parse_proto(s: &str) -> Option<u8> {
    Some(match s {
        "redirect" => 1,
        "kernel" => 2,
        "boot" => 3,
        "static" => 4,
        "ra" => 9,
        "zebra" => 11,
        "bird" => 12,
        "dhcp" => 16,
        "keepalived" => PROTO_KEEPALIVED,
        n => n.parse().ok()?,
    })
}

fn parse_u32(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn ifname(kw: &str, v: &str) -> PResult<String> {
    if v.is_empty() || v.len() > IFNAMSIZ_MAX {
        return Err(invalid(kw, v));
    }
    Ok(v.to_string())
}

fn invalid(kw: &str, v: &str) -> ParseError {
    ParseError::InvalidValue {
        keyword: kw.to_string(),
        value: v.to_string(),
    }
}

/// Words with "take the next one as the value".
struct Words<'a, S> {
    w: &'a [S],
    i: usize,
}

impl<'a, S: AsRef<str>> Words<'a, S> {
    fn next(&mut self) -> Option<&'a str> {
        let w = self.w.get(self.i)?.as_ref();
        self.i += 1;
        Some(w)
    }
    fn value(&mut self, kw: &str) -> PResult<&'a str> {
        self.next()
            .ok_or_else(|| ParseError::MissingValue(kw.to_string()))
    }
}

fn set<T>(slot: &mut Option<T>, kw: &str, v: T) -> PResult<()> {
    if slot.is_some() {
        return Err(ParseError::Duplicate(kw.to_string()));
    }
    *slot = Some(v);
    Ok(())
}

/// IPv4 when every given address is IPv4, IPv6 when every one is IPv6.
fn family_of(addrs: &[Option<IpAddr>]) -> PResult<bool> {
    let mut v6 = None;
    for a in addrs.iter().flatten() {
        match v6 {
            None => v6 = Some(a.is_ipv6()),
            Some(x) if x != a.is_ipv6() => return Err(ParseError::FamilyMismatch),
            _ => {}
        }
    }
    Ok(v6.unwrap_or(false))
}

// ---------------------------------------------------------------- Route

/// One `virtual_routes`/`static_routes` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub kind: RouteKind,
    /// `None` is `default` (prefix length 0).
    pub dst: Option<Prefix>,
    /// True for IPv6 (matters for `default` only; else follows `dst`).
    pub ipv6: bool,
    /// `from PREFIX`: a source prefix (IPv6 source routing).
    pub from: Option<Prefix>,
    /// `src ADDR`: the preferred source address.
    pub src: Option<IpAddr>,
    pub via: Option<IpAddr>,
    pub dev: Option<String>,
    pub metric: Option<u32>,
    /// Default [`TABLE_MAIN`].
    pub table: u32,
    /// `None`: `link` for a unicast route without gateway, else global.
    pub scope: Option<u8>,
    /// Default [`PROTO_KEEPALIVED`].
    pub proto: u8,
    pub onlink: bool,
}

impl Route {
    pub fn from_spec(s: &RouteSpec) -> PResult<Route> {
        Route::parse(&s.words)
    }

    /// Parse the words of one route line, as written.
    pub fn parse<S: AsRef<str>>(words: &[S]) -> PResult<Route> {
        if words.is_empty() {
            return Err(ParseError::Empty);
        }
        let mut w = Words { w: words, i: 0 };
        let mut kind = None;
        let mut dst: Option<Option<Prefix>> = None;
        let (mut from, mut src, mut via, mut dev) = (None, None, None, None);
        let (mut metric, mut table, mut scope, mut proto) = (None, None, None, None);
        let mut onlink = false;
        while let Some(kw) = w.next() {
            match kw {
                "to" => {
                    let v = w.value(kw)?;
                    set(&mut dst, kw, parse_dst(kw, v)?)?;
                }
                "from" => {
                    let v = w.value(kw)?;
                    set(
                        &mut from,
                        kw,
                        Prefix::parse(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "src" => {
                    let v = w.value(kw)?;
                    set(&mut src, kw, v.parse().map_err(|_| invalid(kw, v))?)?;
                }
                "via" | "gw" => {
                    let v = w.value(kw)?;
                    set(&mut via, "via", v.parse().map_err(|_| invalid(kw, v))?)?;
                }
                "dev" | "oif" => {
                    let v = w.value(kw)?;
                    set(&mut dev, "dev", ifname(kw, v)?)?;
                }
                "metric" | "priority" | "preference" => {
                    let v = w.value(kw)?;
                    set(
                        &mut metric,
                        "metric",
                        parse_u32(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "table" => {
                    let v = w.value(kw)?;
                    set(
                        &mut table,
                        kw,
                        parse_table(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "scope" => {
                    let v = w.value(kw)?;
                    set(
                        &mut scope,
                        kw,
                        parse_scope(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "proto" | "protocol" => {
                    let v = w.value(kw)?;
                    set(
                        &mut proto,
                        "proto",
                        parse_proto(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "onlink" => onlink = true,
                k if RouteKind::parse(k).is_some() && kind.is_none() && dst.is_none() => {
                    kind = RouteKind::parse(k);
                }
                other => {
                    // A bare destination.
                    if dst.is_none() {
                        if let Ok(d) = parse_dst("to", other) {
                            dst = Some(d);
                            continue;
                        }
                    }
                    return Err(ParseError::Unsupported(other.to_string()));
                }
            }
        }
        let dst = dst.ok_or(ParseError::MissingDestination)?;
        let ipv6 = family_of(&[dst.map(|p| p.addr), from.map(|p| p.addr), src, via])?;
        let kind = kind.unwrap_or_default();
        if kind != RouteKind::Unicast && (via.is_some() || dev.is_some()) {
            return Err(ParseError::Unsupported(format!(
                "{} with via/dev",
                words[0].as_ref()
            )));
        }
        Ok(Route {
            kind,
            dst,
            ipv6,
            from,
            src,
            via,
            dev,
            metric,
            table: table.unwrap_or(TABLE_MAIN),
            scope,
            proto: proto.unwrap_or(PROTO_KEEPALIVED),
            onlink,
        })
    }

    /// The scope sent on add.
    pub fn effective_scope(&self) -> u8 {
        self.scope
            .unwrap_or(if self.kind == RouteKind::Unicast && self.via.is_none() {
                253
            } else {
                0
            })
    }
}

fn parse_dst(kw: &str, v: &str) -> PResult<Option<Prefix>> {
    match v {
        "default" | "all" => Ok(None),
        _ => Prefix::parse(v).map(Some).ok_or_else(|| invalid(kw, v)),
    }
}

/// The RTM_NEWROUTE/RTM_DELROUTE body for `r`; `oif` is the index of
/// `r.dev`, looked up by the caller.
pub fn route_message(r: &Route, oif: Option<u32>, for_delete: bool) -> RouteMessage {
    let mut m = RouteMessage::default();
    let h = &mut m.header;
    h.address_family = if r.ipv6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    h.destination_prefix_length = r.dst.map_or(0, |p| p.len);
    h.source_prefix_length = r.from.map_or(0, |p| p.len);
    h.table = u8::try_from(r.table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
    h.protocol = RouteProtocol::from(r.proto);
    h.scope = RouteScope::from(if for_delete { 255 } else { r.effective_scope() });
    h.kind = r.kind.to_nl();
    if r.onlink {
        h.flags = RouteFlags::Onlink;
    }
    let a = &mut m.attributes;
    a.push(RouteAttribute::Table(r.table));
    if let Some(d) = r.dst {
        a.push(RouteAttribute::Destination(d.addr.into()));
    }
    if let Some(f) = r.from {
        a.push(RouteAttribute::Source(f.addr.into()));
    }
    if let Some(s) = r.src {
        a.push(RouteAttribute::PrefSource(s.into()));
    }
    if let Some(g) = r.via {
        a.push(RouteAttribute::Gateway(g.into()));
    }
    if let Some(i) = oif {
        a.push(RouteAttribute::Oif(i));
    }
    if let Some(p) = r.metric {
        a.push(RouteAttribute::Priority(p));
    }
    m
}

// ---------------------------------------------------------------- Rule

/// One `virtual_rules`/`static_rules` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub kind: RuleKind,
    pub ipv6: bool,
    /// `None` is `all`.
    pub from: Option<Prefix>,
    pub to: Option<Prefix>,
    /// Default [`TABLE_MAIN`] (used only for [`RuleKind::Table`]).
    pub table: u32,
    pub priority: Option<u32>,
    pub iif: Option<String>,
    pub oif: Option<String>,
    /// (mark, mask); mask `None` when not given.
    pub fwmark: Option<(u32, Option<u32>)>,
    /// `not`.
    pub invert: bool,
}

impl Rule {
    pub fn from_spec(s: &RouteSpec) -> PResult<Rule> {
        Rule::parse(&s.words)
    }

    /// Parse the words of one rule line, as written.
    pub fn parse<S: AsRef<str>>(words: &[S]) -> PResult<Rule> {
        if words.is_empty() {
            return Err(ParseError::Empty);
        }
        let mut w = Words { w: words, i: 0 };
        let (mut from, mut to, mut table, mut prio) = (None, None, None, None);
        let (mut iif, mut oif, mut fwmark, mut kind) = (None, None, None, None);
        let mut invert = false;
        while let Some(kw) = w.next() {
            match kw {
                "not" => invert = true,
                "from" | "to" => {
                    let v = w.value(kw)?;
                    let p = parse_dst(kw, v)?;
                    set(if kw == "from" { &mut from } else { &mut to }, kw, p)?;
                }
                "table" | "lookup" => {
                    let v = w.value(kw)?;
                    set(
                        &mut table,
                        "table",
                        parse_table(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "priority" | "pref" | "preference" => {
                    let v = w.value(kw)?;
                    set(
                        &mut prio,
                        "priority",
                        parse_u32(v).ok_or_else(|| invalid(kw, v))?,
                    )?;
                }
                "iif" | "dev" => {
                    let v = w.value(kw)?;
                    set(&mut iif, "iif", ifname(kw, v)?)?;
                }
                "oif" => {
                    let v = w.value(kw)?;
                    set(&mut oif, kw, ifname(kw, v)?)?;
                }
                "fwmark" => {
                    let v = w.value(kw)?;
                    let (m, mask) = match v.split_once('/') {
                        Some((m, k)) => (m, Some(k)),
                        None => (v, None),
                    };
                    let m = parse_u32(m).ok_or_else(|| invalid(kw, v))?;
                    let mask = match mask {
                        Some(k) => Some(parse_u32(k).ok_or_else(|| invalid(kw, v))?),
                        None => None,
                    };
                    set(&mut fwmark, kw, (m, mask))?;
                }
                "blackhole" | "unreachable" | "prohibit" => {
                    let k = match kw {
                        "blackhole" => RuleKind::Blackhole,
                        "unreachable" => RuleKind::Unreachable,
                        _ => RuleKind::Prohibit,
                    };
                    set(&mut kind, "action", k)?;
                }
                other => return Err(ParseError::Unsupported(other.to_string())),
            }
        }
        let from = from.flatten();
        let to = to.flatten();
        let ipv6 = family_of(&[from.map(|p| p.addr), to.map(|p| p.addr)])?;
        let kind = kind.unwrap_or_default();
        if kind != RuleKind::Table && table.is_some() {
            return Err(ParseError::Unsupported(
                "table with a non-table action".into(),
            ));
        }
        Ok(Rule {
            kind,
            ipv6,
            from,
            to,
            table: table.unwrap_or(TABLE_MAIN),
            priority: prio,
            iif,
            oif,
            fwmark,
            invert,
        })
    }
}

/// The RTM_NEWRULE/RTM_DELRULE body for `r`.
pub fn rule_message(r: &Rule) -> RuleMessage {
    let mut m = RuleMessage::default();
    let h = &mut m.header;
    h.family = if r.ipv6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    h.src_len = r.from.map_or(0, |p| p.len);
    h.dst_len = r.to.map_or(0, |p| p.len);
    h.action = match r.kind {
        RuleKind::Table => RuleAction::ToTable,
        RuleKind::Blackhole => RuleAction::Blackhole,
        RuleKind::Unreachable => RuleAction::Unreachable,
        RuleKind::Prohibit => RuleAction::Prohibit,
    };
    if r.invert {
        h.flags = RuleFlags::Invert;
    }
    let a = &mut m.attributes;
    if r.kind == RuleKind::Table {
        h.table = u8::try_from(r.table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
        a.push(RuleAttribute::Table(r.table));
    }
    if let Some(p) = r.from {
        a.push(RuleAttribute::Source(p.addr));
    }
    if let Some(p) = r.to {
        a.push(RuleAttribute::Destination(p.addr));
    }
    if let Some(p) = r.priority {
        a.push(RuleAttribute::Priority(p));
    }
    if let Some(i) = &r.iif {
        a.push(RuleAttribute::Iifname(i.clone()));
    }
    if let Some(o) = &r.oif {
        a.push(RuleAttribute::Oifname(o.clone()));
    }
    if let Some((mark, mask)) = r.fwmark {
        a.push(RuleAttribute::FwMark(mark));
        if let Some(k) = mask {
            a.push(RuleAttribute::FwMask(k));
        }
    }
    m
}

/// Whether the kernel's rule `have` is the rule `want` (from
/// [`rule_message`]): same action, lengths, invert flag, table and
/// selectors. `have`'s priority only counts when `want` has one (the
/// kernel numbers rules added without one, so EEXIST never fires for them).
pub fn rule_matches(want: &RuleMessage, have: &RuleMessage) -> bool {
    let (w, h) = (&want.header, &have.header);
    if w.family != h.family
        || w.src_len != h.src_len
        || w.dst_len != h.dst_len
        || w.action != h.action
        || w.flags.contains(RuleFlags::Invert) != h.flags.contains(RuleFlags::Invert)
    {
        return false;
    }
    let table = |m: &RuleMessage| {
        m.attributes
            .iter()
            .find_map(|a| match a {
                RuleAttribute::Table(t) => Some(*t),
                _ => None,
            })
            .unwrap_or(u32::from(m.header.table))
    };
    if w.action == RuleAction::ToTable && table(want) != table(have) {
        return false;
    }
    let selector = |a: &RuleAttribute| {
        matches!(
            a,
            RuleAttribute::Source(_)
                | RuleAttribute::Destination(_)
                | RuleAttribute::Iifname(_)
                | RuleAttribute::Oifname(_)
                | RuleAttribute::FwMark(_)
        )
    };
    let fwmask = |m: &RuleMessage| {
        m.attributes.iter().find_map(|a| match a {
            RuleAttribute::FwMask(k) => Some(*k),
            _ => None,
        })
    };
    let has_mark = want
        .attributes
        .iter()
        .any(|a| matches!(a, RuleAttribute::FwMark(_)));
    // The kernel reports mask 0xffffffff for a mark given without one.
    if has_mark && fwmask(want).unwrap_or(u32::MAX) != fwmask(have).unwrap_or(u32::MAX) {
        return false;
    }
    want.attributes
        .iter()
        .filter(|a| selector(a) || matches!(a, RuleAttribute::Priority(_)))
        .all(|a| have.attributes.contains(a))
        && have
            .attributes
            .iter()
            .filter(|a| selector(a))
            .all(|a| want.attributes.contains(a))
}

// ---------------------------------------------------------------- the handle

/// An rtnetlink connection for routes and rules, in the namespace of the
/// thread that called [`RouteNetlink::new`]. Clones share it.
#[derive(Clone)]
pub struct RouteNetlink {
    nl: crate::net::netlink::Netlink,
}

impl RouteNetlink {
    /// Open a NETLINK_ROUTE socket; must run inside a tokio runtime.
    pub fn new() -> Result<RouteNetlink> {
        crate::net::netlink::Netlink::new().map(|nl| RouteNetlink { nl })
    }

    async fn link_index(&self, op: &'static str, name: &str) -> Result<u32> {
        self.nl.link(name).await.map(|l| l.index).map_err(|mut e| {
            e.op = op;
            e
        })
    }

    async fn ack(
        &self,
        op: &'static str,
        ifname: &str,
        req: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<()> {
        let mut nl = NetlinkMessage::from(req);
        nl.header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        let mut h = self.nl.handle().clone();
        let mut resp = h
            .request(nl)
            .map_err(|e| NetlinkError::from_rtnl(op, ifname, e))?;
        while let Some(m) = resp.next().await {
            if let NetlinkPayload::Error(e) = m.payload {
                if e.code.is_some() {
                    return Err(NetlinkError::new(
                        op,
                        ifname,
                        ErrorKind::Kernel(e.raw_code().abs()),
                    ));
                }
            }
        }
        Ok(())
    }

    async fn oif(&self, op: &'static str, r: &Route) -> Result<Option<u32>> {
        match &r.dev {
            Some(d) => Ok(Some(self.link_index(op, d).await?)),
            None => Ok(None),
        }
    }

    /// RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL.
    pub async fn add_route(&self, r: &Route) -> Result<AddOutcome> {
        let op = "add route";
        let dev = r.dev.as_deref().unwrap_or("");
        let oif = self.oif(op, r).await?;
        let msg = RouteNetlinkMessage::NewRoute(route_message(r, oif, false));
        match self.ack(op, dev, msg, NLM_F_CREATE | NLM_F_EXCL).await {
            Ok(()) => Ok(AddOutcome::Added),
            Err(e) if e.errno() == Some(EEXIST) => Ok(AddOutcome::AlreadyPresent),
            Err(e) => Err(e),
        }
    }

    /// RTM_DELROUTE. A missing route, or a missing `dev`, is `NotPresent`.
    pub async fn del_route(&self, r: &Route) -> Result<DelOutcome> {
        let op = "delete route";
        let dev = r.dev.as_deref().unwrap_or("");
        let oif = match self.oif(op, r).await {
            Ok(o) => o,
            Err(NetlinkError {
                kind: ErrorKind::NoSuchLink,
                ..
            }) => return Ok(DelOutcome::NotPresent),
            Err(e) => return Err(e),
        };
        let msg = RouteNetlinkMessage::DelRoute(route_message(r, oif, true));
        match self.ack(op, dev, msg, 0).await {
            Ok(()) => Ok(DelOutcome::Deleted),
            Err(e) if e.errno() == Some(ESRCH) => Ok(DelOutcome::NotPresent),
            Err(e) => Err(e),
        }
    }

    /// Whether `r` is installed (RTM_GETRULE dump, see [`rule_matches`]).
    pub async fn has_rule(&self, r: &Rule) -> Result<bool> {
        let want = rule_message(r);
        let v = if r.ipv6 {
            rtnetlink::IpVersion::V6
        } else {
            rtnetlink::IpVersion::V4
        };
        let all = self
            .nl
            .handle()
            .rule()
            .get(v)
            .execute()
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| NetlinkError::from_rtnl("get rules", "", e))?;
        Ok(all.iter().any(|h| rule_matches(&want, h)))
    }

    /// RTM_NEWRULE with NLM_F_CREATE|NLM_F_EXCL. A rule without a priority
    /// is looked for first (the kernel would add a second copy).
    pub async fn add_rule(&self, r: &Rule) -> Result<AddOutcome> {
        if r.priority.is_none() && self.has_rule(r).await? {
            return Ok(AddOutcome::AlreadyPresent);
        }
        let msg = RouteNetlinkMessage::NewRule(rule_message(r));
        match self
            .ack("add rule", "", msg, NLM_F_CREATE | NLM_F_EXCL)
            .await
        {
            Ok(()) => Ok(AddOutcome::Added),
            Err(e) if e.errno() == Some(EEXIST) => Ok(AddOutcome::AlreadyPresent),
            Err(e) => Err(e),
        }
    }

    /// RTM_DELRULE.
    pub async fn del_rule(&self, r: &Rule) -> Result<DelOutcome> {
        let msg = RouteNetlinkMessage::DelRule(rule_message(r));
        match self.ack("delete rule", "", msg, 0).await {
            Ok(()) => Ok(DelOutcome::Deleted),
            Err(e) if matches!(e.errno(), Some(ENOENT) | Some(ESRCH)) => Ok(DelOutcome::NotPresent),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::{Emitable, Parseable};

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }
    fn route(s: &str) -> PResult<Route> {
        Route::parse(&w(s))
    }
    fn rule(s: &str) -> PResult<Rule> {
        Rule::parse(&w(s))
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn gateway_route() {
        let r = route("192.0.2.0/24 via 198.51.100.1 dev eth0").unwrap();
        assert_eq!(r.dst, Prefix::parse("192.0.2.0/24"));
        assert_eq!(r.via, Some(ip("198.51.100.1")));
        assert_eq!(r.dev.as_deref(), Some("eth0"));
        assert_eq!(
            (r.kind, r.table, r.proto, r.ipv6),
            (RouteKind::Unicast, 254, 18, false)
        );
        assert_eq!(r.effective_scope(), 0);
        let g = route("192.0.2.0/24 gw 198.51.100.1 dev eth0").unwrap();
        assert_eq!(g, r);
    }

    #[test]
    fn src_to_table() {
        let r = route("src 198.51.100.3 to 192.0.2.0/24 table 100").unwrap();
        assert_eq!(r.src, Some(ip("198.51.100.3")));
        assert_eq!(r.dst.unwrap().len, 24);
        assert_eq!(r.table, 100);
        // No gateway: scope link.
        assert_eq!(r.effective_scope(), 253);
    }

    #[test]
    fn blackhole_default_and_options() {
        let r = route("blackhole 192.0.2.128/25").unwrap();
        assert_eq!(r.kind, RouteKind::Blackhole);
        assert_eq!(r.effective_scope(), 0);
        let d =
            route("default via 198.51.100.1 metric 10 proto static scope global onlink").unwrap();
        assert_eq!(d.dst, None);
        assert_eq!(
            (d.metric, d.proto, d.scope, d.onlink),
            (Some(10), 4, Some(0), true)
        );
        let h = route("192.0.2.7 dev eth0 table main").unwrap();
        assert_eq!(h.dst.unwrap().len, 32);
        let v6 = route("default via 2001:db8::1 dev eth0").unwrap();
        assert!(v6.ipv6);
        let v6 = route("2001:db8:1::/48 from 2001:db8:2::/64 dev eth0").unwrap();
        assert_eq!(v6.from.unwrap().len, 64);
    }

    #[test]
    fn route_errors() {
        assert_eq!(route(""), Err(ParseError::Empty));
        assert_eq!(
            route("192.0.2.0/24 mtu 1400"),
            Err(ParseError::Unsupported("mtu".into()))
        );
        assert_eq!(
            route("192.0.2.0/24 via"),
            Err(ParseError::MissingValue("via".into()))
        );
        assert!(matches!(
            route("192.0.2.0/33"),
            Err(ParseError::Unsupported(_))
        ));
        assert!(matches!(
            route("to 192.0.2.0/33"),
            Err(ParseError::InvalidValue { .. })
        ));
        assert_eq!(route("dev eth0"), Err(ParseError::MissingDestination));
        assert_eq!(
            route("192.0.2.0/24 via 2001:db8::1"),
            Err(ParseError::FamilyMismatch)
        );
        assert_eq!(
            route("192.0.2.0/24 table 1 table 2"),
            Err(ParseError::Duplicate("table".into()))
        );
        assert!(route("192.0.2.0/24 table foo").is_err());
        assert!(route("192.0.2.0/24 table 0").is_err());
        assert!(route("192.0.2.0/24 dev abcdefghijklmnop").is_err());
        assert!(route("blackhole 192.0.2.0/24 via 198.51.100.1").is_err());
        assert!(route("192.0.2.0/24 192.0.2.0/25").is_err());
    }

    #[test]
    fn rules() {
        let r = rule("from 198.51.100.3 table 100").unwrap();
        assert_eq!(r.from, Prefix::parse("198.51.100.3/32"));
        assert_eq!((r.table, r.kind, r.ipv6), (100, RuleKind::Table, false));
        let r = rule(
            "from all to 192.0.2.0/24 lookup main pref 100 iif eth0 oif eth1 fwmark 0x10/0xff",
        )
        .unwrap();
        assert_eq!(r.from, None);
        assert_eq!(r.priority, Some(100));
        assert_eq!(r.iif.as_deref(), Some("eth0"));
        assert_eq!(r.oif.as_deref(), Some("eth1"));
        assert_eq!(r.fwmark, Some((16, Some(255))));
        let r = rule("not to 2001:db8::/32 prohibit priority 5").unwrap();
        assert!(r.invert && r.ipv6);
        assert_eq!(r.kind, RuleKind::Prohibit);
        assert!(rule("from 198.51.100.3 goto 5").is_err());
        assert!(rule("from 198.51.100.3 to 2001:db8::1").is_err());
        assert!(rule("blackhole table 5").is_err());
        assert!(rule("fwmark x").is_err());
        assert!(rule("").is_err());
    }

    #[test]
    fn route_messages() {
        let r = route("192.0.2.0/24 via 198.51.100.1 dev eth0 table 1000 metric 7").unwrap();
        let m = route_message(&r, Some(4), false);
        assert_eq!(m.header.destination_prefix_length, 24);
        assert_eq!(m.header.table, RouteHeader::RT_TABLE_UNSPEC);
        assert_eq!(m.header.kind, RouteType::Unicast);
        assert_eq!(m.header.protocol, RouteProtocol::KeepAlived);
        assert!(m.attributes.contains(&RouteAttribute::Table(1000)));
        assert!(m.attributes.contains(&RouteAttribute::Oif(4)));
        assert!(m.attributes.contains(&RouteAttribute::Priority(7)));
        let d = route_message(&r, Some(4), true);
        assert_eq!(d.header.scope, RouteScope::NoWhere);
        let mut buf = vec![0u8; m.buffer_len()];
        m.emit(&mut buf);
        let back = <RouteMessage as Parseable<[u8]>>::parse(&buf[..]).unwrap();
        assert_eq!(back.header, m.header);
    }

    #[test]
    fn rule_messages() {
        let r = rule("from 198.51.100.3 table 100 fwmark 3").unwrap();
        let m = rule_message(&r);
        assert_eq!((m.header.src_len, m.header.table), (32, 100));
        assert_eq!(m.header.action, RuleAction::ToTable);
        assert!(m.attributes.contains(&RuleAttribute::FwMark(3)));
        assert!(!m
            .attributes
            .iter()
            .any(|a| matches!(a, RuleAttribute::FwMask(_))));
        let b = rule_message(&rule("to 192.0.2.0/24 blackhole").unwrap());
        assert_eq!(b.header.action, RuleAction::Blackhole);
        assert!(!b
            .attributes
            .iter()
            .any(|a| matches!(a, RuleAttribute::Table(_))));
    }

    #[test]
    fn rule_matching() {
        let want = rule_message(&rule("from 198.51.100.3 table 100").unwrap());
        let mut have = want.clone();
        have.attributes.push(RuleAttribute::Priority(32765));
        assert!(rule_matches(&want, &have));
        let mut other = have.clone();
        other.attributes.push(RuleAttribute::Iifname("eth0".into()));
        assert!(!rule_matches(&want, &other));
        let t = rule_message(&rule("from 198.51.100.3 table 101").unwrap());
        assert!(!rule_matches(&t, &have));
        let p = rule_message(&rule("from 198.51.100.3 table 100 pref 5").unwrap());
        assert!(!rule_matches(&p, &have));
        let m = rule_message(&rule("fwmark 3").unwrap());
        let mut hm = m.clone();
        hm.attributes.push(RuleAttribute::FwMask(u32::MAX));
        assert!(rule_matches(&m, &hm));
    }

    #[test]
    fn parse_error_display() {
        assert_eq!(
            ParseError::Unsupported("mtu".into()).to_string(),
            "unsupported word 'mtu'"
        );
    }
}
