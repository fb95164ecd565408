//! A network namespace with a veth pair `v0`/`v1` up, for tests that run
//! library code inside it (netlink, routes).

use std::fs::File;
use std::future::Future;
use std::process::Command;

use nix::sched::{setns, CloneFlags};

pub struct Ns {
    pub name: String,
}

impl Ns {
    /// A namespace `rkan-<kind>-<pid>-<tag>` with `v0`/`v1` up, or None
    /// when not root.
    pub fn new(kind: &str, tag: &str) -> Option<Ns> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("{kind}: not root, skipping {tag}");
            return None;
        }
        let name = format!("rkan-{kind}-{}-{tag}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(std::process::Stdio::null())
            .status();
        run(&["ip", "netns", "add", &name]);
        let ns = Ns { name };
        ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
        ns.ip(&["link", "set", "v0", "up"]);
        ns.ip(&["link", "set", "v1", "up"]);
        Some(ns)
    }

    pub fn ip(&self, args: &[&str]) -> String {
        let mut a = vec!["ip", "-n", &self.name];
        a.extend_from_slice(args);
        run(&a)
    }

    /// `ip -o addr show dev v0`.
    pub fn addrs(&self) -> String {
        self.ip(&["-o", "addr", "show", "dev", "v0"])
    }

    /// Run `f` on a thread inside the namespace, on a current-thread
    /// runtime.
    pub fn run<F, Fut, R>(&self, f: F) -> R
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = R>,
        R: Send + 'static,
    {
        let path = format!("/var/run/netns/{}", self.name);
        std::thread::spawn(move || {
            let fd = File::open(&path).expect("open netns");
            setns(fd, CloneFlags::CLONE_NEWNET).expect("setns");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(f())
        })
        .join()
        .expect("netns thread panicked")
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

pub fn run(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("spawn");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
