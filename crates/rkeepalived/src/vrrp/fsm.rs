//! The VRRP state machine of one `vrrp_instance`, as keepalived 2.2.7 runs
//! it (reference §3.3, §3.4, §4.3), and `vrrp_sync_group` propagation.
//!
//! Sans-IO: [`Instance::handle`] takes the current time (`now`, any
//! monotonic origin) and an [`Event`], and returns [`Action`]s for the
//! driver (send an advert, arm a timer, add the VIPs, notify, log…).
//! The instance remembers the deadline of every timer it armed, so an
//! expiry event that arrives for a timer that was re-armed or stopped
//! meanwhile (`now` before the recorded deadline, or not armed) is
//! ignored; [`Instance::next_deadline`] and [`Instance::poll`] let a
//! driver (or a test with a fake clock) run the timers without keeping
//! its own table.
//!
//! Priorities here are *effective* priorities (see `priority.rs`): the
//! driver reports changes with [`Event::PriorityChanged`].
//!
//! Timers (reference §3.3): keepalived computes in microseconds.
//! - v2 (RFC 3768 §6.1): `Skew_Time = (256 − prio) / 256 s`, whatever
//!   the advert interval; `Master_Adver_Interval` is always our own
//!   (a v2 advert with another interval is dropped by the codec).
//! - v3 (RFC 5798 §6.1): `Skew_Time = (256 − prio) × Master_Adver_Interval
//!   / 256`; a backup adopts the master's advertised interval, a master
//!   uses its own. The lab's 0.5277 s v3 failover at priority 121 (§4.3 K)
//!   shows the microsecond arithmetic, not centisecond truncation.
//! - `Master_Down_Interval = down_timer_adverts (3) × Master_Adver_Interval
//!   + Skew_Time`.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// VRRP protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2,
    V3,
}

/// Instance states. STOP and DELETED are what notify scripts are told on
/// shutdown and on removal by a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Init,
    Backup,
    Master,
    Fault,
    Stop,
    Deleted,
}

impl State {
    /// The word keepalived uses (notify argument, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Init => "INIT",
            State::Backup => "BACKUP",
            State::Master => "MASTER",
            State::Fault => "FAULT",
            State::Stop => "STOP",
            State::Deleted => "DELETED",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Gratuitous ARP / unsolicited NA scheduling (reference §2.1, §3.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GarpConfig {
    /// Delay of the second burst after becoming master (0 = none).
    pub master_delay: Duration,
    /// GARPs per burst.
    pub master_repeat: u32,
    /// Periodic refresh while master (`None` = off).
    pub master_refresh: Option<Duration>,
    pub master_refresh_repeat: u32,
    /// Second burst after a master hears a lower-priority advert.
    pub lower_prio_delay: Duration,
    pub lower_prio_repeat: u32,
    /// `vrrp_min_garp`: one GARP, no second burst.
    pub min_garp: bool,
}

impl Default for GarpConfig {
    fn default() -> Self {
        GarpConfig {
            master_delay: Duration::from_secs(5),
            master_repeat: 5,
            master_refresh: None,
            master_refresh_repeat: 1,
            lower_prio_delay: Duration::from_secs(5),
            lower_prio_repeat: 5,
            min_garp: false,
        }
    }
}

/// What the state machine needs to know about its instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Instance name, used in every log line as `(NAME)`.
    pub name: String,
    pub version: Version,
    /// Configured (base) priority; 255 = address owner.
    pub priority: u8,
    /// Own advert interval (v2: whole seconds; v3: 10 ms steps).
    pub advert_int: Duration,
    /// Source address of our adverts (`mcast_src_ip`/`unicast_src_ip` or
    /// the interface's primary address): the tie-break operand.
    pub src: IpAddr,
    /// `state MASTER` in the config.
    pub wants_master: bool,
    pub nopreempt: bool,
    /// `preempt_delay` (0 = none).
    pub preempt_delay: Duration,
    /// `down_timer_adverts` (default 3).
    pub down_timer_adverts: u32,
    /// `lower_prio_no_advert`.
    pub lower_prio_no_advert: bool,
    /// `higher_prio_send_advert`.
    pub higher_prio_send_advert: bool,
    pub garp: GarpConfig,
}

impl Config {
    /// keepalived's defaults for everything not given.
    pub fn new(
        name: &str,
        version: Version,
        priority: u8,
        advert_int: Duration,
        src: IpAddr,
    ) -> Self {
        Config {
            name: name.to_string(),
            version,
            priority,
            advert_int,
            src,
            wants_master: false,
            nopreempt: false,
            preempt_delay: Duration::ZERO,
            down_timer_adverts: 3,
            lower_prio_no_advert: false,
            higher_prio_send_advert: false,
            garp: GarpConfig::default(),
        }
    }
}

/// The fields of a received, validated advert that the state machine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub priority: u8,
    /// IP source address of the advert.
    pub src: IpAddr,
    /// Advertised interval (v3: Max Advert Interval; v2: ignored).
    pub max_advert: Duration,
}

/// Timers the state machine arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// Adver_Timer (MASTER).
    Advert,
    /// Master_Down_Timer (BACKUP).
    MasterDown,
    /// End of `preempt_delay`.
    PreemptDelay,
    /// Second GARP burst after becoming master.
    GarpDelay,
    /// Second GARP burst after a lower-priority advert.
    GarpLowerPrioDelay,
    /// `garp_master_refresh`.
    GarpRefresh,
}

const TIMERS: [Timer; 6] = [
    Timer::Advert,
    Timer::MasterDown,
    Timer::PreemptDelay,
    Timer::GarpDelay,
    Timer::GarpLowerPrioDelay,
    Timer::GarpRefresh,
];

fn tix(t: Timer) -> usize {
    match t {
        Timer::Advert => 0,
        Timer::MasterDown => 1,
        Timer::PreemptDelay => 2,
        Timer::GarpDelay => 3,
        Timer::GarpLowerPrioDelay => 4,
        Timer::GarpRefresh => 5,
    }
}

/// How the instance finds its interfaces and trackers at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitCondition {
    /// Everything up: `Entering BACKUP STATE (init)`.
    Up,
    /// An interface (or other fault source) is down: `Entering FAULT STATE (init)`.
    Fault,
    /// An unweighted tracker has not reported yet: wait silently; the
    /// first [`Event::FaultOff`] enters BACKUP without "(init)".
    Waiting,
}

/// Inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Startup(InitCondition),
    AdvertReceived(Received),
    /// A timer armed by [`Action::StartTimer`] ran out
    /// (MasterDownTimerExpired = `TimerExpired(Timer::MasterDown)`, etc.).
    TimerExpired(Timer),
    /// New effective priority from tracking.
    PriorityChanged(u8),
    /// A fault source went down (track_interface, unweighted script…).
    FaultOn,
    /// All fault sources are up again.
    FaultOff,
    /// A VIP was deleted behind our back (netlink; reference §3.6).
    VipRemoved,
    /// SIGTERM.
    Shutdown,
    /// The instance disappeared in a reload.
    Deleted,
    /// Sync group: another member became MASTER.
    SyncMaster,
    /// Sync group: another member left MASTER for BACKUP.
    SyncBackup,
    /// Sync group: a member is in FAULT.
    SyncFault,
    /// Sync group: no member has a fault any more.
    SyncFaultClear,
}

/// Outputs, in the order the driver must perform them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send an advert with this priority (0 = master leaving).
    SendAdvert {
        priority: u8,
    },
    /// (Re-)arm a timer to run out `after` from now.
    StartTimer(Timer, Duration),
    StopTimer(Timer),
    /// Add the VIPs, excluded VIPs, routes and rules.
    AddVips,
    /// Remove them.
    DelVips,
    /// Send one burst of `count` GARPs / unsolicited NAs. With `-D` the
    /// driver logs `(X) Sending/queueing gratuitous ARPs on IF for A`.
    SendGarp {
        count: u32,
    },
    /// Run notify scripts / FIFO / SMTP for the new state.
    Notify(State),
    /// Run `notify_master_rx_lower_pri`.
    NotifyMasterRxLowerPri,
    /// A log line logged always.
    Log(String),
    /// A log line logged only with `-D`.
    Detail(String),
}

/// One VRRP instance.
#[derive(Debug, Clone)]
pub struct Instance {
    cfg: Config,
    state: State,
    effective: u8,
    master_adver_int: Duration,
    master: Option<(IpAddr, u8)>,
    preempt_until: Option<Duration>,
    deadlines: [Option<Duration>; 6],
    own_fault: bool,
    sync_fault: bool,
    want_master: bool,
}

