//! `/servers`: every server this netdoctor reaches, each with its own line (engine, counts,
//! worst finding, reachability) read on its own so one that does not answer never holds up the
//! others; adding one (proven before anything is stored, an unknown SSH host key shown as its
//! fingerprints to compare and accept); removing one added here.

use crate::api::servers::{
    add_server, get_fleet_findings, get_server_summary, list_servers, remove_server, search_servers,
};
use crate::components::fix_list::FixList;
use crate::domain::endpoint::EndpointKind;
use crate::domain::servers::across::HitKind;
use crate::domain::servers::known_hosts::HostKeyCheck;
use crate::domain::servers::{AddOutcome, ServerInfo, ServerOrigin};
use crate::domain::url::with_server;
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn ServersPage() -> impl IntoView {
    // Shared with the top bar's switcher: adding or removing a server lists it there too.
    let version = crate::nav::servers_changed();
    let servers = Resource::new(move || version.get(), |_| list_servers());
    view! {
        <h1>"Servers"</h1>
        <p class="muted small">
            "Every Docker engine this netdoctor reaches. Each page works on one server, named in its address ("
            <span class="mono">"?server=NAME"</span>"), so links and shared snapshots say which; the switcher in the top bar moves the page you are on to another server."
        </p>
        <Transition fallback=|| view! { <p class="muted" role="status">"Listing the servers…"</p> }>
            {move || Suspend::new(async move {
                match servers.await {
                    Ok(list) => view! { <ServerTable list version/> }.into_any(),
                    Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <AcrossServers/>
        <AddServer version/>
    }
}

/// The search over every server, and what only several servers together show. Both read
/// every server at once; one that does not answer is named, never waited for long.
#[component]
fn AcrossServers() -> impl IntoView {
    let (q, set_q) =
        leptos_router::hooks::query_signal_with_options::<String>("q", crate::nav::in_place());
    let typed = RwSignal::new(q.get_untracked().unwrap_or_default());
    let hits = Resource::new(
        move || q.get().unwrap_or_default(),
        |q| async move {
            if q.trim().is_empty() {
                None
            } else {
                Some(search_servers(q).await)
            }
        },
    );
    let findings = Resource::new(|| (), |_| get_fleet_findings());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = typed.get_untracked();
        set_q.set(Some(text).filter(|t| !t.trim().is_empty()));
    };
    view! {
        <section class="panel">
            <h2>"Find a container or a domain on any server"</h2>
            <form class="toolbar" role="search" on:submit=submit>
                <input type="search" name="q" data-testid=testids::SERVER_SEARCH placeholder="name, alias, service, image or domain"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                <button type="submit">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted small" role="status">"Searching every server…"</p> }>
                {move || Suspend::new(async move {
                    match hits.await {
                        None => ().into_any(),
                        Some(Err(e)) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                        Some(Ok(found)) if found.hits.is_empty() => view! {
                            <p class="muted small" data-testid=testids::EMPTY_STATE>"Nothing on any server matches."</p>
                            <Unread unread=found.unread/>
                        }.into_any(),
                        Some(Ok(found)) => view! {
                            <ul class="search-hits small" data-testid=testids::SERVER_HITS>
                                {found.hits.into_iter().map(|hit| {
                                    let (href, what) = match hit.kind {
                                        HitKind::Container => (
                                            with_server(&format!("/containers/{}", crate::domain::url::encode(&hit.name)), Some(&hit.server)),
                                            format!("container · {}", hit.detail),
                                        ),
                                        HitKind::Domain => (
                                            with_server(&format!("/diagnose?check=proxy&domain={}", crate::domain::url::encode(&hit.name)), Some(&hit.server)),
                                            format!("domain → {}", hit.detail),
                                        ),
                                    };
                                    view! {
                                        <li><span class="mono">{hit.server.clone()}</span>" · "
                                            <a class="mono" href=href>{hit.name.clone()}</a>" "
                                            <span class="muted">{what}</span></li>
                                    }
                                }).collect_view()}
                            </ul>
                            <Unread unread=found.unread/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="panel">
            <h2>"Across servers"</h2>
            <Suspense fallback=|| view! { <p class="muted small" role="status">"Reading every server…"</p> }>
                {move || Suspend::new(async move {
                    match findings.await {
                        Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(f) if f.findings.is_empty() => view! {
                            <p class="muted small" data-testid=testids::EMPTY_STATE>"No route on one server dials a container that runs on another."</p>
                            <Unread unread=f.unread/>
                        }.into_any(),
                        Ok(f) => view! {
                            <ul class="finding-list">
                                {f.findings.into_iter().map(|sf| view! {
                                    <li class="finding severity-blocking" data-testid=testids::SERVER_FINDING>
                                        <p class="strong">{sf.finding.title.clone()}</p>
                                        <p class="small">{sf.finding.why.clone()}</p>
                                        <FixList steps=sf.finding.fix.clone()/>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Unread unread=f.unread/>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The servers a fleet-wide answer could not include, and why.
#[component]
fn Unread(unread: Vec<(String, String)>) -> impl IntoView {
    (!unread.is_empty()).then(|| {
        view! {
            <p class="notice small">"Not included: "
                {unread.into_iter().map(|(server, why)| format!("{server} ({why})")).collect::<Vec<_>>().join("; ")}
            </p>
        }
    })
}

#[component]
fn ServerTable(list: Vec<ServerInfo>, version: RwSignal<u32>) -> impl IntoView {
    view! {
        <section class="panel">
            <table class="servers small">
                <thead><tr><th>"Server"</th><th>"Endpoint"</th><th>"Engine"</th><th>"Findings"</th><th>"Reach"</th><th></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|info| view! { <ServerRow info version/> }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn ServerRow(info: ServerInfo, version: RwSignal<u32>) -> impl IntoView {
    let name = info.name.to_string();
    let server = (!info.name.is_local()).then(|| name.clone());
    let summary = Resource::new(move || server.clone(), get_server_summary);
    let open = with_server("/", Some(&name));
    let removable = info.origin == ServerOrigin::ServersFile;
    let removing = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let remove = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            removing.set(true);
            leptos::task::spawn_local(async move {
                match remove_server(name).await {
                    Ok(()) => version.update(|v| *v += 1),
                    Err(e) => failed.set(Some(e.to_string())),
                }
                removing.set(false);
            });
        }
    };
    view! {
        <tr data-testid=testids::SERVER_ROW data-server=name.clone()>
            <td><a class="mono strong" href=open>{name.clone()}</a></td>
            <td class="mono">{info.endpoint.clone()}" "<span class="muted">{kind_label(info.kind)}</span></td>
            <Suspense fallback=|| view! { <td colspan="3" class="muted" role="status">"Asking its engine…"</td> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(s) => {
                            let severity = if s.blocking > 0 { "severity-blocking" } else { "" };
                            view! {
                            <td>{s.engine_line()}</td>
                            <td class=severity>
                                {s.findings_line()}
                                {s.worst.clone().map(|w| view! { <br/><span class="muted">{w}</span> })}
                            </td>
                            <td>{s.reach_line()}</td>
                        }.into_any()
                        }
                        Err(AppError::EngineUnreachable(problem)) => view! {
                            <td colspan="3" class="notice error">{problem.headline()}</td>
                        }.into_any(),
                        Err(e) => view! { <td colspan="3" class="notice error">{e.to_string()}</td> }.into_any(),
                    }
                })}
            </Suspense>
            <td>
                {removable.then(|| view! {
                    <button type="button" class="link" on:click=remove.clone() disabled=move || removing.get()
                        title="Forget this server and the key netdoctor kept for it">"Remove"</button>
                })}
                {move || failed.get().map(|e| view! { <span class="notice error small">{e}</span> })}
            </td>
        </tr>
    }
}

fn kind_label(kind: EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Socket => "(local socket)",
        EndpointKind::Tcp => "(TCP, no TLS)",
        EndpointKind::Tls => "(TLS)",
        EndpointKind::Ssh => "(SSH)",
    }
}

/// The add form. Keys and certificates are sent once and cleared from the page; netdoctor
/// stores them 0600 and never shows them again.
#[component]
fn AddServer(version: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let endpoint = RwSignal::new(String::new());
    let ssh_key = RwSignal::new(String::new());
    let tls_ca = RwSignal::new(String::new());
    let tls_cert = RwSignal::new(String::new());
    let tls_key = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<AddOutcome, AppError>>);
    let is_ssh = move || endpoint.with(|e| e.trim_start().starts_with("ssh://"));
    let is_tls = move || endpoint.with(|e| e.trim_start().starts_with("https://"));
    let send = move |accept: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let given = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let (n, e) = (name.get_untracked(), endpoint.get_untracked());
        let (key, ca, cert, tkey) = (
            given(ssh_key),
            given(tls_ca),
            given(tls_cert),
            given(tls_key),
        );
        leptos::task::spawn_local(async move {
            let result = add_server(n, e, key, ca, cert, tkey, accept).await;
            if let Ok(AddOutcome::Added(_)) = &result {
                for secret in [ssh_key, tls_ca, tls_cert, tls_key] {
                    secret.set(String::new());
                }
                version.update(|v| *v += 1);
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(None);
    };
    let text = |label: &'static str,
                value: RwSignal<String>,
                placeholder: &'static str,
                field: &'static str| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="text" name=field placeholder=placeholder autocomplete="off" spellcheck="false"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    let secret = |label: &'static str, value: RwSignal<String>, field: &'static str| {
        view! {
            <label class="field">
                <span>{label}</span>
                <textarea name=field rows="4" class="mono small" autocomplete="off" spellcheck="false"
                    placeholder="-----BEGIN …-----"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            </label>
        }
    };
    view! {
        <section class="panel">
            <h2>"Add a server"</h2>
            <p class="muted small">
                "netdoctor connects first and stores nothing unless the engine answers. Over SSH it runs your system's "
                <span class="mono">"ssh"</span>" with "<span class="mono">"docker system dial-stdio"</span>
                " on the server (the user needs the docker group or root). Keys and certificates are kept in the data directory (0600) and never shown again."
            </p>
            <form class="add-server" data-testid=testids::SERVER_ADD_FORM on:submit=submit>
                {text("Name", name, "app-1", "name")}
                {text("Endpoint", endpoint, "ssh://root@203.0.113.10 or https://host:2376", "endpoint")}
                {move || is_ssh().then(|| secret("Private key (OpenSSH)", ssh_key, "ssh_key"))}
                {move || is_tls().then(|| view! {
                    {secret("CA certificate (PEM)", tls_ca, "tls_ca")}
                    {secret("Client certificate (PEM)", tls_cert, "tls_cert")}
                    {secret("Client key (PEM)", tls_key, "tls_key")}
                })}
                <button type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Connecting…" } else { "Connect and add" }}
                </button>
            </form>
            <div data-testid=testids::SERVER_ADD_RESULT role="status">
                {move || outcome.get().map(|result| match result {
                    Ok(AddOutcome::Added(info)) => {
                        let open = with_server("/", Some(info.name.as_str()));
                        view! {
                            <p class="notice ok">"Added "<strong class="mono">{info.name.to_string()}</strong>". "
                                <a href=open>"Open its network"</a></p>
                        }.into_any()
                    }
                    Ok(AddOutcome::HostKeyToAccept(check)) => view! {
                        <HostKeyChoice check accept=Callback::new(move |fp: String| send(Some(fp)))/>
                    }.into_any(),
                    Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// An SSH server seen for the first time: its keys' fingerprints, to compare with what
/// `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints on the server before accepting.
#[component]
fn HostKeyChoice(check: HostKeyCheck, accept: Callback<String>) -> impl IntoView {
    view! {
        <div class="notice">
            <p>"netdoctor has never seen "<span class="mono">{check.host_name.clone()}</span>
               " before. Compare its key with what this prints on the server, then accept it:"</p>
            <pre class="mono small">"ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"</pre>
            <ul class="host-keys">
                {check.offered.into_iter().map(|key| {
                    let fingerprint = key.fingerprint.clone();
                    view! {
                        <li>
                            <span class="mono">{key.label()}</span>" "
                            <button type="button" data-testid=testids::SERVER_ACCEPT_KEY
                                on:click=move |_| accept.run(fingerprint.clone())>"Accept this key and add"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
