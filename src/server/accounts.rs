//! Signing up, in and out.

use std::net::IpAddr;

use super::auth::{self, Authed};
use super::db::{self, communities, invitations, sessions, users};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::ids::{CommunityId, InvitationId, UserId};
use crate::contract::types::{Role, UserView};

use crate::contract::profile::AVATAR_COLORS;

pub struct SignUp {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// The deployment's sign-up code (`BELFRY_SIGNUP_CODE`), if it has one.
    pub invite_code: Option<String>,
    /// An invitation link's code: joins its community, with no sign-up code.
    pub invitation: Option<String>,
}

/// Usernames are 3 to 32 of a-z, 0-9, '.', '_' and '-', compared lower-case.
pub fn normalize_username(raw: &str) -> AppResult<String> {
    let name = raw.trim().to_lowercase();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !(3..=32).contains(&name.len()) || !ok_chars {
        return Err(AppError::bad_request(
            "A username is 3 to 32 letters, digits, dots, dashes or underscores.",
        ));
    }
    Ok(name)
}

pub fn check_display_name(raw: &str) -> AppResult<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0 => Err(AppError::bad_request("Please give a display name.")),
        n if n > 64 => Err(AppError::bad_request(
            "A display name is at most 64 characters.",
        )),
        _ => Ok(name),
    }
}

pub fn check_password(password: &str) -> AppResult<()> {
    match password.chars().count() {
        n if n < 8 => Err(AppError::bad_request(
            "A password needs at least 8 characters.",
        )),
        n if n > 256 => Err(AppError::bad_request(
            "A password is at most 256 characters.",
        )),
        _ => Ok(()),
    }
}

pub fn avatar_color_for(username: &str) -> &'static str {
    let sum = username.bytes().fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(b as usize)
    });
    AVATAR_COLORS[sum % AVATAR_COLORS.len()].0
}

/// Creates an account: through an invitation link into its community, or
/// (with the deployment's sign-up code, if it has one) into the default
/// community. Returns the new user and a session token.
pub async fn sign_up(
    state: &AppState,
    form: SignUp,
    from: IpAddr,
) -> AppResult<(UserView, String)> {
    state.limits.sign_up(from)?;
    let invitation = form
        .invitation
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if invitation.is_none() {
        if let Some(code) = &state.config.signup_code {
            if form.invite_code.as_deref().map(str::trim) != Some(code.as_str()) {
                return Err(AppError::forbidden(
                    "Signing up needs this parish's invitation code.",
                ));
            }
        }
    }
    let username = normalize_username(&form.username)?;
    let display_name = check_display_name(&form.display_name)?;
    check_password(&form.password)?;
    // The link's use is taken before the account is made (so two people
    // cannot both take its last one) and given back if that fails.
    let invited = match invitation {
        Some(code) => Some(super::invitations::claim(state, code, from).await?),
        None => None,
    };
    let made = make_account(state, &username, &display_name, form.password, invited).await;
    if let (Err(_), Some((invitation, _))) = (&made, invited) {
        invitations::release(&state.db, invitation).await?;
    }
    let id = made?;
    let user = users::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("new user vanished"))?;
    let token = start_session(state, &user).await?;
    tracing::info!(user = %user.id, "signed up");
    Ok((user, token))
}

/// The account, in the invitation's community as a member or else in the
/// default community (the very first account as its admin).
async fn make_account(
    state: &AppState,
    username: &str,
    display_name: &str,
    password: String,
    invited: Option<(InvitationId, CommunityId)>,
) -> AppResult<UserId> {
    let hash = auth::hash_password(password).await?;
    let first = users::count(&state.db).await? == 0;
    let id = match users::insert(
        &state.db,
        username,
        display_name,
        &hash,
        avatar_color_for(username),
    )
    .await
    {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(AppError::conflict(
                "That username is taken. Please choose another.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    match invited {
        Some((invitation, community)) => {
            communities::add_member(&state.db, community, id, Role::Member).await?;
            invitations::record_use(&state.db, invitation, id, db::now_ms()).await?;
            tracing::info!(user = %id, %invitation, "joined through an invitation");
        }
        None => {
            if let Some(community) = communities::default_community(&state.db).await? {
                let role = if first { Role::Admin } else { Role::Member };
                communities::add_member(&state.db, community, id, role).await?;
            }
        }
    }
    Ok(id)
}

/// Signs in. A username or address with too many wrong passwords is
/// refused (429) before any hashing, for longer after each further failure.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
    from: IpAddr,
) -> AppResult<(UserView, String)> {
    let wrong = || AppError::unauthorized("Wrong username or password.");
    let Ok(username) = normalize_username(username) else {
        return Err(wrong());
    };
    state.limits.sign_in_attempt(&username, from)?;
    let found = users::find_for_sign_in(&state.db, &username).await?;
    let right = match found {
        Some((user, hash)) => auth::verify_password(password, hash).await?.then_some(user),
        None => {
            // Spend the same time as a real check, so timing does not
            // reveal which usernames exist.
            auth::verify_password(password, auth::decoy_hash().await?).await?;
            None
        }
    };
    let Some(user) = right else {
        return Err(wrong());
    };
    state.limits.sign_in_succeeded(&username, from);
    let token = start_session(state, &user).await?;
    Ok((user, token))
}

pub(crate) async fn start_session(state: &AppState, user: &UserView) -> AppResult<String> {
    let token = auth::new_token();
    let expires_at = db::now_ms() + state.config.session_ttl.as_millis() as i64;
    sessions::insert(&state.db, &auth::token_hash(&token), user.id, expires_at).await?;
    Ok(token)
}

pub async fn sign_out(state: &AppState, authed: &Authed) -> AppResult<()> {
    state.sessions.forget(&authed.token_hash);
    sessions::delete(&state.db, &authed.token_hash).await?;
    Ok(())
}

pub fn cookie_for(state: &AppState, token: &str) -> String {
    auth::session_cookie(
        token,
        state.config.session_ttl.as_secs(),
        state.config.secure_cookies,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(normalize_username("  Alice ").unwrap(), "alice");
        assert!(normalize_username("al").is_err());
        assert!(normalize_username("al ice").is_err());
        assert!(normalize_username(&"a".repeat(33)).is_err());
        assert_eq!(normalize_username("st.anne_01-x").unwrap(), "st.anne_01-x");
    }

    #[test]
    fn display_names_fold_whitespace() {
        assert_eq!(check_display_name("  Mary   Jane ").unwrap(), "Mary Jane");
        assert!(check_display_name("   ").is_err());
    }

    #[test]
    fn avatar_colours_are_stable_per_username() {
        assert_eq!(avatar_color_for("alice"), avatar_color_for("alice"));
        assert!(AVATAR_COLORS
            .iter()
            .any(|(c, _)| *c == avatar_color_for("bob")));
    }
}
