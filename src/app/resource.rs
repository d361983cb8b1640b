//! The resources pages load through: `Resource::new` with one change, the
//! JSON their server-rendered values are hydrated from is read as bytes.
//!
//! serde_json's string and byte readers are two instantiations of every
//! `Deserialize` impl. Server functions' answers are read as bytes
//! (server_fn's JSON codec), so resources read as strings (Leptos's default
//! codec) put a second reader for each type a page shows into the browser
//! build. Reading both the same way leaves one.

use std::future::Future;

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON written as a string and read as its bytes.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(json: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(json.as_bytes())
    }
}

/// A resource hydrated through [`Json`].
pub type Loaded<T> = Resource<T, Json>;

/// `Resource::new`, hydrated through [`Json`].
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_bad_json_is_an_error() {
        let value = (7u32, "Choir".to_string(), vec![Some(true), None]);
        let json = <Json as Encoder<_>>::encode(&value).unwrap();
        assert_eq!(json, r#"[7,"Choir",[true,null]]"#);
        let back: (u32, String, Vec<Option<bool>>) = Json::decode(&json).unwrap();
        assert_eq!(back, value);
        assert!(<Json as Decoder<u32>>::decode("\"seven\"").is_err());
    }
}
