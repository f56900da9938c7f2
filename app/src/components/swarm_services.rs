//! The panel beside the graph on a swarm manager: each service with its task count, image,
//! ports (the ingress mesh's marked "every node"), overlays, and its current tasks on their
//! nodes with the error of those that do not run. A task's container selects it on the graph.

use crate::components::findings_list::severity_class;
use crate::domain::graph::{swarm_services, GraphBadges};
use crate::domain::topology::Topology;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn SwarmServices(
    topology: Memo<Option<Topology>>,
    badges: Memo<GraphBadges>,
    #[prop(into)] on_select: Callback<String>,
) -> impl IntoView {
    let services =
        Memo::new(move |_| topology.with(|t| t.as_ref().map(swarm_services).unwrap_or_default()));
    let manager =
        Memo::new(move |_| topology.with(|t| t.as_ref().is_some_and(|t| t.swarm.is_some())));
    move || {
        if !manager.get() {
            return None;
        }
        let list = services.get();
        Some(view! {
            <section class="panel swarm-services small" data-testid=testids::GRAPH_SWARM>
                <h2>"Swarm services"</h2>
                {if list.is_empty() {
                    view! { <p class="muted">"This engine manages a swarm with no services."</p> }.into_any()
                } else {
                    view! { <p class="muted">"This engine is a swarm manager. Overlay networks are marked on the graph; the ingress mesh's ports are with the host ports, marked ingress (every node answers on them)."</p> }.into_any()
                }}
                <ul class="service-list">
                    {list.into_iter().map(|s| {
                        let badge = badges.with(|b| b.services.get(&s.name).copied());
                        let open = !s.healthy;
                        view! {
                            <li class="service" class:unhealthy=!s.healthy data-service=s.name.clone()>
                                <details open=open>
                                    <summary>
                                        {badge.map(|(sev, _)| {
                                            let level = severity_class(sev);
                                            view! { <span class=format!("sev {level}")>{level}</span>" " }
                                        })}
                                        <strong class="mono">{s.name.clone()}</strong>
                                        " "<span class="muted">{s.state.clone()}</span>
                                    </summary>
                                    <p class="mono muted">{s.image.clone()}</p>
                                    {(!s.ports.is_empty()).then(|| view! {
                                        <p>"ports: "<span class="mono">{s.ports.join(", ")}</span></p>
                                    })}
                                    {(!s.networks.is_empty()).then(|| view! {
                                        <p>"networks: "<span class="mono">{s.networks.join(", ")}</span></p>
                                    })}
                                    <ul class="task-list">
                                        {s.tasks.into_iter().map(|task| {
                                            let state_class = if task.running { "state state-running" } else { "state state-exited" };
                                            view! {
                                                <li>
                                                    {match task.container.clone() {
                                                        Some(c) => view! {
                                                            <button type="button" class="link mono" title="Show its container on the graph" on:click=move |_| on_select.run(c.clone())>{task.label.clone()}</button>
                                                        }.into_any(),
                                                        None => view! { <span class="mono">{task.label.clone()}</span> }.into_any(),
                                                    }}
                                                    " on "{task.node.clone()}" "
                                                    <span class=state_class>{task.state.clone()}</span>
                                                    {task.error.map(|e| view! { <div class="task-error">{e}</div> })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    {(s.earlier > 0).then(|| view! {
                                        <p class="muted">{format!("{} earlier tr{} in the task history (docker service ps --no-trunc {})", s.earlier, if s.earlier == 1 { "y" } else { "ies" }, s.name)}</p>
                                    })}
                                </details>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::findings::findings;
    use crate::domain::graph::graph_badges;

    fn render(t: Option<Topology>) -> String {
        Owner::new().with(|| {
            let badges = t
                .as_ref()
                .map(|t| graph_badges(t, &findings(t)))
                .unwrap_or_default();
            let topology = Memo::new(move |_| t.clone());
            let badges = Memo::new(move |_| badges.clone());
            view! { <SwarmServices topology badges on_select=|_: String| {}/> }.to_html()
        })
    }

    #[test]
    fn a_manager_lists_every_service_with_its_tasks_and_the_reason_one_waits() {
        let html = render(Some(crate::domain::swarm::fixtures::host()));
        for text in [
            "Swarm services",
            "ndfx-web",
            "2 of 2 running",
            "*:18080→80/tcp (ingress, every node)",
            "ndfx-attachable (overlay, attachable)",
            "ndfx-stuck.1",
            "pending (wanted: running)",
            "no suitable node (scheduling constraints not satisfied on 1 node)",
            "task: non-zero exit (3)",
            "4 earlier tries",
        ] {
            assert!(html.contains(text), "{text} missing from {html}");
        }
        assert!(html.contains("sev blocking"), "the stuck service is badged");
    }

    #[test]
    fn an_engine_outside_a_swarm_shows_no_panel() {
        let mut t = crate::domain::swarm::fixtures::host();
        t.swarm = None;
        assert!(!render(Some(t)).contains("Swarm services"));
        assert!(!render(None).contains("Swarm services"));
    }
}
