//! The home page: the network picture drawn live from the engine — Internet → proxy (domains,
//! TLS) → networks → containers, and host ports straight to containers — with filters and the
//! selected container in the URL, so a link reproduces the screen.

use crate::api::get_topology;
use crate::components::copy_button::CopyButton;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::components::findings_list::{FindingCard, FindingsList};
use crate::components::network_graph::{GraphCommand, GraphControls, NetworkGraph};
use crate::components::node_details::NodeDetails;
use crate::components::route_table::RouteTableBar;
use crate::components::share_panel::{SharePanel, ShareWhat};
use crate::components::swarm_services::SwarmServices;
use crate::domain::findings::{for_container, Finding};
use crate::domain::graph::{
    finding_by_key, finding_containers, flagged_containers, focus_on_finding, focus_on_node,
    graph_badges, is_overview, layout_input, layout_options, projects, selection_view, Focus,
    GraphBadges, GraphQuery, TopologyReport, OPEN_ALL,
};
use crate::domain::layout::{layout, LayoutInput};
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
        let url = crate::nav::here(format!("/?{}", encode_query(&q.to_params())));
        navigate(&url, crate::nav::in_place());
    });
    let server = crate::nav::use_server();
    let first = Resource::new(move || server.get(), get_topology);
    view! {
        <h1 class="visually-hidden">"Network"</h1>
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
    let path = Signal::derive(move || {
        crate::nav::here(format!("/?{}", encode_query(&query.get().to_params())))
    });
    move || match problem.get() {
        None => view! {
            <GraphView topology findings query set_query route_table=Some(current)/>
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
/// draws a frozen topology with it (`taken_at_ms` stamps its downloads).
#[component]
pub fn GraphView(
    topology: Memo<Option<Topology>>,
    findings: Memo<Vec<Finding>>,
    query: Memo<GraphQuery>,
    set_query: Callback<GraphQuery>,
    #[prop(default = None)] taken_at_ms: Option<u64>,
    /// The live report, for the route table's source line and its re-read button (beside the
    /// graph, which keeps the window's height); a snapshot has none.
    #[prop(default = None)]
    route_table: Option<RwSignal<Result<TopologyReport, AppError>>>,
) -> impl IntoView {
    let flagged = Memo::new(move |_| findings.with(|f| flagged_containers(f)));
    let badges = Memo::new(move |_| {
        topology.with(|t| match t {
            Some(t) => findings.with(|f| graph_badges(t, f)),
            None => GraphBadges::default(),
        })
    });
    // What is drawn depends on the filters only; selection and opened groups come after.
    let filters = Memo::new(move |_| {
        query.with(|q| GraphQuery {
            selected: None,
            finding: None,
            open: Vec::new(),
            ..q.clone()
        })
    });
    let input = Memo::new(move |_| {
        topology.with(|t| match t {
            Some(t) => flagged.with(|f| filters.with(|q| layout_input(t, q, f))),
            None => LayoutInput::default(),
        })
    });
    let selected = Memo::new(move |_| query.with(|q| q.selected.clone()));
    let finding = Memo::new(move |_| {
        query.with(|q| {
            q.finding
                .as_ref()
                .and_then(|key| findings.with(|f| finding_by_key(f, key).cloned()))
        })
    });
    let reveal = Memo::new(move |_| {
        let mut names: Vec<String> = selected.get().into_iter().collect();
        if let Some(f) = finding.get() {
            names.extend(finding_containers(&f));
        }
        names
    });
    let aspect = RwSignal::new(DEFAULT_ASPECT);
    let layout = Memo::new(move |_| {
        input.with(|input| {
            let options =
                query.with(|q| reveal.with(|r| layout_options(input, q, aspect.get(), r)));
            layout(input, &options)
        })
    });
    let focus = Memo::new(move |_| {
        let (name, f) = (selected.get(), finding.get());
        layout.with(|l| match (name, f) {
            (Some(name), _) => focus_on_node(l, &name),
            (None, Some(f)) => topology.with(|t| {
                t.as_ref()
                    .map(|t| focus_on_finding(l, t, &f))
                    .unwrap_or_default()
            }),
            (None, None) => Focus::default(),
        })
    });
    let target = Memo::new(move |_| {
        let name = selected.get();
        focus.with(|f| {
            if f.is_empty() {
                return None;
            }
            layout.with(|l| selection_view(l, f, name.as_deref()))
        })
    });
    let command = RwSignal::new(None::<GraphCommand>);
    let overview = Memo::new(move |_| input.with(is_overview));
    let host_name =
        Memo::new(move |_| topology.with(|t| t.as_ref().and_then(|t| t.host_name.clone())));

    let select = Callback::new(move |name: String| {
        let mut q = query.get_untracked();
        q.select_container(&name);
        set_query.run(q);
    });
    let select_finding = Callback::new(move |key: String| {
        let mut q = query.get_untracked();
        q.select_finding(&key);
        set_query.run(q);
    });
    let toggle = Callback::new(move |network: String| {
        let mut q = query.get_untracked();
        q.toggle_open(&network);
        set_query.run(q);
    });
    let close = Callback::new(move |()| {
        let mut q = query.get_untracked();
        q.selected = None;
        q.finding = None;
        set_query.run(q);
    });
    let selected_finding = Signal::derive(move || query.with(|q| q.finding.clone()));
    let details = move || {
        if let Some(f) = finding.get() {
            return Some(view! {
                <section class="panel findings" data-testid=testids::GRAPH_SELECTION>
                    <div class="details-head">
                        <h2>"Selected finding"</h2>
                        <button type="button" class="close" on:click=move |_| close.run(()) aria-label="Clear the selection">"×"</button>
                    </div>
                    <p class="muted small">"Lit up on the graph: what it is about, and the lines between."</p>
                    <ul class="finding-list">
                        <FindingCard finding=f on_select=select on_finding=select_finding selected=selected_finding/>
                    </ul>
                </section>
            }.into_any());
        }
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
                            {own.into_iter().map(|f| view! { <FindingCard finding=f on_select=select on_finding=select_finding selected=selected_finding/> }).collect_view()}
                        </ul>
                    </section>
                })}
            }.into_any())
        })
    };
    let counts = Memo::new(move |_| {
        input.with(|i| {
            (
                i.containers.iter().filter(|c| !c.is_proxy).count(),
                i.networks.len(),
            )
        })
    });
    view! {
        <div class="graph-screen">
        <GraphFilters topology query set_query command/>
        <div class="graph-page">
            <NetworkGraph layout focus target command selected badges aspect overview host_name taken_at_ms on_select=select on_toggle=toggle/>
            <aside class="graph-side">
                {route_table.map(|current| view! { <section class="panel route-table-panel small"><RouteTableBar current/></section> })}
                {move || details().unwrap_or_else(|| view! {
                    <section class="panel details muted" data-testid=testids::NODE_DETAILS>
                        <p>"Select a container (click it, or Tab to it and press Enter) to see every path that reaches it, the names it resolves as on each network, its addresses, ports and routes. Select a finding to see what it is about."</p>
                    </section>
                }.into_any())}
                <SwarmServices topology badges on_select=select/>
                <OverviewNote query set_query overview counts/>
                <FindingsList findings on_select=select topology on_finding=select_finding selected=selected_finding/>
            </aside>
        </div>
        </div>
    }
}

