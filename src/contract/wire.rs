//! How server functions' arguments, answers and errors travel.
//!
//! JSON for everyone, and postcard (a compact binary form of the same serde
//! types) for Belfry's own browser code, which asks for it. Reading JSON
//! takes a parser and, for every type, code that matches field names; the
//! browser build carries neither. The server picks per request: postcard
//! when the request's `Accept` names it (and reads a postcard body when its
//! `Content-Type` says so), JSON otherwise, so curl, the tests and any other
//! client see plain JSON as before.
//!
//! postcard writes fields in order with no names or tags, so the types it
//! carries must not lean on serde's self-describing features (internally
//! tagged or untagged enums, `flatten`, `skip_serializing_if`). The live
//! stream's tagged enums are written through flat forms (`events_wire`).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The media type of postcard bodies.
pub const POSTCARD: &str = "application/x-postcard";

/// Which layout of the contract's types this build reads and writes. A tab
/// left open across an upgrade still runs the old build; its requests name
/// the old layout, and the server tells it to reload (`server::app`'s
/// `outdated_wire`) rather than answer in a layout it would misread.
///
/// Bumped on purpose, whenever the encoded form of anything the browser
/// receives or sends changes: `contract::golden` compares each type's
/// encoded bytes with committed copies and fails on a change made without a
/// bump (and a comment or formatting change bumps nothing). Builds before
/// this number existed sent a 53-bit hash, which never equals it.
pub const WIRE_VERSION: u64 = 3;

/// What Belfry's browser code sends as `Content-Type` and `Accept`.
pub const POSTCARD_HERE: &str =
    leptos::server_fn::const_format::concatcp!(POSTCARD, ";v=", WIRE_VERSION);

/// What a request's `Accept` or `Content-Type` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// JSON (or anything not postcard).
    Json,
    /// Postcard in this build's layout.
    Postcard,
    /// Postcard in another build's layout.
    OtherLayout,
}

/// Server functions' encoding: `#[server(input = Wire, output = Wire)]`.
pub type Wire = Post<WireEncoding>;

/// JSON or postcard, as the request asks (see the module's notes).
pub struct WireEncoding;

/// A value that did not encode or decode, with the reason.
#[derive(Debug)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<postcard::Error> for WireError {
    fn from(e: postcard::Error) -> Self {
        WireError(e.to_string())
    }
}

/// The browser asks for postcard and sends it; the server's default (and
/// what its error responses are labelled before negotiation) is JSON.
impl ContentType for WireEncoding {
    #[cfg(feature = "ssr")]
    const CONTENT_TYPE: &'static str = "application/json";
    #[cfg(not(feature = "ssr"))]
    const CONTENT_TYPE: &'static str = POSTCARD_HERE;
}

impl FormatType for WireEncoding {
    const FORMAT_TYPE: Format = Format::Binary;
}

impl<T: Serialize> Encodes<T> for WireEncoding {
    type Error = WireError;

    fn encode(value: &T) -> Result<Bytes, WireError> {
        #[cfg(feature = "ssr")]
        if !server::answer_in_postcard() {
            return serde_json::to_vec(value)
                .map(Bytes::from)
                .map_err(|e| WireError(e.to_string()));
        }
        Ok(Bytes::from(postcard::to_allocvec(value)?))
    }
}

impl<T: DeserializeOwned> Decodes<T> for WireEncoding {
    type Error = WireError;

    fn decode(bytes: Bytes) -> Result<T, WireError> {
        #[cfg(feature = "ssr")]
        if !server::sent_in_postcard() {
            return server::from_json(&bytes);
        }
        from_postcard(&bytes)
    }
}

/// Reads a whole postcard value: bytes left over mean it was not one.
pub fn from_postcard<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    let (value, rest) = postcard::take_from_bytes(bytes)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(WireError(format!("{} bytes after the value", rest.len())))
    }
}

/// Reads an `Accept` or `Content-Type` value: postcard (with a quality
/// above zero) in which layout, or not postcard.
pub fn asks(header: &str) -> Asks {
    let mut asks = Asks::Json;
    for item in header.split(',') {
        let mut parts = item.split(';').map(str::trim);
        if !parts
            .next()
            .is_some_and(|t| t.eq_ignore_ascii_case(POSTCARD))
        {
            continue;
        }
        let (mut version, mut refused) = (None, false);
        for param in parts {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            match name.trim() {
                "q" => refused = value.trim().parse::<f32>().map_or(true, |q| q <= 0.0),
                "v" => version = value.trim().parse::<u64>().ok(),
                _ => {}
            }
        }
        if refused {
            continue;
        }
        if version == Some(WIRE_VERSION) {
            return Asks::Postcard;
        }
        asks = Asks::OtherLayout;
    }
    asks
}

/// What the `name` headers (`Accept` or `Content-Type`, of a request or a
/// response) ask for, reading every value: postcard in this layout if one
/// names it, else postcard in another layout if one names that, else JSON.
#[cfg(feature = "ssr")]
pub fn headers_ask(headers: &http::HeaderMap, name: http::HeaderName) -> Asks {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(asks)
        .fold(Asks::Json, |seen, asks| match (seen, asks) {
            (Asks::Postcard, _) | (_, Asks::Postcard) => Asks::Postcard,
            (Asks::OtherLayout, _) | (_, Asks::OtherLayout) => Asks::OtherLayout,
            _ => Asks::Json,
        })
}

