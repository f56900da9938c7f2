//! The home page: the network picture drawn live from the engine — Internet → proxy (domains,
//! TLS) → networks → containers, and host ports straight to containers — with filters and the
//! selected container in the URL, so a link reproduces the screen.

use crate::api::get_topology;
use crate::components::copy_button::CopyButton;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::components::findings_list::{FindingCard, FindingsList};
use crate::components::network_graph::NetworkGraph;
use crate::components::node_details::NodeDetails;
use crate::components::share_panel::{SharePanel, ShareWhat};
use crate::domain::findings::{for_container, Finding};
use crate::domain::graph::{
    flagged_containers, graph_badges, layout_input, projects, GraphQuery, TopologyReport,
};
use crate::domain::layout::layout;
use crate::domain::topology::{NetworkKind, Topology};
use crate::domain::url::encode_query;
use crate::error::AppError;
use crate::live::{live_topology, LiveTopology};
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Safety refresh periods; engine events refresh the picture as they happen.
const REFRESH_OK_SECONDS: u32 = 30;
const REFRESH_FAILING_SECONDS: u32 = 3;

#[component]
pub fn GraphPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| GraphQuery::from_params(|k| p.get(k))));
    let navigate = use_navigate();
    let set_query = Callback::new(move |q: GraphQuery| {
        let url = format!("/?{}", encode_query(&q.to_params()));
        navigate(&url, crate::nav::in_place());
    });
    let first = Resource::new(|| (), |_| get_topology());
    view! {
        <h1>"Network"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Inspecting every container and network…"</p> }>
            {move || Suspend::new(async move {
                let answer = first.await;
                view! { <LiveGraph first=answer query set_query/> }
            })}
        </Suspense>
    }
}

