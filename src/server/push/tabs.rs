//! Which devices have Belfry open on screen right now, so a call rings
//! there in the page and is not also pushed to that device.
//!
//! Each live event socket registers itself with the device id its page
//! sent, and reports when the page is hidden or shown again.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::mpsc;

use crate::calls::ids::UserId;
use crate::server::db::{self, push_shared};

/// How often an instance says its tabs are still open, and how long a row
/// counts after that (an instance that stopped stops refreshing).
const REFRESH_EVERY: Duration = Duration::from_secs(30);
const FRESH_FOR_MS: i64 = 90_000;

/// A device id as the browser sent it: kept only if it looks like one.
pub fn clean_device(raw: &str) -> Option<String> {
    crate::contract::push::is_device_id(raw).then(|| raw.to_string())
}

#[derive(Default)]
pub struct OpenTabs {
    inner: Mutex<Inner>,
    /// With several instances on PostgreSQL: the tabs are also written to
    /// `open_tabs`, where the others look.
    shared: OnceLock<Shared>,
}

struct Shared {
    pool: PgPool,
    instance: i64,
    news: mpsc::UnboundedSender<News>,
}

/// A change to this instance's tabs, for `open_tabs` (written in order).
enum News {
    Put {
        tab: u64,
        user: UserId,
        device: String,
        visible: bool,
    },
    Gone {
        tab: u64,
    },
}

#[derive(Default)]
struct Inner {
    next: u64,
    by_user: HashMap<UserId, Vec<Tab>>,
}

struct Tab {
    id: u64,
    device: String,
    visible: bool,
}

impl OpenTabs {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// From now on this instance's tabs are kept in `open_tabs` too, and
    /// `showing_anywhere` looks there for the other instances' tabs.
    pub fn share(&self, pool: PgPool, instance: i64) {
        let (news, mut changes) = mpsc::unbounded_channel();
        let writer = pool.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_EVERY);
            loop {
                let done = tokio::select! {
                    change = changes.recv() => match change {
                        None => break,
                        Some(News::Put { tab, user, device, visible }) => {
                            push_shared::put_tab(&writer, instance, tab as i64, user, &device, visible, db::now_ms()).await
                        }
                        Some(News::Gone { tab }) => push_shared::drop_tab(&writer, instance, tab as i64).await,
                    },
                    _ = tick.tick() => {
                        let now = db::now_ms();
                        push_shared::refresh_tabs(&writer, instance, now, now - 10 * FRESH_FOR_MS).await
                    }
                };
                if let Err(e) = done {
                    tracing::warn!("sharing open tabs with the other instances: {e}");
                }
            }
        });
        let _ = self.shared.set(Shared {
            pool,
            instance,
            news,
        });
    }

    fn tell(&self, news: News) {
        if let Some(shared) = self.shared.get() {
            let _ = shared.news.send(news);
        }
    }

    /// Is Belfry open and on screen for `user` on `device`, on this
    /// instance or (shared) on another?
    pub async fn showing_anywhere(&self, user: UserId, device: &str) -> bool {
        if self.showing(user, device) {
            return true;
        }
        let Some(shared) = self.shared.get() else {
            return false;
        };
        let fresh = db::now_ms() - FRESH_FOR_MS;
        push_shared::shown_elsewhere(&shared.pool, shared.instance, user, device, fresh)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("asking the other instances' tabs: {e}");
                false
            })
    }

    /// Of `users`, those with Belfry open in a tab (shown or not), here or
    /// (shared) on another instance.
    pub async fn online_among(&self, users: &[UserId]) -> HashSet<UserId> {
        let mut online: HashSet<UserId> = {
            let inner = self.lock();
            (users.iter())
                .filter(|u| inner.by_user.get(u).is_some_and(|tabs| !tabs.is_empty()))
                .copied()
                .collect()
        };
        if let Some(shared) = self.shared.get() {
            let fresh = db::now_ms() - FRESH_FOR_MS;
            match push_shared::open_elsewhere(&shared.pool, shared.instance, users, fresh).await {
                Ok(there) => online.extend(there),
                Err(e) => tracing::warn!("asking the other instances' tabs: {e}"),
            }
        }
        online
    }

    /// A tab opened its live stream; it counts until the guard drops.
    pub fn open(self: &Arc<Self>, user: UserId, device: String, visible: bool) -> TabGuard {
        let mut inner = self.lock();
        inner.next += 1;
        let id = inner.next;
        self.tell(News::Put {
            tab: id,
            user,
            device: device.clone(),
            visible,
        });
        inner.by_user.entry(user).or_default().push(Tab {
            id,
            device,
            visible,
        });
        TabGuard {
            tabs: self.clone(),
            user,
            id,
        }
    }

    /// Is Belfry open and on screen for `user` on `device`?
    pub fn showing(&self, user: UserId, device: &str) -> bool {
        self.lock()
            .by_user
            .get(&user)
            .is_some_and(|tabs| tabs.iter().any(|t| t.visible && t.device == device))
    }
}

pub struct TabGuard {
    tabs: Arc<OpenTabs>,
    user: UserId,
    id: u64,
}

impl TabGuard {
    pub fn set_visible(&self, visible: bool) {
        let mut inner = self.tabs.lock();
        if let Some(tab) = (inner.by_user.get_mut(&self.user))
            .and_then(|tabs| tabs.iter_mut().find(|t| t.id == self.id))
        {
            tab.visible = visible;
            self.tabs.tell(News::Put {
                tab: self.id,
                user: self.user,
                device: tab.device.clone(),
                visible,
            });
        }
    }
}

impl Drop for TabGuard {
    fn drop(&mut self) {
        self.tabs.tell(News::Gone { tab: self.id });
        let mut inner = self.tabs.lock();
        if let Some(tabs) = inner.by_user.get_mut(&self.user) {
            tabs.retain(|t| t.id != self.id);
            if tabs.is_empty() {
                inner.by_user.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_shows_belfry_while_one_of_its_tabs_is_open_and_visible() {
        let tabs = Arc::new(OpenTabs::default());
        let alice = UserId(1);
        let phone = "phone-0001".to_string();
        assert!(!tabs.showing(alice, &phone));
        let first = tabs.open(alice, phone.clone(), true);
        let second = tabs.open(alice, phone.clone(), false);
        assert!(tabs.showing(alice, &phone));
        assert!(!tabs.showing(alice, "laptop-0001"));
        assert!(!tabs.showing(UserId(2), &phone));
        first.set_visible(false);
        assert!(!tabs.showing(alice, &phone), "both tabs hidden");
        second.set_visible(true);
        assert!(tabs.showing(alice, &phone));
        drop(second);
        assert!(!tabs.showing(alice, &phone), "the visible tab closed");
        drop(first);
        assert!(tabs.lock().by_user.is_empty(), "nothing left behind");
    }

    #[test]
    fn only_plain_ids_of_sensible_length_are_kept() {
        assert_eq!(clean_device("a1b2c3d4-e5"), Some("a1b2c3d4-e5".into()));
        assert_eq!(clean_device("short"), None);
        assert_eq!(clean_device("has space in it"), None);
        assert_eq!(clean_device(&"x".repeat(65)), None);
    }
}
