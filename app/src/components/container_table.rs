//! The container list as `docker ps -a` shows it — name, Coolify identity, image, state and
//! health, ports, networks — optionally grouped by Coolify project or compose stack.

use crate::components::copy_button::CopyButton;
use crate::domain::containers::ContainerRow;
use crate::domain::filter::{group_rows, ContainerFilter, GroupBy};
use crate::domain::topology::Health;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn ContainerTable(
    #[prop(into)] rows: Signal<Vec<ContainerRow>>,
    #[prop(into)] filter: Signal<ContainerFilter>,
    #[prop(into)] group: Signal<GroupBy>,
    /// Clears the filter (from the empty state).
    #[prop(into)]
    on_clear: Callback<()>,
) -> impl IntoView {
    let total = Memo::new(move |_| rows.with(Vec::len));
    let shown = Memo::new(move |_| {
        let f = filter.get();
        rows.with(|all| f.apply(all).into_iter().cloned().collect::<Vec<_>>())
    });
    let grouped = Memo::new(move |_| {
        shown.with(|rows| {
            let refs: Vec<&ContainerRow> = rows.iter().collect();
            group_rows(&refs, group.get())
                .into_iter()
                .map(|(name, rows)| (name, rows.into_iter().cloned().collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show
            when=move || !shown.with(Vec::is_empty)
            fallback=move || {
                view! {
                    <div class="empty" data-testid=testids::EMPTY_STATE>
                        {move || if total.get() == 0 {
                            view! { <p>"This engine has no containers yet. Start one and it appears here."</p> }.into_any()
                        } else {
                            view! {
                                <p>
                                    "No container matches this filter ("{total}" hidden). "
                                    <button type="button" class="link" on:click=move |_| on_clear.run(())>
                                        "Show all"
                                    </button>
                                </p>
                            }
                                .into_any()
                        }}
                    </div>
                }
            }
        >
            <p class="muted count">{move || format!("{} of {} containers", shown.with(Vec::len), total.get())}</p>
            <div class="table-wrap">
                <table class="containers" data-testid=testids::CONTAINER_TABLE>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Coolify"</th>
                            <th scope="col">"Image"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Ports"</th>
                            <th scope="col">"Networks"</th>
                        </tr>
                    </thead>
                    <For each=move || grouped.get() key=group_key let:group>
                        <tbody>
                            {(!group.0.is_empty()).then(|| view! {
                                <tr class="group-head"><th colspan="6" scope="rowgroup">{group.0.clone()}" "<span class="muted">{format!("({})", group.1.len())}</span></th></tr>
                            })}
                            {group.1.into_iter().map(|row| view! { <ContainerRowView row/> }).collect_view()}
                        </tbody>
                    </For>
                </table>
            </div>
        </Show>
    }
}

/// What a row shows that can change: id, status, ports, networks.
type RowKey = (String, String, Vec<String>, Vec<String>);

/// Redraws a group when any of its rows changes what it shows.
fn group_key((name, rows): &(String, Vec<ContainerRow>)) -> (String, Vec<RowKey>) {
    let rows = rows
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.status.clone(),
                r.ports.iter().map(ToString::to_string).collect(),
                r.networks.clone(),
            )
        })
        .collect();
    (name.clone(), rows)
}

#[component]
fn ContainerRowView(row: ContainerRow) -> impl IntoView {
    let name = row.name.to_string();
    let (name_attr, name_copy) = (name.clone(), name.clone());
    let state = row.state.as_str();
    let ports: Vec<String> = row.ports.iter().map(ToString::to_string).collect();
    let coolify = row.coolify.as_ref().map(|c| {
        let what = c
            .resource_name
            .clone()
            .or_else(|| c.service_name.clone())
            .unwrap_or_else(|| format!("{:?}", c.kind).to_lowercase());
        let place = [c.project.clone(), c.environment.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
        (what, place)
    });
    let compose = row
        .compose_project
        .as_ref()
        .map(|p| match &row.compose_service {
            Some(s) => format!("{p} / {s}"),
            None => p.clone(),
        });
    let health = row.health.map(Health::as_str);
    view! {
        <tr data-testid=testids::CONTAINER_ROW data-name=name_attr data-state=state>
            <td class="name">
                <a class="mono strong" href=crate::nav::here(format!("/containers/{}", crate::domain::url::encode(&name)))>{name.clone()}</a>
                <CopyButton text=name_copy what="container name"/>
                <div class="muted mono small">{row.short_id().to_owned()}</div>
            </td>
            <td class="small">
                {match coolify {
                    Some((what, place)) => view! { <div>{what}</div><div class="muted">{place}</div> }.into_any(),
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
                {compose.map(|c| view! { <div class="muted mono small" title="compose project / service">{c}</div> })}
            </td>
            <td class="mono small">{row.image.clone()}</td>
            <td>
                <span class=format!("state state-{state}")>{state}</span>
                {health.map(|h| view! { " " <span class=format!("state health-{h}")>{h}</span> })}
                <div class="muted small">{row.status.clone()}</div>
            </td>
            <td class="mono small">
                {if ports.is_empty() {
                    view! { <span class="muted">"—"</span> }.into_any()
                } else {
                    ports.into_iter().map(|p| view! { <div>{p}</div> }).collect_view().into_any()
                }}
            </td>
            <td class="small">
                {row.networks.into_iter().map(|n| view! { <span class="chip">{n}</span> }).collect_view()}
            </td>
        </tr>
    }
}