#[component]
fn LiveGraph(
    first: Result<TopologyReport, AppError>,
    query: Memo<GraphQuery>,
    set_query: Callback<GraphQuery>,
) -> impl IntoView {
    let LiveTopology {
        current,
        problem,
        topology,
    } = live_topology(first, REFRESH_OK_SECONDS, REFRESH_FAILING_SECONDS);
    let findings = Memo::new(move |_| {
        current.with(|r| r.as_ref().map(|r| r.findings.clone()).unwrap_or_default())
    });

    let share = Signal::derive(move || ShareWhat::Graph {
        query: encode_query(&query.get().to_params()),
    });
    let path = Signal::derive(move || format!("/?{}", encode_query(&query.get().to_params())));
    move || match problem.get() {
        None => view! {
            <GraphView topology findings query set_query/>
            <SharePanel what=share path/>
        }
        .into_any(),
        Some(AppError::EngineUnreachable(problem)) => {
            view! { <EngineProblemPanel problem retry_seconds=REFRESH_FAILING_SECONDS/> }.into_any()
        }
        Some(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
    }
}

/// The graph with its filters, selection details and findings; the shared-snapshot page
/// draws a frozen topology with it.
#[component]
pub fn GraphView(
    topology: Memo<Option<Topology>>,
    findings: Memo<Vec<Finding>>,
    query: Memo<GraphQuery>,
    set_query: Callback<GraphQuery>,
) -> impl IntoView {
    let flagged = Memo::new(move |_| findings.with(|f| flagged_containers(f)));
    let badges = Memo::new(move |_| {
        topology.with(|t| {
            let t = t.as_ref().map_or_else(Topology::default, Clone::clone);
            findings.with(|f| graph_badges(&t, f))
        })
    });
    let layout = Memo::new(move |_| {
        topology.with(|t| {
            let t = t.as_ref().map_or_else(Topology::default, Clone::clone);
            flagged.with(|f| {
                query.with(|q| {
                    layout(
                        &layout_input(&t, q, f),
                        &crate::domain::layout::LayoutOptions::default(),
                    )
                })
            })
        })
    });
    let selected = Signal::derive(move || query.with(|q| q.selected.clone()));
    let select = Callback::new(move |name: String| {
        let mut q = query.get_untracked();
        q.selected = if q.selected.as_deref() == Some(name.as_str()) {
            None
        } else {
            Some(name)
        };
        set_query.run(q);
    });
    let select_from_finding = Callback::new(move |name: String| {
        let mut q = query.get_untracked();
        q.selected = Some(name);
        set_query.run(q);
    });
    let close = Callback::new(move |()| {
        let mut q = query.get_untracked();
        q.selected = None;
        set_query.run(q);
    });
    let details = move || {
        let name = selected.get()?;
        topology.with(|t| {
            let t = t.as_ref()?;
            let container = t.container(&name)?.clone();
            let routes = t.routes.iter().filter(|r| r.containers.iter().any(|c| c == &name)).cloned().collect();
            let own: Vec<Finding> = findings.with(|f| for_container(f, &name).cloned().collect());
            Some(view! {
                <NodeDetails container routes on_close=close/>
                {(!own.is_empty()).then(|| view! {
                    <section class="panel findings">
                        <h2>"What is wrong here"</h2>
                        <ul class="finding-list">
                            {own.into_iter().map(|f| view! { <FindingCard finding=f on_select=select_from_finding/> }).collect_view()}
                        </ul>
                    </section>
                })}
            }.into_any())
        })
    };
    view! {
        <GraphFilters topology query set_query/>
        <div class="graph-page">
            <NetworkGraph layout selected badges on_select=select/>
            <aside class="graph-side">
                {move || details().unwrap_or_else(|| view! {
                    <section class="panel details muted" data-testid=testids::NODE_DETAILS>
                        <p>"Select a container (click it, or Tab to it and press Enter) to see the names it resolves as on each network, its addresses, ports and routes."</p>
                    </section>
                }.into_any())}
                <FindingsList findings on_select=select_from_finding topology/>
            </aside>
        </div>
    }
}

/// Network, project and "only problems" filters, and a copyable link to this exact view.
#[component]
fn GraphFilters(
    topology: Memo<Option<Topology>>,
    query: Memo<GraphQuery>,
    set_query: Callback<GraphQuery>,
) -> impl IntoView {
    let networks = Memo::new(move |_| {
        topology.with(|t| {
            t.as_ref()
                .map(|t| {
                    t.networks
                        .iter()
                        .filter(|n| n.kind != NetworkKind::Null && n.kind != NetworkKind::Host)
                        .map(|n| n.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let all_projects =
        Memo::new(move |_| topology.with(|t| t.as_ref().map(projects).unwrap_or_default()));
    let update = move |change: &dyn Fn(&mut GraphQuery)| {
        let mut q = query.get_untracked();
        change(&mut q);
        set_query.run(q);
    };
    let link = move || {
        let path = format!("/?{}", encode_query(&query.get().to_params()));
        crate::nav::absolute(path)
    };
    view! {
        <div class="toolbar" data-testid=testids::GRAPH_FILTERS>
            <label>"Network "
                <select on:change=move |ev| { let v = event_target_value(&ev); update(&|q| q.network = Some(v.clone()).filter(|v| !v.is_empty())); }
                    prop:value=move || query.get().network.unwrap_or_default()>
                    <option value="">"all networks"</option>
                    <For each=move || networks.get() key=|n| n.clone() let:n>
                        <option value=n.clone()>{n.clone()}</option>
                    </For>
                </select>
            </label>
            <label>"Project "
                <select on:change=move |ev| { let v = event_target_value(&ev); update(&|q| q.project = Some(v.clone()).filter(|v| !v.is_empty())); }
                    prop:value=move || query.get().project.unwrap_or_default()>
                    <option value="">"all projects"</option>
                    <For each=move || all_projects.get() key=|p| p.clone() let:p>
                        <option value=p.clone()>{p.clone()}</option>
                    </For>
                </select>
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || query.get().only_problems
                    on:change=move |ev| { let on = event_target_checked(&ev); update(&|q| q.only_problems = on); }/>
                " only problems"
            </label>
            <span class="spacer"></span>
            <span data-testid=testids::COPY_LINK>
                {move || view! { <CopyButton text=link() what="link to this view"/> }}
                <span class="muted small">" link to this view"</span>
            </span>
        </div>
    }
}
