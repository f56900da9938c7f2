//! `/diagnose`: the troubleshooting wizards. Three run real checks — "Containers cannot
//! communicate" (`?check=reach&from=web&to=db:5432&http=1`), "Container cannot reach external
//! services" (`?check=external&from=web&name=…&ip=…&url=…`), "A domain does not reach its app"
//! (`?check=proxy&domain=…`) — and "Network diagnostics" (`?check=network&net=…&from=…`) reads
//! the networks and a container's settings. The inputs live in the URL, so a link opens the
//! wizard filled in; a check runs only when the user presses Run (running commands in
//! containers is never a side effect of opening a link). Below, the checks that ran recently,
//! from every wizard and "Test it".

use crate::api::checks::{get_check_progress, get_recent_runs, start_check};
use crate::components::check_report::{CheckReportView, StepLine};
use crate::components::network_diagnostics::NetworkDiagnostics;
use crate::components::share_panel::{SharePanel, ShareWhat};
use crate::domain::checks::report::CheckProgress;
use crate::domain::checks::wizard_link::{Wizard, WizardQuery};
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// How often a running check is asked for its progress.
const POLL_MS: u32 = 400;

/// Waits in the browser between polls (the page only polls there).
async fn pause(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

fn some(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[component]
pub fn DiagnosePage() -> impl IntoView {
    let params = use_query_map();
    let input = Memo::new(move |_| params.with(|p| WizardQuery::from_params(|k| p.get(k))));
    let navigate = use_navigate();
    let set_input = Callback::new(move |next: WizardQuery| {
        navigate(&crate::nav::here(next.path()), crate::nav::in_place());
    });
    let server = crate::nav::use_server();
    // One read of the host for both pick lists: container names and routed domains.
    let choices = Resource::new(
        move || server.get(),
        |server| async {
            crate::api::get_topology(server)
                .await
                .map(|r| {
                    let names: Vec<(String, String)> = r
                        .topology
                        .containers
                        .iter()
                        .map(|c| (c.name.to_string(), c.group_label().unwrap_or_default()))
                        .collect();
                    let hosts = r.topology.routed_hosts();
                    (names, hosts, Some(r.topology))
                })
                .unwrap_or_default()
        },
    );
    let linked = Resource::new(
        move || (input.with(|i| i.result.clone()), server.get()),
        |(id, server)| async move {
            if id.is_empty() {
                None
            } else {
                Some(get_check_progress(id, server).await)
            }
        },
    );
    let running = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<CheckProgress, AppError>>);
    let runs_version = RwSignal::new(0u32);
    // Each Run starts a generation; a poll loop from an earlier one stops writing.
    let generation = RwSignal::new(0u32);
    let run = move |_| {
        let i = input.get_untracked();
        running.set(true);
        answer.set(None);
        generation.update(|g| *g += 1);
        let mine = generation.get_untracked();
        leptos::task::spawn_local(async move {
            let started = start_check(
                i.wizard.slug().to_owned(),
                i.from,
                i.to,
                i.http,
                some(&i.name),
                some(&i.ip),
                some(&i.url),
                i.domain,
                some(&i.proxy),
                server.get_untracked(),
            )
            .await;
            let mut current = started;
            loop {
                if generation.get_untracked() != mine {
                    return;
                }
                let finished = current.as_ref().map_or(true, CheckProgress::finished);
                let id = current.as_ref().map(|p| p.id.clone()).unwrap_or_default();
                let reported = current.as_ref().is_ok_and(|p| p.report.is_some());
                answer.set(Some(current));
                if finished {
                    // The result joins the URL, so "copy link" reproduces it.
                    if reported {
                        let mut q = input.get_untracked();
                        q.result = id;
                        set_input.run(q);
                    }
                    break;
                }
                pause(POLL_MS).await;
                current = get_check_progress(id, server.get_untracked()).await;
            }
            running.set(false);
            runs_version.update(|v| *v += 1);
        });
    };
    let update = move |change: &dyn Fn(&mut WizardQuery)| {
        let mut next = input.get_untracked();
        change(&mut next);
        // New inputs: the shown result no longer answers them.
        next.result.clear();
        answer.set(None);
        set_input.run(next);
    };

    view! {
        <h1>"Diagnose"</h1>
        <div class="segmented wizard-tabs" role="group" aria-label="Which problem">
            {Wizard::ALL.into_iter().map(|w| view! {
                <button type="button" data-wizard=w.slug()
                    aria-pressed=move || (input.with(|i| i.wizard) == w).to_string()
                    on:click=move |_| update(&|i| i.wizard = w)>{w.label()}</button>
            }).collect_view()}
        </div>
        <datalist id="container-names">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    choices.await.0.into_iter().map(|(n, group)| view! { <option value=n label=group/> }).collect_view()
                })}
            </Suspense>
        </datalist>
        // The addresses the chosen source should use, by the reachability model: aliases and
        // service names included, each labelled with its container and whether it is reachable.
        <datalist id="reach-addresses">
            <Suspense fallback=|| ()>
                {move || {
                    let from = input.with(|i| i.from.clone());
                    Suspend::new(async move {
                    let (_, _, topology) = choices.await;
                    topology
                        .map(|t| crate::domain::reachability::matrix::suggestions(&t, &from))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(value, label)| view! { <option value=value label=label/> })
                        .collect_view()
                    })
                }}
            </Suspense>
        </datalist>
        <datalist id="routed-domains">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    choices.await.1.into_iter().map(|n| view! { <option value=n/> }).collect_view()
                })}
            </Suspense>
        </datalist>
        <Show when=move || input.with(|i| i.wizard) == Wizard::Network>
            <NetworkDiagnostics input set_input/>
        </Show>
        <Show when=move || input.with(|i| i.wizard) != Wizard::Network>
        <form class="panel wizard" data-testid=testids::WIZARD_FORM on:submit=move |ev| { ev.prevent_default(); run(()); }>
            <p class="muted small">{move || match input.with(|i| i.wizard) {
                Wizard::External => "Checks, from inside the container: its network mode and networks, /etc/resolv.conf, resolving a name, reaching an IP, and an HTTP request. Leave a field empty for the documented default (google.com, 8.8.8.8, http://google.com).",
                Wizard::Proxy => "Checks: is the proxy running, does it have a route for the domain, is the app running and healthy, is the proxy on the network it dials the app on, which port the route uses, can the proxy open that port and get an HTTP answer from inside its own container, and what the proxy logged about it in the last 30 minutes.",
                _ => "Checks: do they share a network where names resolve, does the name resolve from the source, does the port accept a connection, and if not, what the target really listens on (wrong port, bound to 127.0.0.1).",
            }}</p>
            <Show when=move || input.with(|i| i.wizard) == Wizard::Proxy>
                <label>"Domain "
                    <input name="domain" list="routed-domains" required placeholder="app.example.com or https://app.example.com/path" autocomplete="off" size="40"
                        prop:value=move || input.with(|i| i.domain.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.domain = v.clone()); }/>
                </label>
                <label>" proxy container "
                    <input name="proxy" list="container-names" placeholder="coolify-proxy" autocomplete="off"
                        prop:value=move || input.with(|i| i.proxy.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.proxy = v.clone()); }/>
                </label>
            </Show>
            <Show when=move || input.with(|i| i.wizard) != Wizard::Proxy>
            <label>"From container "
                <input name="from" list="container-names" required placeholder="web" autocomplete="off"
                    prop:value=move || input.with(|i| i.from.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.from = v.clone()); }/>
            </label>
            </Show>
            <Show when=move || input.with(|i| i.wizard) == Wizard::Reach>
                <label>" to "
                    <input name="to" list="reach-addresses" required placeholder="db:5432, an alias:port or IP:port" autocomplete="off"
                        prop:value=move || input.with(|i| i.to.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); update(&|i| i.to = v.clone()); }/>
                </label>
                <label><input type="checkbox" prop:checked=move || input.with(|i| i.http)
                    on:change=move |ev| { let on = event_target_checked(&ev); update(&|i| i.http = on); }/>" also an HTTP request"</label>
            </Show>
            <Show when=move || input.with(|i| i.wizard) == Wizard::External>
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
        </Show>
        {move || running.get().then(|| view! {
            <p class="muted" role="status">"Running the checks inside the containers (each step has a time limit)…"</p>
        })}
        {move || match answer.get() {
            Some(a) => progress_view(a, input),
            // Opened from a link with a result: show it while the server still keeps it.
            None => view! {
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move { linked.await.map(|a| progress_view(a, input)) })}
                </Suspense>
            }.into_any(),
        }}
        <RecentRuns version=runs_version/>
    }
    .into_any()
}

