//! The boot data of a page request (`app::boot`): gathered before the page
//! is rendered, with the same access rules as the server functions that
//! the browser would otherwise call (`current_user`, `my_spaces`,
//! `get_channel`, `list_messages`, `get_studio`, `calls_page`).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;

use super::auth;
use super::calls::queries;
use super::chat;
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::boot::{Boot, ChatOpen, Packed, PageData};
use crate::contract::ids::{CallId, ChannelId, StudioId};
use crate::contract::pages::{query_value, Page};
use crate::contract::types::UserView;
use crate::contract::{ApiError, ErrorKind};

/// What the page at `path` starts from, for whoever `headers` say is asking.
pub async fn gather(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
) -> Boot {
    let user = match auth::authenticate(state, headers).await {
        Ok(authed) => authed.user,
        Err(AppError::Rejected(e)) if e.kind == ErrorKind::Unauthorized => {
            return Boot {
                user: Ok(None),
                spaces: None,
                page: None,
            }
        }
        Err(e) => {
            return Boot {
                user: Err(e.into()),
                spaces: None,
                page: None,
            }
        }
    };
    let page = Page::at(path);
    if !page.signed_in() {
        return Boot {
            user: Ok(Some(user)),
            spaces: None,
            page: None,
        };
    }
    // The navigation's data and the page's, side by side.
    let (spaces, data) = tokio::join!(
        chat::spaces(state, &user),
        page_data(state, &user, page, path, query)
    );
    Boot {
        user: Ok(Some(user)),
        spaces: Some(spaces.map_err(ApiError::from)),
        page: data,
    }
}

/// The data of the page at `path` (`?query`), if it has any.
async fn page_data(
    state: &AppState,
    user: &UserView,
    page: Page,
    path: &str,
    query: Option<&str>,
) -> Option<PageData> {
    Some(match page {
        Page::Chat => {
            let id: Option<ChannelId> = id_after(path, "/c/");
            let data = match id {
                None => Err(ApiError::new(ErrorKind::NotFound, "No such channel.")),
                Some(id) => chat_data(state, user, id).await.map_err(ApiError::from),
            };
            PageData::Chat(id, Box::new(data))
        }
        Page::Studio => {
            let id: Option<StudioId> = id_after(path, "/s/");
            let data = match id {
                None => Err(ApiError::new(ErrorKind::NotFound, "No such studio.")),
                Some(id) => chat::studio_detail(state, user, id)
                    .await
                    .map_err(ApiError::from),
            };
            PageData::Studio(id, Packed::new(&data))
        }
        Page::Calls => {
            let linked = query
                .and_then(|q| query_value(q, "callId"))
                .and_then(|id| id.parse().ok())
                .map(CallId);
            let data = queries::calls_page(state, user, linked)
                .await
                .map_err(ApiError::from);
            PageData::Calls(linked, Packed::new(&data))
        }
        Page::People => PageData::People(Packed::new(
            &super::directory::people_page(state, user)
                .await
                .map_err(ApiError::from),
        )),
        Page::Groups => PageData::Groups(Packed::new(
            &super::groups::my_groups(state, user)
                .await
                .map_err(ApiError::from),
        )),
        _ => return None,
    })
}

/// The id in `/c/12`, `/s/3`, if it is one.
fn id_after<T: std::str::FromStr>(path: &str, prefix: &str) -> Option<T> {
    path.strip_prefix(prefix)?.parse().ok()
}

/// A channel, opened: its header, newest messages and live call.
pub async fn chat_data(state: &AppState, user: &UserView, id: ChannelId) -> AppResult<ChatOpen> {
    let detail = chat::channel_detail(state, user, id).await?;
    let page = chat::list_messages(state, user, id, None, None).await?;
    let call = queries::active_call(state, user, id).await?;
    Ok(ChatOpen { detail, page, call })
}

/// Before a page is rendered: its boot data, into the request (the page's
/// context takes it from there, `server::app`).
pub async fn attach(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let boot = gather(&state, req.headers(), req.uri().path(), req.uri().query()).await;
    req.extensions_mut().insert(boot);
    next.run(req).await
}
