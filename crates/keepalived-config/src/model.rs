//! The typed keepalived configuration.

use std::net::IpAddr;
use std::time::Duration;

use crate::diag::Location;

/// A recognised line kept as words (keywords without a typed field yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub words: Vec<String>,
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlobalDefs {
    pub router_id: Option<String>,
    pub notification_email: Vec<String>,
    pub notification_email_from: Option<String>,
    pub smtp_server: Option<(String, u16)>,
    pub smtp_helo_name: Option<String>,
    pub smtp_connect_timeout: Option<u32>,
    pub smtp_alert: Option<bool>,
    pub smtp_alert_vrrp: Option<bool>,
    pub smtp_alert_checker: Option<bool>,
    pub no_email_faults: bool,
    pub enable_script_security: bool,
    pub script_user: Option<(String, Option<String>)>,
    pub vrrp_version: Option<u8>,
    pub vrrp_mcast_group4: Option<IpAddr>,
    pub vrrp_mcast_group6: Option<IpAddr>,
    pub vrrp_garp_master_delay: Option<u32>,
    pub vrrp_garp_master_repeat: Option<u32>,
    pub vrrp_garp_master_refresh: Option<u32>,
    pub vrrp_garp_master_refresh_repeat: Option<u32>,
    pub vrrp_garp_lower_prio_delay: Option<u32>,
    pub vrrp_garp_lower_prio_repeat: Option<u32>,
    pub vrrp_garp_interval: Option<Duration>,
    pub vrrp_gna_interval: Option<Duration>,
    pub vrrp_min_garp: bool,
    pub vrrp_strict: bool,
    pub vrrp_iptables: Option<Vec<String>>,
    pub nftables: Option<Vec<String>>,
    pub vrrp_check_unicast_src: bool,
    pub vrrp_skip_check_adv_addr: bool,
    pub vrrp_lower_prio_no_advert: Option<bool>,
    pub vrrp_higher_prio_send_advert: Option<bool>,
    pub vrrp_down_timer_adverts: Option<u32>,
    pub max_auto_priority: Option<i32>,
    pub dynamic_interfaces: bool,
    pub default_interface: Option<String>,
    pub vrrp_notify_fifo: Option<String>,
    pub notify_fifo: Option<String>,
    pub vrrp_startup_delay: Option<Duration>,
    pub other: Vec<Directive>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VrrpScript {
    pub name: String,
    pub location: Option<Location>,
    pub script: Option<String>,
    /// The command split like keepalived splits it.
    pub argv: Vec<String>,
    pub interval: u32,
    pub timeout: Option<u32>,
    pub weight: i32,
    pub weight_reverse: bool,
    pub rise: u32,
    pub fall: u32,
    pub user: Option<(String, Option<String>)>,
    pub init_fail: bool,
}

impl VrrpScript {
    pub fn new(name: &str, location: Option<Location>) -> Self {
        VrrpScript {
            name: name.to_string(),
            location,
            script: None,
            argv: Vec::new(),
            interval: 1,
            timeout: None,
            weight: 0,
            weight_reverse: false,
            rise: 1,
            fall: 1,
            user: None,
            init_fail: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialState {
    #[default]
    Backup,
    Master,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    Pass,
    Ah,
}

/// A tracked object with an optional weight override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub name: String,
    pub weight: Option<i32>,
    pub reverse: bool,
    pub location: Option<Location>,
}

/// `IP[/LEN] [brd …] [dev IF] [scope S] [label L] …`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VipSpec {
    pub addr: IpAddr,
    pub prefix: u8,
    pub broadcast: Option<String>,
    pub dev: Option<String>,
    pub scope: Option<String>,
    pub label: Option<String>,
    pub peer: Option<IpAddr>,
    /// Other flags (`home`, `-nodad`, `no_track`, …) as written.
    pub flags: Vec<String>,
    pub text: String,
}

/// A route or rule line, kept as words after validating the keywords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub words: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnicastPeer {
    pub addr: IpAddr,
    pub min_ttl: Option<u8>,
    pub max_ttl: Option<u8>,
}

/// A notify command: argv and optional user/group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub argv: Vec<String>,
    pub user: Option<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VrrpInstance {
    pub name: String,
    pub location: Option<Location>,
    pub state: InitialState,
    pub interface: Option<String>,
    pub vrid: Option<u8>,
    pub priority: u8,
    pub advert_int: Duration,
    pub version: Option<u8>,
    pub auth: Option<(AuthType, Vec<u8>)>,
    pub vips: Vec<VipSpec>,
    pub vips_excluded: Vec<VipSpec>,
    pub virtual_routes: Vec<RouteSpec>,
    pub virtual_rules: Vec<RouteSpec>,
    pub track_interfaces: Vec<Track>,
    pub track_scripts: Vec<Track>,
    pub track_files: Vec<Track>,
    pub track_processes: Vec<Track>,
    pub track_bfd: Vec<Track>,
    pub dont_track_primary: bool,
    pub nopreempt: bool,
    pub preempt_delay: Option<Duration>,
    pub accept: Option<bool>,
    pub mcast_src_ip: Option<IpAddr>,
    pub unicast_src_ip: Option<IpAddr>,
    pub unicast_peers: Vec<UnicastPeer>,
    pub unicast_ttl: Option<u8>,
    pub garp_master_delay: Option<u32>,
    pub garp_master_repeat: Option<u32>,
    pub garp_master_refresh: Option<u32>,
    pub garp_master_refresh_repeat: Option<u32>,
    pub garp_lower_prio_delay: Option<u32>,
    pub garp_lower_prio_repeat: Option<u32>,
    pub notify_master: Option<Notify>,
    pub notify_backup: Option<Notify>,
    pub notify_fault: Option<Notify>,
    pub notify_stop: Option<Notify>,
    pub notify_deleted: Option<Notify>,
    pub notify: Option<Notify>,
    pub smtp_alert: Option<bool>,
    pub use_vmac: Option<Option<String>>,
    pub strict_mode: Option<bool>,
    /// `priority` was written (an unset priority follows `state`: MASTER
    /// means 255, as 2.2.7 does).
    pub priority_set: bool,
    /// `state` was written (an unset state follows the priority).
    pub state_set: bool,
    /// A unicast keyword (`unicast_src_ip`, `unicast_peer`, …) was given.
    pub unicast_configured: bool,
    pub unicast_fault_no_peer: bool,
    pub mcast_dst_ip: Option<IpAddr>,
    pub down_timer_adverts: Option<u32>,
    pub lower_prio_no_advert: Option<bool>,
    pub higher_prio_send_advert: Option<bool>,
    pub vmac_xmit_base: bool,
    pub use_ipvlan: bool,
    pub other: Vec<Directive>,
}

impl VrrpInstance {
    pub fn new(name: &str, location: Option<Location>) -> Self {
        VrrpInstance {
            name: name.to_string(),
            location,
            state: InitialState::Backup,
            interface: None,
            vrid: None,
            priority: 100,
            advert_int: Duration::from_secs(1),
            version: None,
            auth: None,
            vips: Vec::new(),
            vips_excluded: Vec::new(),
            virtual_routes: Vec::new(),
            virtual_rules: Vec::new(),
            track_interfaces: Vec::new(),
            track_scripts: Vec::new(),
            track_files: Vec::new(),
            track_processes: Vec::new(),
            track_bfd: Vec::new(),
            dont_track_primary: false,
            nopreempt: false,
            preempt_delay: None,
            accept: None,
            mcast_src_ip: None,
            unicast_src_ip: None,
            unicast_peers: Vec::new(),
            unicast_ttl: None,
            garp_master_delay: None,
            garp_master_repeat: None,
            garp_master_refresh: None,
            garp_master_refresh_repeat: None,
            garp_lower_prio_delay: None,
            garp_lower_prio_repeat: None,
            notify_master: None,
            notify_backup: None,
            notify_fault: None,
            notify_stop: None,
            notify_deleted: None,
            notify: None,
            smtp_alert: None,
            use_vmac: None,
            strict_mode: None,
            priority_set: false,
            state_set: false,
            unicast_configured: false,
            unicast_fault_no_peer: false,
            mcast_dst_ip: None,
            down_timer_adverts: None,
            lower_prio_no_advert: None,
            higher_prio_send_advert: None,
            vmac_xmit_base: false,
            use_ipvlan: false,
            other: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncGroup {
    pub name: String,
    pub location: Option<Location>,
    pub members: Vec<String>,
    pub track_interfaces: Vec<Track>,
    pub track_scripts: Vec<Track>,
    pub notify_master: Option<Notify>,
    pub notify_backup: Option<Notify>,
    pub notify_fault: Option<Notify>,
    pub notify_stop: Option<Notify>,
    pub notify: Option<Notify>,
    pub smtp_alert: Option<bool>,
    pub other: Vec<Directive>,
}

/// Sections kept as a name plus directives (LVS, BFD, track_file, …)
/// until they get richer models.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    pub kind: String,
    pub args: Vec<String>,
    pub location: Option<Location>,
    pub directives: Vec<Directive>,
    pub children: Vec<Section>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub global: GlobalDefs,
    pub scripts: Vec<VrrpScript>,
    pub instances: Vec<VrrpInstance>,
    pub sync_groups: Vec<SyncGroup>,
    pub static_ipaddress: Vec<VipSpec>,
    pub static_routes: Vec<RouteSpec>,
    pub static_rules: Vec<RouteSpec>,
    /// `track_file`, `vrrp_track_process`, `garp_group`, `linkbeat_interfaces`, …
    pub vrrp_sections: Vec<Section>,
    /// `virtual_server`, `virtual_server_group` and their contents.
    pub lvs: Vec<Section>,
    pub bfd: Vec<Section>,
    /// Some configured interface does not exist (and `dynamic_interfaces`
    /// is off): the VRRP pass ends with `Non-existent interface specified
    /// in configuration`.
    pub nonexistent_interface: bool,
    /// The outcome of resolving the default script user once per pass:
    /// `None` not tried yet, `Some(true)` failed (scripts are removed).
    pub default_script_user_failed: Option<bool>,
}

impl Config {
    pub fn instance(&self, name: &str) -> Option<&VrrpInstance> {
        self.instances.iter().find(|i| i.name == name)
    }

    pub fn script(&self, name: &str) -> Option<&VrrpScript> {
        self.scripts.iter().find(|s| s.name == name)
    }
}
