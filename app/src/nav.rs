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

/// The server the pages are about: `?server=` of the address, `None` for the engine netdoctor
/// was started with. Provided once inside the router by [`crate::live::ServerScope`]; every
/// server function a page calls takes it, and every link a page draws carries it (see
/// [`here`]).
#[derive(Debug, Clone, Copy)]
pub struct CurrentServer(pub leptos::prelude::Memo<Option<String>>);

/// The current server (reactive); `None` outside a [`crate::live::ServerScope`].
pub fn use_server() -> leptos::prelude::Memo<Option<String>> {
    use leptos::prelude::*;
    match use_context::<CurrentServer>() {
        Some(CurrentServer(server)) => server,
        None => Memo::new(|_| None),
    }
}

/// `path` on the current server: what every link inside the app points at, so following it
/// stays on the server the page is about.
pub fn here(path: impl AsRef<str>) -> String {
    use leptos::prelude::*;
    let server = use_server().get_untracked();
    crate::domain::url::with_server(path.as_ref(), server.as_deref())
}

/// Bumped when a server is added or removed, so the switcher and the Servers page list them
/// again. Provided by [`crate::live::ServerScope`].
#[derive(Debug, Clone, Copy)]
pub struct ServersChanged(pub leptos::prelude::RwSignal<u32>);

/// The servers list's version (a fresh, unshared one outside a server scope).
pub fn servers_changed() -> leptos::prelude::RwSignal<u32> {
    use leptos::prelude::*;
    use_context::<ServersChanged>().map_or_else(|| RwSignal::new(0), |ServersChanged(v)| v)
}
