//! Message encryption for Web Push (RFC 8291), in the `aes128gcm` content
//! coding (RFC 8188), as one record.
//!
//! Only the browser that subscribed can read a message: the key comes from
//! an ECDH agreement between a fresh key pair of ours and the browser's P-256
//! key, mixed with the browser's auth secret.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, ECDH_P256};
use aws_lc_rs::hkdf::{KeyType, Salt, HKDF_SHA256};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// The record size we announce: one record holds any message we send.
const RECORD_SIZE: u32 = 4096;
/// Largest plaintext that fits one record (delimiter and tag take 17 bytes).
pub const MAX_PLAINTEXT: usize = RECORD_SIZE as usize - 17;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EceError {
    #[error("the browser's public key is not a P-256 point")]
    BadPublicKey,
    #[error("the browser's auth secret must be 16 bytes")]
    BadAuthSecret,
    #[error("the message is too long for one push ({0} bytes)")]
    TooLong(usize),
    #[error("encryption failed")]
    Crypto,
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<(), EceError> {
    Salt::new(HKDF_SHA256, salt)
        .extract(ikm)
        .expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| EceError::Crypto)
}

/// Encrypts `plaintext` for the browser whose public key (`ua_public`, 65
/// bytes, uncompressed) and auth secret (16 bytes) are given.
pub fn encrypt(ua_public: &[u8], auth: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, EceError> {
    let rng = SystemRandom::new();
    let key = PrivateKey::generate(&ECDH_P256).map_err(|_| EceError::Crypto)?;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| EceError::Crypto)?;
    encrypt_with(&key, salt, ua_public, auth, plaintext)
}

/// `encrypt` with our key pair and salt given (RFC 8291's worked example
/// fixes both).
pub fn encrypt_with(
    as_private: &PrivateKey,
    salt: [u8; 16],
    ua_public: &[u8],
    auth: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, EceError> {
    if ua_public.len() != 65 || ua_public[0] != 4 {
        return Err(EceError::BadPublicKey);
    }
    if auth.len() != 16 {
        return Err(EceError::BadAuthSecret);
    }
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EceError::TooLong(plaintext.len()));
    }
    let as_public = as_private
        .compute_public_key()
        .map_err(|_| EceError::Crypto)?;
    let as_public = as_public.as_ref();
    let ecdh_secret = agreement::agree(
        as_private,
        UnparsedPublicKey::new(&ECDH_P256, ua_public),
        EceError::BadPublicKey,
        |secret| Ok(secret.to_vec()),
    )?;
    // IKM = HKDF(auth, ecdh_secret, "WebPush: info" 0 ua_public as_public, 32)
    let mut ikm = [0u8; 32];
    hkdf(
        auth,
        &ecdh_secret,
        &[b"WebPush: info\0", ua_public, as_public],
        &mut ikm,
    )?;
    let mut cek = [0u8; 16];
    hkdf(&salt, &ikm, &[b"Content-Encoding: aes128gcm\0"], &mut cek)?;
    let mut nonce = [0u8; 12];
    hkdf(&salt, &ikm, &[b"Content-Encoding: nonce\0"], &mut nonce)?;

    let mut record = Vec::with_capacity(plaintext.len() + 17);
    record.extend_from_slice(plaintext);
    record.push(2); // the last (and only) record's delimiter
    let key = UnboundKey::new(&AES_128_GCM, &cek).map_err(|_| EceError::Crypto)?;
    LessSafeKey::new(key)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::empty(),
            &mut record,
        )
        .map_err(|_| EceError::Crypto)?;

    // Header: salt, record size, key id length, key id (our public key).
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;

    fn b64(s: &str) -> Vec<u8> {
        B64.decode(s).unwrap()
    }

    /// RFC 8291, Appendix A: the worked example, byte for byte.
    #[test]
    fn matches_the_rfc_8291_example() {
        let plaintext = b"When I grow up, I want to be a watermelon";
        let as_private = PrivateKey::from_private_key(
            &ECDH_P256,
            &b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        )
        .unwrap();
        let ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let body = encrypt_with(&as_private, salt, &ua_public, &auth, plaintext).unwrap();
        assert_eq!(
            B64.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn refuses_bad_keys_and_oversized_messages() {
        let key = PrivateKey::generate(&ECDH_P256).unwrap();
        let ua = key.compute_public_key().unwrap().as_ref().to_vec();
        assert_eq!(
            encrypt(&ua[..64], &[0; 16], b"x"),
            Err(EceError::BadPublicKey)
        );
        assert_eq!(encrypt(&ua, &[0; 15], b"x"), Err(EceError::BadAuthSecret));
        let mut not_on_curve = ua.clone();
        not_on_curve[10] ^= 1;
        assert_eq!(
            encrypt(&not_on_curve, &[0; 16], b"x"),
            Err(EceError::BadPublicKey)
        );
        let long = vec![b'a'; MAX_PLAINTEXT + 1];
        assert_eq!(
            encrypt(&ua, &[0; 16], &long),
            Err(EceError::TooLong(MAX_PLAINTEXT + 1))
        );
        assert!(encrypt(&ua, &[0; 16], &long[1..]).is_ok());
    }
}
