//! Limits on what a stranger (or a signed-in account gone wrong) can
//! repeat: sign-in failures, sign-ups, rings, messages, push subscriptions
//! and sockets. Each refusal is a 429 with `Retry-After` and a sentence a
//! person understands. The settings are `BELFRY_*` variables with the
//! defaults below (`.env.example`). Counts are kept per instance.

mod bucket;
mod client;
mod sockets;

use std::net::IpAddr;
use std::time::Duration;

pub use bucket::{Backoff, Buckets};
pub use client::{client_addr, client_addr_of};
pub use sockets::{SocketSlot, Sockets};

use super::error::{AppError, AppResult};
use crate::calls::ids::UserId;

/// How long a username or address is locked at most after failures.
const SIGN_IN_LOCK_CAP: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq)]
pub struct LimitsConfig {
    /// `BELFRY_SIGNIN_FREE_TRIES`: wrong passwords for one username before
    /// each further one locks it for twice as long (1 s, 2 s, … 15 min).
    pub sign_in_per_user: u32,
    /// `BELFRY_SIGNIN_FREE_TRIES_PER_ADDRESS`: the same for one address.
    pub sign_in_per_address: u32,
    /// `BELFRY_SIGNUPS_PER_HOUR`: accounts one address may make an hour.
    pub sign_ups_per_hour: u32,
    /// `BELFRY_RINGS_PER_MINUTE`: calls one person may start, and calls
    /// that may ring one person, a minute.
    pub rings_per_minute: u32,
    /// `BELFRY_MESSAGES_PER_MINUTE`: messages one person may send a minute.
    pub messages_per_minute: u32,
    /// `BELFRY_PUSH_SUBSCRIBES_PER_HOUR`: push subscriptions one person may
    /// add an hour.
    pub push_subscribes_per_hour: u32,
    /// `BELFRY_API_REQUESTS_PER_MINUTE`: requests one API token may make a
    /// minute.
    pub api_requests_per_minute: u32,
    /// `BELFRY_BAD_API_TOKENS_PER_ADDRESS`: unknown, revoked or expired API
    /// tokens one address may send before each further one locks it out
    /// for twice as long (1 s, 2 s, … 15 min).
    pub bad_api_tokens_per_address: u32,
    /// `BELFRY_EVENT_SOCKETS_PER_USER`: live-event sockets one person may
    /// hold open (one per tab).
    pub event_sockets_per_user: usize,
    /// `BELFRY_RTC_SESSIONS_PER_IDENTITY`: media signalling sockets one
    /// person may hold open.
    pub rtc_sessions_per_identity: usize,
    /// `BELFRY_PASSWORD_HASHES`: passwords hashed at once (each takes
    /// 19 MiB for a moment); more sign-ins wait their turn.
    pub password_hashes: usize,
    /// `BELFRY_TRUSTED_PROXIES`: the proxies whose `X-Forwarded-For` is
    /// believed; unset, the client is the socket's peer.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            sign_in_per_user: 5,
            sign_in_per_address: 20,
            sign_ups_per_hour: 10,
            rings_per_minute: 10,
            messages_per_minute: 60,
            push_subscribes_per_hour: 20,
            api_requests_per_minute: 300,
            bad_api_tokens_per_address: 20,
            event_sockets_per_user: 16,
            rtc_sessions_per_identity: 4,
            password_hashes: 2,
            trusted_proxies: Vec::new(),
        }
    }
}

impl LimitsConfig {
    /// Limits so high no test meets them, for tests of something else.
    pub fn generous() -> Self {
        Self {
            sign_in_per_user: 1_000,
            sign_in_per_address: 1_000,
            sign_ups_per_hour: 10_000,
            rings_per_minute: 10_000,
            messages_per_minute: 100_000,
            push_subscribes_per_hour: 10_000,
            api_requests_per_minute: 100_000,
            bad_api_tokens_per_address: 100_000,
            event_sockets_per_user: 1_000,
            rtc_sessions_per_identity: 100,
            password_hashes: 2,
            trusted_proxies: Vec::new(),
        }
    }

    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let d = Self::default();
        let number = |key: &str, default: u32| -> Result<u32, String> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("{key}={v:?} must be a whole number of at least 1")),
            }
        };
        let trusted_proxies = match get("BELFRY_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<IpAddr>()
                        .map_err(|_| format!("BELFRY_TRUSTED_PROXIES: {s:?} is not an IP address"))
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            sign_in_per_user: number("BELFRY_SIGNIN_FREE_TRIES", d.sign_in_per_user)?,
            sign_in_per_address: number(
                "BELFRY_SIGNIN_FREE_TRIES_PER_ADDRESS",
                d.sign_in_per_address,
            )?,
            sign_ups_per_hour: number("BELFRY_SIGNUPS_PER_HOUR", d.sign_ups_per_hour)?,
            rings_per_minute: number("BELFRY_RINGS_PER_MINUTE", d.rings_per_minute)?,
            messages_per_minute: number("BELFRY_MESSAGES_PER_MINUTE", d.messages_per_minute)?,
            push_subscribes_per_hour: number(
                "BELFRY_PUSH_SUBSCRIBES_PER_HOUR",
                d.push_subscribes_per_hour,
            )?,
            api_requests_per_minute: number(
                "BELFRY_API_REQUESTS_PER_MINUTE",
                d.api_requests_per_minute,
            )?,
            bad_api_tokens_per_address: number(
                "BELFRY_BAD_API_TOKENS_PER_ADDRESS",
                d.bad_api_tokens_per_address,
            )?,
            event_sockets_per_user: number(
                "BELFRY_EVENT_SOCKETS_PER_USER",
                d.event_sockets_per_user as u32,
            )? as usize,
            rtc_sessions_per_identity: number(
                "BELFRY_RTC_SESSIONS_PER_IDENTITY",
                d.rtc_sessions_per_identity as u32,
            )? as usize,
            password_hashes: number("BELFRY_PASSWORD_HASHES", d.password_hashes as u32)? as usize,
            trusted_proxies,
        })
    }
}

