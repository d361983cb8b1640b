//! VAPID (RFC 8292): the key that identifies this server to push services,
//! and the short-lived ES256 token it signs for each one.

use aws_lc_rs::agreement::{PrivateKey, ECDH_P256};
use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::encoding::EcPrivateKeyBin;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;

/// How long a token is good for (RFC 8292 allows at most 24 hours).
pub const TOKEN_SECS: i64 = 12 * 3600;

pub struct Vapid {
    pair: EcdsaKeyPair,
    /// The public key, base64url: what browsers pass to `subscribe` as
    /// `applicationServerKey`, and what we send as `k=`.
    public: String,
    /// Who push services may contact about our traffic (mailto: or https:).
    subject: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for Vapid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("Vapid")
            .field("public", &self.public)
            .finish()
    }
}

/// A fresh private key, base64url (32 bytes): what is stored on first start.
pub fn generate_private() -> Result<String, String> {
    let key = PrivateKey::generate(&ECDH_P256).map_err(|_| "cannot generate a VAPID key")?;
    let raw: EcPrivateKeyBin = key
        .as_be_bytes()
        .map_err(|_| "cannot export the VAPID key")?;
    Ok(B64.encode(raw.as_ref()))
}

impl Vapid {
    /// From a base64url private key (the raw 32-byte scalar, as
    /// `web-push generate-vapid-keys` and most tools print it).
    pub fn from_private(private_b64: &str, subject: &str) -> Result<Self, String> {
        const WHAT: &str = "the VAPID private key must be 32 bytes of base64url (a P-256 key)";
        let raw = B64
            .decode(private_b64.trim().trim_end_matches('='))
            .map_err(|_| WHAT.to_string())?;
        if raw.len() != 32 {
            return Err(WHAT.into());
        }
        let public = PrivateKey::from_private_key(&ECDH_P256, &raw)
            .ok()
            .and_then(|k| k.compute_public_key().ok())
            .ok_or_else(|| WHAT.to_string())?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &raw,
            public.as_ref(),
        )
        .map_err(|_| WHAT.to_string())?;
        if !(subject.starts_with("mailto:") || subject.starts_with("https://")) {
            return Err(format!(
                "BELFRY_VAPID_SUBJECT={subject:?} must be a mailto: or https: address push services can reach you at"
            ));
        }
        Ok(Self {
            public: B64.encode(pair.public_key().as_ref()),
            pair,
            subject: subject.to_string(),
            rng: SystemRandom::new(),
        })
    }

    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The `Authorization` header for a push to `audience` (the endpoint's
    /// origin, `https://host[:port]`), valid until `now_secs + TOKEN_SECS`.
    pub fn authorization(&self, audience: &str, now_secs: i64) -> Result<String, String> {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now_secs + TOKEN_SECS,
            "sub": self.subject,
        });
        let claims = B64.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let signature = self
            .pair
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| "cannot sign the VAPID token")?;
        let token = format!("{signing_input}.{}", B64.encode(signature.as_ref()));
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    #[test]
    fn a_stored_key_gives_the_same_public_key_and_verifiable_tokens() {
        let private = generate_private().unwrap();
        let a = Vapid::from_private(&private, "mailto:bells@example.org").unwrap();
        let b = Vapid::from_private(&private, "mailto:bells@example.org").unwrap();
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(B64.decode(a.public_key()).unwrap().len(), 65);

        let auth = a
            .authorization("https://push.example.net", 1_700_000_000)
            .unwrap();
        let (t, k) = auth
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        assert_eq!(k, a.public_key());
        let (input, sig) = t.rsplit_once('.').unwrap();
        let public = B64.decode(k).unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
            .verify(input.as_bytes(), &B64.decode(sig).unwrap())
            .expect("the signature verifies with the advertised key");
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(input.split('.').nth(1).unwrap()).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_700_000_000 + TOKEN_SECS);
        assert_eq!(claims["sub"], "mailto:bells@example.org");
    }

    #[test]
    fn bad_keys_and_subjects_are_refused_with_the_reason() {
        assert!(Vapid::from_private("not base64!", "mailto:a@b.c")
            .unwrap_err()
            .contains("32 bytes"));
        assert!(Vapid::from_private(&B64.encode([1u8; 31]), "mailto:a@b.c")
            .unwrap_err()
            .contains("32 bytes"));
        // Zero is not a valid P-256 scalar.
        assert!(Vapid::from_private(&B64.encode([0u8; 32]), "mailto:a@b.c").is_err());
        let private = generate_private().unwrap();
        assert!(Vapid::from_private(&private, "bells@example.org")
            .unwrap_err()
            .contains("BELFRY_VAPID_SUBJECT"));
        assert!(!format!(
            "{:?}",
            Vapid::from_private(&private, "mailto:a@b.c").unwrap()
        )
        .contains(&private));
    }
}
