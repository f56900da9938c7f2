//! `/diagnose`: the troubleshooting wizards that run real checks. "Containers cannot
//! communicate" (`?check=reach&from=web&to=db:5432&http=1`) and "Container cannot reach
//! external services" (`?check=external&from=web&name=…&ip=…&url=…`). The inputs live in the
//! URL, so a link opens the wizard filled in; it runs only when the user presses Run (running
//! commands in containers is never a side effect of opening a link). Below, the checks that
//! ran recently, from every wizard and "Test it".

use crate::api::checks::{check_external, check_reach, get_recent_runs};
use crate::api::get_overview;
use crate::components::check_report::CheckReportView;
use crate::domain::checks::report::CheckReport;
use crate::domain::checks::wizard_link::WizardQuery;
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

fn some(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[component]
pub fn DiagnosePage() -> impl IntoView {
    let params = use_query_map();
    let input = Memo::new(move |_| params.with(|p| WizardQuery::from_params(|k| p.get(k))));
    let navigate = use_navigate();
    let set_input = Callback::new(move |next: WizardQuery| {
        navigate(&next.path(), crate::nav::in_place());
    });
    let names = Resource::new(
        || (),
        |_| async {
            get_overview()
                .await
                .map(|o| {
                    o.containers
                        .into_iter()
                        .map(|c| c.name.to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        },
    );
    let running = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<CheckReport, AppError>>);
    let runs_version = RwSignal::new(0u32);
    let run = move |_| {
        let i = input.get_untracked();
        running.set(true);
        answer.set(None);
        leptos::task::spawn_local(async move {
            let result = if i.external {
                check_external(i.from, some(&i.name), some(&i.ip), some(&i.url)).await
            } else {
                check_reach(i.from, i.to, i.http, None).await
            };
            answer.set(Some(result));
            running.set(false);
            runs_version.update(|v| *v += 1);
        });
    };
    let update = move |change: &dyn Fn(&mut WizardQuery)| {
        let mut next = input.get_untracked();
        change(&mut next);
        answer.set(None);
        set_input.run(next);
    };

    view! {
        <h1>"Diagnose"</h1>
        <div class="segmented" role="group" aria-label="Which problem">
            <button type="button" aria-pressed=move || (!input.with(|i| i.external)).to_string()
                on:click=move |_| update(&|i| i.external = false)>"Containers cannot communicate"</button>
            <button type="button" aria-pressed=move || input.with(|i| i.external).to_string()
                on:click=move |_| update(&|i| i.external = true)>"A container cannot reach the outside"</button>
        </div>
        <datalist id="container-names">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    names.await.into_iter().map(|n| view! { <option value=n/> }).collect_view()
                })}
            </Suspense>
        </datalist>
        <form class="panel wizard" data-testid=testids::WIZARD_FORM on:submit=move |ev| { ev.prevent_default(); run(()); }>
            <p class="muted small">{move || if input.with(|i| i.external) {
                "Checks, from inside the container: its network mode and networks, /etc/resolv.conf, resolving a name, reaching an IP, and an HTTP request. Leave a field empty for the documented default (google.com, 8.8.8.8, http://google.com)."
            } else {
                "Checks: do they share a network where names resolve, does the name resolve from the source, does the port accept a connection, and if not, what the target really listens on (wrong port, bound to 127.0.0.1)."
            }}</p>
            <label>"From container "
                <input name="from" list="container-names" required placeholder="web" autocomplete="off"
                    prop:value=move || input.with(|i| i.from.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.from = v.clone()); }/>
            </label>
            <Show when=move || !input.with(|i| i.external)>
                <label>" to "
                    <input name="to" required placeholder="db:5432" autocomplete="off"
                        prop:value=move || input.with(|i| i.to.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.to = v.clone()); }/>
                </label>
                <label><input type="checkbox" prop:checked=move || input.with(|i| i.http)
                    on:change=move |ev| { let on = event_target_checked(&ev); update(&|i| i.http = on); }/>" also an HTTP request"</label>
            </Show>
            <Show when=move || input.with(|i| i.external)>
                <label>" name "<input name="name" placeholder="google.com" prop:value=move || input.with(|i| i.name.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.name = v.clone()); }/></label>
                <label>" IP "<input name="ip" placeholder="8.8.8.8" prop:value=move || input.with(|i| i.ip.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.ip = v.clone()); }/></label>
                <label>" URL "<input name="url" placeholder="http://google.com" prop:value=move || input.with(|i| i.url.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.url = v.clone()); }/></label>
            </Show>
            " "
            <button type="submit" data-testid=testids::WIZARD_RUN disabled=move || running.get()>
                {move || if running.get() { "Running…" } else { "Run the checks" }}
            </button>
        </form>
        {move || running.get().then(|| view! {
            <p class="muted" role="status">"Running the checks inside the container (each step has a time limit)…"</p>
        })}
        {move || answer.get().map(|a| match a {
            Ok(report) => view! { <section class="panel"><h2>{report.subject.clone()}</h2><CheckReportView report/></section> }.into_any(),
            Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        <RecentRuns version=runs_version/>
    }
    .into_any()
}

/// The probes that ran recently: what, where, when, and the result.
#[component]
fn RecentRuns(version: RwSignal<u32>) -> impl IntoView {
    let runs = Resource::new(move || version.get(), |_| get_recent_runs());
    view! {
        <section class="panel recent-runs">
            <h2>"Recent checks"</h2>
            <Suspense fallback=|| view! { <p class="muted small">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match runs.await {
                        Ok(runs) if runs.is_empty() => view! { <p class="muted small" data-testid=testids::EMPTY_STATE>"No check has run since netdoctor started."</p> }.into_any(),
                        Ok(runs) => view! {
                            <table class="small">
                                <thead><tr><th>"Command"</th><th>"Where"</th><th>"Took"</th><th>"Result"</th></tr></thead>
                                <tbody>
                                    {runs.into_iter().take(50).map(|r| view! {
                                        <tr>
                                            <td class="mono">{r.command.clone()}</td>
                                            <td>{format!("{} ({})", r.container, r.via.describe())}</td>
                                            <td>{format!("{} ms", r.duration_ms)}</td>
                                            <td>{r.outcome.summary.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="notice error small">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
