//! The containers page: engine status strip and the container list. The server renders the first
//! answer; in the browser a poller keeps it current and the components update in place (no
//! re-created table, so focus and scroll stay put). When the engine does not answer, the page
//! explains why and recovers by itself.

use crate::api::get_overview;
use crate::components::container_table::ContainerTable;
use crate::components::container_toolbar::ContainerToolbar;
use crate::components::engine_problem::{EngineProblemPanel, ErrorPanel};
use crate::components::engine_strip::EngineStrip;
use crate::domain::filter::{ContainerFilter, GroupBy, StateFilter};
use crate::domain::overview::Overview;
use crate::domain::problem::EngineProblem;
use crate::error::AppError;
use crate::live::keep_fresh;
use leptos::prelude::*;
use leptos_router::hooks::query_signal_with_options;

/// Seconds between safety refreshes while the engine answers, and while it does not. Engine
/// events trigger refreshes as they happen; these only cover a lost event stream (a proxy that
/// buffers server-sent events, say).
pub const REFRESH_OK_SECONDS: u32 = 30;
pub const REFRESH_FAILING_SECONDS: u32 = 3;

/// Which of the page's three shapes is on screen; the content inside each updates by itself.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Answering,
    Unreachable(EngineProblem),
    Failed(String),
}

#[component]
pub fn ContainersPage() -> impl IntoView {
    let replace = crate::nav::in_place();
    let (query, set_query) = query_signal_with_options::<String>("q", replace.clone());
    let (state, set_state) = query_signal_with_options::<String>("state", replace.clone());
    let (group_param, set_group) = query_signal_with_options::<String>("group", replace);
    let group = Signal::derive(move || GroupBy::from_param(group_param.get().as_deref()));
    let on_group = Callback::new(move |g: GroupBy| set_group.set(g.as_param().map(str::to_owned)));
    let filter = Signal::derive(move || {
        ContainerFilter::from_params(query.get().as_deref(), state.get().as_deref())
    });
    let on_query = Callback::new(move |text: Option<String>| set_query.set(text));
    let on_state = Callback::new(move |choice: StateFilter| {
        set_state.set(choice.as_param().map(str::to_owned))
    });
    let on_clear = Callback::new(move |()| {
        set_query.set(None);
        set_state.set(None);
    });

    let server = crate::nav::use_server();
    let first = Resource::new(move || server.get(), get_overview);

    view! {
        <h1>"Containers on this engine"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Asking the Docker Engine…"</p> }>
            {move || Suspend::new(async move {
                let answer = first.await;
                view! { <LiveOverview first=answer filter group on_query on_state on_group on_clear/> }
            })}
        </Suspense>
    }
}

/// The overview after its first answer, kept current by polling.
#[component]
fn LiveOverview(
    first: Result<Overview, AppError>,
    filter: Signal<ContainerFilter>,
    on_query: Callback<Option<String>>,
    on_state: Callback<StateFilter>,
    group: Signal<GroupBy>,
    on_group: Callback<GroupBy>,
    on_clear: Callback<()>,
) -> impl IntoView {
    let current = RwSignal::new(first);
    let server = crate::nav::use_server();
    keep_fresh(
        current,
        move || get_overview(server.get_untracked()),
        REFRESH_OK_SECONDS,
        REFRESH_FAILING_SECONDS,
    );

    let phase = Memo::new(move |_| match current.get() {
        Ok(_) => Phase::Answering,
        Err(AppError::EngineUnreachable(problem)) => Phase::Unreachable(problem),
        Err(e) => Phase::Failed(e.to_string()),
    });
    let overview = Memo::new(move |_| current.get().ok());
    let status = Signal::derive(move || overview.get().map(|o| o.status));
    let rows = Signal::derive(move || overview.get().map(|o| o.containers).unwrap_or_default());

    move || match phase.get() {
        Phase::Answering => view! {
            <EngineStrip status/>
            <ContainerToolbar filter on_query on_state group on_group/>
            <ContainerTable rows filter group on_clear/>
        }
        .into_any(),
        Phase::Unreachable(problem) => {
            view! { <EngineProblemPanel problem retry_seconds=REFRESH_FAILING_SECONDS/> }.into_any()
        }
        Phase::Failed(message) => view! { <ErrorPanel message/> }.into_any(),
    }
}
