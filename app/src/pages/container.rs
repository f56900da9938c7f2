//! One container's page: the header the Coolify docs send users to for the container name —
//! name with a copy button, short id, image, state, each network with its names and address,
//! internal ports, and the address other containers should use.

use crate::api::{get_container, get_reach_at};
use crate::components::copy_button::CopyButton;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::components::log_view::LogView;
use crate::components::node_details::AttachmentList;
use crate::components::share_panel::{SharePanel, ShareWhat};
use crate::domain::checks::wizard_link::{Wizard, WizardQuery};
use crate::domain::connect::ConnectQuery;
use crate::domain::names::ContainerName;
use crate::domain::reach::{NoReach, PortFrom, ReachAt};
use crate::domain::topology::{Container, Health};
use crate::domain::url::encode;
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContainerPage() -> impl IntoView {
    let params = use_params_map();
    let name = Signal::derive(move || params.with(|p| p.get("name").unwrap_or_default()));
    view! {
        <p class="small"><a href=crate::nav::here("/containers")>"← All containers"</a></p>
        <ContainerDetails name/>
    }
}

/// The header and the live log of one container. When the log stream ends (the container
/// stopped or went away) the header is read again, so its state is current without a reload;
/// the log view stays as it is, with its end message.
#[component]
pub fn ContainerDetails(#[prop(into)] name: Signal<String>) -> impl IntoView {
    let server = crate::nav::use_server();
    let container = Resource::new(
        move || (name.get(), server.get()),
        |(name, server)| get_container(name, server),
    );
    let fresh = RwSignal::new(None::<Container>);
    let on_end = Callback::new(move |()| {
        let name = name.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(c) = get_container(name, server.get_untracked()).await {
                fresh.set(Some(c));
            }
        });
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Inspecting the container…"</p> }>
            {move || Suspend::new(async move {
                match container.await {
                    Ok(c) => {
                        let name = c.name.to_string();
                        let what = ShareWhat::Container { name: name.clone() };
                        let header = move || {
                            let now = fresh.get().filter(|f| f.name == c.name).unwrap_or_else(|| c.clone());
                            view! { <ContainerHeader container=now/> }
                        };
                        view! {
                            {header}
                            <SharePanel what=Signal::stored(what) path=crate::nav::current_path()/>
                            <LogView name on_end/>
                        }.into_any()
                    }
                    Err(AppError::EngineUnreachable(problem)) => view! { <EngineProblemPanel problem retry_seconds=3/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The connection-string builder with this container as the target.
fn connect_link(name: &str, port: Option<u16>) -> String {
    let path = ConnectQuery {
        from: None,
        to: Some(ContainerName::from_engine(name)),
        port,
    }
    .path();
    crate::nav::here(path)
}

#[component]
pub fn ContainerHeader(container: Container) -> impl IntoView {
    let name = container.name.to_string();
    let health = container.health.map(Health::as_str);
    let ports = if container.exposed.is_empty() {
        "no exposed ports".to_owned()
    } else {
        container
            .exposed
            .iter()
            .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let graph_link = crate::nav::here(format!("/?v=1&sel={}", encode(&name)));
    let wizard = |wizard: Wizard| WizardQuery {
        wizard,
        from: name.clone(),
        ..WizardQuery::default()
    };
    let reach_wizard = crate::nav::here(wizard(Wizard::Reach).path());
    let external_wizard = crate::nav::here(wizard(Wizard::External).path());
    let network_wizard = crate::nav::here(wizard(Wizard::Network).path());
    let proxy_wizard = container
        .first_host()
        .map(|domain| {
            WizardQuery {
                wizard: Wizard::Proxy,
                domain,
                ..WizardQuery::default()
            }
            .path()
        })
        .map(crate::nav::here);
    view! {
        <section class="panel container-header" data-testid=testids::CONTAINER_HEADER>
            <div class="details-head">
                <h1 class="mono" data-testid=testids::CONTAINER_NAME>{name.clone()}</h1>
                <CopyButton text=name.clone() what="container name"/>
            </div>
            <p class="muted small">
                <span class="mono">{container.short_id().to_owned()}</span>" · "{container.image.clone()}" · "
                <span class=format!("state state-{}", container.state.as_str())>{container.state.as_str()}</span>
                {health.map(|h| view! { " " <span class=format!("state health-{h}")>{h}</span> })}
            </p>
            <h2>"Reach it at"</h2>
            <ReachItAt name=name.clone()/>
            <h2>"Networks"</h2>
            <AttachmentList attachments=container.attachments.clone()/>
            <h2>"Internal ports"</h2>
            <p class="mono small">{ports}</p>
            <p>
                <a href=graph_link>"Show it on the network graph"</a>" · Diagnose: "
                <a href=reach_wizard>"it cannot reach another container"</a>" · "
                <a href=external_wizard>"it cannot reach the outside"</a>
                {proxy_wizard.map(|href| view! { " · " <a href=href>"its domain does not answer"</a> })}
                " · " <a href=network_wizard>"its network settings"</a>
            </p>
        </section>
    }
    .into_any()
}

/// "Reach it at": read with the whole topology (another container may answer to the same
/// name), so it arrives after the header.
#[component]
fn ReachItAt(name: String) -> impl IntoView {
    let server = crate::nav::use_server();
    let reach = Resource::new(
        {
            let name = name.clone();
            move || (name.clone(), server.get())
        },
        |(name, server)| get_reach_at(name, server),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted small">"Working out the names other containers use for it…"</p> }>
            {move || {
                let target = name.clone();
                Suspend::new(async move {
                match reach.await {
                    Ok(at) => view! { <ReachLines at target/> }.into_any(),
                    Err(e) => view! { <p class="muted small">{format!("Could not work out its addresses: {e}")}</p> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn ReachLines(at: ReachAt, target: String) -> impl IntoView {
    if let Some(why) = at.none {
        let why = match why {
            NoReach::NoNameResolution => view! {
                "Other containers cannot reach it by name: it is on no network where Docker's DNS resolves names (the default bridge, host or none). "
            }.into_any(),
            NoReach::NoKnownPort { network, host } => view! {
                "Containers on "<span class="mono">{network}</span>" reach it as "<code>{host}</code>
                ", but no port is known: the image declares none and no proxy route names one. Use the port the app listens on. "
            }.into_any(),
        };
        return view! { <p class="muted small" data-testid=testids::NO_REACH>{why}
            <a href=connect_link(&target, None) data-testid=testids::CONNECT_LINK>"Find out how to reach it"</a></p> }.into_any();
    }
    view! {
        <ul class="reach">
            {at.lines.into_iter().map(|r| view! {
                <li>
                    <code>{r.url.clone()}</code>
                    <CopyButton text=r.url.clone() what="address"/>
                    <span class="muted small">" from containers on "<span class="mono">{r.network}</span>
                        {(r.port_from == PortFrom::RouteLabel).then_some(" · the port its proxy route names (the image declares none)")}
                        " · "
                        <a href=connect_link(&target, Some(r.port)) data-testid=testids::CONNECT_LINK>"build a connection string"</a>
                    </span>
                    {(!r.stable).then(|| view! {
                        <div class="notice error small">"This name does not last: it changes on every deploy (a short ID, whenever the container is recreated). Set a Network Alias or enable Consistent Container Name in Coolify's Advanced settings."</div>
                    })}
                    {(!r.also.is_empty()).then(|| view! {
                        <div class="notice error small">{format!(
                            "This name also answers for {} there: Docker's DNS returns any of them. Give one of them another name.",
                            r.also.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                        )}</div>
                    })}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
