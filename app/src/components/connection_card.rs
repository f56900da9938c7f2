//! The built connection: the string big with copy buttons for the URL and the env line, why
//! this name, port and scheme, the warnings and blocking problems with their fixes, and other
//! ways in.

use crate::api::checks::check_reach;
use crate::components::check_report::CheckReportView;
use crate::components::copy_button::CopyButton;
use crate::components::findings_list::severity_class;
use crate::components::fix_list::FixList;
use crate::domain::connect::{Address, Alternative, Connection, Note, TestPlan, Via};
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;

/// How the address travels, in a few words.
fn via_text(via: &Via) -> String {
    match via {
        Via::Network(net) => format!("by name on the network {net}"),
        Via::SameContainer => "inside the same network namespace".to_owned(),
        Via::Published {
            binding,
            loopback_only: true,
        } => format!("through the host-only published port {binding}"),
        Via::Published { binding, .. } => format!("through the published port {binding}"),
        Via::HostNetwork => "on the host's own network stack".to_owned(),
        Via::HostGateway => "through the host gateway".to_owned(),
        Via::ContainerIp(net) => format!("by IP on {net}"),
        Via::ProxyDomain => "through the proxy's domain".to_owned(),
    }
}

#[component]
pub fn ConnectionCard(connection: Connection) -> impl IntoView {
    let test = connection
        .test_plan()
        .map(|plan| view! { <TestIt plan/> }.into_any());
    let Connection {
        from,
        to,
        kind,
        address,
        reasons,
        notes,
        alternatives,
        ..
    } = connection;
    let headline = format!("From {from} to {to} · {}", kind.label());
    view! {
        <section class="panel connection" data-testid=testids::CONNECTION>
            <h2>{headline}</h2>
            {match address {
                Some(a) => view! { <BuiltAddress address=a/> }.into_any(),
                None => view! {
                    <p class="built-none">"No address works from here yet — see why and how to fix it below."</p>
                }.into_any(),
            }}
            {test}
            {(!notes.is_empty()).then(|| view! {
                <ul class="connect-notes">
                    {notes.into_iter().map(|n| view! { <NoteCard note=n/> }).collect_view()}
                </ul>
            })}
            <h3>"Why this address"</h3>
            <ul class="reasons small" data-testid=testids::CONNECT_REASONS>
                {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
            {(!alternatives.is_empty()).then(|| view! {
                <h3>"Other ways in"</h3>
                <ul class="alternatives">
                    {alternatives.into_iter().map(|a| view! { <AlternativeLine alternative=a/> }).collect_view()}
                </ul>
            })}
        </section>
    }
    .into_any()
}

/// The string itself, big, and the env line, each with a copy button.
#[component]
fn BuiltAddress(address: Address) -> impl IntoView {
    let how = via_text(&address.via);
    let stable = address.stable;
    view! {
        <div class="built">
            <div class="built-row">
                <code class="built-url" data-testid=testids::BUILT_URL>{address.url.clone()}</code>
                <CopyButton text=address.url.clone() what="connection string"/>
            </div>
            <div class="built-row">
                <code class="built-env" data-testid=testids::BUILT_ENV>{address.env_line.clone()}</code>
                <CopyButton text=address.env_line.clone() what="environment line"/>
            </div>
            <p class="muted small">
                "Reaches it "{how}". "
                {if stable {
                    view! { <span class="stable">"Stays the same across deploys."</span> }.into_any()
                } else {
                    view! { <span class="unstable">"Changes when the target is redeployed or restarted."</span> }.into_any()
                }}
            </p>
        </div>
    }
}

/// A warning or a blocking problem: what, why, and the fix with copyable commands.
#[component]
pub fn NoteCard(note: Note) -> impl IntoView {
    let level = severity_class(note.severity);
    view! {
        <li class=format!("connect-note {level}") data-testid=testids::CONNECT_NOTE data-code=format!("{:?}", note.code)>
            <div><span class=format!("sev {level}")>{level}</span>" "<strong>{note.title}</strong></div>
            <p class="small">{note.why}</p>
            <FixList steps=note.fix/>
        </li>
    }
    .into_any()
}

#[component]
fn AlternativeLine(alternative: Alternative) -> impl IntoView {
    let url = alternative.address.url.clone();
    view! {
        <li data-testid=testids::CONNECT_ALTERNATIVE>
            <p class="small">{alternative.title}</p>
            <div class="command"><code>{url.clone()}</code><CopyButton text=url what="address"/></div>
        </li>
    }
}

/// Runs the reach check from the source to the built address and shows the answer beside it.
#[component]
fn TestIt(plan: TestPlan) -> impl IntoView {
    let TestPlan {
        from,
        to,
        name: host,
        port,
        http,
        tls,
    } = plan;
    let (from, to) = (from.to_string(), to.to_string());
    let running = RwSignal::new(false);
    let answer =
        RwSignal::new(None::<Result<crate::domain::checks::report::CheckReport, AppError>>);
    let tools = if http {
        "nslookup, nc and an HTTP request"
    } else {
        "nslookup and nc"
    };
    let hint = format!("Runs {tools} inside {from} (or a debug container on its network).");
    let server = crate::nav::use_server();
    let on_click = {
        let (from, to, host) = (from.clone(), to.clone(), host.clone());
        move |_| {
            let (from, target, name) = (from.clone(), format!("{to}:{port}"), host.clone());
            let name = (name != to).then_some(name);
            running.set(true);
            answer.set(None);
            leptos::task::spawn_local(async move {
                let result =
                    check_reach(from, target, http, name, tls, server.get_untracked()).await;
                answer.set(Some(result));
                running.set(false);
            });
        }
    };
    let tls_note = tls.then(|| {
        view! { <p class="muted small">{format!("Port {port} speaks TLS: the test checks the name and the TCP connect; it sends no HTTP request.")}</p> }
    });
    view! {
        <div class="test-it">
            <button type="button" data-testid=testids::TEST_IT on:click=on_click disabled=move || running.get() title=hint.clone()>
                {move || if running.get() { "Testing…" } else { "Test it" }}
            </button>
            <span class="muted small">{format!(" from {from}: does {host}:{port} answer?")}</span>
            {tls_note}
            {move || running.get().then(|| view! { <p class="muted small" role="status">"Running the checks inside the container…"</p> })}
            {move || answer.get().map(|a| match a {
                Ok(report) => view! { <CheckReportView report/> }.into_any(),
                Err(e) => view! { <p class="notice error small" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </div>
    }
}
