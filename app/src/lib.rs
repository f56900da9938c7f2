#![recursion_limit = "256"]
//! netdoctor's isomorphic Leptos app: pages and components for the browser, the domain model
//! for both sides, and (with `ssr`) the engine layer and server state.

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod live;
pub mod nav;
pub mod pages;
pub mod testids;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod fleet;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod token;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, StaticSegment};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // `/pkg/netdoctor.<content hash>.css` when the build names files by content.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    security::set_page_headers();
    if on_shared_link() {
        // A snapshot link's holder gets the snapshot and nothing live: no top bar, no event
        // stream, no calls that need a session.
        return view! {
            <Title text="netdoctor snapshot"/>
            <Router>
                <main class="page shared">
                    <Routes fallback=|| view! { <pages::not_found::NotFoundPage/> }>
                        <Route path=(StaticSegment("s"), ParamSegment("token")) view=pages::shared::SharedPage/>
                    </Routes>
                </main>
            </Router>
        }
        .into_any();
    }
    view! {
        <Title text="netdoctor"/>
        <Router>
          <live::ServerScope>
            <components::layout::TopBar/>
            <main class="page">
                <Routes fallback=|| view! { <pages::not_found::NotFoundPage/> }>
                    <Route path=StaticSegment("") view=pages::graph::GraphPage/>
                    <Route path=StaticSegment("containers") view=pages::containers::ContainersPage/>
                    <Route path=(StaticSegment("containers"), ParamSegment("name")) view=pages::container::ContainerPage/>
                    <Route path=StaticSegment("proxy") view=pages::proxy::ProxyPage/>
                    <Route path=StaticSegment("diagnose") view=pages::diagnose::DiagnosePage/>
                    <Route path=StaticSegment("connect") view=pages::connect::ConnectPage/>
                    <Route path=StaticSegment("reach") view=pages::reach::ReachPage/>
                    <Route path=StaticSegment("login") view=pages::login::LoginPage/>
                    <Route path=StaticSegment("account") view=pages::login::AccountPage/>
                    <Route path=StaticSegment("shared") view=pages::shared::SharedLinksPage/>
                    <Route path=(StaticSegment("s"), ParamSegment("token")) view=pages::shared::SharedPage/>
                    <Route path=StaticSegment("servers") view=pages::servers::ServersPage/>
                </Routes>
            </main>
          </live::ServerScope>
        </Router>
    }
    .into_any()
}

/// Whether this page is a shared snapshot (`/s/<token>`): read from the request on the server
/// and from the address bar in the browser, so both render the same tree.
fn on_shared_link() -> bool {
    #[cfg(feature = "ssr")]
    let path = use_context::<axum::http::request::Parts>()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let path = window().location().pathname().unwrap_or_default();
    path.starts_with("/s/")
}
