//! The SRTP keys of a subscriber connection, caught as its DTLS handshake
//! exports them, so that forwarded audio can be sealed without a pass
//! through the peer connection (see egress.rs).
//!
//! str0m keeps the keys it derives to itself, but lets each peer connection
//! have its own crypto provider. The subscriber's provider is str0m's own
//! with the DTLS factory wrapped: each DTLS instance it makes hands its
//! exported keying material to a slot the participant holds. The material
//! never leaves the process and is never printed (`Exported` shows no bytes).

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use str0m::crypto::dtls::{
    DtlsCert, DtlsImplError, DtlsInstance, DtlsOutput, DtlsProvider, DtlsVersion, KeyingMaterial,
    ProtocolVersion, SrtpProfile,
};
use str0m::crypto::{CryptoError, CryptoProvider, SrtpProvider};
use str0m::{Rtc, RtcConfig};

/// What a finished handshake exported.
pub struct Exported {
    pub material: KeyingMaterial,
    pub profile: SrtpProfile,
    /// This side was the DTLS client (its keys come first in the material).
    pub client: bool,
}

impl std::fmt::Debug for Exported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Exported({:?}, client: {})", self.profile, self.client)
    }
}

/// Where a connection's DTLS leaves its keys.
pub type KeySlot = Arc<Mutex<Option<Exported>>>;

thread_local! {
    /// The slot of the DTLS instance last made on this thread.
    static MADE: RefCell<Option<KeySlot>> = const { RefCell::new(None) };
}

fn base() -> &'static CryptoProvider {
    static BASE: OnceLock<CryptoProvider> = OnceLock::new();
    BASE.get_or_init(str0m::crypto::from_feature_flags)
}

/// The SRTP primitives (key derivation rounds, AES-GCM) str0m uses.
pub fn srtp_provider() -> &'static dyn SrtpProvider {
    base().srtp_provider
}

/// str0m's provider, with DTLS instances that catch their keys.
pub fn provider() -> Arc<CryptoProvider> {
    static CATCHING: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    CATCHING
        .get_or_init(|| {
            let mut provider = base().clone();
            provider.dtls_provider = &Catching;
            Arc::new(provider)
        })
        .clone()
}

/// Builds a peer connection whose DTLS keys land in the returned slot.
pub fn build(config: RtcConfig, now: Instant) -> (Rtc, Option<KeySlot>) {
    MADE.with(|made| made.borrow_mut().take());
    let rtc = config.set_crypto_provider(provider()).build(now);
    (rtc, MADE.with(|made| made.borrow_mut().take()))
}

#[derive(Debug)]
struct Catching;

impl DtlsProvider for Catching {
    fn generate_certificate(&self) -> Option<DtlsCert> {
        base().dtls_provider.generate_certificate()
    }

    fn new_dtls(
        &self,
        cert: &DtlsCert,
        now: Instant,
        version: DtlsVersion,
        mtu: Option<usize>,
    ) -> Result<Box<dyn DtlsInstance>, CryptoError> {
        let inner = base().dtls_provider.new_dtls(cert, now, version, mtu)?;
        let slot = KeySlot::default();
        MADE.with(|made| *made.borrow_mut() = Some(slot.clone()));
        Ok(Box::new(Catch { inner, slot }))
    }

    fn is_test(&self) -> bool {
        base().dtls_provider.is_test()
    }
}

/// A DTLS instance that copies the keying material it exports.
struct Catch {
    inner: Box<dyn DtlsInstance>,
    slot: KeySlot,
}

impl std::fmt::Debug for Catch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catch")
    }
}

impl DtlsInstance for Catch {
    fn set_active(&mut self, active: bool) {
        self.inner.set_active(active);
    }

    fn handle_packet(&mut self, packet: &[u8]) -> Result<(), DtlsImplError> {
        self.inner.handle_packet(packet)
    }

    fn poll_output<'a>(&mut self, buf: &'a mut [u8]) -> DtlsOutput<'a> {
        let output = self.inner.poll_output(buf);
        if let DtlsOutput::KeyingMaterial(material, profile) = &output {
            let exported = Exported {
                material: KeyingMaterial::new(material),
                profile: *profile,
                client: self.inner.is_active(),
            };
            if let Ok(mut slot) = self.slot.lock() {
                *slot = Some(exported);
            }
        }
        output
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), DtlsImplError> {
        self.inner.handle_timeout(now)
    }

    fn send_application_data(&mut self, data: &[u8]) -> Result<usize, DtlsImplError> {
        self.inner.send_application_data(data)
    }

    fn is_active(&self) -> bool {
        self.inner.is_active()
    }

    fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.inner.protocol_version()
    }

    fn is_closing(&self) -> bool {
        self.inner.is_closing()
    }

    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn close(&mut self) -> Result<(), DtlsImplError> {
        self.inner.close()
    }
}