/// A check as far as it got: the error, the report with its share panel, or the steps so far.
fn progress_view(answer: Result<CheckProgress, AppError>, input: Memo<WizardQuery>) -> AnyView {
    match answer {
        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(CheckProgress { error: Some(e), .. }) => view! { <p class="notice error" role="alert">{format!("The check could not run: {e}")}</p> }.into_any(),
        Ok(CheckProgress { report: Some(report), id, .. }) => view! {
            <section class="panel"><h2>{report.subject.clone()}</h2><CheckReportView report/></section>
            <SharePanel what=Signal::stored(ShareWhat::Wizard { report_id: id }) path=Signal::derive(move || input.get().path())/>
        }.into_any(),
        Ok(p) => {
            let next = p.steps.len() + 1;
            view! {
                <section class="panel" aria-busy="true">
                    <h2>{p.subject.clone()}</h2>
                    <ol class="check-steps small">
                        {p.steps.into_iter().map(|s| view! { <StepLine step=s/> }).collect_view()}
                        <li class="check-step running" role="status">
                            <span class="step-status">"running"</span>" "{format!("Step {next}…")}
                        </li>
                    </ol>
                </section>
            }.into_any()
        }
    }
}

/// The probes that ran recently: what, where, when, and the result.
#[component]
fn RecentRuns(version: RwSignal<u32>) -> impl IntoView {
    let server = crate::nav::use_server();
    let runs = Resource::new(
        move || (version.get(), server.get()),
        |(_, server)| get_recent_runs(server),
    );
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
