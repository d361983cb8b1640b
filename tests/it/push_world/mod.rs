//! A stand-in push service on loopback, and a browser's side of Web Push:
//! a subscription's keys, and decryption of what arrives (RFC 8291, with
//! RustCrypto, independent of the server's aws-lc code). Also checks VAPID
//! tokens (RFC 8292).
//!
//! Mocked because a real push service (FCM, Mozilla, Apple) cannot be
//! reached from here; everything else in these tests is the real server.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use serde_json::Value;
use sha2::Sha256;

/// One request the push service received.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub name: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct PushService {
    pub addr: Option<SocketAddr>,
    received: Arc<Mutex<Vec<Delivery>>>,
    /// What to answer for a name (default 201 Created).
    answers: Arc<Mutex<HashMap<String, u16>>>,
    /// Names whose requests are held for a minute before any answer (a
    /// push service that hangs).
    hanging: Arc<Mutex<Vec<String>>>,
}

async fn receive(
    State(service): State<PushService>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if service.hanging.lock().unwrap().contains(&name) {
        service.received.lock().unwrap().push(Delivery {
            name: format!("{name} (held)"),
            headers: headers.clone(),
            body: body.to_vec(),
        });
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    let status = service
        .answers
        .lock()
        .unwrap()
        .get(&name)
        .copied()
        .unwrap_or(201);
    service.received.lock().unwrap().push(Delivery {
        name,
        headers,
        body: body.to_vec(),
    });
    StatusCode::from_u16(status).unwrap()
}

impl PushService {
    pub async fn start() -> Self {
        let mut service = Self::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        service.addr = Some(listener.local_addr().unwrap());
        let app = Router::new()
            .route("/push/{name}", post(receive))
            .with_state(service.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        service
    }

    /// `127.0.0.1:port`, for `BELFRY_PUSH_HOSTS`.
    pub fn host(&self) -> String {
        self.addr.unwrap().to_string()
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("http://{}/push/{name}", self.host())
    }

    pub fn answer(&self, name: &str, status: u16) {
        self.answers.lock().unwrap().insert(name.into(), status);
    }

    /// From now on, requests to `name` hang (each shows in `received` as
    /// "`name` (held)" when it arrives).
    pub fn hang(&self, name: &str) {
        self.hanging.lock().unwrap().push(name.into());
    }

    pub fn received(&self) -> Vec<Delivery> {
        self.received.lock().unwrap().clone()
    }

    /// Waits for the `n`th delivery to `name` (1-based), up to 10 s.
    pub async fn nth(&self, name: &str, n: usize) -> Delivery {
        for _ in 0..200 {
            let to_it: Vec<Delivery> = (self.received().into_iter())
                .filter(|d| d.name == name)
                .collect();
            if to_it.len() >= n {
                return to_it[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no delivery #{n} to {name} within 10 s: {:?}",
            self.received()
        );
    }

    pub fn count(&self, name: &str) -> usize {
        self.received().iter().filter(|d| d.name == name).count()
    }
}

/// A browser's push subscription keys.
pub struct Browser {
    secret: SecretKey,
    pub auth: [u8; 16],
}

impl Browser {
    pub fn new(seed: u8) -> Self {
        let mut rng = rand::thread_rng();
        let secret = SecretKey::random(&mut rng);
        let mut auth = [seed; 16];
        rand::RngCore::fill_bytes(&mut rng, &mut auth);
        Self { secret, auth }
    }

    pub fn p256dh(&self) -> String {
        let point = self.secret.public_key().to_encoded_point(false);
        B64.encode(point.as_bytes())
    }

    pub fn auth_b64(&self) -> String {
        B64.encode(self.auth)
    }

    /// Decrypts an `aes128gcm` push body the way a browser does.
    pub fn decrypt(&self, body: &[u8]) -> Value {
        assert!(body.len() > 86, "body too short for a header");
        let salt = &body[..16];
        let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert!(rs >= 18, "record size");
        assert_eq!(body[20], 65, "key id is the sender's P-256 key");
        let sender = PublicKey::from_sec1_bytes(&body[21..86]).expect("sender key on the curve");
        let record = &body[86..];
        assert!(record.len() <= rs as usize, "one record");
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender.as_affine());
        let ua_public = self.secret.public_key().to_encoded_point(false);
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(ua_public.as_bytes());
        info.extend_from_slice(&body[21..86]);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let mut cek = [0u8; 16];
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        let mut nonce = [0u8; 12];
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let plain = Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(Nonce::from_slice(&nonce), record)
            .expect("the record decrypts and authenticates");
        // Strip padding: the last non-zero byte is the delimiter, 2 (last record).
        let end = plain.iter().rposition(|b| *b != 0).expect("a delimiter");
        assert_eq!(plain[end], 2, "the last record's delimiter");
        serde_json::from_slice(&plain[..end]).expect("the payload is JSON")
    }
}

/// Checks a VAPID `Authorization` header: ES256 signed by `public_key`
/// (base64url), for `audience`, not expired and not good for over 24 h.
/// Returns the claims.
pub fn check_vapid(headers: &HeaderMap, public_key: &str, audience: &str) -> Value {
    let auth = headers["authorization"].to_str().unwrap();
    let (t, k) = auth
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .expect("vapid t=…, k=…");
    assert_eq!(k, public_key, "k= is the server's advertised key");
    let parts: Vec<&str> = t.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT");
    let header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).unwrap()).unwrap();
    let signature = Signature::from_slice(&B64.decode(parts[2]).unwrap()).expect("r||s");
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the token's signature verifies");
    let claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["aud"], audience);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let exp = claims["exp"].as_i64().unwrap();
    assert!(
        exp > now && exp <= now + 24 * 3600,
        "exp {exp} within 24 h of {now}"
    );
    let sub = claims["sub"].as_str().unwrap();
    assert!(sub.starts_with("mailto:") || sub.starts_with("https://"));
    claims
}