/// The running limits, shared by every request.
pub struct Limits {
    pub config: LimitsConfig,
    sign_in_user: Backoff,
    sign_in_address: Backoff,
    sign_ups: Buckets,
    rings_out: Buckets,
    rings_in: Buckets,
    messages: Buckets,
    push_subscribes: Buckets,
    api_requests: Buckets,
    /// Unknown, revoked or expired API tokens, by address.
    bad_api_tokens: Backoff,
    /// Server-API calls and webhooks with a bad token or signature, by
    /// address.
    unsigned: Backoff,
    /// Unknown invitation codes, by address.
    bad_invitations: Backoff,
    pub event_sockets: Sockets,
    pub rtc_sessions: Sockets,
    /// Requests refused with a 429 since start (`/metrics`).
    pub refused: std::sync::atomic::AtomicU64,
}

const MINUTE: Duration = Duration::from_secs(60);
/// Badly signed server-API calls or webhooks one address may send before
/// each further one locks it out for twice as long.
const UNSIGNED_FREE: u32 = 20;
const HOUR: Duration = Duration::from_secs(3600);

fn limited<T>(
    refused: &std::sync::atomic::AtomicU64,
    result: Result<T, u32>,
    message: impl FnOnce(u32) -> String,
) -> AppResult<T> {
    result.map_err(|seconds| {
        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        AppError::too_many(message(seconds), seconds)
    })
}

/// "in 12 seconds", "in 3 minutes".
pub fn wait_words(seconds: u32) -> String {
    match seconds {
        0..=1 => "in a second".into(),
        2..=90 => format!("in {seconds} seconds"),
        _ => format!("in {} minutes", seconds.div_ceil(60)),
    }
}

impl Limits {
    pub fn new(config: LimitsConfig) -> Self {
        Self {
            sign_in_user: Backoff::new(config.sign_in_per_user, SIGN_IN_LOCK_CAP),
            sign_in_address: Backoff::new(config.sign_in_per_address, SIGN_IN_LOCK_CAP),
            sign_ups: Buckets::new(config.sign_ups_per_hour, HOUR),
            rings_out: Buckets::new(config.rings_per_minute, MINUTE),
            rings_in: Buckets::new(config.rings_per_minute, MINUTE),
            messages: Buckets::new(config.messages_per_minute, MINUTE),
            push_subscribes: Buckets::new(config.push_subscribes_per_hour, HOUR),
            api_requests: Buckets::new(config.api_requests_per_minute, MINUTE),
            bad_api_tokens: Backoff::new(config.bad_api_tokens_per_address, SIGN_IN_LOCK_CAP),
            unsigned: Backoff::new(UNSIGNED_FREE, SIGN_IN_LOCK_CAP),
            bad_invitations: Backoff::new(UNSIGNED_FREE, SIGN_IN_LOCK_CAP),
            event_sockets: Sockets::new(config.event_sockets_per_user),
            rtc_sessions: Sockets::new(config.rtc_sessions_per_identity),
            refused: Default::default(),
            config,
        }
    }

    /// Before a server-API call or webhook is checked: refused while the
    /// address is locked out by earlier badly signed ones.
    pub fn signed_call(&self, from: IpAddr) -> AppResult<()> {
        limited(&self.refused, self.unsigned.check(&from.to_string()), |s| {
            format!(
                "Too many requests with a bad token or signature from this address. Try again {}.",
                wait_words(s)
            )
        })
    }

