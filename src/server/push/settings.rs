//! Push settings, and which push services we will send to.
//!
//! A browser hands us its push endpoint, a URL we will later POST to. Taken
//! on trust, that would let anyone signed in make the server call any
//! address it can reach, internal ones included. So an endpoint must be
//! HTTPS on a known push service's host; a deployment may add hosts
//! (`BELFRY_PUSH_HOSTS`), and plain HTTP is allowed only for loopback hosts
//! named there (a local test push service).

use http::Uri;

/// The browsers' push services: Chrome and Android (FCM), Firefox
/// (Mozilla's autopush), Safari (Apple) and Edge (WNS). A host matches if it
/// is one of these or a subdomain of one.
const KNOWN_SERVICES: &[&str] = &[
    "fcm.googleapis.com",
    "android.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
];

/// Longest endpoint accepted (real ones are a few hundred bytes).
pub const MAX_ENDPOINT: usize = 1024;

#[derive(Debug, Clone, Default)]
pub struct PushConfig {
    /// `BELFRY_VAPID_PRIVATE_KEY`: base64url P-256 private key; generated and
    /// stored on first start when unset.
    pub vapid_private_key: Option<String>,
    /// `BELFRY_VAPID_SUBJECT`: a mailto: or https: contact for push services.
    pub vapid_subject: String,
    /// `BELFRY_PUSH_HOSTS`: extra push service hosts (`host` or `host:port`).
    pub extra_hosts: Vec<String>,
}

impl PushConfig {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let extra_hosts = get("BELFRY_PUSH_HOSTS")
            .map(|v| {
                v.split(',')
                    .map(|h| h.trim().to_ascii_lowercase())
                    .filter(|h| !h.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if let Some(bad) = extra_hosts
            .iter()
            .find(|h| h.contains('/') || h.contains('@'))
        {
            return Err(format!(
                "BELFRY_PUSH_HOSTS entry {bad:?} must be a host or host:port, like push.example.org"
            ));
        }
        Ok(Self {
            vapid_private_key: get("BELFRY_VAPID_PRIVATE_KEY"),
            vapid_subject: get("BELFRY_VAPID_SUBJECT")
                .unwrap_or_else(|| "mailto:webpush@belfry.invalid".into()),
            extra_hosts,
        })
    }

    /// Checks an endpoint a browser gave us; the error says what is wrong.
    pub fn check_endpoint(&self, endpoint: &str) -> Result<Uri, String> {
        if endpoint.len() > MAX_ENDPOINT {
            return Err("The push endpoint is too long.".into());
        }
        let uri: Uri = endpoint
            .parse()
            .map_err(|_| "The push endpoint is not a URL.".to_string())?;
        let authority = uri
            .authority()
            .ok_or("The push endpoint has no host.")?
            .as_str()
            .to_ascii_lowercase();
        if authority.contains('@') {
            return Err("The push endpoint must not carry a user name.".into());
        }
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let extra = self
            .extra_hosts
            .iter()
            .any(|h| *h == authority || *h == host);
        let known = KNOWN_SERVICES
            .iter()
            .any(|s| host == *s || host.ends_with(&format!(".{s}")));
        // Push services listen on 443: another port only where an
        // administrator listed the host with it.
        let port_listed = self.extra_hosts.contains(&authority);
        let listed_on_another_port = (self.extra_hosts.iter())
            .any(|h| h.rsplit_once(':').is_some_and(|(listed, _)| listed == host));
        if let Some(port) = uri.port_u16().filter(|p| *p != 443 && !port_listed) {
            if known || extra || listed_on_another_port {
                return Err(format!(
                    "The push endpoint's port {port} is not one Belfry sends to: push services use 443 (an administrator can list {host}:{port} in BELFRY_PUSH_HOSTS)."
                ));
            }
        }
        match uri.scheme_str() {
            Some("https") if known || extra => Ok(uri),
            Some("http") if extra && is_loopback(&host) => Ok(uri),
            Some("https") | Some("http") => Err(format!(
                "{host} is not a push service Belfry sends to (ask your administrator to add it to BELFRY_PUSH_HOSTS)."
            )),
            _ => Err("The push endpoint must be an https:// URL.".into()),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `https://host[:port]`: the audience of a VAPID token for this endpoint.
pub fn origin_of(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("https");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    format!("{scheme}://{authority}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &[&str]) -> PushConfig {
        PushConfig {
            extra_hosts: extra.iter().map(|s| s.to_string()).collect(),
            ..PushConfig::default()
        }
    }

    #[test]
    fn the_browsers_push_services_are_accepted() {
        let c = config(&[]);
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
            "https://web.push.apple.com/QGx",
            "https://wns2-by3p.notify.windows.com/w/?token=BQ",
        ] {
            assert!(c.check_endpoint(ok).is_ok(), "{ok}");
        }
        let uri = c
            .check_endpoint("https://fcm.googleapis.com:443/fcm/send/x")
            .unwrap();
        assert_eq!(origin_of(&uri), "https://fcm.googleapis.com:443");
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        let c = config(&[]);
        for (bad, says) in [
            ("http://fcm.googleapis.com/fcm/send/x", "not a push service"),
            (
                "https://169.254.169.254/latest/meta-data",
                "not a push service",
            ),
            (
                "https://evilfcm.googleapis.com.example/x",
                "not a push service",
            ),
            ("https://user@fcm.googleapis.com/x", "user name"),
            ("ftp://fcm.googleapis.com/x", "https://"),
            ("/relative/path", "no host"),
            ("not a url at all", "not a URL"),
        ] {
            let err = c.check_endpoint(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
        let long = format!("https://fcm.googleapis.com/{}", "a".repeat(MAX_ENDPOINT));
        assert!(c.check_endpoint(&long).unwrap_err().contains("too long"));
    }

    #[test]
    fn only_port_443_unless_the_host_is_listed_with_its_port() {
        let c = config(&["push.example.org", "push.example.net:8443"]);
        for bad in [
            "https://fcm.googleapis.com:8443/fcm/send/x",
            "https://fcm.googleapis.com:22/x",
            "https://push.example.org:8443/x",
            "https://push.example.net:9443/x",
        ] {
            let err = c.check_endpoint(bad).unwrap_err();
            assert!(err.contains("port") && err.contains("443"), "{bad}: {err}");
        }
        for ok in [
            "https://fcm.googleapis.com:443/fcm/send/x",
            "https://push.example.org:443/x",
            "https://push.example.net:8443/x",
        ] {
            assert!(c.check_endpoint(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn configured_hosts_are_added_and_plain_http_only_on_loopback() {
        let c = config(&["push.example.org", "127.0.0.1:9000"]);
        assert!(c.check_endpoint("https://push.example.org/x").is_ok());
        assert!(c.check_endpoint("http://push.example.org/x").is_err());
        assert!(c.check_endpoint("http://127.0.0.1:9000/push/1").is_ok());
        assert!(c.check_endpoint("http://127.0.0.1:9001/push/1").is_err());
        let from_env = PushConfig::from_lookup(&|k| {
            (k == "BELFRY_PUSH_HOSTS").then(|| "Push.Example.org, 127.0.0.1:9000".into())
        })
        .unwrap();
        assert_eq!(from_env.extra_hosts, ["push.example.org", "127.0.0.1:9000"]);
        assert!(PushConfig::from_lookup(&|k| {
            (k == "BELFRY_PUSH_HOSTS").then(|| "https://push.example.org/".into())
        })
        .unwrap_err()
        .contains("BELFRY_PUSH_HOSTS"));
    }
}
