//! The resources pages load through: `Resource::new` with one change, the
//! values their server-rendered pages are hydrated from travel in postcard
//! (base64 in the HTML) rather than JSON, as server functions' answers do
//! (`api::wire`): the browser build then reads every type one way only, and
//! carries no JSON reader.

use std::future::Future;

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::base64;
use crate::api::wire::{from_postcard, WireError};

/// A value as postcard, written into the page as base64.
pub struct Wire;

impl<T: Serialize> Encoder<T> for Wire {
    type Error = WireError;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, WireError> {
        Ok(base64::encode(&postcard::to_allocvec(value)?))
    }
}

impl<T: DeserializeOwned> Decoder<T> for Wire {
    type Error = WireError;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, WireError> {
        let bytes = base64::decode(text).ok_or_else(|| WireError("not base64".into()))?;
        from_postcard(&bytes)
    }
}

/// A resource hydrated through [`Wire`].
pub type Loaded<T> = Resource<T, Wire>;

/// `Resource::new`, hydrated through [`Wire`]. In server rendering, the
/// same resource with the same source is fetched once per request (see
/// [`Fetches`]).
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + std::hash::Hash + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    #[cfg(feature = "ssr")]
    let fetcher = {
        let at = std::panic::Location::caller();
        let fetches = use_context::<Fetches>();
        move |s: S| match &fetches {
            Some(fetches) => fetches.once(at, s, &fetcher),
            None => futures::FutureExt::boxed(fetcher(s)),
        }
    };
    Resource::new_with_options(source, fetcher, false)
}

/// One request's fetches, shared by the copies of a page that server
/// rendering builds: Leptos walks a `<Suspense>`'s content three times while
/// it loads, building the page (and its resources) each time. The first
/// copy's fetch runs under the request's own owner, so it finishes even
/// after that copy is thrown away, and the later copies await it.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Fetches {
    owner: Owner,
    started: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<FetchKey, Started>>>,
}

#[cfg(feature = "ssr")]
type FetchKey = (
    &'static std::panic::Location<'static>,
    std::any::TypeId,
    u64,
);

#[cfg(feature = "ssr")]
type Started = Box<dyn std::any::Any + Send + Sync>;

#[cfg(feature = "ssr")]
type SharedFetch<T> = futures::future::Shared<futures::future::BoxFuture<'static, T>>;

#[cfg(feature = "ssr")]
impl Fetches {
    /// For the request being rendered (call in its context).
    pub fn provide() {
        provide_context(Fetches {
            owner: Owner::new(),
            started: Default::default(),
        });
    }

    fn once<T, S, Fut>(
        &self,
        at: &'static std::panic::Location<'static>,
        source: S,
        fetcher: &impl Fn(S) -> Fut,
    ) -> futures::future::BoxFuture<'static, T>
    where
        T: Clone + Send + Sync + 'static,
        S: std::hash::Hash,
        Fut: Future<Output = T> + Send + 'static,
    {
        use futures::FutureExt;
        use std::hash::Hasher;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        source.hash(&mut hasher);
        let key = (at, std::any::TypeId::of::<T>(), hasher.finish());
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(shared) = started
            .get(&key)
            .and_then(|s| s.downcast_ref::<SharedFetch<T>>())
        {
            return shared.clone().boxed();
        }
        tracing::debug!(at = %at, "page data fetched");
        let fetch = self
            .owner
            .with(|| leptos::reactive::computed::ScopedFuture::new_untracked(fetcher(source)));
        let shared: SharedFetch<T> = fetch.boxed().shared();
        started.insert(key, Box::new(shared.clone()));
        shared.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_bad_text_is_an_error() {
        let value = (7u32, "Choir".to_string(), vec![Some(true), None]);
        let text = <Wire as Encoder<_>>::encode(&value).unwrap();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
        let back: (u32, String, Vec<Option<bool>>) = Wire::decode(&text).unwrap();
        assert_eq!(back, value);
        let err = <Wire as Decoder<u32>>::decode("\"seven\"").unwrap_err();
        assert_eq!(err.to_string(), "not base64");
        // Valid base64 of something that is not the type asked for.
        assert!(<Wire as Decoder<(u32, String)>>::decode(&text[..4]).is_err());
    }
}
