//! `/proxy`: Coolify's proxy and its live log, one click from every page, since the docs'
//! "proxy not routing traffic" steps start with `docker logs coolify-proxy`.

use crate::api::find_proxy;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::error::AppError;
use crate::pages::container::ContainerDetails;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn ProxyPage() -> impl IntoView {
    let server = crate::nav::use_server();
    let proxy = Resource::new(move || server.get(), find_proxy);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Looking for Coolify's proxy…"</p> }>
            {move || Suspend::new(async move {
                match proxy.await {
                    Ok(Some(name)) => view! {
                        <p class="muted small">
                            "Coolify's proxy: every domain's traffic passes through it. Routing errors, certificate problems and "
                            <span class="mono">"502 Bad Gateway"</span>" causes show up in its log."
                        </p>
                        <ContainerDetails name=Signal::stored(name)/>
                    }.into_any(),
                    Ok(None) => view! {
                        <section class="panel empty" data-testid=testids::EMPTY_STATE>
                            <h1>"No Coolify proxy on this host"</h1>
                            <p>"No container is named "<span class="mono">"coolify-proxy"</span>" or labelled "
                               <span class="mono">"coolify.proxy=true"</span>". On a Coolify server, start it under "
                               <em>"Servers → your server → Proxy → Start Proxy"</em>"."</p>
                            <p><a href=crate::nav::here("/containers")>"All containers"</a></p>
                        </section>
                    }.into_any(),
                    Err(AppError::EngineUnreachable(problem)) => view! { <EngineProblemPanel problem retry_seconds=3/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