    /// A server-API call or webhook from `from` was badly signed.
    pub fn badly_signed(&self, from: IpAddr) {
        let _ = self.unsigned.attempt(&from.to_string());
    }

    /// A request made with API token `token`.
    pub fn api_request(&self, token: i64) -> AppResult<()> {
        limited(
            &self.refused,
            self.api_requests.take(&token.to_string()),
            |s| {
                format!(
                    "This API token is making too many requests. Try again {}.",
                    wait_words(s)
                )
            },
        )
    }

    /// An API token from `from` was refused (unknown, revoked, expired or
    /// malformed): counted, and refused with a 429 instead while the
    /// address is locked out by earlier ones.
    pub fn bad_api_token(&self, from: IpAddr) -> AppResult<()> {
        let address = from.to_string();
        limited(&self.refused, self.bad_api_tokens.check(&address), |s| {
            format!(
                "Too many requests with a bad API token from this address. Try again {}.",
                wait_words(s)
            )
        })?;
        let _ = self.bad_api_tokens.attempt(&address);
        Ok(())
    }

    /// Before a password is checked: counts the try, or refuses it while
    /// the username or the address is locked by earlier tries (no hashing
    /// is spent on it). Tries are counted as they start, so a burst sent at
    /// once is limited as surely as one sent in turn.
    pub fn sign_in_attempt(&self, username: &str, from: IpAddr) -> AppResult<()> {
        let address = from.to_string();
        let tried = self.sign_in_user.attempt(username).and_then(|()| {
            match self.sign_in_address.attempt(&address) {
                Ok(()) => Ok(()),
                Err(s) => {
                    self.sign_in_user.forgive(username);
                    Err(s)
                }
            }
        });
        limited(&self.refused, tried, |s| {
            format!("Too many wrong passwords. Try again {}.", wait_words(s))
        })
    }

    /// A right password clears the username's tries and takes back this
    /// one from the address (whose other tries stand: one good account does
    /// not unlock guessing at others).
    pub fn sign_in_succeeded(&self, username: &str, from: IpAddr) {
        self.sign_in_user.succeed(username);
        self.sign_in_address.forgive(&from.to_string());
    }

    /// Before an invitation code is looked up: refused while the address
    /// is locked out by earlier unknown codes (codes cannot be guessed, but
    /// nobody gets to try).
    pub fn invitation_lookup(&self, from: IpAddr) -> AppResult<()> {
        let address = from.to_string();
        limited(&self.refused, self.bad_invitations.check(&address), |s| {
            format!(
                "Too many unknown invitation links from this network. Try again {}.",
                wait_words(s)
            )
        })
    }

    /// An invitation code from `from` was unknown.
    pub fn unknown_invitation(&self, from: IpAddr) {
        let _ = self.bad_invitations.attempt(&from.to_string());
    }

    pub fn sign_up(&self, from: IpAddr) -> AppResult<()> {
        limited(&self.refused, self.sign_ups.take(&from.to_string()), |s| {
            format!(
                "Too many new accounts from this network. Try again {}.",
                wait_words(s)
            )
        })
    }

    /// A call that would ring `callees`, started by `caller`.
    pub fn ring(&self, caller: UserId, callees: &[UserId]) -> AppResult<()> {
        limited(
            &self.refused,
            self.rings_out.take(&caller.to_string()),
            |s| format!("You are calling too often. Try again {}.", wait_words(s)),
        )?;
        for callee in callees {
            limited(
                &self.refused,
                self.rings_in.take(&callee.to_string()),
                |s| {
                    format!(
                        "They are being called too often. Try again {}.",
                        wait_words(s)
                    )
                },
            )?;
        }
        Ok(())
    }

    pub fn message(&self, sender: UserId) -> AppResult<()> {
        limited(
            &self.refused,
            self.messages.take(&sender.to_string()),
            |s| {
                format!(
                    "You are sending messages too fast. Try again {}.",
                    wait_words(s)
                )
            },
        )
    }

    pub fn push_subscribe(&self, user: UserId) -> AppResult<()> {
        limited(
            &self.refused,
            self.push_subscribes.take(&user.to_string()),
            |s| {
                format!(
                    "Too many devices added for notifications. Try again {}.",
                    wait_words(s)
                )
            },
        )
    }

    /// Forgets keys whose limits have filled up again (housekeeping).
    pub fn sweep(&self) {
        self.sign_in_user.sweep();
        self.sign_in_address.sweep();
        self.unsigned.sweep();
        self.bad_invitations.sweep();
        self.bad_api_tokens.sweep();
        for b in [
            &self.sign_ups,
            &self.rings_out,
            &self.rings_in,
            &self.messages,
            &self.push_subscribes,
            &self.api_requests,
        ] {
            b.sweep();
        }
    }
}
