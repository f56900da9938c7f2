//! The overview: engine status strip and the container list, refreshed while the tab is open,
//! with an explanation and automatic recovery when the engine does not answer.

use crate::api::get_overview;
use crate::components::container_table::ContainerTable;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::components::engine_strip::EngineStrip;
use crate::domain::filter::{ContainerFilter, StateFilter};
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::query_signal_with_options;
use leptos_router::NavigateOptions;

/// Seconds between refreshes while the engine answers, and while it does not.
pub const REFRESH_OK_SECONDS: u32 = 5;
pub const REFRESH_FAILING_SECONDS: u32 = 2;

#[component]
pub fn HomePage() -> impl IntoView {
    let replace = NavigateOptions {
        replace: true,
        scroll: false,
        ..Default::default()
    };
    let (query, set_query) = query_signal_with_options::<String>("q", replace.clone());
    let (state, set_state) = query_signal_with_options::<String>("state", replace);
    let filter = Signal::derive(move || {
        ContainerFilter::from_params(query.get().as_deref(), state.get().as_deref())
    });

    let overview = Resource::new(|| (), |_| get_overview());
    keep_refreshing(overview);

    let clear = Callback::new(move |_| {
        set_query.set(None);
        set_state.set(None);
    });

    view! {
        <h1>"Containers on this engine"</h1>
        <div class="toolbar" role="search">
            <label class="visually-hidden" for="container-filter">"Filter containers"</label>
            <input
                id="container-filter"
                type="search"
                placeholder="Filter by name, image, network, port…"
                data-testid=testids::CONTAINER_FILTER
                prop:value=move || query.get().unwrap_or_default()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    set_query.set(Some(text).filter(|t| !t.is_empty()));
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
                                on:click=move |_| set_state.set(choice.as_param().map(str::to_owned))
                            >
                                {choice.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Asking the Docker Engine…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <EngineStrip status=o.status/>
                        <ContainerTable rows=o.containers filter on_clear=clear/>
                    }.into_any(),
                    Err(AppError::EngineUnreachable(problem)) => view! {
                        <EngineProblemPanel problem retry_seconds=REFRESH_FAILING_SECONDS/>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Refetches the overview in the browser: every few seconds while the engine answers, more
/// often while it does not, so the page recovers by itself. (Engine events replace polling for
/// the live views in later work.)
fn keep_refreshing(overview: Resource<Result<crate::domain::overview::Overview, AppError>>) {
    Effect::new(move |_| {
        let since = StoredValue::new(0u32);
        let tick = move || {
            let failing = matches!(overview.get_untracked(), Some(Err(_)));
            let period = if failing {
                REFRESH_FAILING_SECONDS
            } else {
                REFRESH_OK_SECONDS
            };
            let elapsed = since.get_value() + 1;
            if elapsed >= period {
                since.set_value(0);
                overview.refetch();
            } else {
                since.set_value(elapsed);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
}
