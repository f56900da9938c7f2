//! The container list as `docker ps -a` shows it: name, image, state, ports, networks.

use crate::components::copy_button::CopyButton;
use crate::domain::containers::ContainerRow;
use crate::domain::filter::ContainerFilter;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn ContainerTable(
    #[prop(into)] rows: Signal<Vec<ContainerRow>>,
    #[prop(into)] filter: Signal<ContainerFilter>,
    /// Clears the filter (from the empty state).
    #[prop(into)]
    on_clear: Callback<()>,
) -> impl IntoView {
    let total = Memo::new(move |_| rows.with(Vec::len));
    let shown = Memo::new(move |_| {
        let f = filter.get();
        rows.with(|all| f.apply(all).into_iter().cloned().collect::<Vec<_>>())
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
                            <th scope="col">"Image"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Ports"</th>
                            <th scope="col">"Networks"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || shown.get() key=|r| (r.id.clone(), r.status.clone(), r.ports.clone(), r.networks.clone()) let:row>
                            <ContainerRowView row/>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[component]
fn ContainerRowView(row: ContainerRow) -> impl IntoView {
    let name = row.name.to_string();
    let (name_attr, name_copy) = (name.clone(), name.clone());
    let state = row.state.as_str();
    let ports: Vec<String> = row.ports.iter().map(ToString::to_string).collect();
    view! {
        <tr data-testid=testids::CONTAINER_ROW data-name=name_attr data-state=state>
            <td class="name">
                <span class="mono strong">{name}</span>
                <CopyButton text=name_copy what="container name"/>
                <div class="muted mono small">{row.short_id().to_owned()}</div>
            </td>
            <td class="mono small">{row.image.clone()}</td>
            <td>
                <span class=format!("state state-{state}")>{state}</span>
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