/// Skew_Time for a priority and Master_Adver_Interval (reference §3.3).
pub fn skew_time(version: Version, priority: u8, master_adver_int: Duration) -> Duration {
    let p = 256u64 - u64::from(priority);
    match version {
        Version::V2 => Duration::from_micros(p * 1_000_000 / 256),
        Version::V3 => {
            let us = u64::try_from(master_adver_int.as_micros()).unwrap_or(u64::MAX / 256);
            Duration::from_micros(p.saturating_mul(us) / 256)
        }
    }
}

/// Master_Down_Interval = adverts × Master_Adver_Interval + Skew_Time.
pub fn master_down_interval(
    version: Version,
    priority: u8,
    master_adver_int: Duration,
    down_timer_adverts: u32,
) -> Duration {
    master_adver_int
        .saturating_mul(down_timer_adverts)
        .saturating_add(skew_time(version, priority, master_adver_int))
}

/// One microsecond: the owner's wait before MASTER at start-up.
pub const OWNER_START_DELAY: Duration = Duration::from_micros(1);

impl Instance {
    pub fn new(cfg: Config) -> Self {
        let effective = cfg.priority.max(1);
        Instance {
            master_adver_int: cfg.advert_int,
            want_master: cfg.wants_master,
            cfg,
            state: State::Init,
            effective,
            master: None,
            preempt_until: None,
            deadlines: [None; 6],
            own_fault: false,
            sync_fault: false,
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }
    pub fn state(&self) -> State {
        self.state
    }
    pub fn effective_priority(&self) -> u8 {
        self.effective
    }
    /// Master_Adver_Interval in use.
    pub fn master_adver_int(&self) -> Duration {
        self.master_adver_int
    }
    /// Address and priority of the master last accepted while BACKUP.
    pub fn master(&self) -> Option<(IpAddr, u8)> {
        self.master
    }
    /// keepalived's `wantstate == MASTER`: configured `state MASTER`, or
    /// the down timer ran out (used by sync groups).
    pub fn wants_master(&self) -> bool {
        self.want_master
    }
    /// The instance's own fault sources are down.
    pub fn own_fault(&self) -> bool {
        self.own_fault
    }
    pub fn sync_fault(&self) -> bool {
        self.sync_fault
    }
    fn is_owner(&self) -> bool {
        self.cfg.priority == 255
    }

    pub fn skew(&self) -> Duration {
        skew_time(self.cfg.version, self.effective, self.master_adver_int)
    }
    pub fn master_down(&self) -> Duration {
        master_down_interval(
            self.cfg.version,
            self.effective,
            self.master_adver_int,
            self.cfg.down_timer_adverts.max(1),
        )
    }

    /// When `t` runs out, if armed.
    pub fn deadline(&self, t: Timer) -> Option<Duration> {
        self.deadlines[tix(t)]
    }

    /// The earliest armed timer.
    pub fn next_deadline(&self) -> Option<(Duration, Timer)> {
        TIMERS
            .iter()
            .filter_map(|&t| self.deadline(t).map(|d| (d, t)))
            .min()
    }

    /// Fire every timer due at `now`, earliest first.
    pub fn poll(&mut self, now: Duration) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some((d, t)) = self.next_deadline() {
            if d > now {
                break;
            }
            out.extend(self.handle(d, Event::TimerExpired(t)));
        }
        out
    }

    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn start(&mut self, now: Duration, t: Timer, after: Duration, out: &mut Vec<Action>) {
        self.deadlines[tix(t)] = Some(now.saturating_add(after));
        out.push(Action::StartTimer(t, after));
    }

    fn stop(&mut self, t: Timer, out: &mut Vec<Action>) {
        if self.deadlines[tix(t)].take().is_some() {
            out.push(Action::StopTimer(t));
        }
    }

    fn stop_all(&mut self, out: &mut Vec<Action>) {
        for t in TIMERS {
            self.stop(t, out);
        }
    }

    fn log(&self, out: &mut Vec<Action>, text: String) {
        out.push(Action::Log(format!("({}) {text}", self.name())));
    }

    fn detail(&self, out: &mut Vec<Action>, text: &str) {
        out.push(Action::Detail(format!("({}) {text}", self.name())));
    }

    /// Process one event at `now`.
    pub fn handle(&mut self, now: Duration, ev: Event) -> Vec<Action> {
        let mut out = Vec::new();
        match ev {
            Event::Startup(cond) => self.startup(now, cond, &mut out),
            Event::AdvertReceived(r) => match self.state {
                State::Backup => self.backup_rx(now, r, &mut out),
                State::Master => self.master_rx(now, r, &mut out),
                // RFC 3768 §6.4.1: INIT ignores adverts; FAULT (not an RFC
                // state) and the final states do too.
                _ => {}
            },
            Event::TimerExpired(t) => {
                let due = matches!(self.deadline(t), Some(d) if d <= now);
                if due {
                    self.deadlines[tix(t)] = None;
                    self.timer(now, t, &mut out);
                }
            }
            Event::PriorityChanged(p) => self.priority_changed(now, p, &mut out),
            Event::FaultOn => {
                self.own_fault = true;
                self.enter_fault(now, &mut out);
            }
            Event::FaultOff => {
                self.own_fault = false;
                if !self.sync_fault {
                    self.leave_fault(now, &mut out);
                }
            }
            Event::SyncFault => {
                self.sync_fault = true;
                self.enter_fault(now, &mut out);
            }
            Event::SyncFaultClear => {
                self.sync_fault = false;
                if !self.own_fault {
                    self.leave_fault(now, &mut out);
                }
            }
            Event::VipRemoved => {
                // Reference §3.6: priority 0, VIPs removed, BACKUP with a
                // down timer of only the skew time.
                if self.state == State::Master {
                    out.push(Action::SendAdvert { priority: 0 });
                    self.detail(&mut out, "sent 0 priority");
                    let skew = self.skew();
                    self.enter_backup(now, skew, &mut out);
                }
            }
            Event::Shutdown => self.finish(State::Stop, &mut out),
            Event::Deleted => self.finish(State::Deleted, &mut out),
            Event::SyncMaster => {
                if self.state == State::Backup {
                    self.become_master(now, false, &mut out);
                }
            }
            Event::SyncBackup => {
                if self.state == State::Master {
                    let md = self.master_down();
                    self.enter_backup(now, md, &mut out);
                }
            }
        }
        out
    }

    /// Reference §3.4 "Startup": VIPs removed, then BACKUP (init) or
    /// FAULT (init); an address owner that wants MASTER becomes master
    /// 1 µs later, everyone else waits the full master-down interval
    /// (RFC 3768 §6.4.1 would make `state MASTER` master at once;
    /// keepalived 2.2.7 does not).
    fn startup(&mut self, now: Duration, cond: InitCondition, out: &mut Vec<Action>) {
        if self.state != State::Init {
            return;
        }
        self.detail(out, "removing VIPs.");
        out.push(Action::DelVips);
        match cond {
            InitCondition::Up => {
                self.log(out, "Entering BACKUP STATE (init)".into());
                self.state = State::Backup;
                self.master_adver_int = self.cfg.advert_int;
                out.push(Action::Notify(State::Backup));
                let wait = if self.is_owner() && self.cfg.wants_master {
                    OWNER_START_DELAY
                } else {
                    self.master_down()
                };
                self.start(now, Timer::MasterDown, wait, out);
            }
            InitCondition::Fault => {
                self.own_fault = true;
                self.log(out, "Entering FAULT STATE (init)".into());
                self.state = State::Fault;
                out.push(Action::Notify(State::Fault));
            }
            InitCondition::Waiting => {
                self.own_fault = true;
            }
        }
    }

