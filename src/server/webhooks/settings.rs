//! Where webhooks may be sent. HTTPS to a public host by default; plain
//! HTTP, loopback and private addresses only for the hosts an operator
//! lists in `BELFRY_WEBHOOK_HOSTS` (`host:port`, comma-separated), so an
//! admin cannot point Belfry at the machine's own services. (A public name
//! that resolves to a private address is not caught here: put Belfry's
//! outbound traffic behind a proxy that refuses those if that matters.)

use std::net::IpAddr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    /// `BELFRY_WEBHOOK_HOSTS`.
    pub trusted_hosts: Vec<String>,
    /// `BELFRY_WEBHOOK_HOSTS_ONLY`: only those hosts, no public ones (a
    /// deployment whose one host app is known, or a test).
    pub only_trusted: bool,
    /// The first retry's wait; each next one is five times as long.
    pub retry_base: Duration,
    /// Tries before a delivery is given up.
    pub tries: u32,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            trusted_hosts: Vec::new(),
            only_trusted: false,
            retry_base: Duration::from_secs(10),
            tries: 7,
        }
    }
}

impl WebhookConfig {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let trusted_hosts = get("BELFRY_WEBHOOK_HOSTS")
            .map(|list| {
                list.split(',')
                    .map(|h| h.trim().to_ascii_lowercase())
                    .filter(|h| !h.is_empty())
                    .map(|h| {
                        if h.contains('/') || !h.contains(':') {
                            Err(format!("BELFRY_WEBHOOK_HOSTS entry {h:?} must be host:port, like 10.0.0.5:8080"))
                        } else {
                            Ok(h)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let only_trusted = match get("BELFRY_WEBHOOK_HOSTS_ONLY").as_deref().map(str::trim) {
            None | Some("" | "false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(other) => {
                return Err(format!(
                    "BELFRY_WEBHOOK_HOSTS_ONLY={other:?} must be true or false"
                ))
            }
        };
        Ok(Self {
            trusted_hosts,
            only_trusted,
            ..Self::default()
        })
    }

    /// The URL as Belfry will post to it, or why it will not.
    pub fn check(&self, url: &str) -> Result<String, String> {
        let url = url.trim();
        if url.len() > 2000 {
            return Err("That address is too long.".into());
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| {
            "Give the full address, like https://example.org/belfry-events.".to_string()
        })?;
        let host = parsed
            .host_str()
            .ok_or("The address needs a host.")?
            .to_ascii_lowercase();
        let port = parsed.port_or_known_default().unwrap_or(0);
        let trusted = self.trusted_hosts.contains(&format!("{host}:{port}"));
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(
                "Put no user name or password in the address; the signature proves who sends."
                    .into(),
            );
        }
        if self.only_trusted && !trusted {
            return Err(format!(
                "This Belfry sends webhooks only to the hosts its administrator listed; {host}:{port} is not one."
            ));
        }
        match parsed.scheme() {
            "https" => {}
            "http" if trusted => {}
            _ => {
                return Err(
                    "Webhooks are sent over HTTPS only (an address starting https://).".into(),
                )
            }
        }
        if !trusted && is_private(&host) {
            return Err(format!(
                "{host} is a local or private address; Belfry sends webhooks to public hosts (an administrator can allow {host}:{port} in BELFRY_WEBHOOK_HOSTS)."
            ));
        }
        Ok(parsed.to_string())
    }
}

fn is_private(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(&v4.to_string()))
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_https_unless_an_operator_trusts_the_host() {
        let c = WebhookConfig::default();
        assert!(c.check("https://hooks.example.org/belfry").is_ok());
        for bad in [
            "http://hooks.example.org/x",
            "https://127.0.0.1/x",
            "https://localhost:8443/x",
            "https://10.1.2.3/x",
            "https://192.168.0.9/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://user:pw@hooks.example.org/x",
            "ftp://hooks.example.org/x",
            "hooks.example.org",
        ] {
            assert!(c.check(bad).is_err(), "{bad}");
        }
        let trusted = WebhookConfig::from_lookup(&|k: &str| {
            (k == "BELFRY_WEBHOOK_HOSTS").then(|| "127.0.0.1:9000".to_string())
        })
        .unwrap();
        assert!(trusted.check("http://127.0.0.1:9000/hook").is_ok());
        assert!(trusted.check("http://127.0.0.1:9001/hook").is_err());
        assert!(trusted.check("https://hooks.example.org/x").is_ok());
        let only = WebhookConfig {
            only_trusted: true,
            ..trusted.clone()
        };
        assert!(only.check("http://127.0.0.1:9000/hook").is_ok());
        assert!(
            only.check("https://hooks.example.org/x").is_err(),
            "public, but not listed"
        );
        assert!(WebhookConfig::from_lookup(&|k: &str| {
            (k == "BELFRY_WEBHOOK_HOSTS").then(|| "http://x/".to_string())
        })
        .is_err());
    }
}
