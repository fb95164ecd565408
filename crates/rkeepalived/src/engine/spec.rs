//! From the parsed `vrrp_instance` to what the engine runs: the state
//! machine's configuration, what receive validation expects, and the
//! tracked objects with their weights resolved as keepalived does.

use std::net::IpAddr;
use std::time::Duration;

use keepalived_config::model::{AuthType, Config, InitialState, VipSpec, VrrpInstance};

use crate::vrrp::fsm::{self, GarpConfig};
use crate::vrrp::packet::{self, Auth, AuthConfig};
use crate::vrrp::priority::{resolve_weight, TrackKind, TrackStatus, Tracked};

/// One instance, ready to run.
#[derive(Debug, Clone)]
pub struct InstanceSpec {
    pub name: String,
    /// `virtual_routes` and `virtual_rules`: installed with the VIPs.
    pub routes: Vec<keepalived_config::model::RouteSpec>,
    pub rules: Vec<keepalived_config::model::RouteSpec>,
    pub ifname: String,
    pub vrid: u8,
    pub version: fsm::Version,
    pub priority: u8,
    pub advert_int: Duration,
    pub auth: AuthConfig,
    pub vips: Vec<VipSpec>,
    pub excluded: Vec<VipSpec>,
    pub unicast_src: Option<IpAddr>,
    pub unicast_peers: Vec<IpAddr>,
    pub wants_master: bool,
    pub nopreempt: bool,
    pub preempt_delay: Duration,
    pub garp: GarpConfig,
    pub down_timer_adverts: u32,
    /// Scripts and interfaces this instance tracks, weights resolved.
    pub tracked: Vec<Tracked>,
}

/// Why an instance cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

fn secs(v: Option<u32>, global: Option<u32>, default: u64) -> Duration {
    Duration::from_secs(v.or(global).map_or(default, u64::from))
}

