//! Sealing forwarded audio for a subscriber without a pass through its peer
//! connection: the RTP header written here, the packet encrypted with the
//! SRTP keys its DTLS handshake exported (keys.rs), sent to the address the
//! connection itself last sent to.
//!
//! A pass through str0m costs each packet a timer turn and a poll of every
//! stream of the subscriber's connection (about 4 µs at a few hundred
//! down-tracks); sealing here costs the header and the AES-GCM (RFC 7714).
//! The connection still does everything else: ICE, DTLS, sender reports,
//! the receivers' reports. Until the keys and the address are known, or for
//! a profile other than AES-GCM, or after ICE changes state, packets go
//! through str0m as before, and so does each track's first packet (str0m
//! reports on a stream only once it has sent on it); both number a packet
//! the same way and derive the same keys, so a stream may pass from one to
//! the other at any packet.

use std::net::SocketAddr;

use str0m::crypto::dtls::SrtpProfile;
use str0m::crypto::{AeadAes128GcmCipher, AeadAes256GcmCipher, SrtpProvider};
use str0m::net::{Protocol, Transmit};

use super::keys::{Exported, KeySlot};

/// RFC 3711 key derivation labels.
const LABEL_KEY: u8 = 0;
const LABEL_SALT: u8 = 2;
const TAG_LEN: usize = 16;

/// One forwarded packet, as the subscriber is to receive it.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    pub pt: u8,
    pub marker: bool,
    /// The extended sequence number (rollover count above the low 16 bits).
    pub seq: u64,
    pub timestamp: u32,
    pub ssrc: u32,
    /// The audio level extension: its id, -dBov and the voice flag.
    pub level: Option<(u8, u8, bool)>,
    pub payload: &'a [u8],
}

enum Cipher {
    Aes128(Box<dyn AeadAes128GcmCipher>),
    Aes256(Box<dyn AeadAes256GcmCipher>),
}

/// The session key and salt one direction of SRTP is sealed with.
struct Sealer {
    cipher: Cipher,
    salt: [u8; 12],
}

/// A subscriber connection's own sending path.
#[derive(Default)]
pub struct Egress {
    slot: Option<KeySlot>,
    sealer: Option<Sealer>,
    /// Where the connection last sent anything but a STUN reply: its
    /// nominated pair (str0m switches it only to a checked pair).
    route: Option<(Protocol, SocketAddr, SocketAddr)>,
}

impl Egress {
    pub fn new(slot: Option<KeySlot>) -> Self {
        Egress {
            slot,
            ..Egress::default()
        }
    }

    /// Learns the route from what the connection itself sends.
    pub fn saw(&mut self, t: &Transmit) {
        // RFC 7983: 0-3 is STUN, sent to whoever checks; DTLS and SRTP go
        // to the nominated pair only.
        if t.contents
            .first()
            .is_some_and(|b| *b >= FIRST_NON_STUN_BYTE)
        {
            self.route = Some((t.proto, t.source, t.destination));
        }
    }

    /// Forgets the route (ICE changed state): packets go through str0m,
    /// which sends them on the new pair and so teaches it here.
    pub fn lost_route(&mut self) {
        self.route = None;
    }

    /// Where audio sealed here goes, once it is (keys and route known).
    pub fn sealed_to(&self) -> Option<SocketAddr> {
        self.sealer.as_ref().and(self.route).map(|(_, _, to)| to)
    }

    /// The packet sealed and addressed, or `None` to send it through str0m.
    pub fn seal(&mut self, packet: &Packet) -> Option<Transmit> {
        let (proto, source, destination) = self.route?;
        if self.sealer.is_none() {
            let exported = self.slot.as_ref()?.lock().ok()?.take()?;
            self.sealer = Sealer::new(&exported);
            if self.sealer.is_none() {
                // Not AES-GCM: str0m seals these from now on.
                self.slot = None;
            }
            tracing::debug!(
                profile = ?exported.profile,
                here = self.sealer.is_some(),
                "a subscriber's forwarded audio is sealed"
            );
        }
        let sealer = self.sealer.as_mut()?;
        let contents = sealer.seal(packet)?;
        Some(Transmit {
            proto,
            source,
            destination,
            contents: contents.into(),
        })
    }
}

impl Sealer {
    fn new(exported: &Exported) -> Option<Sealer> {
        let srtp = super::keys::srtp_provider();
        let (cipher, salt) = match exported.profile {
            SrtpProfile::AEAD_AES_128_GCM => derive::<16>(srtp, exported).map(|(key, salt)| {
                let cipher = srtp.aead_aes_128_gcm().create_cipher(key, true);
                (Cipher::Aes128(cipher), salt)
            }),
            SrtpProfile::AEAD_AES_256_GCM => derive::<32>(srtp, exported).map(|(key, salt)| {
                let cipher = srtp.aead_aes_256_gcm().create_cipher(key, true);
                (Cipher::Aes256(cipher), salt)
            }),
            _ => None,
        }?;
        Some(Sealer { cipher, salt })
    }

