//! How a page gets its data: from the page itself when it was rendered with
//! it (`boot`), else fetched, and fetched again when what the address names
//! changes (another channel, say). `None` while it is being fetched.
//!
//! A fetch belongs to the address it was made for: the address moving on,
//! or the page going, drops it unanswered. (Reading the address after the
//! page has gone would panic; setting the value of a page that has gone
//! would show nothing.)

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

use super::boot::{FirstPage, PageData};

/// The data for `key()` (a tracked read of the address). `first` picks it
/// out of the page's boot data when that is for this page and this key.
pub fn page_data<K, T, Fut>(
    key: impl Fn() -> K + Copy + Send + Sync + 'static,
    first: impl FnOnce(PageData, &K) -> Option<T>,
    fetch: impl Fn(K) -> Fut + 'static,
) -> RwSignal<Option<T>>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let start = untrack(key);
    let first = use_context::<FirstPage>()
        .and_then(|page| page.take())
        .and_then(|page| first(page, &start));
    let came_with_page = first.is_some();
    let data = RwSignal::new(first);
    Effect::new(move |shown: Option<K>| {
        let now = key();
        if shown.as_ref() == Some(&now) || (shown.is_none() && came_with_page) {
            return now;
        }
        data.set(None);
        let answer = fetch(now.clone());
        // Dropped unanswered when the address moves on (the effect runs
        // again) or the page goes: its answer would be for another page.
        spawn_local_scoped_with_cancellation(async move {
            data.set(Some(answer.await));
        });
        now
    });
    data
}

/// Shows a page read again, unless it is what is shown already: a page is
/// often read twice for one change (the change's own answer and the live
/// event that tells every tab), and drawing it again for nothing would throw
/// away what someone had started choosing in it.
pub fn show_fresh<T>(data: RwSignal<Option<Result<T, crate::contract::ApiError>>>, fresh: T)
where
    T: PartialEq + Send + Sync + 'static,
{
    set_if_changed(data, Some(Ok(fresh)));
}

/// Sets `signal` to `value` only if that changes it, and not at all once
/// its page has gone (it was being read meanwhile).
pub fn set_if_changed<T>(signal: RwSignal<T>, value: T)
where
    T: PartialEq + Send + Sync + 'static,
{
    if signal.try_with_untracked(|now| *now != value) == Some(true) {
        signal.set(value);
    }
}
