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
/// Above this many containers the grid (n × n links) is summed up by cause instead, until the
/// user asks for it: 60 × 60 is 3,540 cells, as many as a browser draws at once without a wait.
const GRID_LIMIT: usize = 60;
/// Pairs shown under each cause in the summary.
const EXAMPLES: usize = 5;
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
    let server = crate::nav::use_server();
    let first = Resource::new(move || server.get(), get_topology);
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
    // The browser times its own work, so a user (and the page-load bench) sees what the model
    // costs here; the server's render is not timed.
    let built: Memo<Option<(Matrix, Option<f64>)>> = Memo::new(move |_| {
        let s = chosen.get();
        topology.with(|t| {
            t.as_ref().map(|t| {
                let started = now_ms();
                let m = matrix(t, &s);
                let took = started.zip(now_ms()).map(|(a, b)| b - a);
                (m, took)
            })
        })
    });
    // Shown only once hydrated (effects never run on the server), so the server's page and the
    // hydrating one stay the same.
    let timed = RwSignal::new(None::<(usize, f64)>);
    Effect::new(move |_| {
        timed.set(built.with(|b| {
            b.as_ref()
                .and_then(|(m, took)| took.map(|ms| (m.counts().1, ms)))
        }));
    });
    let draw_all = RwSignal::new(false);
    Effect::new(move |_| {
        chosen.track();
        draw_all.set(false);
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
        {move || built.get().map(|(m, _)| {
            if m.containers.len() > GRID_LIMIT && !draw_all.get() {
                view! { <MatrixSummary m options draw_all/> }.into_any()
            } else {
                view! { <MatrixTable m/> }.into_any()
            }
        })}
        {move || timed.get().map(|(pairs, ms)| view! {
            <p class="muted small" data-testid=testids::REACH_TIMING data-ms=format!("{ms:.1}")>
                {format!("{} pairs worked out in {ms:.0} ms in this browser.", count(pairs))}
            </p>
        })}
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

/// A large scope: the counts, the blocked pairs by cause (a few of each, each opening the reach
/// check), narrower scopes to pick, and the whole grid on request.
#[component]
fn MatrixSummary(
    m: Matrix,
    options: Memo<Vec<(Scope, String)>>,
    draw_all: RwSignal<bool>,
) -> impl IntoView {
    let (open, total) = m.counts();
    let n = m.containers.len();
    let groups = m.blocked_by_cause(EXAMPLES);
    let narrower = move || {
        options
            .get()
            .into_iter()
            .filter(|(s, _)| *s != Scope::All)
            .map(|(s, label)| {
                let href = crate::nav::here(format!(
                    "/reach?scope={}",
                    crate::domain::url::encode(&s.to_string())
                ));
                view! { <li><a href=href>{label}</a></li> }
            })
            .collect_view()
    };
    let groups = groups
        .into_iter()
        .map(|g| {
            let more = g.count.saturating_sub(g.examples.len());
            let examples = g
                .examples
                .into_iter()
                .map(|(from, to, cell)| {
                    let (from, to) = (from.to_string(), to.to_string());
                    let href = cell_href(&from, &to, &cell);
                    view! { <li><a href=href data-testid=testids::REACH_CELL data-from=from.clone() data-to=to.clone()
                        data-cause=cell.cause.map(|c| c.slug()).unwrap_or_default()>
                        <span class="mono">{format!("{from} → {}", cell.target())}</span>
                    </a>
                    {cell.title.clone().map(|t| view! { <span class="muted small">{format!(" {t}")}</span> })}</li> }
                })
                .collect_view();
            view! {
                <li class="reach-group" data-cause=g.cause.slug()>
                    <strong>{format!("{} · {} pairs", g.cause.short(), count(g.count))}</strong>
                    <ul>{examples}</ul>
                    {(more > 0).then(|| view! { <p class="muted small">{format!("and {} more", count(more))}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="small" data-testid=testids::REACH_COUNTS role="status">
            {format!("{open} of {total} pairs can talk in {}.", m.scope)}
        </p>
        <section class="panel reach-summary" data-testid=testids::REACH_SUMMARY>
            <p>{format!("{n} containers make a grid of {} cells, too many to read at once: here are the blocked pairs by cause. Pick a narrower scope, or draw the grid anyway.", count(total))}</p>
            <ul class="reach-groups">{groups}</ul>
            <h2>"Narrower scopes"</h2>
            <ul class="reach-narrower">{narrower}</ul>
            <button type="button" data-testid=testids::REACH_DRAW_ALL on:click=move |_| draw_all.set(true)>
                {format!("Draw all {} cells", count(total))}
            </button>
        </section>
    }
}

/// `12,345`.
fn count(n: usize) -> String {
    crate::domain::logs::group_digits(n as u64)
}

/// Milliseconds from the browser's monotonic clock; `None` on the server.
fn now_ms() -> Option<f64> {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
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
    let href = cell_href(&source, &target, &cell);
    view! {
        <td class=class>
            <a href=href title=title data-testid=testids::REACH_CELL data-from=source data-to=target
                data-cause=cell.cause.map(|c| c.slug()).unwrap_or_default()>
                {text}
            </a>
        </td>
    }
}

/// A blocked pair goes to the reach check (it needs a port); the rest to the connection card.
fn cell_href(source: &str, target: &str, cell: &Cell) -> String {
    let path = match (&cell.cause, cell.port) {
        (Some(_), Some(_)) => WizardQuery {
            wizard: Wizard::Reach,
            from: source.to_owned(),
            to: cell.target(),
            ..Default::default()
        }
        .path(),
        _ => ConnectQuery {
            from: crate::domain::names::ContainerName::parse(source)
                .ok()
                .map(Source::Container),
            to: crate::domain::names::ContainerName::parse(target).ok(),
            port: cell.port,
        }
        .path(),
    };
    crate::nav::here(path)
}
