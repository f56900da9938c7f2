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
    // `Some(true)`: copied; `Some(false)`: the browser refused (no clipboard permission or
    // not a secure context), so the user knows to select and copy by hand.
    let (copied, set_copied) = signal(None::<bool>);
    let label = format!("Copy {what}");
    let value = text.clone();
    let on_click = move |_| {
        let value = value.clone();
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            // Browsers leave `navigator.clipboard` undefined outside a secure context (plain
            // http:// to a server's IP); calling it then would throw.
            let available = !AsRef::<wasm_bindgen::JsValue>::as_ref(&clipboard).is_undefined();
            let promise = available.then(|| clipboard.write_text(&value));
            leptos::task::spawn_local(async move {
                let ok = match promise {
                    Some(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                    None => false,
                };
                set_copied.set(Some(ok));
                set_timeout(
                    move || set_copied.set(None),
                    std::time::Duration::from_millis(if ok { 1500 } else { 4000 }),
                );
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (value, set_copied);
    };
    view! {
        <button
            type="button"
            class="copy"
            class:copied=move || copied.get() == Some(true)
            class:copy-failed=move || copied.get() == Some(false)
            data-testid=testids::COPY_BUTTON
            data-copy=text
            aria-label=label.clone()
            title=label
            on:click=on_click
        >
            {move || match copied.get() {
                Some(true) => "copied",
                Some(false) => "copy failed: select it and press Ctrl+C",
                None => "copy",
            }}
        </button>
    }
}
