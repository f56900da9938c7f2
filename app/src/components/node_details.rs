//! The panel beside the graph for the selected container: the names it resolves as on each
//! network, its addresses and ports, who routes to it, and the labels that matter.

use crate::components::copy_button::CopyButton;
use crate::domain::proxy::Route;
use crate::domain::topology::{Attachment, Container, Health};
use crate::domain::url::encode;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn NodeDetails(
    container: Container,
    routes: Vec<Route>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = container.name.to_string();
    let health = container.health.map(Health::as_str);
    let identity = container.coolify.as_ref().map(|i| {
        let parts: Vec<String> = [
            Some(format!("{:?}", i.kind)),
            i.project.as_ref().map(|p| format!("project {p}")),
            i.environment.as_ref().map(|e| format!("env {e}")),
            i.resource_name.as_ref().map(|r| format!("resource {r}")),
            i.service_name.as_ref().map(|s| format!("service {s}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(" · ")
    });
    let compose = container.compose.as_ref().map(|c| match &c.service {
        Some(s) => format!("{} / {s}", c.project),
        None => c.project.clone(),
    });
    let page_link = crate::nav::here(format!("/containers/{}", encode(&name)));
    view! {
        <section class="panel details" data-testid=testids::NODE_DETAILS aria-live="polite">
            <div class="details-head">
                <h2 class="mono">{name.clone()}</h2>
                <CopyButton text=name.clone() what="container name"/>
                <button type="button" class="link close" on:click=move |_| on_close.run(()) aria-label="Close details">"close"</button>
            </div>
            <p class="muted small">
                <span class="mono">{container.short_id().to_owned()}</span>" · "{container.image.clone()}
            </p>
            <p>
                <span class=format!("state state-{}", container.state.as_str())>{container.state.as_str()}</span>
                {health.map(|h| view! { " " <span class=format!("state health-{h}")>{h}</span> })}
                {(container.restart_count > 0).then(|| view! { <span class="muted small">{format!(" restarted {} times", container.restart_count)}</span> })}
            </p>
            {identity.map(|i| view! { <p class="small"><strong>"Coolify: "</strong>{i}</p> })}
            {compose.map(|c| view! { <p class="small"><strong>"Compose: "</strong><span class="mono">{c}</span></p> })}

            <h3>"Networks and the names that resolve there"</h3>
            <AttachmentList attachments=container.attachments.clone()/>

            <h3>"Ports"</h3>
            <p class="small mono">
                {if container.exposed.is_empty() {
                    "no exposed ports".to_owned()
                } else {
                    container.exposed.iter().map(|p| format!("{}/{}", p.port, p.protocol.as_str())).collect::<Vec<_>>().join(", ")
                }}
            </p>
            {(!container.published.is_empty()).then(|| view! {
                <p class="small mono">"published: "{container.published.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")}</p>
            })}

            {(!routes.is_empty()).then(|| view! {
                <h3>"Routed from"</h3>
                <ul class="small">
                    {routes.into_iter().map(|r| view! {
                        <li>
                            <span class="mono">{r.hosts.join(", ")}{r.paths.iter().filter(|p| p.as_str() != "/").cloned().collect::<Vec<_>>().join(",")}</span>
                            {r.tls.then_some(" (TLS)")}
                            " → port "{r.target_port.map_or_else(|| "unknown".to_owned(), |p| p.to_string())}
                            {r.network.map(|n| format!(" via network {n}"))}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <p><a href=page_link>"Open its page"</a></p>
        </section>
        }
    .into_any()
}

/// Each network a container is on, its address there, and the names that resolve to it.
#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    if attachments.is_empty() {
        return view! { <p class="muted small">"Not attached to any network."</p> }.into_any();
    }
    attachments
        .into_iter()
        .map(|a| {
            let names = if a.dns_names.is_empty() {
                view! { <span class="muted small">"no names resolve here (no embedded DNS)"</span> }.into_any()
            } else {
                a.dns_names.into_iter().map(|n| view! { <span class="chip">{n}</span> }).collect_view().into_any()
            };
            view! {
                <div class="attachment">
                    <div>
                        <strong class="mono">{a.network}</strong>" "
                        <span class="muted mono small">{a.ipv4.unwrap_or_else(|| "no address (stopped)".into())}</span>
                    </div>
                    <div>{names}</div>
                </div>
            }
        })
        .collect_view()
        .into_any()
}
