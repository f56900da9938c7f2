//! The connection-string builder: pick a source and a target (and a port), get the address
//! that really works and why. It loads the topology once, builds in the browser on every
//! choice (the domain is pure), follows the engine's events, and keeps the choice in the URL.

use crate::api::checks::get_listening_ports;
use crate::api::get_topology;
use crate::components::connect_picker::ConnectPicker;
use crate::components::connection_card::ConnectionCard;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::domain::connect::ports::{listening_summary, merge_listening, port_options, Listening};
use crate::domain::connect::{
    build, build_across, build_with_listening, ConnectQuery, Connection, QueryError, Source,
};
use crate::domain::graph::TopologyReport;
use crate::domain::names::ContainerName;
use crate::domain::topology::Topology;
use crate::error::AppError;
use crate::live::{live_topology, LiveTopology};
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Safety refresh periods; engine events refresh the picture as they happen.
const REFRESH_OK_SECONDS: u32 = 30;
const REFRESH_FAILING_SECONDS: u32 = 3;

#[component]
pub fn ConnectPage() -> impl IntoView {
    let params = use_query_map();
    let parsed = Memo::new(move |_| params.with(|p| ConnectQuery::from_params(|k| p.get(k))));
    let query = Memo::new(move |_| parsed.with(|(q, _)| q.clone()));
    let query_errors = Memo::new(move |_| parsed.with(|(_, e)| e.clone()));
    let navigate = use_navigate();
    // Opening a link never runs anything in a container: a page elsewhere can open
    // `/connect?to=X` in a new tab. The live read waits for a choice made on this page (a pick
    // in the pickers, or the "Read" button), and follows later choices by itself.
    let live_allowed = RwSignal::new(false);
    let set_query = Callback::new(move |q: ConnectQuery| {
        live_allowed.set(true);
        navigate(&crate::nav::here(q.path()), crate::nav::in_place());
    });
    let server = crate::nav::use_server();
    let first = Resource::new(move || server.get(), get_topology);
    view! {
        <h1>"Connect"</h1>
        <p class="muted small">
            "The address one container (or the host) should use to reach another: a name the target really has on a network both share, its internal port, and the right scheme — with the reasons, and the fix when nothing can work."
        </p>
        <QueryErrors errors=query_errors/>
        <Suspense fallback=|| view! { <p class="muted">"Inspecting every container and network…"</p> }>
            {move || Suspend::new(async move {
                let answer = first.await;
                view! { <LiveConnect first=answer query set_query live_allowed/> }
            })}
        </Suspense>
    }
}

/// Parameters of the link that could not be used; the rest of the link still applies.
#[component]
fn QueryErrors(errors: Memo<Vec<QueryError>>) -> impl IntoView {
    move || {
        let errors = errors.get();
        (!errors.is_empty()).then(|| {
            view! {
                <div class="notice error small">
                    {errors.into_iter().map(|e| view! { <p>{e.to_string()}</p> }).collect_view()}
                </div>
            }
        })
    }
}