    fn seal(&mut self, p: &Packet) -> Option<Vec<u8>> {
        let header_len = if p.level.is_some() { 20 } else { 12 };
        let mut out = vec![0u8; header_len + p.payload.len() + TAG_LEN];
        let seq = (p.seq & 0xffff) as u16;
        out[0] = if p.level.is_some() { 0x90 } else { 0x80 };
        out[1] = (u8::from(p.marker) << 7) | (p.pt & 0x7f);
        out[2..4].copy_from_slice(&seq.to_be_bytes());
        out[4..8].copy_from_slice(&p.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&p.ssrc.to_be_bytes());
        if let Some((id, dbov, voice)) = p.level {
            // RFC 8285 one-byte form: one element of one byte, padded.
            out[12..16].copy_from_slice(&[0xbe, 0xde, 0, 1]);
            out[16] = id << 4;
            out[17] = (u8::from(voice) << 7) | (dbov & 0x7f);
        }
        // RFC 7714 section 8.1: 00 00 || SSRC || ROC || SEQ, XOR the salt.
        let roc = (p.seq >> 16) as u32;
        let mut iv = [0u8; 12];
        iv[2..6].copy_from_slice(&p.ssrc.to_be_bytes());
        iv[6..10].copy_from_slice(&roc.to_be_bytes());
        iv[10..12].copy_from_slice(&seq.to_be_bytes());
        for (b, s) in iv.iter_mut().zip(self.salt) {
            *b ^= s;
        }
        let (header, body) = out.split_at_mut(header_len);
        let sealed = match &mut self.cipher {
            Cipher::Aes128(c) => c.encrypt(&iv, header, p.payload, body),
            Cipher::Aes256(c) => c.encrypt(&iv, header, p.payload, body),
        };
        sealed.ok().map(|()| out)
    }
}

/// RFC 7983: a first byte from 20 up is DTLS or SRTP, below is STUN.
const FIRST_NON_STUN_BYTE: u8 = 20;
/// An AEAD-GCM SRTP master salt's length (RFC 7714).
const SALT_LEN: usize = 12;

/// The session key and salt for this side's sending (RFC 7714 section
/// 11: RFC 3711's derivation, key derivation rate 0). The material is
/// client key, server key, client salt, server salt.
fn derive<const KEY: usize>(
    srtp: &dyn SrtpProvider,
    exported: &Exported,
) -> Option<([u8; KEY], [u8; 12])> {
    let m = &exported.material[..];
    if m.len() != 2 * KEY + 2 * SALT_LEN {
        return None;
    }
    let (key_at, salt_at) = if exported.client {
        (0, 2 * KEY)
    } else {
        (KEY, 2 * KEY + SALT_LEN)
    };
    let master_key = &m[key_at..key_at + KEY];
    let master_salt = &m[salt_at..salt_at + SALT_LEN];
    let mut key = [0u8; KEY];
    let mut salt = [0u8; 12];
    prf(srtp, master_key, master_salt, LABEL_KEY, &mut key);
    prf(srtp, master_key, master_salt, LABEL_SALT, &mut salt);
    Some((key, salt))
}

