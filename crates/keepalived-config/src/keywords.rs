//! The top level of keepalived.conf: every section keyword, the process
//! that reads it, and the tables below it. `docs/compatibility.md` is
//! generated from here.

use crate::engine::{Kind, Kw, Pass, Status};
use crate::global::GLOBAL_DEFS;
use crate::sections::{self, section, value_section};
use crate::vrrp;

pub static TOP: &[Kw] = &[
    Kw::block("global_defs", 0, None, GLOBAL_DEFS, None).owned(Pass::Parent),
    vrrp::SCRIPT_KW.owned(Pass::Vrrp),
    vrrp::INSTANCE_KW.owned(Pass::Vrrp),
    vrrp::SYNC_GROUP_KW.owned(Pass::Vrrp),
    sections::STATIC_IPADDRESS.owned(Pass::Vrrp),
    sections::STATIC_ROUTES.owned(Pass::Vrrp),
    sections::STATIC_RULES.owned(Pass::Vrrp),
    section("track_file", 1, sections::TRACK_FILE, Pass::Vrrp),
    section("vrrp_track_file", 1, sections::TRACK_FILE, Pass::Vrrp).status(Status::Deprecated),
    // The checker process reads track files too (FILE_CHECK uses them).
    section("track_file", 1, sections::TRACK_FILE, Pass::Checker),
    section("vrrp_track_file", 1, sections::TRACK_FILE, Pass::Checker).status(Status::Deprecated),
    section("vrrp_track_process", 1, sections::TRACK_PROCESS, Pass::Vrrp),
    section("garp_group", 0, sections::GARP_GROUP, Pass::Vrrp),
    section("track_group", 1, sections::TRACK_GROUP, Pass::Vrrp),
    value_section("linkbeat_interfaces", Pass::Vrrp),
    value_section("interface_up_down_delays", Pass::Vrrp),
    Kw::block(
        "virtual_server",
        0,
        Some(sections::vs_open),
        sections::VIRTUAL_SERVER,
        Some(sections::close),
    )
    .status(Status::Parsed)
    .owned(Pass::Checker),
    value_section("virtual_server_group", Pass::Checker),
    section("SSL", 0, sections::SSL, Pass::Checker),
    section("bfd_instance", 1, sections::BFD_INSTANCE, Pass::Bfd),
];

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Supported => "supported",
        Status::Parsed => "parsed",
        Status::Deprecated => "deprecated (accepted)",
    }
}

fn walk(out: &mut String, table: &'static [Kw], path: &str, seen: &mut Vec<usize>) {
    let mut rows: Vec<&Kw> = table.iter().collect();
    rows.sort_by_key(|k| k.name);
    for k in rows {
        let full = if path.is_empty() {
            k.name.to_string()
        } else {
            format!("{path} > {}", k.name)
        };
        let kind = match k.kind {
            Kind::Leaf(_) => "keyword",
            Kind::Block { .. } => "block",
            Kind::Values { .. } => "value block",
        };
        out.push_str(&format!(
            "| `{full}` | {kind} | {} |\n",
            status_label(k.status)
        ));
        if let Kind::Block { table: sub, .. } = k.kind {
            let id = sub.as_ptr() as usize;
            if !seen.contains(&id) || path.is_empty() {
                seen.push(id);
                walk(out, sub, &full, seen);
            }
        }
    }
}

/// The keepalived part of `docs/compatibility.md`.
pub fn compat_doc() -> String {
    let mut out = String::from(
        "# keepalived.conf keyword compatibility\n\nGenerated from `crates/keepalived-config/src/keywords.rs` by `make docs`; a test fails when this file and the table drift apart. **supported** = parsed into the typed model and validated; **parsed** = recognised, arity-checked and kept as words; **deprecated** = accepted like 2.2 does.\n\n| keyword path | kind | status |\n|---|---|---|\n",
    );
    let mut seen = Vec::new();
    walk(&mut out, TOP, "", &mut seen);
    out
}
