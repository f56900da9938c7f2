//! The builder's three choices — where from, to which container, on which port — as plain
//! `<select>`s (keyboard reachable), plus a port field for ports nothing lists, and a copyable
//! link to the exact choice.

use crate::components::copy_button::CopyButton;
use crate::domain::connect::{ConnectQuery, PortOption, Source, HOST_PARAM};
use crate::domain::names::ContainerName;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn ConnectPicker(
    /// Every container on the host, sorted.
    #[prop(into)]
    containers: Signal<Vec<String>>,
    /// The other servers netdoctor reaches: "an app on server NAME" as a source.
    #[prop(into)]
    others: Signal<Vec<String>>,
    /// The chosen target's ports.
    #[prop(into)]
    ports: Signal<Vec<PortOption>>,
    /// The port the builder chose when the user left it automatic.
    #[prop(into)]
    automatic: Signal<Option<u16>>,
    query: Memo<ConnectQuery>,
    set_query: Callback<ConnectQuery>,
) -> impl IntoView {
    let update = move |change: &dyn Fn(&mut ConnectQuery)| {
        let mut q = query.get_untracked();
        change(&mut q);
        set_query.run(q);
    };
    let on_from = move |ev| {
        let v = event_target_value(&ev);
        update(&|q| q.from = Source::parse(&v).ok());
    };
    let on_to = move |ev| {
        let v = event_target_value(&ev);
        update(&|q| {
            let to = ContainerName::parse(&v).ok();
            if to != q.to {
                // Another target has other ports.
                q.port = None;
            }
            q.to = to;
        });
    };
    let on_port = move |ev| {
        let v = event_target_value(&ev);
        update(&|q| q.port = v.parse().ok().filter(|p| *p != 0));
    };
    // `selected` on the options too, so the server-rendered page already shows the choice.
    let is_from = move |v: &str| query.with(|q| q.from.as_ref().is_some_and(|f| f.param() == v));
    let is_to = move |v: &str| query.with(|q| q.to.as_ref().is_some_and(|t| t.as_str() == v));
    let is_port = move |v: &str| query.with(|q| q.port.is_some_and(|p| p.to_string() == v));
    // Port options, plus the chosen port when nothing lists it, so the select shows it.
    let port_choices = Memo::new(move |_| {
        let mut list: Vec<(String, String)> =
            ports.with(|ps| ps.iter().map(|o| (o.port.to_string(), o.label())).collect());
        if let Some(p) = query.with(|q| q.port) {
            if !list.iter().any(|(v, _)| *v == p.to_string()) {
                list.push((p.to_string(), format!("{p} · entered")));
            }
        }
        list
    });
    let label_of = move |v: &str| {
        port_choices.with(|list| {
            list.iter()
                .find(|(value, _)| value == v)
                .map(|(_, label)| label.clone())
                .unwrap_or_default()
        })
    };
    let link = move || {
        let path = query.with(ConnectQuery::path);
        crate::nav::absolute(path)
    };
    view! {
        <div class="toolbar connect-picker">
            <label>"From "
                <select data-testid=testids::CONNECT_FROM on:change=on_from
                    prop:value=move || query.with(|q| q.from.as_ref().map(Source::param).unwrap_or_default())>
                    <option value="">"pick a source…"</option>
                    <option value=HOST_PARAM selected=move || is_from(HOST_PARAM)>"the host / outside"</option>
                    <For each=move || containers.get() key=|n| n.clone() let:n>
                        <option value=n.clone() selected={let n = n.clone(); move || is_from(&n)}>{n.clone()}</option>
                    </For>
                    <For each=move || others.get() key=|n| n.clone() let:n>
                        {
                            let value = Source::Server(n.clone()).param();
                            let chosen = value.clone();
                            view! { <option value=value selected=move || is_from(&chosen)>{format!("an app on server {n}")}</option> }
                        }
                    </For>
                </select>
            </label>
            <label>"To "
                <select data-testid=testids::CONNECT_TO on:change=on_to
                    prop:value=move || query.with(|q| q.to.as_ref().map(ToString::to_string).unwrap_or_default())>
                    <option value="">"pick a container…"</option>
                    <For each=move || containers.get() key=|n| n.clone() let:n>
                        <option value=n.clone() selected={let n = n.clone(); move || is_to(&n)}>{n.clone()}</option>
                    </For>
                </select>
            </label>
            <label>"Port "
                <select data-testid=testids::CONNECT_PORT on:change=on_port
                    prop:value=move || query.with(|q| q.port.map(|p| p.to_string()).unwrap_or_default())>
                    <option value="">{move || match automatic.get() {
                        Some(p) if query.with(|q| q.port.is_none()) => format!("automatic ({p})"),
                        _ => "automatic".to_owned(),
                    }}</option>
                    // Keyed by port only: when the live read relabels the options they stay the
                    // same elements, so the selection (and a click on them) is not lost.
                    <For each=move || port_choices.get() key=|(v, _)| v.clone() let:choice>
                        <option value=choice.0.clone() selected={let v = choice.0.clone(); move || is_port(&v)}>
                            {let v = choice.0.clone(); move || label_of(&v)}
                        </option>
                    </For>
                </select>
            </label>
            <label>"or port "
                <input type="number" min="1" max="65535" inputmode="numeric" class="port-input"
                    data-testid=testids::CONNECT_OTHER_PORT aria-label="Another port"
                    prop:value=move || query.with(|q| q.port.map(|p| p.to_string()).unwrap_or_default())
                    on:change=on_port/>
            </label>
            <span class="spacer"></span>
            <span data-testid=testids::CONNECT_LINK>
                {move || view! { <CopyButton text=link() what="link to this connection"/> }}
                <span class="muted small">" link to this connection"</span>
            </span>
        </div>
    }
}
