//! `/s/<token>`: a snapshot someone shared, for anyone holding the link — no account, no live
//! data, nothing runs. Rendered with the live pages' own components from the frozen, redacted
//! snapshot. `/shared`: the links made here, with their expiry, views and a revoke button.

use crate::api::share::{get_snapshot, list_shares, revoke_share};
use crate::components::check_report::CheckReportView;
use crate::domain::graph::{GraphQuery, TopologyReport};
use crate::domain::logs::LogStream;
use crate::domain::share_link::Refused;
use crate::domain::snapshot::{ContainerLog, SharedSnapshot, Snapshot, SnapshotView};
use crate::domain::time::utc_text as utc;
use crate::domain::url::decode_query;
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SharedPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let snapshot = Resource::new(move || token.get(), get_snapshot);
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Opening the snapshot…"</p> }>
            {move || Suspend::new(async move {
                match snapshot.await {
                    Ok(shared) => view! { <SnapshotScreen shared token=token.get_untracked()/> }.into_any(),
                    Err(e) => view! {
                        <section class="panel" data-testid=testids::SNAPSHOT_ERROR>
                            <h1>"This snapshot cannot be shown"</h1>
                            <p role="alert">{e.to_string().trim_start_matches("not found: ").to_owned()}</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SnapshotScreen(shared: SharedSnapshot, token: String) -> impl IntoView {
    let SharedSnapshot {
        snapshot,
        expires_at_ms,
    } = shared;
    let Snapshot {
        title,
        taken_at_ms,
        taken_from,
        view,
        topology,
        logs,
        ..
    } = snapshot;
    let md = format!("/api/snapshot/bundle?token={token}&format=md");
    let json = format!("/api/snapshot/bundle?token={token}&format=json");
    let body = match view {
        SnapshotView::Wizard { report } => view! { <CheckReportView report/> }.into_any(),
        SnapshotView::Container { name } => topology
            .topology
            .container(&name)
            .cloned()
            .map(|c| view! { <crate::pages::container::ContainerHeader container=c/> })
            .into_any(),
        SnapshotView::Graph { query } => {
            let q = GraphQuery::from_params(|k| {
                decode_query(&query)
                    .into_iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v)
            });
            view! { <FrozenGraph report=topology.clone() query=q taken_at_ms/> }.into_any()
        }
    };
    view! {
        <section class="panel snapshot-banner" data-testid=testids::SNAPSHOT>
            <h1>{title}</h1>
            <p class="small">"A read-only snapshot taken "{utc(taken_at_ms)}" · the link works until "{utc(expires_at_ms)}
                ". Secrets are masked; environment variables are never read."</p>
            <p class="small">"Support bundle: "<a href=md download="">"Markdown"</a>" · "<a href=json download="">"JSON"</a>
                " · "<a href=taken_from>"the live view"</a>" (needs a sign-in to this netdoctor)"</p>
        </section>
        {body}
        {logs.into_iter().map(|log| view! { <FrozenLog log/> }).collect_view()}
    }
}

/// The last lines of one container's log, as they were.
#[component]
fn FrozenLog(log: ContainerLog) -> impl IntoView {
    view! {
        <section class="panel" data-testid=testids::SNAPSHOT_LOG>
            <h2>{format!("The last {} lines of {}'s log", log.lines.len(), log.container)}</h2>
            {if log.lines.is_empty() {
                view! { <p class="muted" data-testid=testids::EMPTY_STATE>"The log was empty."</p> }.into_any()
            } else {
                view! {
                    <pre class="snapshot-log small">
                        {log.lines.into_iter().map(|l| {
                            let class = if l.s == LogStream::Stderr { "stderr" } else { "stdout" };
                            view! { <span class=class>{crate::domain::logs::ansi::strip(&l.text)}"\n"</span> }
                        }).collect_view()}
                    </pre>
                }.into_any()
            }}
        </section>
    }
}

/// The graph as it was, with its selection; clicks select locally, nothing is fetched.
#[component]
fn FrozenGraph(report: TopologyReport, query: GraphQuery, taken_at_ms: u64) -> impl IntoView {
    let TopologyReport { topology, findings } = report;
    let topology = Memo::new(move |_| Some(topology.clone()));
    let findings = Memo::new(move |_| findings.clone());
    let state = RwSignal::new(query);
    let query = Memo::new(move |_| state.get());
    let set_query = Callback::new(move |q: GraphQuery| state.set(q));
    view! { <crate::pages::graph::GraphView topology findings query set_query taken_at_ms=Some(taken_at_ms)/> }
}

/// `/shared`: every link made here.
#[component]
pub fn SharedLinksPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let links = Resource::new(move || version.get(), |_| list_shares());
    view! {
        <h1>"Shared links"</h1>
        <p class="muted small">"Snapshot links made with \"Share this view\". Anyone holding an active link sees that one frozen snapshot, nothing else; revoking ends it at once."</p>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match links.await {
                    Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.links.is_empty() => view! {
                        <p class="panel muted" data-testid=testids::EMPTY_STATE>"No link has been shared yet. Use \"Share this view\" on a wizard's result, a container or the graph."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="small" data-testid=testids::SHARED_LINKS>
                            <thead><tr><th>"What"</th><th>"Created"</th><th>"Expires"</th><th>"Views"</th><th>"State"</th><th></th></tr></thead>
                            <tbody>
                                {list.links.into_iter().map(|s| {
                                    let refusal = s.refusal_at(list.now_ms);
                                    let active = refusal.is_none();
                                    let id = s.id.clone();
                                    let (word, class) = match refusal {
                                        None => ("active", "state state-running"),
                                        Some(Refused::Expired { .. }) => ("expired", "state state-exited"),
                                        Some(_) => ("revoked", "state state-exited"),
                                    };
                                    view! {
                                        <tr data-testid=testids::SHARED_LINK data-id=s.id.clone() data-status=word>
                                            <td>{format!("{}: {}", s.kind, s.title)}</td>
                                            <td>{utc(s.created_at_ms)}</td>
                                            <td>{utc(s.expires_at_ms)}</td>
                                            <td>{s.views}</td>
                                            <td><span class=class>{word}</span></td>
                                            <td>{active.then(|| view! {
                                                <button type="button" data-testid=testids::REVOKE on:click=move |_| {
                                                    let id = id.clone();
                                                    leptos::task::spawn_local(async move {
                                                        let _ = revoke_share(id).await;
                                                        version.update(|v| *v += 1);
                                                    });
                                                }>"Revoke"</button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
