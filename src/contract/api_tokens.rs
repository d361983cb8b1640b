//! API tokens: what a person (or an admin, for the community's
//! integrations) sees of the bearer tokens other apps use to call Belfry.

use serde::{Deserialize, Serialize};

/// What a token may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// Read what its owner may read: channels, messages, calls.
    Read,
    /// Also ring, answer, decline, join, leave and end calls, and take room
    /// tokens (studio voice rooms included).
    Calls,
    /// Everything its owner may do through the API: posting, groups,
    /// members and, for an admin, the community's administration.
    Admin,
}

impl ApiScope {
    pub const ALL: [ApiScope; 3] = [ApiScope::Read, ApiScope::Calls, ApiScope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Calls => "calls",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// What the profile's list says of it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Read => "Read only",
            Self::Calls => "Read and calls",
            Self::Admin => "Everything (admin)",
        }
    }
}

/// How long a new token lasts, in days; `None` in the form is "no expiry".
pub const EXPIRY_DAYS: [u32; 4] = [7, 30, 90, 365];
/// The longest name a token may have.
pub const NAME_MAX: usize = 60;
/// What every token starts with, so that a leaked one is recognisable
/// (secret scanners, logs) and never taken for a session.
pub const PREFIX: &str = "blf_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiTokenState {
    Active,
    Expired,
    Revoked,
}

impl ApiTokenState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    pub scope: ApiScope,
    /// The token's last characters, to tell tokens apart (the token itself
    /// is shown once, when it is made).
    pub hint: String,
    pub state: ApiTokenState,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    /// When it was last used, to the minute.
    pub last_used_at: Option<i64>,
}

/// A token just made: the only time it is seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NewApiToken {
    pub token: String,
    pub view: ApiTokenView,
}

/// The profile's list: the viewer's tokens, newest first, and the scopes
/// they may give a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ApiTokens {
    pub tokens: Vec<ApiTokenView>,
    pub scopes: Vec<ApiScope>,
}