/// On a large host: that this is the overview, and how to open networks.
#[component]
fn OverviewNote(
    query: Memo<GraphQuery>,
    set_query: Callback<GraphQuery>,
    overview: Memo<bool>,
    counts: Memo<(usize, usize)>,
) -> impl IntoView {
    let update = move |change: &dyn Fn(&mut GraphQuery)| {
        let mut q = query.get_untracked();
        change(&mut q);
        set_query.run(q);
    };
    let all_open = move || query.with(|q| q.is_open(OPEN_ALL));
    view! {
        <Show when=move || overview.get()>
            <section class="panel overview-note small" data-testid=testids::GRAPH_OVERVIEW>
                <p>{move || {
                    let (containers, networks) = counts.get();
                    if all_open() {
                        format!("{containers} containers on {networks} networks, every network open.")
                    } else {
                        format!("Overview: {containers} containers on {networks} networks, one box per network with its counts and worst finding. Click a network (or Tab to it and press Enter) to open it in place.")
                    }
                }}</p>
                <p>
                    {move || if all_open() {
                        view! { <button type="button" class="link" on:click=move |_| update(&|q| q.open.clear())>"Back to the overview"</button> }.into_any()
                    } else {
                        view! {
                            <button type="button" class="link" data-testid=testids::GRAPH_OPEN_ALL on:click=move |_| update(&|q| q.open = vec![OPEN_ALL.to_owned()])>"Open every network"</button>
                            {move || query.with(|q| !q.open.is_empty()).then(|| view! {
                                " · "<button type="button" class="link" on:click=move |_| update(&|q| q.open.clear())>"Close them all"</button>
                            })}
                        }.into_any()
                    }}
                </p>
            </section>
        </Show>
    }
}

/// The shape a graph is laid out for before its box is measured (the server's render).
const DEFAULT_ASPECT: f64 = 1.4;

/// Network, project and "only problems" filters, and a copyable link to this exact view.
#[component]
fn GraphFilters(
    topology: Memo<Option<Topology>>,
    query: Memo<GraphQuery>,
    set_query: Callback<GraphQuery>,
    /// Whether the picture opens on the overview, and its size (containers, networks).
    command: RwSignal<Option<GraphCommand>>,
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
            <GraphControls command/>
            <span data-testid=testids::COPY_LINK>
                {move || view! { <CopyButton text=link() what="link to this view"/> }}
                <span class="muted small">" link to this view"</span>
            </span>
        </div>
    }
}