/// RFC 3711 section 4.3: AES in counter mode over the master salt with the
/// label in its eighth byte (index 0), the block counter in the last two.
fn prf(srtp: &dyn SrtpProvider, key: &[u8], salt: &[u8], label: u8, out: &mut [u8]) {
    for (i, chunk) in out.chunks_mut(16).enumerate() {
        let mut block = [0u8; 16];
        block[..salt.len()].copy_from_slice(salt);
        block[7] ^= label;
        block[14..16].copy_from_slice(&(i as u16).to_be_bytes());
        // Room for a provider that pads the block.
        let mut round = [0u8; 32];
        if key.len() == 16 {
            srtp.srtp_aes_128_ecb_round(key, &block, &mut round);
        } else {
            srtp.srtp_aes_256_ecb_round(key, &block, &mut round);
        }
        chunk.copy_from_slice(&round[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use str0m::crypto::dtls::KeyingMaterial;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn session_keys_are_derived_as_rfc_3711_appendix_b3_says() {
        let srtp = crate::media::sfu::keys::srtp_provider();
        let key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        let salt = hex("0EC675AD498AFEEBB6960B3AABE6");
        let mut session_key = [0u8; 16];
        prf(srtp, &key, &salt, LABEL_KEY, &mut session_key);
        assert_eq!(
            session_key.to_vec(),
            hex("C61E7A93744F39EE10734AFE3FF7A087")
        );
        let mut session_salt = [0u8; 14];
        prf(srtp, &key, &salt, LABEL_SALT, &mut session_salt);
        assert_eq!(session_salt.to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
    }

    /// RFC 7714 section 16.1.1: the packet sealed with AEAD_AES_128_GCM.
    #[test]
    fn a_packet_is_sealed_as_rfc_7714_says() {
        let srtp = crate::media::sfu::keys::srtp_provider();
        let key: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let mut sealer = Sealer {
            cipher: Cipher::Aes128(srtp.aead_aes_128_gcm().create_cipher(key, true)),
            salt: hex("517569642070726f2071756f").try_into().unwrap(),
        };
        let payload =
            hex("47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573");
        let packet = Packet {
            pt: 0x40,
            marker: false,
            seq: 0xf17b,
            timestamp: 0x8041f8d3,
            ssrc: 0x5501a0b2,
            level: None,
            payload: &payload,
        };
        let sealed = sealer.seal(&packet).unwrap();
        let expected = hex(concat!(
            "8040f17b8041f8d35501a0b2",
            "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b",
            "36de3adf8833899d7f27beb16a9152cf765ee4390cce"
        ));
        assert_eq!(sealed, expected);
        // The rollover count is part of the nonce: a packet 65,536 later
        // with the same low bits is sealed differently.
        let later = sealer
            .seal(&Packet {
                seq: 0x1_f17b,
                ..packet
            })
            .unwrap();
        assert_eq!(later[..12], expected[..12]);
        assert_ne!(later[12..], expected[12..]);
    }

    fn transmit(first_byte: u8, to: &str) -> Transmit {
        Transmit {
            proto: Protocol::Udp,
            source: "10.0.0.1:7882".parse().unwrap(),
            destination: to.parse().unwrap(),
            contents: vec![first_byte, 0, 0, 0].into(),
        }
    }

    fn exported(profile: SrtpProfile, len: usize, client: bool) -> Exported {
        let material: Vec<u8> = (0..len as u8).collect();
        Exported {
            material: KeyingMaterial::new(&material),
            profile,
            client,
        }
    }

    fn packet(payload: &[u8]) -> Packet<'_> {
        Packet {
            pt: 111,
            marker: true,
            seq: 7,
            timestamp: 960,
            ssrc: 42,
            level: Some((1, 30, true)),
            payload,
        }
    }

    #[test]
    fn sealing_waits_for_the_route_and_the_keys_and_follows_the_route() {
        let slot = KeySlot::default();
        let mut egress = Egress::new(Some(slot.clone()));
        let payload = [9u8; 40];
        // A STUN reply goes to whoever checked: not a route.
        egress.saw(&transmit(0x01, "10.0.0.2:5000"));
        assert!(egress.seal(&packet(&payload)).is_none(), "no route yet");
        // DTLS goes to the nominated pair.
        egress.saw(&transmit(22, "10.0.0.2:5001"));
        assert!(egress.seal(&packet(&payload)).is_none(), "no keys yet");
        *slot.lock().unwrap() = Some(exported(SrtpProfile::AEAD_AES_256_GCM, 88, false));
        let sealed = egress.seal(&packet(&payload)).expect("sealed here");
        assert_eq!(sealed.destination, "10.0.0.2:5001".parse().unwrap());
        // Header and audio level, the payload, the tag.
        assert_eq!(sealed.contents.len(), 20 + 40 + TAG_LEN);
        assert_eq!(&sealed.contents[..2], &[0x90, 0x80 | 111]);
        assert_eq!(&sealed.contents[16..18], &[0x10, 0x80 | 30]);
        assert_ne!(&sealed.contents[20..60], &payload[..], "encrypted");
        // ICE changed state: str0m sends until it shows the new pair.
        egress.lost_route();
        assert!(egress.seal(&packet(&payload)).is_none());
        egress.saw(&transmit(0x80, "10.0.0.3:6000"));
        let sealed = egress.seal(&packet(&payload)).expect("sealed again");
        assert_eq!(sealed.destination, "10.0.0.3:6000".parse().unwrap());
    }

    #[test]
    fn a_profile_other_than_aes_gcm_is_left_to_str0m_for_good() {
        let slot = KeySlot::default();
        let mut egress = Egress::new(Some(slot.clone()));
        egress.saw(&transmit(22, "10.0.0.2:5001"));
        *slot.lock().unwrap() = Some(exported(SrtpProfile::AES128_CM_SHA1_80, 60, false));
        assert!(egress.seal(&packet(&[1, 2, 3])).is_none());
        assert!(egress.slot.is_none(), "not asked again");
        assert!(egress.seal(&packet(&[1, 2, 3])).is_none());
    }

    #[test]
    fn each_side_seals_with_its_own_half_of_the_material() {
        let srtp = crate::media::sfu::keys::srtp_provider();
        // Client key, server key, client salt, server salt.
        let m = exported(SrtpProfile::AEAD_AES_128_GCM, 56, true);
        let half = |key: &[u8], salt: &[u8]| {
            let mut k = [0u8; 16];
            let mut s = [0u8; 12];
            prf(srtp, key, salt, LABEL_KEY, &mut k);
            prf(srtp, key, salt, LABEL_SALT, &mut s);
            (k, s)
        };
        let b = &m.material[..];
        assert_eq!(derive::<16>(srtp, &m), Some(half(&b[..16], &b[32..44])));
        let m = Exported { client: false, ..m };
        let b = &m.material[..];
        assert_eq!(derive::<16>(srtp, &m), Some(half(&b[16..32], &b[44..56])));
        // Material of the wrong length is refused, not misread.
        let short = exported(SrtpProfile::AEAD_AES_128_GCM, 55, true);
        assert_eq!(derive::<16>(srtp, &short), None);
    }
}
