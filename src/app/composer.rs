//! The message box: Enter sends, Shift+Enter starts a new line.

use leptos::prelude::*;

use crate::contract::types::MAX_MESSAGE_CHARS;

#[component]
pub fn Composer(on_send: Callback<String>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let too_long = move || text.with(|t| t.chars().count() > MAX_MESSAGE_CHARS);
    let submit = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() || too_long() {
            return;
        }
        text.set(String::new());
        on_send.run(body.trim().to_string());
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    view! {
        <form
            class="composer"
            data-testid="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <label for="composer-input" class="visually-hidden">"Message"</label>
            <textarea
                id="composer-input"
                rows="1"
                placeholder="Write a message…"
                bind:value=text
                on:keydown=on_keydown
                aria-describedby="composer-hint"
            ></textarea>
            <button type="submit" class="primary" disabled=move || text.with(|t| t.trim().is_empty()) || too_long()>
                "Send"
            </button>
            <p id="composer-hint" class="composer-hint" role="status">
                {move || too_long().then(|| format!("Too long: at most {MAX_MESSAGE_CHARS} characters."))}
            </p>
        </form>
    }
}