    /// RFC 3768 §6.4.2 / RFC 5798 §6.4.2 (Backup), receiving an advert.
    fn backup_rx(&mut self, now: Duration, r: Received, out: &mut Vec<Action>) {
        if r.priority == 0 {
            // "If the Priority in the ADVERTISEMENT is zero, then set the
            // Master_Down_Timer to Skew_Time."
            self.detail(out, "Backup received priority 0 advertisement");
            let skew = self.skew();
            self.start(now, Timer::MasterDown, skew, out);
            return;
        }
        let delay = self.cfg.preempt_delay;
        let delaying =
            !delay.is_zero() && !matches!(self.preempt_until, Some(until) if now >= until);
        if self.cfg.nopreempt || r.priority >= self.effective || delaying {
            // Accepted: equal priority is accepted whatever the addresses
            // (keepalived never uses the IP tie-break in BACKUP).
            if !delay.is_zero() && (r.priority > self.effective || self.preempt_until.is_none()) {
                self.preempt_until = Some(now.saturating_add(delay));
                self.start(now, Timer::PreemptDelay, delay, out);
            }
            if self.cfg.version == Version::V3 && !r.max_advert.is_zero() {
                // RFC 5798 §6.4.2: adopt the master's interval.
                self.master_adver_int = r.max_advert;
            }
            self.master = Some((r.src, r.priority));
            if r.priority > self.effective {
                self.want_master = false;
            }
            let md = self.master_down();
            self.start(now, Timer::MasterDown, md, out);
        } else {
            // Preempting: discard, and do not reset the down timer.
            self.log(
                out,
                format!(
                    "received lower priority ({}) advert from {} - discarding",
                    r.priority, r.src
                ),
            );
        }
    }

    /// RFC 3768 §6.4.3 / RFC 5798 §6.4.3 (Master), receiving an advert.
    fn master_rx(&mut self, now: Duration, r: Received, out: &mut Vec<Action>) {
        if r.priority == 0 {
            // "Send an ADVERTISEMENT; reset the Adver_Timer."
            out.push(Action::SendAdvert {
                priority: self.effective,
            });
            let ai = self.cfg.advert_int;
            self.start(now, Timer::Advert, ai, out);
            return;
        }
        if r.priority == 255 && self.effective == 255 && r.src != self.cfg.src {
            self.log(
                out,
                "CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority".into(),
            );
            self.effective = 254;
        }
        let ours = self.effective;
        if r.priority > ours || (r.priority == ours && r.src > self.cfg.src) {
            if r.priority > ours {
                self.log(
                    out,
                    format!(
                        "Master received advert from {} with higher priority {}, ours {ours}",
                        r.src, r.priority
                    ),
                );
            } else {
                self.log(
                    out,
                    format!(
                        "Master received advert from {} with same priority {} but higher IP address than ours",
                        r.src, r.priority
                    ),
                );
            }
            if self.cfg.higher_prio_send_advert {
                out.push(Action::SendAdvert { priority: ours });
            }
            if self.cfg.version == Version::V3 && !r.max_advert.is_zero() {
                self.master_adver_int = r.max_advert;
            }
            self.master = Some((r.src, r.priority));
            if !self.cfg.preempt_delay.is_zero() {
                let d = self.cfg.preempt_delay;
                self.preempt_until = Some(now.saturating_add(d));
                self.start(now, Timer::PreemptDelay, d, out);
            }
            let md = self.master_down();
            self.enter_backup(now, md, out);
        } else if r.priority == ours && r.src == self.cfg.src {
            out.push(Action::Log(
                "WARNING - equal priority advert received from remote host with our IP address."
                    .into(),
            ));
        } else {
            // "lower" is printed even for equal priorities.
            self.log(
                out,
                format!(
                    "Received advert from {} with lower priority {}, ours {ours}, forcing new election",
                    r.src, r.priority
                ),
            );
            if !self.cfg.lower_prio_no_advert {
                out.push(Action::SendAdvert { priority: ours });
            }
            let g = self.cfg.garp.clone();
            let count = if g.min_garp { 1 } else { g.lower_prio_repeat };
            if count > 0 {
                out.push(Action::SendGarp { count });
            }
            if !g.min_garp && !g.lower_prio_delay.is_zero() && g.lower_prio_repeat > 0 {
                self.start(now, Timer::GarpLowerPrioDelay, g.lower_prio_delay, out);
            }
            out.push(Action::NotifyMasterRxLowerPri);
        }
    }

    fn timer(&mut self, now: Duration, t: Timer, out: &mut Vec<Action>) {
        match (self.state, t) {
            (State::Backup, Timer::MasterDown) => {
                self.want_master = true;
                self.become_master(now, true, out);
            }
            (State::Master, Timer::Advert) => {
                out.push(Action::SendAdvert {
                    priority: self.effective,
                });
                let ai = self.cfg.advert_int;
                self.start(now, Timer::Advert, ai, out);
            }
            (State::Master, Timer::GarpDelay) if self.cfg.garp.master_repeat > 0 => {
                out.push(Action::SendGarp {
                    count: self.cfg.garp.master_repeat,
                });
            }
            (State::Master, Timer::GarpLowerPrioDelay) if self.cfg.garp.lower_prio_repeat > 0 => {
                out.push(Action::SendGarp {
                    count: self.cfg.garp.lower_prio_repeat,
                });
            }
            (State::Master, Timer::GarpRefresh) => {
                if self.cfg.garp.master_refresh_repeat > 0 {
                    out.push(Action::SendGarp {
                        count: self.cfg.garp.master_refresh_repeat,
                    });
                }
                if let Some(r) = self.cfg.garp.master_refresh {
                    self.start(now, Timer::GarpRefresh, r, out);
                }
            }
            // PreemptDelay: nothing happens at once; the next lower
            // advert is discarded and the down timer runs out.
            _ => {}
        }
    }

    /// Down timer expiry (RFC 3768 §6.4.2 "If the Master_Down_Timer
    /// fires"): advert first, then VIPs, GARPs, the second burst and the
    /// refresh timer, then notify (reference §3.4).
    fn become_master(&mut self, now: Duration, timeout: bool, out: &mut Vec<Action>) {
        if timeout {
            self.detail(out, "Receive advertisement timeout");
        }
        self.log(out, "Entering MASTER STATE".into());
        self.state = State::Master;
        self.master = None;
        self.master_adver_int = self.cfg.advert_int;
        self.stop(Timer::MasterDown, out);
        self.stop(Timer::PreemptDelay, out);
        out.push(Action::SendAdvert {
            priority: self.effective,
        });
        self.detail(out, "setting VIPs.");
        out.push(Action::AddVips);
        let g = self.cfg.garp.clone();
        let count = if g.min_garp { 1 } else { g.master_repeat };
        if count > 0 {
            out.push(Action::SendGarp { count });
        }
        if !g.min_garp && !g.master_delay.is_zero() && g.master_repeat > 0 {
            self.start(now, Timer::GarpDelay, g.master_delay, out);
        }
        if let Some(r) = g.master_refresh.filter(|r| !r.is_zero()) {
            self.start(now, Timer::GarpRefresh, r, out);
        }
        out.push(Action::Notify(State::Master));
        let ai = self.cfg.advert_int;
        self.start(now, Timer::Advert, ai, out);
    }

    /// MASTER → BACKUP: stop the master's timers, remove the VIPs,
    /// notify, arm the down timer with `down`.
    fn enter_backup(&mut self, now: Duration, down: Duration, out: &mut Vec<Action>) {
        self.log(out, "Entering BACKUP STATE".into());
        self.state = State::Backup;
        self.want_master = false;
        for t in [
            Timer::Advert,
            Timer::GarpDelay,
            Timer::GarpLowerPrioDelay,
            Timer::GarpRefresh,
        ] {
            self.stop(t, out);
        }
        self.detail(out, "removing VIPs.");
        out.push(Action::DelVips);
        out.push(Action::Notify(State::Backup));
        self.start(now, Timer::MasterDown, down, out);
    }

    fn enter_fault(&mut self, _now: Duration, out: &mut Vec<Action>) {
        match self.state {
            State::Fault | State::Stop | State::Deleted => {}
            State::Init => {
                // Waiting for a tracker at start-up, then it failed.
                self.log(out, "Entering FAULT STATE".into());
                self.state = State::Fault;
                out.push(Action::Notify(State::Fault));
            }
            State::Backup => {
                self.log(out, "Entering FAULT STATE".into());
                self.state = State::Fault;
                self.stop_all(out);
                out.push(Action::Notify(State::Fault));
            }
            State::Master => {
                // Reference §4.3 E: log, priority 0, VIPs removed.
                self.log(out, "Entering FAULT STATE".into());
                self.state = State::Fault;
                out.push(Action::SendAdvert { priority: 0 });
                self.detail(out, "sent 0 priority");
                self.stop_all(out);
                self.detail(out, "removing VIPs.");
                out.push(Action::DelVips);
                out.push(Action::Notify(State::Fault));
            }
        }
    }

