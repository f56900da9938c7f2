//! "Download": hands the browser a file to save. Nothing happens on the server, where there is
//! no browser to save into.

/// Offers `text` as a file named `file`, of type `mime`.
pub fn save_text(text: &str, mime: &str, file: &str) {
    #[cfg(feature = "hydrate")]
    {
        let parts = web_sys::js_sys::Array::new();
        parts.push(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
            save_blob(&blob, file);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, mime, file);
}

/// Offers `blob` as a file named `file`, through a temporary object URL and a clicked link.
#[cfg(feature = "hydrate")]
pub fn save_blob(blob: &web_sys::Blob, file: &str) {
    use wasm_bindgen::JsCast;
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(anchor) = leptos::prelude::document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