pub fn instance_spec(cfg: &Config, vi: &VrrpInstance) -> Result<InstanceSpec, SpecError> {
    let g = &cfg.global;
    let ifname = vi
        .interface
        .clone()
        .or_else(|| g.default_interface.clone())
        .ok_or_else(|| SpecError(format!("({}) no interface", vi.name)))?;
    let vrid = vi
        .vrid
        .ok_or_else(|| SpecError(format!("({}) no virtual_router_id", vi.name)))?;
    let version = match vi.version.or(g.vrrp_version).unwrap_or(2) {
        3 => fsm::Version::V3,
        _ => fsm::Version::V2,
    };
    let auth = match (&vi.auth, version) {
        (Some((AuthType::Pass, p)), fsm::Version::V2) => AuthConfig::Pass(Auth::key(p)),
        (Some((AuthType::Ah, p)), fsm::Version::V2) => AuthConfig::Ah(Auth::key(p)),
        _ => AuthConfig::None,
    };
    let garp = GarpConfig {
        master_delay: secs(vi.garp_master_delay, g.vrrp_garp_master_delay, 5),
        master_repeat: vi
            .garp_master_repeat
            .or(g.vrrp_garp_master_repeat)
            .unwrap_or(5),
        master_refresh: vi
            .garp_master_refresh
            .or(g.vrrp_garp_master_refresh)
            .filter(|s| *s > 0)
            .map(|s| Duration::from_secs(u64::from(s))),
        master_refresh_repeat: vi
            .garp_master_refresh_repeat
            .or(g.vrrp_garp_master_refresh_repeat)
            .unwrap_or(1),
        lower_prio_delay: secs(vi.garp_lower_prio_delay, g.vrrp_garp_lower_prio_delay, 5),
        lower_prio_repeat: vi
            .garp_lower_prio_repeat
            .or(g.vrrp_garp_lower_prio_repeat)
            .unwrap_or(5),
        min_garp: g.vrrp_min_garp,
    };
    let group = cfg
        .sync_groups
        .iter()
        .find(|sg| sg.members.iter().any(|m| m == &vi.name));
    // §2.4: inside a sync group tracking weights are forced to 0 unless
    // the group says `sync_group_tracking_weight`.
    let forced_zero = group.is_some_and(|sg| {
        !sg.other
            .iter()
            .any(|d| d.words.first().map(String::as_str) == Some("sync_group_tracking_weight"))
    });
    // The group's own tracking applies to every member.
    let group_scripts = group.map_or(&[][..], |sg| &sg.track_scripts[..]);
    let group_ifaces = group.map_or(&[][..], |sg| &sg.track_interfaces[..]);
    let mut tracked: Vec<Tracked> = Vec::new();
    for t in vi.track_scripts.iter().chain(group_scripts) {
        let Some(s) = cfg.script(&t.name) else {
            continue;
        };
        if tracked
            .iter()
            .any(|x| x.kind == TrackKind::Script && x.name == t.name)
        {
            continue;
        }
        let (weight, reverse) = resolve_weight(
            s.weight,
            s.weight_reverse,
            t.weight,
            t.reverse.then_some(true),
            forced_zero,
        );
        tracked.push(Tracked {
            kind: TrackKind::Script,
            name: t.name.clone(),
            weight,
            reverse,
            status: TrackStatus::Unknown,
        });
    }
    let procs = crate::track::process::specs(cfg);
    for t in &vi.track_processes {
        let Some(p) = procs.iter().find(|p| p.name == t.name) else {
            continue;
        };
        let (weight, reverse) = resolve_weight(
            p.weight,
            p.reverse,
            t.weight,
            t.reverse.then_some(true),
            forced_zero,
        );
        tracked.push(Tracked {
            kind: TrackKind::Process,
            name: t.name.clone(),
            weight,
            reverse,
            status: TrackStatus::Unknown,
        });
    }
    let files = crate::track::file::specs(cfg);
    for t in &vi.track_files {
        let Some(f) = files.iter().find(|f| f.name == t.name) else {
            continue;
        };
        let (weight, reverse) = resolve_weight(
            f.weight,
            f.reverse,
            t.weight,
            t.reverse.then_some(true),
            forced_zero,
        );
        tracked.push(Tracked {
            kind: TrackKind::File,
            name: t.name.clone(),
            weight,
            reverse,
            status: TrackStatus::Unknown,
        });
    }
    for t in vi.track_interfaces.iter().chain(group_ifaces) {
        if t.name == ifname
            || tracked
                .iter()
                .any(|x| x.kind == TrackKind::Interface && x.name == t.name)
        {
            // keepalived: "Ignoring track_interface X since own interface".
            continue;
        }
        tracked.push(Tracked {
            kind: TrackKind::Interface,
            name: t.name.clone(),
            weight: if forced_zero {
                0
            } else {
                t.weight.unwrap_or(0)
            },
            reverse: t.reverse,
            status: TrackStatus::Unknown,
        });
    }
    Ok(InstanceSpec {
        name: vi.name.clone(),
        ifname,
        vrid,
        version,
        priority: vi.priority,
        advert_int: vi.advert_int,
        auth,
        vips: vi.vips.clone(),
        excluded: vi.vips_excluded.clone(),
        unicast_src: vi.unicast_src_ip.or(vi.mcast_src_ip),
        unicast_peers: vi.unicast_peers.iter().map(|p| p.addr).collect(),
        wants_master: vi.state == InitialState::Master,
        nopreempt: vi.nopreempt,
        preempt_delay: vi.preempt_delay.unwrap_or(Duration::ZERO),
        garp,
        down_timer_adverts: vi
            .down_timer_adverts
            .or(g.vrrp_down_timer_adverts)
            .unwrap_or(3),
        tracked,
        routes: vi.virtual_routes.clone(),
        rules: vi.virtual_rules.clone(),
    })
}

impl InstanceSpec {
    /// The state machine's view, once the source address is known.
    pub fn fsm_config(&self, src: IpAddr) -> fsm::Config {
        let mut c = fsm::Config::new(
            &self.name,
            self.version,
            self.priority,
            self.advert_int,
            src,
        );
        c.wants_master = self.wants_master;
        c.nopreempt = self.nopreempt;
        c.preempt_delay = self.preempt_delay;
        c.down_timer_adverts = self.down_timer_adverts;
        c.garp = self.garp.clone();
        c
    }

    pub fn packet_version(&self) -> packet::Version {
        match self.version {
            fsm::Version::V2 => packet::Version::V2,
            fsm::Version::V3 => packet::Version::V3,
        }
    }

    /// The advert interval as the wire carries it.
    pub fn wire_interval(&self) -> u16 {
        match self.version {
            fsm::Version::V2 => u16::try_from(self.advert_int.as_secs().max(1)).unwrap_or(255),
            fsm::Version::V3 => {
                u16::try_from((self.advert_int.as_millis() / 10).max(1)).unwrap_or(4095)
            }
        }
    }

    pub fn wire_auth(&self) -> Auth {
        match self.auth {
            AuthConfig::None => Auth::None,
            AuthConfig::Pass(k) => Auth::Pass(k),
            AuthConfig::Ah(_) => Auth::Ah,
        }
    }

    /// The instance's family: keepalived takes the first VIP's (an
    /// instance without VIPs is IPv4).
    pub fn is_ipv6(&self) -> bool {
        self.vips.first().is_some_and(|v| v.addr.is_ipv6())
    }

