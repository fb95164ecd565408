//! `-d`: the parsed configuration, every effective value including
//! defaults, laid out like keepalived's data dump.

use std::fmt::Write;

use keepalived_config::model::{AuthType, Config, InitialState};

fn onoff(b: bool) -> &'static str {
    if b {
        "enabled"
    } else {
        "disabled"
    }
}

pub fn render(c: &Config) -> String {
    let mut o = String::new();
    let g = &c.global;
    let _ = writeln!(o, "------< Global definitions >------");
    let _ = writeln!(
        o,
        " Router ID = {}",
        g.router_id.as_deref().unwrap_or("(hostname)")
    );
    if let Some((s, p)) = &g.smtp_server {
        let _ = writeln!(o, " Smtp server = {s}");
        let _ = writeln!(o, " Smtp server port = {p}");
    }
    let _ = writeln!(
        o,
        " Smtp server connection timeout = {}",
        g.smtp_connect_timeout.unwrap_or(30)
    );
    if let Some(f) = &g.notification_email_from {
        let _ = writeln!(o, " Email notification from = {f}");
    }
    if !g.notification_email.is_empty() {
        let _ = writeln!(o, " Email notification to:");
        for e in &g.notification_email {
            let _ = writeln!(o, "   {e}");
        }
    }
    let _ = writeln!(o, " Default VRRP version = {}", g.vrrp_version.unwrap_or(2));
    let _ = writeln!(
        o,
        " Gratuitous ARP delay = {}",
        g.vrrp_garp_master_delay.unwrap_or(5)
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP repeat = {}",
        g.vrrp_garp_master_repeat.unwrap_or(5)
    );
    let _ = writeln!(
        o,
        " Gratuitous ARP refresh timer = {}",
        g.vrrp_garp_master_refresh.unwrap_or(0)
    );
    let _ = writeln!(o, " Script security {}", onoff(g.enable_script_security));
    let _ = writeln!(o, " VRRP strict mode {}", onoff(g.vrrp_strict));
    if !c.scripts.is_empty() {
        let _ = writeln!(o, "------< VRRP Scripts >------");
        for s in &c.scripts {
            let _ = writeln!(o, " VRRP Script = {}", s.name);
            let _ = writeln!(
                o,
                "   Command = {}",
                s.argv
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let _ = writeln!(o, "   Interval = {} sec", s.interval);
            let _ = writeln!(o, "   Timeout = {} sec", s.timeout.unwrap_or(s.interval));
            let _ = writeln!(
                o,
                "   Weight = {}{}",
                s.weight,
                if s.weight_reverse { " reverse" } else { "" }
            );
            let _ = writeln!(o, "   Rise = {}", s.rise);
            let _ = writeln!(o, "   Fall = {}", s.fall);
            let _ = writeln!(o, "   Insecure = no");
        }
    }
    let _ = writeln!(o, "------< VRRP Topology >------");
    for i in &c.instances {
        let _ = writeln!(o, " VRRP Instance = {}", i.name);
        let v6 = i.vips.first().is_some_and(|v| v.addr.is_ipv6());
        let _ = writeln!(
            o,
            "   VRRP Version = {}",
            i.version
                .unwrap_or(if v6 { 3 } else { g.vrrp_version.unwrap_or(2) })
        );
        let _ = writeln!(
            o,
            "   State = {}",
            if i.state == InitialState::Master {
                "MASTER"
            } else {
                "BACKUP"
            }
        );
        let _ = writeln!(
            o,
            "   Interface = {}",
            i.interface.as_deref().unwrap_or("(none)")
        );
        let _ = writeln!(
            o,
            "   Virtual Router ID = {}",
            i.vrid.map_or("(unset)".into(), |v| v.to_string())
        );
        let _ = writeln!(o, "   Priority = {}", i.priority);
        let _ = writeln!(o, "   Advert interval = {} sec", i.advert_int.as_secs_f64());
        let _ = writeln!(
            o,
            "   Accept = {}",
            onoff(i.accept.unwrap_or(!g.vrrp_strict))
        );
        let _ = writeln!(o, "   Preempt = {}", onoff(!i.nopreempt));
        if let Some(d) = i.preempt_delay {
            let _ = writeln!(o, "   Preempt delay = {} secs", d.as_secs_f64());
        }
        match &i.auth {
            Some((t, pw)) => {
                let _ = writeln!(
                    o,
                    "   Authentication type = {}",
                    if *t == AuthType::Pass {
                        "SIMPLE_PASSWORD"
                    } else {
                        "IPSEC_AH"
                    }
                );
                let _ = writeln!(o, "   Password = {}", String::from_utf8_lossy(pw));
            }
            None => {
                let _ = writeln!(o, "   Authentication type = none");
            }
        }
        if !i.track_interfaces.is_empty() {
            let _ = writeln!(o, "   Tracked interfaces :");
            for t in &i.track_interfaces {
                let _ = writeln!(o, "     {} weight {}", t.name, t.weight.unwrap_or(0));
            }
        }
        if !i.track_scripts.is_empty() {
            let _ = writeln!(o, "   Tracked scripts :");
            for t in &i.track_scripts {
                let w = t
                    .weight
                    .unwrap_or_else(|| c.script(&t.name).map_or(0, |s| s.weight));
                let _ = writeln!(
                    o,
                    "     {} weight {w}{}",
                    t.name,
                    if t.reverse { " reverse" } else { "" }
                );
            }
        }
        let _ = writeln!(o, "   Virtual IP ({}):", i.vips.len());
        for v in &i.vips {
            let dev = v.dev.as_deref().or(i.interface.as_deref()).unwrap_or("?");
            let _ = writeln!(
                o,
                "     {}{} dev {dev} scope {}",
                v.addr,
                if (v.addr.is_ipv4() && v.prefix == 32) || v.prefix == 128 {
                    String::new()
                } else {
                    format!("/{}", v.prefix)
                },
                v.scope.as_deref().unwrap_or("global")
            );
        }
        if !i.unicast_peers.is_empty() {
            let _ = writeln!(o, "   Unicast Peer :");
            for p in &i.unicast_peers {
                let _ = writeln!(o, "     {}", p.addr);
            }
        }
        let smtp = i
            .smtp_alert
            .or(g.smtp_alert_vrrp)
            .or(g.smtp_alert)
            .unwrap_or(false);
        let _ = writeln!(
            o,
            "   Using smtp notification = {}",
            if smtp { "yes" } else { "no" }
        );
    }
    o
}