#[cfg(feature = "ssr")]
mod server {
    use http::header::{ACCEPT, CONTENT_TYPE, VARY};
    use http::request::Parts;
    use http::{HeaderName, HeaderValue};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use super::{headers_ask, Asks, POSTCARD_HERE};

    fn request_asks_postcard(header: HeaderName) -> bool {
        use_context::<Parts>()
            .is_some_and(|parts| headers_ask(&parts.headers, header) == Asks::Postcard)
    }

    /// Whether the request being answered asked for postcard. If so the
    /// response is labelled as such (leptos_axum applies these headers last).
    pub fn answer_in_postcard() -> bool {
        let postcard = request_asks_postcard(ACCEPT);
        if let Some(response) = use_context::<ResponseOptions>() {
            response.insert_header(VARY, HeaderValue::from_static("accept"));
            if postcard {
                response.insert_header(CONTENT_TYPE, HeaderValue::from_static(POSTCARD_HERE));
            }
        }
        postcard
    }

    /// Reads a JSON body. JSON has one kind of number: `12.0` is the id
    /// 12, as JSON Schema's `integer` says, so a body that fails to read
    /// only for a whole number written with a fraction is read again with
    /// such numbers as integers.
    pub fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, super::WireError> {
        let first = match serde_json::from_slice(bytes) {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let mut value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|_| super::WireError(first.to_string()))?;
        if !whole_numbers(&mut value) {
            return Err(super::WireError(first.to_string()));
        }
        T::deserialize(value).map_err(|e| super::WireError(e.to_string()))
    }

    /// Writes whole-number floats as integers; whether any was.
    fn whole_numbers(value: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        match value {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // Exactly representable, and within i64.
                if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                    *value = Value::from(f as i64);
                    return true;
                }
                false
            }
            // Every element is visited (no short cut): each may change.
            Value::Array(items) => items.iter_mut().map(whole_numbers).filter(|c| *c).count() > 0,
            Value::Object(map) => map.values_mut().map(whole_numbers).filter(|c| *c).count() > 0,
            _ => false,
        }
    }

    /// Whether the request's body is postcard.
    pub fn sent_in_postcard() -> bool {
        request_asks_postcard(CONTENT_TYPE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_ask_for_postcard_in_this_layout_unless_refused() {
        let here = format!("{POSTCARD};v={WIRE_VERSION}");
        assert_eq!(here, POSTCARD_HERE);
        assert_eq!(asks(&here), Asks::Postcard);
        assert_eq!(
            asks(&format!("application/json, {here};q=0.9")),
            Asks::Postcard
        );
        assert_eq!(
            asks(&format!("Application/X-Postcard; v={WIRE_VERSION}")),
            Asks::Postcard
        );
        assert_eq!(asks(&format!("{POSTCARD};v=1, {here}")), Asks::Postcard);
        assert_eq!(
            asks(&format!("{POSTCARD};v={}", WIRE_VERSION + 1)),
            Asks::OtherLayout
        );
        assert_eq!(asks(POSTCARD), Asks::OtherLayout);
        assert_eq!(asks("application/json"), Asks::Json);
        assert_eq!(asks("*/*"), Asks::Json);
        assert_eq!(asks(&format!("{here};q=0")), Asks::Json);
        assert_eq!(asks(&format!("{POSTCARD}s;v={WIRE_VERSION}")), Asks::Json);
        const { assert!(WIRE_VERSION < 1 << 53) };
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn every_header_value_is_read_and_this_layout_wins() {
        use http::header::ACCEPT;
        let mut headers = http::HeaderMap::new();
        assert_eq!(headers_ask(&headers, ACCEPT), Asks::Json);
        headers.append(ACCEPT, "application/json".parse().unwrap());
        assert_eq!(headers_ask(&headers, ACCEPT), Asks::Json);
        let other = WIRE_VERSION + 1;
        headers.append(ACCEPT, format!("{POSTCARD};v={other}").parse().unwrap());
        assert_eq!(headers_ask(&headers, ACCEPT), Asks::OtherLayout);
        headers.append(ACCEPT, POSTCARD_HERE.parse().unwrap());
        assert_eq!(headers_ask(&headers, ACCEPT), Asks::Postcard);
    }

    #[test]
    fn an_error_keeps_the_layout_old_tabs_read() {
        // A tab from any earlier build reads the "reload" answer with its own
        // copy of `ApiError`: its layout must not change.
        let err = crate::contract::ApiError::new(crate::contract::ErrorKind::Conflict, "Hi");
        assert_eq!(postcard::to_allocvec(&err).unwrap(), [4, 2, b'H', b'i']);
    }

    #[test]
    fn postcard_values_round_trip_and_trailing_bytes_are_refused() {
        let value = (7u32, "Choir".to_string(), vec![Some(true), None]);
        let bytes = postcard::to_allocvec(&value).unwrap();
        let back: (u32, String, Vec<Option<bool>>) = from_postcard(&bytes).unwrap();
        assert_eq!(back, value);
        let mut longer = bytes.clone();
        longer.push(0);
        let err = from_postcard::<(u32, String, Vec<Option<bool>>)>(&longer).unwrap_err();
        assert_eq!(err.to_string(), "1 bytes after the value");
        assert!(from_postcard::<(u32, String)>(&bytes[..3]).is_err());
    }
}
