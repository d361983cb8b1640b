//! A sense check of the ICE candidates a browser trickles. The SFU is
//! ICE-lite and learns the browser's addresses from its connectivity checks,
//! so candidates are not used; one that is not a candidate at all means the
//! peer is broken and is dropped.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CandidateInit {
    candidate: String,
    #[allow(dead_code)]
    sdp_mid: Option<String>,
    #[allow(dead_code)]
    sdp_m_line_index: Option<u16>,
}

/// Ok for a well-formed `RTCIceCandidateInit` JSON (an empty candidate is an
/// end-of-candidates marker); the reason otherwise.
pub fn check(init: &str) -> Result<(), String> {
    let init: CandidateInit =
        serde_json::from_str(init).map_err(|e| format!("unreadable candidate: {e}"))?;
    let line = init.candidate.trim();
    if line.is_empty() {
        return Ok(());
    }
    let bad = || format!("not an ICE candidate: {:.80}", line);
    let fields: Vec<&str> = line
        .strip_prefix("candidate:")
        .ok_or_else(bad)?
        .split_ascii_whitespace()
        .collect();
    // foundation component transport priority address port "typ" type ...
    if fields.len() < 8 || fields[6] != "typ" {
        return Err(bad());
    }
    let numbers_ok = fields[1].parse::<u8>().is_ok()
        && fields[3].parse::<u32>().is_ok()
        && fields[5].parse::<u16>().is_ok();
    let transport_ok = matches!(fields[2].to_ascii_lowercase().as_str(), "udp" | "tcp");
    let address_ok = fields[4].parse::<std::net::IpAddr>().is_ok() || fields[4].ends_with(".local");
    let kind_ok = matches!(fields[7], "host" | "srflx" | "prflx" | "relay");
    if numbers_ok && transport_ok && address_ok && kind_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn real_candidates_and_the_end_marker_pass() {
        let host = r#"{"candidate":"candidate:842163049 1 udp 1677729535 192.0.2.4 54400 typ srflx raddr 10.0.0.2 rport 54400 generation 0","sdpMid":"0","sdpMLineIndex":0}"#;
        assert!(check(host).is_ok());
        let mdns = r#"{"candidate":"candidate:1 1 UDP 2122252543 3e9e-4f.local 61235 typ host","sdpMid":"0"}"#;
        assert!(check(mdns).is_ok());
        assert!(check(r#"{"candidate":"","sdpMid":"0"}"#).is_ok());
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        for bad in [
            "",
            "not json",
            r#"{"sdpMid":"0"}"#,
            r#"{"candidate":"hello"}"#,
            r#"{"candidate":"candidate:1 1 udp 99 192.0.2.4 70000 typ host"}"#,
            r#"{"candidate":"candidate:1 1 sctp 99 192.0.2.4 5000 typ host"}"#,
            r#"{"candidate":"candidate:1 1 udp 99 nowhere 5000 typ host"}"#,
            r#"{"candidate":"candidate:1 1 udp 99 192.0.2.4 5000 type host"}"#,
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