    /// Everything up again: BACKUP at once, then normal preemption; an
    /// owner that wants MASTER waits one advert interval plus skew.
    fn leave_fault(&mut self, now: Duration, out: &mut Vec<Action>) {
        if !matches!(self.state, State::Fault | State::Init) {
            return;
        }
        self.log(out, "Entering BACKUP STATE".into());
        self.state = State::Backup;
        self.master_adver_int = self.cfg.advert_int;
        self.master = None;
        self.preempt_until = None;
        out.push(Action::Notify(State::Backup));
        let wait = if self.is_owner() && self.cfg.wants_master {
            self.cfg.advert_int.saturating_add(self.skew())
        } else {
            self.master_down()
        };
        self.start(now, Timer::MasterDown, wait, out);
    }

    /// Reference §3.5: `(X) Changing effective priority from A to B`; a
    /// backup recomputes its down timer (§3.3); a master sends no extra
    /// advert. Owners are never changed.
    fn priority_changed(&mut self, now: Duration, p: u8, out: &mut Vec<Action>) {
        let p = p.max(1);
        if self.is_owner() || p == self.effective {
            return;
        }
        self.log(
            out,
            format!("Changing effective priority from {} to {p}", self.effective),
        );
        self.effective = p;
        if self.state == State::Backup && self.deadline(Timer::MasterDown).is_some() {
            let md = self.master_down();
            self.start(now, Timer::MasterDown, md, out);
        }
    }

    /// SIGTERM or deletion: a master sends priority 0 and removes its
    /// VIPs; every instance reports STOP (or DELETED).
    fn finish(&mut self, end: State, out: &mut Vec<Action>) {
        if matches!(self.state, State::Stop | State::Deleted) {
            return;
        }
        if self.state == State::Master {
            out.push(Action::SendAdvert { priority: 0 });
            self.detail(out, "sent 0 priority");
            self.detail(out, "removing VIPs.");
            out.push(Action::DelVips);
        }
        self.stop_all(out);
        self.state = end;
        out.push(Action::Notify(end));
    }

    /// Sync groups: a down-timer expiry that may not go to MASTER yet
    /// re-arms the timer instead and records the wish.
    fn hold_for_group(&mut self, now: Duration, out: &mut Vec<Action>) {
        self.deadlines[tix(Timer::MasterDown)] = None;
        self.want_master = true;
        let md = self.master_down();
        self.start(now, Timer::MasterDown, md, out);
    }
}

/// Config sanity keepalived applies to `state MASTER` instances
/// (reference §2.3: `nopreempt` and `preempt_delay` do not work with an
/// initial MASTER state and are cleared with a warning).
pub fn sanitise(cfg: &mut Config) -> Vec<String> {
    let mut warn = Vec::new();
    if cfg.wants_master && cfg.nopreempt {
        warn.push(format!(
            "({}) Warning - nopreempt will not work with initial state MASTER - clearing",
            cfg.name
        ));
        cfg.nopreempt = false;
    }
    if cfg.wants_master && !cfg.preempt_delay.is_zero() {
        warn.push(format!(
            "({}) Warning - preempt delay will not work with initial state MASTER - clearing",
            cfg.name
        ));
        cfg.preempt_delay = Duration::ZERO;
    }
    warn
}

/// A `vrrp_sync_group`: its members move together. An action tagged
/// `None` belongs to the group (its log lines and notify).
#[derive(Debug, Clone)]
pub struct SyncGroup {
    pub name: String,
    pub members: Vec<Instance>,
    state: State,
}

