//! Moving within a page's own state, and links that reproduce a screen.

use leptos_router::NavigateOptions;

/// For filters, selections and view settings: the URL changes, the history entry is replaced
/// and the scroll position kept, so the back button leaves the page rather than undoing clicks.
pub fn in_place() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        scroll: false,
        ..Default::default()
    }
}

/// `path` as a full address for "copy link" (origin included) in the browser; the path alone
/// while rendering on the server.
pub fn absolute(path: String) -> String {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .location()
            .origin()
            .map(|o| format!("{o}{path}"))
            .unwrap_or(path)
    }
    #[cfg(not(feature = "hydrate"))]
    path
}

/// The page's own path and query (`/containers/web?tail=500`), kept current: what a "copy link"
/// or a snapshot's "live view" points at.
pub fn current_path() -> leptos::prelude::Signal<String> {
    use leptos::prelude::*;
    let location = leptos_router::hooks::use_location();
    Signal::derive(move || {
        let search = location.search.get();
        match search.as_str() {
            "" => location.pathname.get(),
            s if s.starts_with('?') => format!("{}{s}", location.pathname.get()),
            s => format!("{}?{s}", location.pathname.get()),
        }
    })
}
