//! Early nomination: an ICE-lite connection takes the browser's first
//! authenticated check as the path to send on, as mediasoup does, instead of
//! waiting for the browser to nominate it.
//!
//! Chrome, controlling, checks a pair and nominates it only on a later check
//! (its pings of a new pair are ~48 ms apart). str0m's ICE-lite agent sends
//! nothing until a pair is nominated, so every connection's DTLS handshake
//! waited those 48 ms. Until a connection has a nominated pair, a binding
//! request whose MESSAGE-INTEGRITY is valid is handed to str0m with
//! USE-CANDIDATE added (and signed again with the same password). The
//! browser's own nomination, when it comes, is handled by str0m as always.
//!
//! The integrity is checked before anything is signed: a request that does
//! not prove it knows the connection's ICE password is passed on untouched
//! (and str0m refuses it).

use aws_lc_rs::hmac;

const HEADER: usize = 20;
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
const BINDING_REQUEST: [u8; 2] = [0x00, 0x01];
const USE_CANDIDATE: u16 = 0x0025;
const MESSAGE_INTEGRITY: u16 = 0x0008;
const FINGERPRINT: u16 = 0x8028;
const FINGERPRINT_XOR: u32 = 0x5354_554e;

/// `request` with USE-CANDIDATE, if it is a binding request without one
/// whose MESSAGE-INTEGRITY is valid for `password`; else None.
pub fn nominating(request: &[u8], password: &str) -> Option<Vec<u8>> {
    if request.len() < HEADER
        || request[0..2] != BINDING_REQUEST
        || request[4..8] != MAGIC_COOKIE
        || usize::from(u16::from_be_bytes([request[2], request[3]])) + HEADER != request.len()
    {
        return None;
    }
    let mut integrity = None;
    let mut fingerprint = false;
    let mut at = HEADER;
    while at < request.len() {
        let kind = u16::from_be_bytes([*request.get(at)?, *request.get(at + 1)?]);
        let len = usize::from(u16::from_be_bytes([
            *request.get(at + 2)?,
            *request.get(at + 3)?,
        ]));
        let next = at + 4 + len.div_ceil(4) * 4;
        if next > request.len() {
            return None;
        }
        match (kind, integrity.is_some()) {
            (USE_CANDIDATE, false) => return None,
            (MESSAGE_INTEGRITY, false) if len == 20 => integrity = Some(at),
            // After the integrity only a fingerprint may follow, last.
            (FINGERPRINT, true) if len == 4 && next == request.len() => fingerprint = true,
            (_, true) => return None,
            _ => {}
        }
        at = next;
    }
    let integrity = integrity?;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, password.as_bytes());
    let mut signed = request[..integrity].to_vec();
    set_length(&mut signed, integrity + 24);
    hmac::verify(&key, &signed, &request[integrity + 4..integrity + 24]).ok()?;

    // The attributes as they were, USE-CANDIDATE, then a new integrity.
    let mut out = request[..integrity].to_vec();
    out.extend_from_slice(&USE_CANDIDATE.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    let with_integrity = out.len() + 24;
    set_length(&mut out, with_integrity);
    let tag = hmac::sign(&key, &out);
    out.extend_from_slice(&MESSAGE_INTEGRITY.to_be_bytes());
    out.extend_from_slice(&20u16.to_be_bytes());
    out.extend_from_slice(tag.as_ref());
    if fingerprint {
        let whole = out.len() + 8;
        set_length(&mut out, whole);
        let crc = crc32(&out) ^ FINGERPRINT_XOR;
        out.extend_from_slice(&FINGERPRINT.to_be_bytes());
        out.extend_from_slice(&4u16.to_be_bytes());
        out.extend_from_slice(&crc.to_be_bytes());
    }
    Some(out)
}

/// Sets the header's length field for a message `total` bytes long.
fn set_length(message: &mut [u8], total: usize) {
    let len = u16::try_from(total - HEADER).unwrap_or(u16::MAX);
    message[2..4].copy_from_slice(&len.to_be_bytes());
}

/// CRC-32 (ISO-HDLC), as STUN's FINGERPRINT uses: one request per
/// connection, so bit by bit.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binding request as Chrome sends one: USERNAME, ICE-CONTROLLING,
    /// PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
    fn request(password: &str, use_candidate: bool) -> Vec<u8> {
        let mut m = vec![0x00, 0x01, 0, 0];
        m.extend_from_slice(&MAGIC_COOKIE);
        m.extend_from_slice(b"abcdefghijkl");
        let attr = |m: &mut Vec<u8>, kind: u16, value: &[u8]| {
            m.extend_from_slice(&kind.to_be_bytes());
            m.extend_from_slice(&(value.len() as u16).to_be_bytes());
            m.extend_from_slice(value);
            m.resize(m.len().div_ceil(4) * 4, 0);
        };
        attr(&mut m, 0x0006, b"srvufrag:brwsr");
        attr(&mut m, 0x802a, &[1, 2, 3, 4, 5, 6, 7, 8]);
        attr(&mut m, 0x0024, &[0x6e, 0x7f, 0x1e, 0xff]);
        if use_candidate {
            attr(&mut m, USE_CANDIDATE, &[]);
        }
        let with_integrity = m.len() + 24;
        set_length(&mut m, with_integrity);
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, password.as_bytes());
        let tag = hmac::sign(&key, &m);
        attr(&mut m, MESSAGE_INTEGRITY, tag.as_ref());
        let whole = m.len() + 8;
        set_length(&mut m, whole);
        let crc = crc32(&m) ^ FINGERPRINT_XOR;
        attr(&mut m, FINGERPRINT, &crc.to_be_bytes());
        m
    }

    #[test]
    fn crc32_is_the_iso_hdlc_one() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn a_valid_check_comes_out_as_the_same_check_nominating() {
        let password = "the-connection's-ice-password";
        let nominating = nominating(&request(password, false), password).expect("rewritten");
        // Exactly what the browser would have sent had it nominated.
        assert_eq!(nominating, request(password, true));
    }

    #[test]
    fn a_check_that_nominates_or_is_not_signed_by_us_is_left_alone() {
        let password = "the-connection's-ice-password";
        assert_eq!(nominating(&request(password, true), password), None);
        assert_eq!(
            nominating(&request("someone else's", false), password),
            None
        );
        let mut tampered = request(password, false);
        tampered[30] ^= 1;
        assert_eq!(nominating(&tampered, password), None);
        // Not a binding request, cut short, or with a length that lies.
        let mut response = request(password, false);
        response[0..2].copy_from_slice(&[0x01, 0x01]);
        assert_eq!(nominating(&response, password), None);
        let whole = request(password, false);
        for cut in [0, 19, 20, 30, whole.len() - 1] {
            assert_eq!(nominating(&whole[..cut], password), None, "cut at {cut}");
        }
        let mut long = whole.clone();
        long[3] = long[3].wrapping_add(4);
        assert_eq!(nominating(&long, password), None);
    }

    #[test]
    fn a_check_without_a_fingerprint_gets_none() {
        let password = "pw";
        let mut m = request(password, false);
        m.truncate(m.len() - 8);
        let len = m.len();
        set_length(&mut m, len);
        let out = nominating(&m, password).expect("rewritten");
        let mut expected = request(password, true);
        expected.truncate(expected.len() - 8);
        let len = expected.len();
        set_length(&mut expected, len);
        assert_eq!(out, expected);
    }
}