impl SyncGroup {
    pub fn new(name: &str, members: Vec<Instance>) -> Self {
        SyncGroup {
            name: name.to_string(),
            members,
            state: State::Init,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Earliest timer over all members.
    pub fn next_deadline(&self) -> Option<(Duration, usize, Timer)> {
        self.members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.next_deadline().map(|(d, t)| (d, i, t)))
            .min()
    }

    /// Fire every member timer due at `now`.
    pub fn poll(&mut self, now: Duration) -> Vec<(Option<usize>, Action)> {
        let mut out = Vec::new();
        while let Some((d, i, t)) = self.next_deadline() {
            if d > now {
                break;
            }
            out.extend(self.handle(d, i, Event::TimerExpired(t)));
        }
        out
    }

    fn group_log(&self, out: &mut Vec<(Option<usize>, Action)>, to: State) {
        out.push((
            None,
            Action::Log(format!(
                "VRRP_Group({}) Syncing instances to {to} state",
                self.name
            )),
        ));
    }

    /// Deliver `ev` to member `idx` and propagate its transition:
    /// MASTER → all BACKUP members become MASTER; MASTER → BACKUP → all
    /// masters become BACKUP; any member FAULT → all FAULT until no
    /// member has a fault of its own. A member whose down timer runs out
    /// goes MASTER only when every other member wants MASTER too (its
    /// own timer ran out, or `state MASTER`); otherwise it re-arms.
    pub fn handle(&mut self, now: Duration, idx: usize, ev: Event) -> Vec<(Option<usize>, Action)> {
        let mut out: Vec<(Option<usize>, Action)> = Vec::new();
        if idx >= self.members.len() {
            return out;
        }
        if ev == Event::TimerExpired(Timer::MasterDown)
            && self.members[idx].state == State::Backup
            && matches!(self.members[idx].deadline(Timer::MasterDown), Some(d) if d <= now)
        {
            let others_ready = self
                .members
                .iter()
                .enumerate()
                .all(|(j, m)| j == idx || m.want_master || m.state == State::Master);
            if !others_ready {
                let mut acts = Vec::new();
                self.members[idx].hold_for_group(now, &mut acts);
                out.extend(acts.into_iter().map(|a| (Some(idx), a)));
                return out;
            }
        }
        let before = self.members[idx].state;
        let acts = self.members[idx].handle(now, ev);
        out.extend(acts.into_iter().map(|a| (Some(idx), a)));
        let after = self.members[idx].state;

        // Fault propagation.
        let group_fault = self.members.iter().any(|m| m.own_fault);
        if group_fault && self.state != State::Fault {
            self.group_log(&mut out, State::Fault);
        }
        for j in 0..self.members.len() {
            let m = &self.members[j];
            let ev = if group_fault && !m.sync_fault {
                Some(Event::SyncFault)
            } else if !group_fault && m.sync_fault {
                Some(Event::SyncFaultClear)
            } else {
                None
            };
            if let Some(ev) = ev {
                let acts = self.members[j].handle(now, ev);
                out.extend(acts.into_iter().map(|a| (Some(j), a)));
            }
        }
        if !group_fault && before != after {
            match (before, after) {
                (_, State::Master) => {
                    self.group_log(&mut out, State::Master);
                    for j in 0..self.members.len() {
                        if j != idx {
                            let acts = self.members[j].handle(now, Event::SyncMaster);
                            out.extend(acts.into_iter().map(|a| (Some(j), a)));
                        }
                    }
                }
                (State::Master, State::Backup) => {
                    self.group_log(&mut out, State::Backup);
                    for j in 0..self.members.len() {
                        if j != idx {
                            let acts = self.members[j].handle(now, Event::SyncBackup);
                            out.extend(acts.into_iter().map(|a| (Some(j), a)));
                        }
                    }
                }
                _ => {}
            }
        }
        let new = self.summary();
        if new != self.state {
            self.state = new;
            if matches!(
                new,
                State::Master | State::Backup | State::Fault | State::Stop
            ) {
                out.push((None, Action::Notify(new)));
            }
        }
        out
    }

    fn summary(&self) -> State {
        let states: Vec<State> = self.members.iter().map(|m| m.state).collect();
        if states.contains(&State::Fault) {
            State::Fault
        } else if states.iter().all(|&s| s == State::Master) {
            State::Master
        } else if states
            .iter()
            .all(|&s| matches!(s, State::Stop | State::Deleted))
        {
            State::Stop
        } else if states.contains(&State::Init) {
            State::Init
        } else {
            State::Backup
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const OURS: [u8; 4] = [192, 0, 2, 11];

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }
    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }
    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }
    fn cfg(prio: u8) -> Config {
        Config::new("VI_1", Version::V2, prio, s(1), IpAddr::from(OURS))
    }
    fn rx(prio: u8, last: u8) -> Event {
        Event::AdvertReceived(Received {
            priority: prio,
            src: ip(last),
            max_advert: s(1),
        })
    }
    fn logs(a: &[Action]) -> Vec<String> {
        a.iter()
            .filter_map(|a| match a {
                Action::Log(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }
    fn starts(a: &[Action], t: Timer) -> Vec<Duration> {
        a.iter()
            .filter_map(|a| match a {
                Action::StartTimer(x, d) if *x == t => Some(*d),
                _ => None,
            })
            .collect()
    }

    /// Bring an instance with `c` into `st`; returns it and the time.
    fn reach(c: Config, st: State) -> (Instance, Duration) {
        let mut i = Instance::new(c);
        match st {
            State::Init => (i, Duration::ZERO),
            State::Fault => {
                i.handle(Duration::ZERO, Event::Startup(InitCondition::Fault));
                (i, Duration::ZERO)
            }
            State::Backup => {
                i.handle(Duration::ZERO, Event::Startup(InitCondition::Up));
                (i, Duration::ZERO)
            }
            State::Master => {
                i.handle(Duration::ZERO, Event::Startup(InitCondition::Up));
                let (d, _) = i.next_deadline().unwrap();
                i.handle(d, Event::TimerExpired(Timer::MasterDown));
                assert_eq!(i.state(), State::Master);
                (i, d)
            }
            _ => unreachable!(),
        }
    }

    struct Row {
        what: &'static str,
        prio: u8,
        from: State,
        ev: Event,
        to: State,
        logs: &'static [&'static str],
        has: Vec<Action>,
        lacks: Vec<Action>,
    }

    const SEND_ZERO: Action = Action::SendAdvert { priority: 0 };
    const SEND_100: Action = Action::SendAdvert { priority: 100 };

    /// RFC 3768 §6.4.1–6.4.3 (RFC 5798 §6.4.1–6.4.3) as keepalived 2.2.7 runs
    /// them (reference §3.4).
    #[test]
    fn transition_table() {
        let rows = [
            Row { what: "6.4.1 startup: BACKUP (init), not MASTER", prio: 100, from: State::Init,
                ev: Event::Startup(InitCondition::Up), to: State::Backup,
                logs: &["(VI_1) Entering BACKUP STATE (init)"],
                has: vec![Action::DelVips, Action::Notify(State::Backup)], lacks: vec![Action::AddVips] },
            Row { what: "startup with an interface down", prio: 100, from: State::Init,
                ev: Event::Startup(InitCondition::Fault), to: State::Fault,
                logs: &["(VI_1) Entering FAULT STATE (init)"],
                has: vec![Action::Notify(State::Fault)], lacks: vec![] },
            Row { what: "startup waiting for an unweighted script", prio: 100, from: State::Init,
                ev: Event::Startup(InitCondition::Waiting), to: State::Init,
                logs: &[], has: vec![], lacks: vec![Action::Notify(State::Backup)] },
            Row { what: "INIT ignores adverts", prio: 100, from: State::Init,
                ev: rx(200, 12), to: State::Init, logs: &[], has: vec![], lacks: vec![] },
            Row { what: "6.4.2 backup: priority 0", prio: 100, from: State::Backup,
                ev: rx(0, 12), to: State::Backup, logs: &[], has: vec![
                    Action::Detail("(VI_1) Backup received priority 0 advertisement".into()),
                    Action::StartTimer(Timer::MasterDown, Duration::from_micros(609_375)),
                ], lacks: vec![] },
            Row { what: "6.4.2 backup: higher priority accepted", prio: 100, from: State::Backup,
                ev: rx(150, 12), to: State::Backup, logs: &[], has: vec![], lacks: vec![] },
            Row { what: "6.4.2 backup: equal priority from higher IP accepted", prio: 100,
                from: State::Backup, ev: rx(100, 200), to: State::Backup, logs: &[], has: vec![], lacks: vec![] },
            Row { what: "6.4.2 backup: equal priority from lower IP accepted (no tie-break)", prio: 100,
                from: State::Backup, ev: rx(100, 1), to: State::Backup, logs: &[], has: vec![], lacks: vec![] },
            Row { what: "6.4.2 backup: lower priority discarded while preempting", prio: 100,
                from: State::Backup, ev: rx(99, 12), to: State::Backup,
                logs: &["(VI_1) received lower priority (99) advert from 192.0.2.12 - discarding"],
                has: vec![], lacks: vec![] },
            Row { what: "backup: shutdown", prio: 100, from: State::Backup, ev: Event::Shutdown,
                to: State::Stop, logs: &[], has: vec![Action::Notify(State::Stop), Action::StopTimer(Timer::MasterDown)],
                lacks: vec![SEND_ZERO, Action::DelVips] },
            Row { what: "backup: fault", prio: 100, from: State::Backup, ev: Event::FaultOn,
                to: State::Fault, logs: &["(VI_1) Entering FAULT STATE"],
                has: vec![Action::Notify(State::Fault), Action::StopTimer(Timer::MasterDown)], lacks: vec![SEND_ZERO] },
            Row { what: "backup: advert timer is stale", prio: 100, from: State::Backup,
                ev: Event::TimerExpired(Timer::Advert), to: State::Backup, logs: &[], has: vec![], lacks: vec![SEND_100] },
            Row { what: "6.4.3 master: advert timer", prio: 100, from: State::Master,
                ev: Event::TimerExpired(Timer::Advert), to: State::Master, logs: &[],
                has: vec![SEND_100, Action::StartTimer(Timer::Advert, Duration::from_secs(1))], lacks: vec![] },
            Row { what: "6.4.3 master: priority 0 answered at once", prio: 100, from: State::Master,
                ev: rx(0, 12), to: State::Master, logs: &[],
                has: vec![SEND_100, Action::StartTimer(Timer::Advert, Duration::from_secs(1))], lacks: vec![] },
            Row { what: "6.4.3 master: higher priority", prio: 100, from: State::Master, ev: rx(101, 12),
                to: State::Backup,
                logs: &["(VI_1) Master received advert from 192.0.2.12 with higher priority 101, ours 100",
                        "(VI_1) Entering BACKUP STATE"],
                has: vec![Action::DelVips, Action::Notify(State::Backup), Action::StopTimer(Timer::Advert),
                       Action::StopTimer(Timer::GarpDelay)], lacks: vec![SEND_100] },
            Row { what: "6.4.3 master: equal priority, higher IP", prio: 100, from: State::Master,
                ev: rx(100, 12), to: State::Backup,
                logs: &["(VI_1) Master received advert from 192.0.2.12 with same priority 100 but higher IP address than ours",
                        "(VI_1) Entering BACKUP STATE"],
                has: vec![Action::DelVips], lacks: vec![] },
            Row { what: "6.4.3 master: equal priority, lower IP", prio: 100, from: State::Master,
                ev: rx(100, 10), to: State::Master,
                logs: &["(VI_1) Received advert from 192.0.2.10 with lower priority 100, ours 100, forcing new election"],
                has: vec![SEND_100, Action::SendGarp { count: 5 },
                       Action::StartTimer(Timer::GarpLowerPrioDelay, Duration::from_secs(5)),
                       Action::NotifyMasterRxLowerPri], lacks: vec![Action::DelVips] },
            Row { what: "6.4.3 master: lower priority", prio: 100, from: State::Master, ev: rx(99, 12),
                to: State::Master,
                logs: &["(VI_1) Received advert from 192.0.2.12 with lower priority 99, ours 100, forcing new election"],
                has: vec![SEND_100, Action::SendGarp { count: 5 }], lacks: vec![] },
            Row { what: "master: equal priority from our own address", prio: 100, from: State::Master,
                ev: rx(100, 11), to: State::Master,
                logs: &["WARNING - equal priority advert received from remote host with our IP address."],
                has: vec![], lacks: vec![SEND_100] },
            Row { what: "6.4.3 master: shutdown sends priority 0", prio: 100, from: State::Master,
                ev: Event::Shutdown, to: State::Stop, logs: &[],
                has: vec![SEND_ZERO, Action::DelVips, Action::Notify(State::Stop), Action::StopTimer(Timer::Advert)],
                lacks: vec![] },
            Row { what: "master: fault sends priority 0", prio: 100, from: State::Master, ev: Event::FaultOn,
                to: State::Fault, logs: &["(VI_1) Entering FAULT STATE"],
                has: vec![SEND_ZERO, Action::DelVips, Action::Notify(State::Fault)], lacks: vec![] },
            Row { what: "master: VIP deleted behind our back", prio: 100, from: State::Master,
                ev: Event::VipRemoved, to: State::Backup, logs: &["(VI_1) Entering BACKUP STATE"],
                has: vec![SEND_ZERO, Action::DelVips, Action::StartTimer(Timer::MasterDown, Duration::from_micros(609_375))],
                lacks: vec![] },
            Row { what: "master: deletion by reload", prio: 100, from: State::Master, ev: Event::Deleted,
                to: State::Deleted, logs: &[], has: vec![SEND_ZERO, Action::Notify(State::Deleted)], lacks: vec![] },
            Row { what: "fault ignores adverts", prio: 100, from: State::Fault, ev: rx(0, 12),
                to: State::Fault, logs: &[], has: vec![], lacks: vec![] },
            Row { what: "fault cleared: BACKUP at once", prio: 100, from: State::Fault, ev: Event::FaultOff,
                to: State::Backup, logs: &["(VI_1) Entering BACKUP STATE"],
                has: vec![Action::Notify(State::Backup), Action::StartTimer(Timer::MasterDown, Duration::from_micros(3_609_375))],
                lacks: vec![] },
            Row { what: "fault: shutdown", prio: 100, from: State::Fault, ev: Event::Shutdown,
                to: State::Stop, logs: &[], has: vec![Action::Notify(State::Stop)], lacks: vec![SEND_ZERO] },
            Row { what: "two address owners", prio: 255, from: State::Master, ev: rx(255, 12),
                to: State::Backup,
                logs: &["(VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority",
                        "(VI_1) Master received advert from 192.0.2.12 with higher priority 255, ours 254",
                        "(VI_1) Entering BACKUP STATE"],
                has: vec![], lacks: vec![] },
        ];
        for row in rows {
            let (mut i, now) = reach(cfg(row.prio), row.from);
            let now = match row.ev {
                Event::TimerExpired(t) => i.deadline(t).unwrap_or(now),
                _ => now + Duration::from_millis(500),
            };
            let acts = i.handle(now, row.ev);
            assert_eq!(i.state(), row.to, "{}: state", row.what);
            assert_eq!(logs(&acts), row.logs, "{}: logs", row.what);
            for h in &row.has {
                assert!(acts.contains(h), "{}: missing {h:?} in {acts:?}", row.what);
            }
            for l in &row.lacks {
                assert!(
                    !acts.contains(l),
                    "{}: unexpected {l:?} in {acts:?}",
                    row.what
                );
            }
        }
    }

    #[test]
    fn backup_timer_effects() {
        // accepted advert resets the down timer; priority 0 sets it to skew;
        // a discarded lower advert leaves it alone.
        let (mut i, _) = reach(cfg(100), State::Backup);
        let a = i.handle(s(1), rx(150, 12));
        assert_eq!(starts(&a, Timer::MasterDown), vec![us(3_609_375)]);
        assert_eq!(i.deadline(Timer::MasterDown), Some(s(1) + us(3_609_375)));
        assert_eq!(i.master(), Some((ip(12), 150)));
        let a = i.handle(s(2), rx(0, 12));
        assert_eq!(starts(&a, Timer::MasterDown), vec![us(609_375)]);
        assert_eq!(
            a[0],
            Action::Detail("(VI_1) Backup received priority 0 advertisement".into())
        );
        let (mut i, _) = reach(cfg(100), State::Backup);
        i.handle(s(1), rx(100, 12));
        let a = i.handle(s(2), rx(50, 12));
        assert!(starts(&a, Timer::MasterDown).is_empty());
        assert_eq!(i.deadline(Timer::MasterDown), Some(s(1) + us(3_609_375)));
    }

    #[test]
    fn become_master_order() {
        // Reference §3.4: log, advert, VIPs, GARP burst + second burst, notify.
        let (mut i, _) = reach(cfg(100), State::Backup);
        let a = i.handle(us(3_609_375), Event::TimerExpired(Timer::MasterDown));
        assert_eq!(
            a,
            vec![
                Action::Detail("(VI_1) Receive advertisement timeout".into()),
                Action::Log("(VI_1) Entering MASTER STATE".into()),
                Action::SendAdvert { priority: 100 },
                Action::Detail("(VI_1) setting VIPs.".into()),
                Action::AddVips,
                Action::SendGarp { count: 5 },
                Action::StartTimer(Timer::GarpDelay, s(5)),
                Action::Notify(State::Master),
                Action::StartTimer(Timer::Advert, s(1)),
            ]
        );
        // the second burst 5 s later, and adverts each second
        let a = i.poll(us(3_609_375) + s(5));
        let garps: Vec<_> = a
            .iter()
            .filter(|a| matches!(a, Action::SendGarp { .. }))
            .collect();
        assert_eq!(garps, vec![&Action::SendGarp { count: 5 }]);
        let adverts = a.iter().filter(|a| **a == SEND_100).count();
        assert_eq!(adverts, 5);
    }

    #[test]
    fn garp_refresh_and_min_garp() {
        let mut c = cfg(100);
        c.garp.master_refresh = Some(s(60));
        c.garp.master_refresh_repeat = 2;
        let (mut i, t) = reach(c, State::Master);
        assert_eq!(i.deadline(Timer::GarpRefresh), Some(t + s(60)));
        let a = i.poll(t + s(60));
        assert!(a.contains(&Action::SendGarp { count: 2 }));
        assert_eq!(i.deadline(Timer::GarpRefresh), Some(t + s(120)));
        let mut c = cfg(100);
        c.garp.min_garp = true;
        let (i, _) = reach(c, State::Master);
        assert_eq!(i.deadline(Timer::GarpDelay), None);
    }

    #[test]
    fn stale_expiry_is_ignored() {
        let (mut i, _) = reach(cfg(100), State::Backup);
        i.handle(s(2), rx(150, 12));
        // the old timer (armed at 0) fires late: ignored, still BACKUP
        let a = i.handle(us(3_609_375), Event::TimerExpired(Timer::MasterDown));
        assert!(a.is_empty());
        assert_eq!(i.state(), State::Backup);
    }

    #[test]
    fn timers_v2_exact() {
        let v2 = Version::V2;
        assert_eq!(skew_time(v2, 121, s(1)), us(527_343));
        assert_eq!(skew_time(v2, 121, s(3)), us(527_343));
        assert_eq!(master_down_interval(v2, 121, s(1), 3), us(3_527_343));
        assert_eq!(master_down_interval(v2, 121, s(3), 3), us(9_527_343));
        assert_eq!(master_down_interval(v2, 170, s(1), 3), us(3_335_937));
        assert_eq!(master_down_interval(v2, 101, s(1), 3), us(3_605_468));
        assert_eq!(skew_time(v2, 255, s(1)), us(3_906));
        assert_eq!(skew_time(v2, 1, s(1)), us(996_093));
        assert_eq!(master_down_interval(v2, 100, s(1), 5), us(5_609_375));
    }

    #[test]
    fn timers_v3_exact() {
        let v3 = Version::V3;
        assert_eq!(skew_time(v3, 121, s(1)), us(527_343));
        assert_eq!(skew_time(v3, 121, Duration::from_millis(100)), us(52_734));
        assert_eq!(
            master_down_interval(v3, 121, Duration::from_millis(100), 3),
            us(352_734)
        );
        assert_eq!(skew_time(v3, 100, s(2)), us(1_218_750));
        assert_eq!(master_down_interval(v3, 100, s(2), 3), us(7_218_750));
    }

    #[test]
    fn v3_backup_learns_interval_master_uses_own() {
        let mut c = cfg(121);
        c.version = Version::V3;
        let (mut i, _) = reach(c.clone(), State::Backup);
        let a = i.handle(
            s(1),
            Event::AdvertReceived(Received {
                priority: 200,
                src: ip(12),
                max_advert: s(2),
            }),
        );
        assert_eq!(i.master_adver_int(), s(2));
        assert_eq!(starts(&a, Timer::MasterDown), vec![s(6) + us(1_054_687)]);
        // priority 0 from it: skew with the learned interval
        let a = i.handle(s(2), rx(0, 12));
        assert_eq!(starts(&a, Timer::MasterDown), vec![us(1_054_687)]);
        let a = i.poll(s(2) + us(1_054_687));
        assert_eq!(i.state(), State::Master);
        assert!(a.contains(&Action::StartTimer(Timer::Advert, s(1))));
        assert_eq!(i.master_adver_int(), s(1));
        // v2 never learns
        let (mut i, _) = reach(cfg(121), State::Backup);
        i.handle(
            s(1),
            Event::AdvertReceived(Received {
                priority: 200,
                src: ip(12),
                max_advert: s(2),
            }),
        );
        assert_eq!(i.master_adver_int(), s(1));
    }

    #[test]
    fn owner_255() {
        let mut c = cfg(255);
        c.wants_master = true;
        let (mut i, _) = reach(c.clone(), State::Backup);
        assert_eq!(i.deadline(Timer::MasterDown), Some(us(1)));
        i.poll(us(1));
        assert_eq!(i.state(), State::Master);
        // tracking cannot change an owner
        assert!(i.handle(s(1), Event::PriorityChanged(200)).is_empty());
        assert_eq!(i.effective_priority(), 255);
        // after a fault: one advert interval plus skew
        i.handle(s(2), Event::FaultOn);
        let a = i.handle(s(3), Event::FaultOff);
        assert_eq!(starts(&a, Timer::MasterDown), vec![s(1) + us(3_906)]);
        // an owner without `state MASTER` waits the full interval
        let (i, _) = reach(cfg(255), State::Backup);
        assert_eq!(i.deadline(Timer::MasterDown), Some(s(3) + us(3_906)));
    }

    #[test]
    fn state_master_below_255_waits() {
        let mut c = cfg(101);
        c.wants_master = true;
        let (i, _) = reach(c, State::Backup);
        assert_eq!(i.deadline(Timer::MasterDown), Some(us(3_605_468)));
    }

    #[test]
    fn priority_change_recomputes_down_timer() {
        let (mut i, _) = reach(cfg(101), State::Backup);
        let a = i.handle(us(3_000), Event::PriorityChanged(121));
        assert_eq!(
            logs(&a),
            vec!["(VI_1) Changing effective priority from 101 to 121"]
        );
        assert_eq!(starts(&a, Timer::MasterDown), vec![us(3_527_343)]);
        // master: no extra advert; the next one carries the new priority
        let (mut i, t) = reach(cfg(101), State::Master);
        let a = i.handle(t + us(10), Event::PriorityChanged(121));
        assert!(!a.iter().any(|a| matches!(a, Action::SendAdvert { .. })));
        let a = i.poll(t + s(1));
        assert!(a.contains(&Action::SendAdvert { priority: 121 }));
    }

    #[test]
    fn startup_waiting_for_script() {
        // Reference §3.4: no init line; the first result enters BACKUP
        // without "(init)".
        let mut i = Instance::new(cfg(100));
        let a = i.handle(Duration::ZERO, Event::Startup(InitCondition::Waiting));
        assert!(logs(&a).is_empty());
        let a = i.handle(s(2), Event::FaultOff);
        assert_eq!(logs(&a), vec!["(VI_1) Entering BACKUP STATE"]);
        assert_eq!(i.deadline(Timer::MasterDown), Some(s(2) + us(3_609_375)));
        let mut i = Instance::new(cfg(100));
        i.handle(Duration::ZERO, Event::Startup(InitCondition::Waiting));
        let a = i.handle(s(2), Event::FaultOn);
        assert_eq!(logs(&a), vec!["(VI_1) Entering FAULT STATE"]);
    }

    #[test]
    fn sanitise_state_master() {
        let mut c = cfg(100);
        c.wants_master = true;
        c.nopreempt = true;
        c.preempt_delay = s(10);
        let w = sanitise(&mut c);
        assert_eq!(w.len(), 2);
        assert!(!c.nopreempt && c.preempt_delay.is_zero());
    }

    // ---- two-node simulation with a fake clock ----

    struct Net {
        nodes: Vec<Instance>,
        up: Vec<bool>,
        linked: bool,
        now: Duration,
        history: Vec<(Duration, usize, State)>,
        logs: Vec<(usize, String)>,
        last_advert: Vec<Option<(Duration, u8)>>,
    }

    impl Net {
        fn new(nodes: Vec<Instance>) -> Self {
            let n = nodes.len();
            Net {
                nodes,
                up: vec![false; n],
                linked: true,
                now: Duration::ZERO,
                history: Vec::new(),
                logs: Vec::new(),
                last_advert: vec![None; n],
            }
        }
        fn apply(&mut self, at: Duration, i: usize, ev: Event) {
            let before = self.nodes[i].state();
            let acts = self.nodes[i].handle(at, ev);
            if self.nodes[i].state() != before {
                self.history.push((at, i, self.nodes[i].state()));
            }
            for a in acts {
                match a {
                    Action::SendAdvert { priority } => {
                        self.last_advert[i] = Some((at, priority));
                        if !self.linked {
                            continue;
                        }
                        let src = self.nodes[i].config().src;
                        let max_advert = self.nodes[i].config().advert_int;
                        for j in 0..self.nodes.len() {
                            if j != i && self.up[j] {
                                let r = Received {
                                    priority,
                                    src,
                                    max_advert,
                                };
                                self.apply(at, j, Event::AdvertReceived(r));
                            }
                        }
                    }
                    Action::Log(t) => self.logs.push((i, t)),
                    _ => {}
                }
            }
        }
        fn start(&mut self, i: usize) {
            self.up[i] = true;
            let now = self.now;
            self.apply(now, i, Event::Startup(InitCondition::Up));
        }
        fn event(&mut self, i: usize, ev: Event) {
            let now = self.now;
            self.apply(now, i, ev);
        }
        fn run_until(&mut self, end: Duration) {
            loop {
                let next = (0..self.nodes.len())
                    .filter(|&i| self.up[i])
                    .filter_map(|i| self.nodes[i].next_deadline().map(|(d, t)| (d, i, t)))
                    .min();
                match next {
                    Some((d, i, t)) if d <= end => {
                        self.now = d;
                        self.apply(d, i, Event::TimerExpired(t));
                    }
                    _ => break,
                }
            }
            self.now = end;
        }
        fn became(&self, i: usize, st: State) -> Vec<Duration> {
            self.history
                .iter()
                .filter(|(_, n, s)| *n == i && *s == st)
                .map(|(t, _, _)| *t)
                .collect()
        }
        fn logged(&self, i: usize, text: &str) -> bool {
            self.logs.iter().any(|(n, t)| *n == i && t == text)
        }
    }

    fn node(last: u8, prio: u8) -> Instance {
        let mut c = Config::new("dc1server", Version::V2, prio, s(1), ip(last));
        c.wants_master = true; // the guide's `state MASTER`
        Instance::new(c)
    }

    /// §4.3 start, A, C, D: equal base priority 101, effective 121.
    #[test]
    fn lab_timeline() {
        let mut net = Net::new(vec![node(11, 101), node(12, 101)]);
        net.start(0);
        net.now = us(3_000);
        net.event(0, Event::PriorityChanged(121));
        net.run_until(s(6));
        // MASTER 3.527 s after the priority change to 121
        assert_eq!(net.became(0, State::Master), vec![us(3_000 + 3_527_343)]);
        // n2 starts 6 s later with the same priority and a higher IP: stays BACKUP
        net.start(1);
        net.event(1, Event::PriorityChanged(121));
        net.run_until(s(60));
        assert!(net.became(1, State::Master).is_empty());
        assert_eq!(net.nodes[0].state(), State::Master);

        // A: the master's script fails, 121 → 101.
        net.event(0, Event::PriorityChanged(101));
        let (last121, _) = net.last_advert[0].unwrap();
        net.run_until(s(70));
        let m = net.became(1, State::Master);
        assert_eq!(m, vec![last121 + us(3_527_343)]);
        assert!(net.logged(
            1,
            "(dc1server) received lower priority (101) advert from 192.0.2.11 - discarding"
        ));
        assert!(net.logged(
            0,
            "(dc1server) Master received advert from 192.0.2.12 with higher priority 121, ours 101"
        ));
        assert_eq!(net.nodes[0].state(), State::Backup);
        // A': restored; no failback at equal priority
        net.event(0, Event::PriorityChanged(121));
        net.run_until(s(100));
        assert_eq!(net.nodes[1].state(), State::Master);
        assert_eq!(net.nodes[0].state(), State::Backup);

        // C: SIGTERM of the master n2: n1 MASTER skew later.
        let t = net.now;
        net.event(1, Event::Shutdown);
        net.up[1] = false;
        net.run_until(s(110));
        assert_eq!(
            *net.became(0, State::Master).last().unwrap(),
            t + us(527_343)
        );

        // D: n2 restarted with priority 150 (effective 170): MASTER after
        // 3 + 86/256 s, n1 yields at its first 170 advert.
        let mut n = node(12, 150);
        n.handle(Duration::ZERO, Event::PriorityChanged(170));
        net.nodes[1] = n;
        let t = net.now;
        net.start(1);
        net.run_until(s(120));
        assert_eq!(
            net.became(1, State::Master).last().copied(),
            Some(t + us(3_335_937))
        );
        assert_eq!(
            *net.became(0, State::Backup).last().unwrap(),
            t + us(3_335_937)
        );
    }

    /// §4.3 M/N: partition with equal priorities, then healing.
    #[test]
    fn lab_partition() {
        let mut net = Net::new(vec![node(11, 121), node(12, 121)]);
        net.linked = false;
        net.start(0);
        net.start(1);
        net.run_until(s(10));
        assert_eq!(net.nodes[0].state(), State::Master);
        assert_eq!(net.nodes[1].state(), State::Master);
        net.linked = true;
        net.run_until(s(12));
        assert!(net.logged(0, "(dc1server) Master received advert from 192.0.2.12 with same priority 121 but higher IP address than ours"));
        assert_eq!(net.nodes[0].state(), State::Backup);
        assert_eq!(net.nodes[1].state(), State::Master);
    }

    /// SIGKILL of the master: the backup takes over master_down after the
    /// last advert (§4.3 B).
    #[test]
    fn master_vanishes() {
        let mut net = Net::new(vec![node(11, 121), node(12, 100)]);
        net.start(0);
        net.start(1);
        net.run_until(s(10));
        assert_eq!(net.nodes[0].state(), State::Master);
        net.up[0] = false; // killed: no more events, no priority 0
        let (last, _) = net.last_advert[0].unwrap();
        net.run_until(s(20));
        // backup at 100: 3 + 156/256 s
        assert_eq!(net.became(1, State::Master), vec![last + us(3_609_375)]);
    }

    #[test]
    fn preemption_higher_priority_returns() {
        let mut net = Net::new(vec![node(11, 100), node(12, 150)]);
        net.start(0);
        net.run_until(s(5));
        assert_eq!(net.nodes[0].state(), State::Master);
        let t = net.now;
        net.start(1);
        net.run_until(s(20));
        // 150 preempts after its full down interval: 3 + 106/256 s
        assert_eq!(net.became(1, State::Master), vec![t + us(3_414_062)]);
        assert_eq!(net.nodes[0].state(), State::Backup);
    }

    #[test]
    fn nopreempt_keeps_lower_master() {
        let mut hi = Config::new("VI_1", Version::V2, 150, s(1), ip(12));
        hi.nopreempt = true;
        let mut net = Net::new(vec![node(11, 100), Instance::new(hi)]);
        net.start(0);
        net.run_until(s(5));
        net.start(1);
        net.run_until(s(60));
        assert!(net.became(1, State::Master).is_empty());
        // but it does take over when the master leaves
        let t = net.now;
        net.event(0, Event::Shutdown);
        net.up[0] = false;
        net.run_until(s(70));
        assert_eq!(net.became(1, State::Master), vec![t + us(414_062)]);
    }

    #[test]
    fn preempt_delay() {
        let mut hi = Config::new("VI_1", Version::V2, 150, s(1), ip(12));
        hi.preempt_delay = s(10);
        let mut net = Net::new(vec![node(11, 100), Instance::new(hi)]);
        net.start(0);
        net.run_until(s(5));
        let t0 = net.now;
        net.start(1);
        net.run_until(s(60));
        let m = net.became(1, State::Master);
        // The master (up at 3.609375 s) advertises at 3.609375 + k s. The
        // first advert heard (5.609375 s) starts the 10 s delay; adverts
        // are accepted until 15.609375 s, the one at that instant is
        // discarded, so the down timer armed at 14.609375 s runs out.
        assert_eq!(t0, s(5));
        assert_eq!(m, vec![us(14_609_375) + us(3_414_062)]);
        assert!(net.logged(
            1,
            "(VI_1) received lower priority (100) advert from 192.0.2.11 - discarding"
        ));
    }

    #[test]
    fn fault_and_back() {
        let mut net = Net::new(vec![node(11, 170), node(12, 121)]);
        net.start(0);
        net.start(1);
        net.run_until(s(10));
        assert_eq!(net.nodes[0].state(), State::Master);
        // E: link down on the master: the peer does not see priority 0
        net.linked = false;
        let (last, _) = net.last_advert[0].unwrap();
        net.event(0, Event::FaultOn);
        assert_eq!(net.last_advert[0].unwrap().1, 0);
        net.linked = true;
        net.run_until(s(20));
        assert_eq!(net.became(1, State::Master), vec![last + us(3_527_343)]);
        // E': up again: BACKUP, then preempts 3 + 86/256 s later
        let t = net.now;
        net.event(0, Event::FaultOff);
        net.run_until(s(30));
        assert_eq!(
            *net.became(0, State::Master).last().unwrap(),
            t + us(3_335_937)
        );
        assert_eq!(net.nodes[1].state(), State::Backup);
    }

    // ---- sync groups ----

    fn member(name: &str, prio: u8, want: bool) -> Instance {
        let mut c = Config::new(name, Version::V2, prio, s(1), ip(11));
        c.wants_master = want;
        Instance::new(c)
    }

    fn glogs(a: &[(Option<usize>, Action)]) -> Vec<String> {
        a.iter()
            .filter_map(|(m, a)| match (m, a) {
                (None, Action::Log(t)) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn sync_group_master_backup_fault() {
        let mut g = SyncGroup::new(
            "G1",
            vec![member("VI_1", 100, false), member("VI_2", 100, false)],
        );
        g.handle(Duration::ZERO, 0, Event::Startup(InitCondition::Up));
        g.handle(us(10), 1, Event::Startup(InitCondition::Up));
        assert_eq!(g.state(), State::Backup);
        // VI_1's timer runs out first, VI_2 does not want MASTER yet: VI_1 waits
        let a = g.poll(us(3_609_375));
        assert_eq!(g.members[0].state(), State::Backup);
        assert!(g.members[0].wants_master());
        assert!(a.contains(&(
            Some(0),
            Action::StartTimer(Timer::MasterDown, us(3_609_375))
        )));
        // VI_2's runs out: both MASTER together
        let a = g.poll(us(3_609_385));
        assert_eq!(g.members[0].state(), State::Master);
        assert_eq!(g.members[1].state(), State::Master);
        assert_eq!(
            glogs(&a),
            vec!["VRRP_Group(G1) Syncing instances to MASTER state"]
        );
        assert!(a.contains(&(None, Action::Notify(State::Master))));
        // VI_2 hears a higher priority: both BACKUP
        let a = g.handle(s(5), 1, rx(200, 12));
        assert_eq!(g.members[0].state(), State::Backup);
        assert_eq!(g.members[1].state(), State::Backup);
        assert_eq!(
            glogs(&a),
            vec!["VRRP_Group(G1) Syncing instances to BACKUP state"]
        );
        assert!(a.contains(&(Some(0), Action::DelVips)));
        // VI_1's interface goes down: both FAULT, and stay there until it is up
        let a = g.handle(s(6), 0, Event::FaultOn);
        assert_eq!(g.members[0].state(), State::Fault);
        assert_eq!(g.members[1].state(), State::Fault);
        assert_eq!(
            glogs(&a),
            vec!["VRRP_Group(G1) Syncing instances to FAULT state"]
        );
        g.handle(s(7), 1, Event::FaultOn);
        g.handle(s(8), 0, Event::FaultOff);
        assert_eq!(g.members[0].state(), State::Fault);
        assert_eq!(g.members[1].state(), State::Fault);
        g.handle(s(9), 1, Event::FaultOff);
        assert_eq!(g.members[0].state(), State::Backup);
        assert_eq!(g.members[1].state(), State::Backup);
        assert_eq!(g.state(), State::Backup);
        // shutdown of both
        g.handle(s(10), 0, Event::Shutdown);
        g.handle(s(10), 1, Event::Shutdown);
        assert_eq!(g.state(), State::Stop);
    }

    #[test]
    fn sync_group_state_master_shortens_wait() {
        // With `state MASTER` on the other member, the first expiry wins at once.
        let mut g = SyncGroup::new(
            "G1",
            vec![member("VI_1", 100, true), member("VI_2", 100, true)],
        );
        g.handle(Duration::ZERO, 0, Event::Startup(InitCondition::Up));
        g.handle(s(1), 1, Event::Startup(InitCondition::Up));
        g.poll(us(3_609_375));
        assert_eq!(g.members[0].state(), State::Master);
        assert_eq!(g.members[1].state(), State::Master);
    }
}