#[component]
fn LiveConnect(
    first: Result<TopologyReport, AppError>,
    query: Memo<ConnectQuery>,
    set_query: Callback<ConnectQuery>,
    live_allowed: RwSignal<bool>,
) -> impl IntoView {
    let LiveTopology {
        current: _,
        problem,
        topology,
    } = live_topology(first, REFRESH_OK_SECONDS, REFRESH_FAILING_SECONDS);
    move || match problem.get() {
        None => view! { <ConnectView topology query set_query live_allowed/> }.into_any(),
        Some(AppError::EngineUnreachable(problem)) => {
            view! { <EngineProblemPanel problem retry_seconds=REFRESH_FAILING_SECONDS/> }.into_any()
        }
        Some(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
    }
}

#[component]
fn ConnectView(
    topology: Memo<Option<Topology>>,
    query: Memo<ConnectQuery>,
    set_query: Callback<ConnectQuery>,
    live_allowed: RwSignal<bool>,
) -> impl IntoView {
    let containers = Memo::new(move |_| {
        topology.with(|t| {
            t.as_ref()
                .map(|t| t.containers.iter().map(|c| c.name.to_string()).collect())
                .unwrap_or_default()
        })
    });
    let listening = read_listening(query, live_allowed);
    // The other servers, for "an app on another server"; read after the page shows (the
    // server-rendered page lists this server's containers only).
    let servers = RwSignal::new(Vec::<crate::domain::servers::ServerInfo>::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = crate::api::servers::list_servers().await {
                servers.set(list);
            }
        });
    });
    let current = crate::nav::use_server();
    let others = Signal::derive(move || {
        let here = current.get().unwrap_or_else(|| "local".to_owned());
        servers.with(|list| {
            list.iter()
                .map(|s| s.name.to_string())
                .filter(|n| *n != here)
                .collect::<Vec<_>>()
        })
    });
    let public_host = Memo::new(move |_| {
        let here = current.get().unwrap_or_else(|| "local".to_owned());
        servers.with(|list| {
            list.iter()
                .find(|s| s.name.as_str() == here)
                .and_then(|s| crate::domain::endpoint::Endpoint::parse(&s.endpoint).ok())
                .and_then(|e| e.public_host())
        })
    });
    let ports = Memo::new(move |_| {
        let declared = topology.with(|t| {
            let (Some(t), Some(to)) = (t.as_ref(), query.with(|q| q.to.clone())) else {
                return Vec::new();
            };
            t.container(to.as_str())
                .map(|c| port_options(t, c))
                .unwrap_or_default()
        });
        match sockets_of(listening, query) {
            Some(sockets) => merge_listening(&declared, &sockets),
            None => declared,
        }
    });
    // Rebuilt on every choice, every engine change and the live read; equal results do not
    // redraw. The card does not show the port list (the picker does, from `ports`), so it is
    // left out: a read that only relabels ports then keeps the card, and a running Test it.
    let built = Memo::new(move |_| {
        let q = query.get();
        topology.with(|t| {
            let t = t.as_ref()?;
            let (from, to) = (q.from.as_ref()?, q.to.as_ref()?);
            let built = match (from, sockets_of(listening, query)) {
                (Source::Server(_), _) => {
                    build_across(t, from, to, q.port, public_host.get().as_deref())
                }
                (_, Some(sockets)) => build_with_listening(t, from, to, q.port, &sockets),
                (_, None) => build(t, from, to, q.port),
            };
            Some(built.map(|c| Connection {
                ports: Vec::new(),
                ..c
            }))
        })
    });
    let automatic = Signal::derive(move || {
        built.with(|b| {
            b.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|c| c.port)
        })
    });
    let result = move || {
        match built.get() {
        Some(Ok(connection)) => view! { <ConnectionCard connection/> }.into_any(),
        Some(Err(e)) => view! {
            <section class="panel problem"><p>{e.to_string()}</p><p class="small muted">"Pick another container above."</p></section>
        }
        .into_any(),
        None if containers.with(Vec::is_empty) => view! {
            <p class="empty" data-testid=testids::EMPTY_STATE>"There are no containers on this host yet, so there is nothing to connect to."</p>
        }
        .into_any(),
        None => {
            let missing = query.with(|q| match (&q.from, &q.to) {
                (None, None) => "Pick where the connection starts (a container, or the host / outside) and the container it goes to.",
                (None, Some(_)) => "Pick where the connection starts: a container, or the host / outside.",
                _ => "Pick the container the connection goes to.",
            });
            view! { <p class="empty" data-testid=testids::EMPTY_STATE>{missing}</p> }.into_any()
        }
    }
    };
    let live_line = move || {
        if let LiveRead::Waiting(to) = listening.get() {
            return Some(
                view! {
                    <p class="small listening muted" data-testid=testids::CONNECT_LISTENING>
                        "The ports listed are the ones "{to.to_string()}" declares. "
                        <button type="button" class="link" data-testid=testids::CONNECT_READ_LISTENING
                            on:click=move |_| live_allowed.set(true)>
                            "Read what it really listens on"
                        </button>
                        " (runs netstat inside it, or in a short-lived debug container)."
                    </p>
                }
                .into_any(),
            );
        }
        let (text, class) = listening.with(|l| match l {
            LiveRead::Idle | LiveRead::Waiting(_) => (None, ""),
            LiveRead::Reading(to) => (Some(format!("Reading the ports {to} listens on…")), "muted"),
            LiveRead::Done(_, Ok(Listening::Read(_))) => {
                (Some(ports.with(|p| listening_summary(p))), "muted")
            }
            LiveRead::Done(_, Ok(Listening::NotRead(why))) => {
                (Some(format!("Listening ports not read: {why}")), "notice")
            }
            LiveRead::Done(_, Err(e)) => (
                Some(format!(
                    "Listening ports not read: {e}. The list shows the declared ports only."
                )),
                "notice",
            ),
        });
        text.map(|t| view! { <p class=format!("small listening {class}") role="status" data-testid=testids::CONNECT_LISTENING>{t}</p> }.into_any())
    };
    view! {
        <ConnectPicker containers others ports automatic query set_query/>
        {live_line}
        {result}
    }
    .into_any()
}

/// The live read of the target's listening sockets.
#[derive(Debug, Clone, PartialEq)]
enum LiveRead {
    /// No target picked.
    Idle,
    /// A target came with the link: nothing is read until the user asks on this page.
    Waiting(ContainerName),
    /// Asked; the page shows "reading…".
    Reading(ContainerName),
    Done(ContainerName, Result<Listening, AppError>),
}

/// The sockets read for the target chosen now (not one chosen before).
fn sockets_of(
    listening: RwSignal<LiveRead>,
    query: Memo<ConnectQuery>,
) -> Option<Vec<crate::domain::checks::outcome::Listener>> {
    let to = query.with(|q| q.to.clone())?;
    listening.with(|l| match l {
        LiveRead::Done(read, Ok(Listening::Read(sockets))) if *read == to => Some(sockets.clone()),
        _ => None,
    })
}

/// Reads what the chosen target listens on, after the page shows (an Effect: never during
/// server rendering) and again whenever the target changes — but only once `allowed` (a choice
/// made on this page); an answer for a target no longer chosen is dropped.
fn read_listening(query: Memo<ConnectQuery>, allowed: RwSignal<bool>) -> RwSignal<LiveRead> {
    let target = Memo::new(move |_| query.with(|q| q.to.clone()));
    let server = crate::nav::use_server();
    let state = RwSignal::new(
        target
            .get_untracked()
            .map_or(LiveRead::Idle, LiveRead::Waiting),
    );
    Effect::new(move |_| {
        let Some(to) = target.get() else {
            state.set(LiveRead::Idle);
            return;
        };
        if !allowed.get() {
            state.set(LiveRead::Waiting(to));
            return;
        }
        state.set(LiveRead::Reading(to.clone()));
        leptos::task::spawn_local(async move {
            let answer = get_listening_ports(to.to_string(), server.get_untracked()).await;
            if target.get_untracked().as_ref() == Some(&to) {
                state.set(LiveRead::Done(to, answer));
            }
        });
    });
    state
}
