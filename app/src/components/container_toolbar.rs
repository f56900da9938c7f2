//! Search box and state filter above the container list; both write the URL.

use crate::domain::filter::{ContainerFilter, GroupBy, StateFilter};
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn ContainerToolbar(
    #[prop(into)] filter: Signal<ContainerFilter>,
    /// New search text; `None` clears it.
    #[prop(into)]
    on_query: Callback<Option<String>>,
    #[prop(into)] on_state: Callback<StateFilter>,
    #[prop(into)] group: Signal<GroupBy>,
    #[prop(into)] on_group: Callback<GroupBy>,
) -> impl IntoView {
    view! {
        <div class="toolbar" role="search">
            <label class="visually-hidden" for="container-filter">"Filter containers"</label>
            <input
                id="container-filter"
                type="search"
                placeholder="Filter by name, image, network, port…"
                data-testid=testids::CONTAINER_FILTER
                prop:value=move || filter.get().query
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    on_query.run(Some(text).filter(|t| !t.is_empty()));
                }
            />
            <div class="segmented" role="group" aria-label="Show containers by state" data-testid=testids::STATE_FILTER>
                {StateFilter::ALL
                    .into_iter()
                    .map(|choice| {
                        view! {
                            <button
                                type="button"
                                data-value=choice.as_param().unwrap_or("all")
                                aria-pressed=move || (filter.get().state == choice).to_string()
                                on:click=move |_| on_state.run(choice)
                            >
                                {choice.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <label>"Group by "
                <select
                    data-testid=testids::GROUP_BY
                    prop:value=move || group.get().as_param().unwrap_or("")
                    on:change=move |ev| on_group.run(GroupBy::from_param(Some(event_target_value(&ev).as_str())))
                >
                    {GroupBy::ALL.into_iter().map(|g| view! { <option value=g.as_param().unwrap_or("")>{g.label()}</option> }).collect_view()}
                </select>
            </label>
        </div>
    }
}
