//! The benchmark's own network, for `BENCH_NET=veth`: the SFU in one
//! network namespace and the synthetic peers in another, joined by a veth
//! pair. On loopback, the kernel delivers each forwarded datagram into its
//! receiver's socket on the sending thread, so the SFU's core also pays the
//! receivers' half of the network stack. Here the peers' side of the pair
//! steers what it receives to the peers' core (RPS), as if the listeners
//! were other machines: the SFU's core pays for sending only, as it would
//! behind a real network card. Needs root; both namespaces go when dropped.
// Each benchmark that includes this file uses part of it.
#![allow(dead_code)]

use std::net::IpAddr;
use std::process::Command;

use nix::sched::{setns, CloneFlags};

pub struct Net {
    sfu: String,
    peers: String,
    link: String,
    pub sfu_ip: IpAddr,
    pub peers_ip: IpAddr,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Net {
    /// Makes both namespaces and the link; the peers' side steers received
    /// packets to `peers_core`.
    pub fn create(peers_core: usize) -> Result<Net, String> {
        let pid = std::process::id();
        let net = Net {
            sfu: format!("belfry-bench-sfu-{pid}"),
            peers: format!("belfry-bench-peers-{pid}"),
            link: format!("bsfu{pid}"),
            sfu_ip: "10.201.0.1".parse().unwrap(),
            peers_ip: "10.201.0.2".parse().unwrap(),
        };
        let (a, b) = (net.link.clone(), format!("bpeer{pid}"));
        ip(&["netns", "add", &net.sfu])?;
        ip(&["netns", "add", &net.peers])?;
        ip(&["link", "add", &a, "type", "veth", "peer", "name", &b])?;
        for (ns, dev, addr) in [
            (&net.sfu, &a, "10.201.0.1/24"),
            (&net.peers, &b, "10.201.0.2/24"),
        ] {
            ip(&["link", "set", dev, "netns", ns])?;
            ip(&["-n", ns, "addr", "add", addr, "dev", dev])?;
            ip(&["-n", ns, "link", "set", dev, "up"])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
        }
        let mask = format!("{:x}", 1u64 << peers_core);
        let rps = format!("echo {mask} > /sys/class/net/{b}/queues/rx-0/rps_cpus");
        ip(&["netns", "exec", &net.peers, "sh", "-c", &rps])?;
        Ok(net)
    }

    /// Moves the calling thread into the SFU's namespace (sockets it opens
    /// after this live there).
    pub fn enter_sfu(&self) -> Result<(), String> {
        enter(&self.sfu)
    }

    /// The SFU's namespace and its end of the link, for a server started
    /// there as a process (`ip netns exec`).
    pub fn sfu_namespace(&self) -> (&str, &str) {
        (&self.sfu, &self.link)
    }

    pub fn enter_peers(&self) -> Result<(), String> {
        enter(&self.peers)
    }
}

fn enter(name: &str) -> Result<(), String> {
    let file = std::fs::File::open(format!("/run/netns/{name}")).map_err(|e| e.to_string())?;
    setns(file, CloneFlags::CLONE_NEWNET).map_err(|e| format!("setns {name}: {e}"))
}

impl Drop for Net {
    fn drop(&mut self) {
        // Deleting a namespace deletes its end of the pair, and so both;
        // the pair itself only if setting up stopped before moving it.
        let _ = ip(&["link", "del", &self.link]);
        let _ = ip(&["netns", "del", &self.sfu]);
        let _ = ip(&["netns", "del", &self.peers]);
    }
}
