//! Who a request comes from, for limits keyed by address: the socket's
//! peer, or, when that peer is a trusted proxy, the last address in
//! `X-Forwarded-For` that is not one of the trusted proxies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

pub fn client_addr(parts: &Parts, trusted: &[IpAddr]) -> IpAddr {
    from_headers(&parts.headers, &parts.extensions, trusted)
}

/// `client_addr`, for a middleware holding the whole request.
pub fn client_addr_of<B>(req: &axum::http::Request<B>, trusted: &[IpAddr]) -> IpAddr {
    from_headers(req.headers(), req.extensions(), trusted)
}

fn from_headers(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trusted: &[IpAddr],
) -> IpAddr {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut req = Request::builder().uri("/api/sign_in");
        if let Some(xff) = xff {
            req = req.header("x-forwarded-for", xff);
        }
        let (mut parts, _) = req.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let spoofed = parts("203.0.113.9:5000", Some("198.51.100.1"));
        assert_eq!(
            client_addr(&spoofed, &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "a client cannot name its own address"
        );
        let proxied = parts("10.0.0.2:5000", Some("198.51.100.1, 203.0.113.7"));
        assert_eq!(
            client_addr(&proxied, &[proxy]),
            "203.0.113.7".parse::<IpAddr>().unwrap(),
            "the address the proxy saw, not what the client prepended"
        );
        assert_eq!(
            client_addr(&proxied, &[]),
            proxy,
            "no trusted proxy: the peer"
        );
    }
}