    /// The VIPs carried in adverts: those of the instance's family
    /// (keepalived drops the others with "address family must match").
    pub fn advert_addrs(&self) -> Vec<IpAddr> {
        let v6 = self.is_ipv6();
        self.vips
            .iter()
            .map(|v| v.addr)
            .filter(|a| a.is_ipv6() == v6)
            .collect()
    }

    pub fn unicast(&self) -> bool {
        !self.unicast_peers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepalived_config::host::MemHost;

    fn parse(text: &str) -> Config {
        let mut host = MemHost::with_interfaces(&["eth0", "eth1"]);
        host.files
            .insert("/k.conf".into(), text.as_bytes().to_vec());
        keepalived_config::check("/k.conf", &host, &keepalived_config::Options::default()).config
    }

    #[test]
    fn the_guides_instance() {
        let cfg = parse(
            "vrrp_script chk_haproxy {\n script \"/bin/true\"\n interval 2\n weight 2\n}\n\
             vrrp_instance dc1server {\n state MASTER\n interface eth0\n virtual_router_id 51\n priority 101\n advert_int 1\n\
             authentication {\n auth_type PASS\n auth_pass 1111\n }\n virtual_ipaddress {\n 192.0.2.3\n }\n\
             track_script {\n chk_haproxy weight 20\n }\n track_interface {\n eth1 weight -10\n eth0\n }\n}\n",
        );
        let s = instance_spec(&cfg, &cfg.instances[0]).unwrap();
        assert_eq!((s.vrid, s.priority, s.ifname.as_str()), (51, 101, "eth0"));
        assert_eq!(s.version, fsm::Version::V2);
        assert_eq!(s.auth, AuthConfig::Pass(*b"1111\0\0\0\0"));
        assert!(s.wants_master);
        assert_eq!(s.wire_interval(), 1);
        assert_eq!(
            s.advert_addrs(),
            vec!["192.0.2.3".parse::<IpAddr>().unwrap()]
        );
        // The instance's override wins over the script's own weight; the
        // instance's own interface is not tracked.
        assert_eq!(s.tracked.len(), 2);
        assert_eq!(
            (s.tracked[0].name.as_str(), s.tracked[0].weight),
            ("chk_haproxy", 20)
        );
        assert_eq!(
            (s.tracked[1].name.as_str(), s.tracked[1].weight),
            ("eth1", -10)
        );
        assert_eq!(s.garp.master_delay, Duration::from_secs(5));
    }

    #[test]
    fn v3_interval_in_centiseconds() {
        let cfg = parse(
            "vrrp_instance v {\n interface eth0\n virtual_router_id 9\n priority 100\n advert_int 0.5\n version 3\n\
             virtual_ipaddress {\n 192.0.2.9/24\n }\n unicast_peer {\n 192.0.2.2\n }\n}\n",
        );
        let s = instance_spec(&cfg, &cfg.instances[0]).unwrap();
        assert_eq!(s.version, fsm::Version::V3);
        assert_eq!(s.wire_interval(), 50);
        assert!(s.unicast());
        assert_eq!(s.auth, AuthConfig::None);
    }

    #[test]
    fn sync_group_tracking_applies_to_members_with_weight_zero() {
        let cfg = parse(
            "vrrp_script chk {\n script \"/bin/true\"\n weight 10\n}\n\
             vrrp_sync_group G {\n group {\n A\n B\n }\n track_script {\n chk\n }\n}\n\
             vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 100\n\
             virtual_ipaddress {\n 192.0.2.1\n }\n track_interface {\n eth1 weight 5\n }\n}\n\
             vrrp_instance B {\n interface eth1\n virtual_router_id 2\n priority 100\n\
             virtual_ipaddress {\n 192.0.2.2\n }\n}\n",
        );
        let a = instance_spec(&cfg, &cfg.instances[0]).unwrap();
        let b = instance_spec(&cfg, &cfg.instances[1]).unwrap();
        let names = |s: &InstanceSpec| {
            s.tracked
                .iter()
                .map(|t| (t.name.clone(), t.weight))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), vec![("chk".into(), 0), ("eth1".into(), 0)]);
        assert_eq!(names(&b), vec![("chk".to_string(), 0)]);
    }

    #[test]
    fn ipv6_instance_is_v3_with_v6_adverts() {
        let cfg = parse(
            "vrrp_instance v6 {\n interface eth0\n virtual_router_id 60\n priority 110\n\
             virtual_ipaddress {\n 2001:db8::3/64\n }\n}\n",
        );
        let s = instance_spec(&cfg, &cfg.instances[0]).unwrap();
        assert!(s.is_ipv6());
        assert_eq!(s.version, fsm::Version::V3);
        assert_eq!(s.wire_interval(), 100);
        assert_eq!(
            s.advert_addrs(),
            vec!["2001:db8::3".parse::<IpAddr>().unwrap()]
        );
    }
}
