//! A value shown only once, to copy: an invitation link, an API token, a
//! webhook's signing secret. Focusing the field selects it all; the button
//! copies it, or says how to when the browser will not.

use leptos::prelude::*;

#[component]
pub fn CopyField(
    /// The field's id and test id.
    id: &'static str,
    label: &'static str,
    /// What it is, in the button and the fallback: "link", "token".
    what: &'static str,
    value: String,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = value.clone();
    let field = NodeRef::<leptos::html::Input>::new();
    view! {
        <div class="new-link">
            <label for=id>{label}</label>
            <input id=id readonly prop:value=value data-testid=id node_ref=field
                on:focus=move |_| {
                    if let Some(input) = field.get() {
                        input.select();
                    }
                } />
            <button type="button" class="secondary" on:click=move |_| copied.set(Some(crate::client::copy_text(&text)))>
                {format!("Copy {what}")}
            </button>
            {move || copied.get().map(|ok| view! {
                <span class="hint" role="status">
                    {if ok { "Copied.".to_string() } else { format!("Select the {what} and copy it.") }}
                </span>
            })}
        </div>
    }
}
