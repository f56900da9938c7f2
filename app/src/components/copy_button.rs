//! A button that copies a text (a name, a command) to the clipboard and says so.

use crate::testids;
use leptos::prelude::*;

#[component]
pub fn CopyButton(
    /// What lands on the clipboard.
    #[prop(into)]
    text: String,
    /// What the button copies, for screen readers ("container name", "command").
    #[prop(into, default = "text".to_string())]
    what: String,
) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let label = format!("Copy {what}");
    let value = text.clone();
    let on_click = move |_| {
        let value = value.clone();
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            let promise = clipboard.write_text(&value);
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    set_copied.set(true);
                    set_timeout(
                        move || set_copied.set(false),
                        std::time::Duration::from_millis(1500),
                    );
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (value, set_copied);
    };
    view! {
        <button
            type="button"
            class="copy"
            class:copied=copied
            data-testid=testids::COPY_BUTTON
            data-copy=text
            aria-label=label.clone()
            title=label
            on:click=on_click
        >
            {move || if copied.get() { "copied" } else { "copy" }}
        </button>
    }
}
