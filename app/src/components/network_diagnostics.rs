//! "Network diagnostics": the seed's `docker network ls`, `docker network inspect NETWORK` and
//! `docker inspect CONTAINER` (its network settings), shown as readable results from the live
//! topology. Nothing runs in a container. Step by step: every network; one network's settings
//! and members; one container's network settings, with the commands to see the same in a
//! terminal and links to the wizards that test it.

use crate::api::get_topology;
use crate::components::copy_button::CopyButton;
use crate::domain::checks::wizard_link::{Wizard, WizardQuery};
use crate::domain::topology::{Container, Network, NetworkMode, Topology};
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn NetworkDiagnostics(
    input: Memo<WizardQuery>,
    set_input: Callback<WizardQuery>,
) -> impl IntoView {
    let server = crate::nav::use_server();
    let topology = Resource::new(move || server.get(), get_topology);
    let pick = move |change: Box<dyn Fn(&mut WizardQuery)>| {
        let mut next = input.get_untracked();
        change(&mut next);
        set_input.run(next);
    };
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Reading the networks from the Docker Engine…"</p> }>
            {move || Suspend::new(async move {
                match topology.await {
                    Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(report) => {
                        let t = StoredValue::new(report.topology);
                        view! {
                            <NetworkList t input pick=Callback::new(move |net: String| pick(Box::new(move |q| { q.net = net.clone(); })))/>
                            {move || {
                                let net = input.with(|i| i.net.clone());
                                (!net.is_empty()).then(|| t.with_value(|t| match t.network(&net) {
                                    Some(n) => view! {
                                        <NetworkView network=n.clone() t=t.clone()
                                            pick=Callback::new(move |c: String| pick(Box::new(move |q| { q.from = c.clone(); })))/>
                                    }.into_any(),
                                    None => view! { <p class="notice" role="status">{format!("There is no network named {net} (any more).")}</p> }.into_any(),
                                }))
                            }}
                            {move || {
                                let name = input.with(|i| i.from.clone());
                                (!name.is_empty()).then(|| t.with_value(|t| match t.container(&name) {
                                    Some(c) => view! { <ContainerNetworks c=c.clone() t=t.clone()/> }.into_any(),
                                    None => view! { <p class="notice" role="status">{format!("There is no container named {name} (any more).")}</p> }.into_any(),
                                }))
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A command a user can run in a terminal to see the same, with a copy button.
#[component]
fn Command(text: String) -> impl IntoView {
    view! {
        <p class="small command-line"><code class="mono">{text.clone()}</code>" "<CopyButton text what="command"/></p>
    }
}

/// Step 1: every network (`docker network ls`, with subnets and member counts).
#[component]
fn NetworkList(
    t: StoredValue<Topology>,
    input: Memo<WizardQuery>,
    pick: Callback<String>,
) -> impl IntoView {
    let networks = t.with_value(|t| t.networks.clone());
    view! {
        <section class="panel">
            <h2>"1. Networks on this host"</h2>
            <Command text="docker network ls".to_owned()/>
            {if networks.is_empty() {
                view! { <p class="muted" data-testid=testids::EMPTY_STATE>"The Docker Engine lists no networks."</p> }.into_any()
            } else {
                view! {
                    <table class="small" data-testid=testids::NETWORK_TABLE>
                        <thead><tr><th>"Network"</th><th>"Driver"</th><th>"Subnet"</th><th>"Gateway"</th><th>"Settings"</th><th>"Containers"</th></tr></thead>
                        <tbody>
                            {networks.into_iter().map(|n| {
                                let name = n.name.clone();
                                let selected = name.clone();
                                view! {
                                    <tr data-network=n.name.clone() class:selected=move || input.with(|i| i.net == selected)>
                                        <td><button type="button" class="link" on:click=move |_| pick.run(name.clone())>{n.name.clone()}</button></td>
                                        <td>{n.driver.clone()}</td>
                                        <td class="mono">{n.subnets.iter().map(|s| s.subnet.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        <td class="mono">{n.subnets.iter().map(|s| s.gateway.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        <td>{settings(&n)}</td>
                                        <td>{n.members.len()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="muted small">"Choose a network to see its members."</p>
                }.into_any()
            }}
        </section>
    }
}

/// A network's settings in words.
fn settings(n: &Network) -> String {
    let mut words = vec![n.scope.clone()];
    if n.internal {
        words.push("internal (no way out)".into());
    }
    if n.attachable {
        words.push("attachable".into());
    }
    if n.kind.resolves_names() {
        words.push("names resolve".into());
    } else {
        words.push("no name resolution".into());
    }
    words.join(", ")
}

/// Step 2: one network's settings and members (`docker network inspect`).
#[component]
fn NetworkView(network: Network, t: Topology, pick: Callback<String>) -> impl IntoView {
    let name = network.name.clone();
    let resolves = network.kind.resolves_names();
    let members: Vec<Container> = network
        .members
        .iter()
        .filter_map(|m| t.container(m.as_str()).cloned())
        .collect();
    view! {
        <section class="panel" data-testid=testids::NETWORK_DETAILS data-network=name.clone()>
            <h2>{format!("2. Network {name}")}</h2>
            <Command text=format!("docker network inspect {name}")/>
            <p class="small">{format!("Driver {}, {}.", network.driver, settings(&network))}" "
                {if network.internal {
                    "Containers on it reach each other, but nothing outside the host through it."
                } else if resolves {
                    "Containers on it reach each other by container name, network alias and compose service name."
                } else if network.name == "bridge" {
                    "Docker's default bridge: containers on it reach each other by IP address only; names do not resolve."
                } else {
                    "Containers here are not reached by name."
                }}
            </p>
            {if members.is_empty() {
                view! { <p class="muted" data-testid=testids::EMPTY_STATE>"No container is attached to this network."</p> }.into_any()
            } else {
                view! {
                    <table class="small">
                        <thead><tr><th>"Container"</th><th>"State"</th><th>"IPv4"</th><th>"Reached as"</th></tr></thead>
                        <tbody>
                            {members.into_iter().map(|c| {
                                let a = c.attachment(&name).cloned();
                                let cname = c.name.to_string();
                                let pick_name = cname.clone();
                                let names = a.as_ref().map(|a| a.dns_names.join(", ")).unwrap_or_default();
                                view! {
                                    <tr data-testid=testids::MEMBER_ROW data-container=cname.clone()>
                                        <td><button type="button" class="link" on:click=move |_| pick.run(pick_name.clone())>{cname.clone()}</button></td>
                                        <td>{c.state.as_str()}</td>
                                        <td class="mono">{a.as_ref().and_then(|a| a.ipv4.clone()).unwrap_or_else(|| "—".into())}</td>
                                        <td class="mono">{if names.is_empty() { "by IP only".to_owned() } else { names }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="muted small">"Choose a container to see its network settings."</p>
                }.into_any()
            }}
        </section>
    }
}

/// Step 3: a container's network settings (`docker inspect`), with the wizards that test it.
#[component]
fn ContainerNetworks(c: Container, t: Topology) -> impl IntoView {
    let name = c.name.to_string();
    let mode = match &c.network_mode {
        NetworkMode::DefaultBridge => "Docker's default bridge".to_owned(),
        NetworkMode::Host => {
            "host: it uses the host's network stack; ports are not published, they are the host's"
                .to_owned()
        }
        NetworkMode::Null => "none: only a loopback interface, it reaches nothing".to_owned(),
        NetworkMode::Container(id) => {
            let owner = t
                .containers
                .iter()
                .find(|o| o.id.starts_with(id.as_str()) || o.name.as_str() == id)
                .map_or_else(|| id.chars().take(12).collect(), |o| o.name.to_string());
            format!("shares the network of {owner}")
        }
        NetworkMode::Network(n) => format!("user-defined network {n}"),
    };
    let published: Vec<String> = c.published.iter().map(ToString::to_string).collect();
    let exposed: Vec<String> = c.exposed.iter().map(|p| p.port.to_string()).collect();
    let reach = WizardQuery {
        wizard: Wizard::Reach,
        from: name.clone(),
        ..WizardQuery::default()
    }
    .path();
    let reach = crate::nav::here(reach);
    let external = crate::nav::here(
        WizardQuery {
            wizard: Wizard::External,
            from: name.clone(),
            ..WizardQuery::default()
        }
        .path(),
    );
    view! {
        <section class="panel" data-testid=testids::CONTAINER_NETWORKS data-container=name.clone()>
            <h2>{format!("3. Network settings of {name}")}</h2>
            <Command text=format!("docker inspect -f '{{{{json .NetworkSettings.Networks}}}}' {name}")/>
            <p class="small">"Network mode: "{mode}"."</p>
            {if c.attachments.is_empty() {
                view! { <p class="muted" data-testid=testids::EMPTY_STATE>"It is attached to no network."</p> }.into_any()
            } else {
                view! {
                    <table class="small">
                        <thead><tr><th>"Network"</th><th>"IPv4"</th><th>"Aliases"</th><th>"Other containers reach it as"</th></tr></thead>
                        <tbody>
                            {c.attachments.iter().map(|a| view! {
                                <tr data-network=a.network.clone()>
                                    <td>{a.network.clone()}</td>
                                    <td class="mono">{a.ipv4.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td class="mono">{a.aliases.join(", ")}</td>
                                    <td class="mono">{if a.dns_names.is_empty() { "by IP only".to_owned() } else { a.dns_names.join(", ") }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <p class="small">"Ports the image exposes: "{if exposed.is_empty() { "none".to_owned() } else { exposed.join(", ") }}
                ". Published on the host: "{if published.is_empty() { "none".to_owned() } else { published.join(", ") }}"."</p>
            <p class="small">
                <a href=reach>"Test a connection from "{name.clone()}</a>" · "
                <a href=external>"Can "{name.clone()}" reach the outside?"</a>" · "
                <a href=crate::nav::here(format!("/containers/{}", crate::domain::url::encode(&name)))>"Container page"</a>
            </p>
        </section>
    }
}
