//! Who can talk to whom (`/reach?scope=…`): the reachability matrix of a Coolify project, a
//! stack, a network or the whole host, computed in the browser from the topology by the same
//! model the checks use. Each cell names the address the source should use; a blocked cell
//! shows its cause and opens the reach wizard filled in, an open one the connection card.
//! Nothing runs in any container until the user runs the wizard.

use crate::api::get_topology;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::domain::checks::wizard_link::{Wizard, WizardQuery};
use crate::domain::connect::{ConnectQuery, Source};
use crate::domain::graph::TopologyReport;
use crate::domain::reachability::matrix::{matrix, scopes, Cell, Matrix, Scope};
use crate::domain::reachability::Verdict;
use crate::domain::topology::Topology;
use crate::error::AppError;
use crate::live::{live_topology, LiveTopology};
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::query_signal_with_options;

const REFRESH_OK_SECONDS: u32 = 30;
const REFRESH_FAILING_SECONDS: u32 = 3;

#[component]
pub fn ReachPage() -> impl IntoView {
    let (scope_param, set_scope) =
        query_signal_with_options::<String>("scope", crate::nav::in_place());
    let scope = Memo::new(move |_| {
        Scope::parse(scope_param.get().as_deref().unwrap_or("")).map_err(|e| e.to_string())
    });
    let on_scope = Callback::new(move |s: Scope| {
        set_scope.set((s != Scope::All).then(|| s.to_string()));
    });
    let first = Resource::new(|| (), |_| get_topology());
    view! {
        <h1>"Who can talk to whom"</h1>
        <p class="muted small">
            "Every container of the scope against every other, by the name the source should use and the target's first port, from the networks alone (nothing runs in any container). A blocked cell says why and opens the reach check filled in; an open one opens the connection string."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Inspecting every container and network…"</p> }>
            {move || Suspend::new(async move {
                let answer = first.await;
                view! { <LiveReach first=answer scope on_scope/> }
            })}
        </Suspense>
    }
}

#[component]
fn LiveReach(
    first: Result<TopologyReport, AppError>,
    scope: Memo<Result<Scope, String>>,
    on_scope: Callback<Scope>,
) -> impl IntoView {
    let LiveTopology {
        current: _,
        problem,
        topology,
    } = live_topology(first, REFRESH_OK_SECONDS, REFRESH_FAILING_SECONDS);
    move || match problem.get() {
        None => view! { <ReachView topology scope on_scope/> }.into_any(),
        Some(AppError::EngineUnreachable(problem)) => {
            view! { <EngineProblemPanel problem retry_seconds=REFRESH_FAILING_SECONDS/> }.into_any()
        }
        Some(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
    }
}

#[component]
fn ReachView(
    topology: Memo<Option<Topology>>,
    scope: Memo<Result<Scope, String>>,
    on_scope: Callback<Scope>,
) -> impl IntoView {
    let options = Memo::new(move |_| topology.with(|t| t.as_ref().map(scopes).unwrap_or_default()));
    let chosen = Memo::new(move |_| scope.get().unwrap_or_default());
    let built: Memo<Option<Matrix>> = Memo::new(move |_| {
        let s = chosen.get();
        topology.with(|t| t.as_ref().map(|t| matrix(t, &s)))
    });
    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(s) = Scope::parse(&event_target_value(&ev)) {
            on_scope.run(s);
        }
    };
    let scope_error = move || {
        scope
            .get()
            .err()
            .map(|e| view! { <div class="notice error small"><p>{format!("The scope in this link is not usable: {e}. Showing everything.")}</p></div> })
    };
    view! {
        {scope_error}
        <label class="reach-scope">
            "Scope "
            <select data-testid=testids::REACH_SCOPE on:change=on_change>
                {move || {
                    let current = chosen.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(s, label)| {
                            let selected = s == current;
                            view! { <option value=s.to_string() selected=selected>{label}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
        {move || built.get().map(|m| view! { <MatrixTable m/> })}
    }
}

#[component]
fn MatrixTable(m: Matrix) -> impl IntoView {
    if m.containers.len() < 2 {
        return view! {
            <p class="empty" data-testid=testids::EMPTY_STATE>
                "This scope holds fewer than two containers, so there is nothing to connect. Pick a wider scope."
            </p>
        }
        .into_any();
    }
    let (open, total) = m.counts();
    let names: Vec<String> = m.containers.iter().map(ToString::to_string).collect();
    let header = names
        .iter()
        .map(|n| view! { <th scope="col" class="reach-target" title=n.clone()><span>{n.clone()}</span></th> })
        .collect_view();
    let rows = m
        .cells
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let source = names[i].clone();
            let cells = row
                .iter()
                .enumerate()
                .map(|(j, cell)| match cell {
                    None => view! { <td class="reach-self" aria-label="itself">"—"</td> }.into_any(),
                    Some(cell) => view! { <MatrixCell source=source.clone() target=names[j].clone() cell=cell.clone()/> }.into_any(),
                })
                .collect_view();
            view! { <tr><th scope="row" class="reach-source">{source.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="small" data-testid=testids::REACH_COUNTS role="status">
            {format!("{open} of {total} pairs can talk in {}.", m.scope)}
        </p>
        <div class="reach-scroll">
            <table class="reach-matrix" data-testid=testids::REACH_MATRIX>
                <thead><tr><th scope="col" class="reach-corner">"from ↓ to →"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn MatrixCell(source: String, target: String, cell: Cell) -> impl IntoView {
    let address = cell.target();
    let (class, text, title) = match (&cell.cause, cell.verdict) {
        (Some(code), _) => (
            "reach-cell blocked",
            code.short().to_owned(),
            cell.title.clone().unwrap_or_default(),
        ),
        (None, Verdict::Yes) if cell.ambiguous => (
            "reach-cell ambiguous",
            address.clone(),
            format!("{source} reaches {target} as {address}, but the name answers for several containers"),
        ),
        (None, Verdict::Yes) => (
            "reach-cell open",
            address.clone(),
            format!("{source} reaches {target} as {address}"),
        ),
        (None, _) => ("reach-cell unknown", "?".to_owned(), "The networks cannot tell".to_owned()),
    };
    // A blocked pair goes to the reach check (it needs a port); the rest to the connection card.
    let href = match (&cell.cause, cell.port) {
        (Some(_), Some(_)) => WizardQuery {
            wizard: Wizard::Reach,
            from: source.clone(),
            to: address.clone(),
            ..Default::default()
        }
        .path(),
        _ => ConnectQuery {
            from: crate::domain::names::ContainerName::parse(&source)
                .ok()
                .map(Source::Container),
            to: crate::domain::names::ContainerName::parse(&target).ok(),
            port: cell.port,
        }
        .path(),
    };
    view! {
        <td class=class>
            <a href=href title=title data-testid=testids::REACH_CELL data-from=source data-to=target
                data-cause=cell.cause.map(|c| c.slug()).unwrap_or_default()>
                {text}
            </a>
        </td>
    }
}
