//! How a page gets its data: from the page itself when it was rendered with
//! it (`boot`), else fetched, and fetched again when what the address names
//! changes (another channel, say). `None` while it is being fetched.

use std::future::Future;

use leptos::prelude::*;

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
        let asked = now.clone();
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            // Only if the address has not moved on meanwhile.
            if untrack(key) == asked {
                data.set(Some(answer));
            }
        });
        now
    });
    data
}
