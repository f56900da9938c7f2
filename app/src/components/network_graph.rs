//! The network picture as SVG. It only draws what `domain::layout` computed, fitted to its box
//! (whose shape it measures and reports, so the layout takes it); zoom and pan move the viewBox
//! (mouse wheel, drag, or the keyboard: + − arrows 0). A node is selected by click or Enter; a
//! closed group of the overview opens the same way. A selection dims everything but what it
//! lights up and centres the view on it. "SVG" and "PNG" download the current view.

use crate::components::findings_list::severity_class;
use crate::domain::graph::{
    edge_badge, edge_key, group_badge, node_badge, Badge, Focus, GraphBadges,
};
use crate::domain::layout::{
    Edge, EdgeKind, GroupBox, Layout, NodeBox, NodeKind, CLOSED_COUNTS_BASELINE,
    GROUP_LABEL_BASELINE, GROUP_LABEL_HEIGHT, LABEL_BASELINE, NODE_HEIGHT, TEXT_INSET,
};
use crate::testids;
use leptos::prelude::*;

/// The visible part of the drawing, in layout units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ViewBox {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl ViewBox {
    fn fit(l: &Layout) -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            w: l.width.max(1.0),
            h: l.height.max(1.0),
        }
    }

    /// Zooms by `factor` (< 1 zooms in) around the centre.
    fn zoom(self, factor: f64) -> Self {
        let (w, h) = (
            (self.w * factor).clamp(200.0, 40_000.0),
            (self.h * factor).clamp(150.0, 40_000.0),
        );
        Self {
            x: self.x + (self.w - w) / 2.0,
            y: self.y + (self.h - h) / 2.0,
            w,
            h,
        }
    }

    fn pan(self, dx: f64, dy: f64) -> Self {
        Self {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }

    fn attribute(self) -> String {
        format!("{:.1} {:.1} {:.1} {:.1}", self.x, self.y, self.w, self.h)
    }
}

const ZOOM_STEP: f64 = 1.25;

fn points(p: &[(f64, f64)]) -> String {
    p.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn node_class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Internet => "node internet",
        NodeKind::Host => "node host",
        NodeKind::Domain => "node domain",
        NodeKind::Proxy => "node proxy",
        NodeKind::Container => "node container",
        NodeKind::HostPort => "node hostport",
    }
}

fn edge_class(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Route => "edge route",
        EdgeKind::Attachment => "edge attachment",
        EdgeKind::Published => "edge published",
    }
}

/// What the graph's controls ask of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphCommand {
    ZoomIn,
    ZoomOut,
    Fit,
    DownloadSvg,
    DownloadPng,
}

/// Zoom and download buttons, placed by the page (in its toolbar, off the drawing).
#[component]
pub fn GraphControls(command: RwSignal<Option<GraphCommand>>) -> impl IntoView {
    let ask = move |c: GraphCommand| command.set(Some(c));
    view! {
        <span class="graph-controls" role="group" aria-label="Zoom and download">
            <button type="button" on:click=move |_| ask(GraphCommand::ZoomIn) aria-label="Zoom in" title="Zoom in (+)">"+"</button>
            <button type="button" on:click=move |_| ask(GraphCommand::ZoomOut) aria-label="Zoom out" title="Zoom out (−)">"−"</button>
            <button type="button" on:click=move |_| ask(GraphCommand::Fit) title="Fit the whole picture (0)">"Fit"</button>
            <button type="button" data-testid=testids::GRAPH_DOWNLOAD_SVG on:click=move |_| ask(GraphCommand::DownloadSvg) title="Download what is shown as SVG, with the host name and time in a corner">"Download SVG"</button>
            <button type="button" data-testid=testids::GRAPH_DOWNLOAD_PNG on:click=move |_| ask(GraphCommand::DownloadPng) title="Download what is shown as PNG, with the host name and time in a corner">"Download PNG"</button>
        </span>
    }
}

/// What the graph needs from its page.
#[component]
pub fn NetworkGraph(
    #[prop(into)] layout: Signal<Layout>,
    /// What the selection lights up.
    #[prop(into)]
    focus: Signal<Focus>,
    /// The view a selection asks for (x, y, width, height): centred on it, its paths in sight.
    #[prop(into)]
    target: Signal<Option<(f64, f64, f64, f64)>>,
    /// Zoom and download requests from the controls.
    command: RwSignal<Option<GraphCommand>>,
    #[prop(into)] selected: Signal<Option<String>>,
    #[prop(into)] badges: Signal<GraphBadges>,
    /// Width ÷ height of the drawing's box: measured here, read by the layout.
    aspect: RwSignal<f64>,
    /// Groups open and close on click (the overview of a large host).
    #[prop(into)]
    overview: Signal<bool>,
    /// The host's name for the corner of a downloaded picture.
    #[prop(into)]
    host_name: Signal<Option<String>>,
    /// When the picture was taken (a snapshot); a live picture is stamped when downloaded.
    #[prop(default = None)]
    taken_at_ms: Option<u64>,
    #[prop(into)] on_select: Callback<String>,
    #[prop(into)] on_toggle: Callback<String>,
) -> impl IntoView {
    let view = RwSignal::new(None::<ViewBox>);
    // A new picture (filters, groups opened, another shape) starts fitted, unless something is
    // selected: then the view follows the selection (below).
    Effect::new(move |_| {
        layout.track();
        if target.get_untracked().is_none() {
            view.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some((x, y, w, h)) = target.get() {
            view.set(Some(ViewBox { x, y, w, h }));
        }
    });
    let current = move || view.get().unwrap_or_else(|| layout.with(ViewBox::fit));
    let zoom = move |factor: f64| view.set(Some(current().zoom(factor)));
    let pan_by = move |fx: f64, fy: f64| {
        let v = current();
        view.set(Some(v.pan(v.w * fx, v.h * fy)));
    };

    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let measure = move || {
        if let Some(svg) = svg_ref.get_untracked() {
            let (w, h) = (
                f64::from(svg.client_width()),
                f64::from(svg.client_height()),
            );
            if w > 0.0 && h > 0.0 {
                let shape = w / h;
                if (shape - aspect.get_untracked()).abs() > 0.01 {
                    aspect.set(shape);
                }
            }
        }
    };
    Effect::new(move |_| {
        svg_ref.track();
        measure();
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let drag = StoredValue::new(None::<(i32, i32, ViewBox)>);
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
        drag.set_value(Some((ev.client_x(), ev.client_y(), current())));
    };
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        let Some((x0, y0, start)) = drag.get_value() else {
            return;
        };
        let width = svg_ref
            .get()
            .map(|svg| f64::from(svg.client_width()))
            .filter(|w| *w > 0.0)
            .unwrap_or(1.0);
        let scale = start.w / width;
        let (dx, dy) = (f64::from(ev.client_x() - x0), f64::from(ev.client_y() - y0));
        if dx.abs() + dy.abs() > 2.0 {
            view.set(Some(start.pan(-dx * scale, -dy * scale)));
        }
    };
    let end_drag = move |_| drag.set_value(None);
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        zoom(if ev.delta_y() > 0.0 {
            ZOOM_STEP
        } else {
            1.0 / ZOOM_STEP
        });
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let handled = match ev.key().as_str() {
            "+" | "=" => {
                zoom(1.0 / ZOOM_STEP);
                true
            }
            "-" | "_" => {
                zoom(ZOOM_STEP);
                true
            }
            "0" => {
                view.set(None);
                true
            }
            "ArrowLeft" => {
                pan_by(-0.1, 0.0);
                true
            }
            "ArrowRight" => {
                pan_by(0.1, 0.0);
                true
            }
            "ArrowUp" => {
                pan_by(0.0, -0.1);
                true
            }
            "ArrowDown" => {
                pan_by(0.0, 0.1);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    let current_untracked = move || {
        view.get_untracked()
            .unwrap_or_else(|| layout.with_untracked(ViewBox::fit))
    };
    let download = move |png: bool| {
        let stamp = taken_at_ms.unwrap_or_else(now_ms);
        let caption = format!(
            "{} · {}",
            host_name
                .get_untracked()
                .unwrap_or_else(|| "netdoctor".to_owned()),
            crate::domain::time::utc_text(stamp)
        );
        let file = file_name(host_name.get_untracked().as_deref(), stamp);
        export::download(svg_ref, current_untracked(), &caption, &file, png);
    };
    Effect::new(move |_| {
        let Some(asked) = command.get() else {
            return;
        };
        command.set(None);
        let v = current_untracked();
        match asked {
            GraphCommand::ZoomIn => view.set(Some(v.zoom(1.0 / ZOOM_STEP))),
            GraphCommand::ZoomOut => view.set(Some(v.zoom(ZOOM_STEP))),
            GraphCommand::Fit => view.set(None),
            GraphCommand::DownloadSvg => download(false),
            GraphCommand::DownloadPng => download(true),
        }
    });

    let groups = move || layout.with(|l| l.groups.clone());
    let edges = move || layout.with(|l| l.edges.clone());
    let nodes = move || layout.with(|l| l.nodes.clone());
    let empty = move || layout.with(|l| l.nodes.is_empty() && l.groups.is_empty());

    view! {
        <div class="graph-frame">
            <Show when=empty>
                <p class="graph-empty muted">"Nothing to draw: no container matches these filters."</p>
            </Show>
            <svg
                node_ref=svg_ref
                class="graph"
                class:focused=move || focus.with(|f| !f.is_empty())
                data-testid=testids::GRAPH
                data-aspect=move || format!("{:.3}", aspect.get())
                viewBox=move || current().attribute()
                preserveAspectRatio="xMidYMid meet"
                tabindex="0"
                role="img"
                aria-label="Network graph: domains, proxy, networks and containers. + and − zoom, arrows pan, 0 fits."
                on:pointerdown=on_pointer_down
                on:pointermove=on_pointer_move
                on:pointerup=end_drag
                on:pointerleave=end_drag
                on:wheel=on_wheel
                on:keydown=on_key
            >
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"></path>
                    </marker>
                </defs>
                <For each=groups key=|g| (g.network.clone(), g.closed, g.x.to_bits(), g.y.to_bits(), g.w.to_bits(), g.h.to_bits(), g.text.clone()) let:g>
                    <Group group=g focus badges overview on_toggle/>
                </For>
                <For each=edges key=edge_identity let:e>
                    <EdgeLine edge=e focus badges/>
                </For>
                <For each=nodes key=|n| (n.id.clone(), n.text.clone(), n.detail.clone(), n.x.to_bits(), n.y.to_bits()) let:n>
                    <GraphNode node=n selected focus badges on_select/>
                </For>
            </svg>
        </div>
    }
}

fn edge_identity(e: &Edge) -> (String, String) {
    (edge_key(e), points(&e.points))
}

/// `netdoctor-graph-myhost-2026-12-07-1305`, no extension.
fn file_name(host: Option<&str>, unix_ms: u64) -> String {
    let host: String = host
        .unwrap_or("host")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let time: String = crate::domain::time::utc_text(unix_ms)
        .chars()
        .take(16)
        .map(|c| if c.is_ascii_digit() { c } else { '-' })
        .collect();
    format!("netdoctor-graph-{host}-{time}")
}

fn now_ms() -> u64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::js_sys::Date::now().max(0.0) as u64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// A finding badge: a circle with the count, coloured by the worst severity.
fn badge_mark((severity, count): Badge, cx: f64, cy: f64) -> impl IntoView {
    view! {
        <g class=format!("badge {}", severity_class(severity)) data-testid=testids::GRAPH_BADGE>
            <circle cx=cx cy=cy r="9"></circle>
            <text x=cx y=cy + 4.0 text-anchor="middle">{count}</text>
        </g>
    }
}

/// A network: a box with its containers inside, or closed (overview) one box with its counts
/// that opens on click.
#[component]
fn Group(
    group: GroupBox,
    focus: Signal<Focus>,
    badges: Signal<GraphBadges>,
    overview: Signal<bool>,
    on_toggle: Callback<String>,
) -> impl IntoView {
    let network = group.network.clone();
    let lit = {
        let network = network.clone();
        move || focus.with(|f| f.groups.contains(&network))
    };
    let badge = {
        let group = group.clone();
        move || {
            badges
                .with(|b| group_badge(b, &group))
                .map(|b| badge_mark(b, group.x + group.w - 2.0, group.y + 2.0))
        }
    };
    let toggle = {
        let network = network.clone();
        move || on_toggle.run(network.clone())
    };
    let toggle_on_key = toggle.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            toggle_on_key();
        }
    };
    let GroupBox { x, y, w, h, .. } = group;
    let detail = group
        .detail
        .clone()
        .map(|d| view! { <tspan class="detail">{format!(" {d}")}</tspan> });
    let title = if group.closed {
        format!(
            "{}\n{}{}\nClick to open it",
            group.label,
            group.counts.summary(),
            if group.counts.elsewhere > 0 {
                format!("\n{} more drawn in other networks", group.counts.elsewhere)
            } else {
                String::new()
            }
        )
    } else {
        group.label.clone()
    };
    if group.closed {
        let label = format!("Open network {} ({})", group.label, group.counts.summary());
        view! {
            <g class="group closed" class:lit=lit data-network=network data-testid=testids::GRAPH_GROUP
                tabindex="0" role="button" aria-label=label aria-expanded="false"
                on:click=move |_| toggle() on:keydown=on_key>
                <title>{title}</title>
                <rect x=x y=y width=w height=h rx="8"></rect>
                <text x=x + TEXT_INSET y=y + GROUP_LABEL_BASELINE class="group-label">{group.text.clone()}{detail}</text>
                <text x=x + TEXT_INSET y=y + CLOSED_COUNTS_BASELINE class="group-counts">{group.summary.clone()}</text>
                {badge}
            </g>
        }
        .into_any()
    } else {
        let closer = move || {
            overview.get().then(|| {
                let toggle = toggle.clone();
                let on_key = on_key.clone();
                view! {
                    <rect class="group-closer" x=x y=y width=w height=GROUP_LABEL_HEIGHT rx="8"
                        tabindex="0" role="button" aria-label="Close this network" aria-expanded="true"
                        on:click=move |_| toggle() on:keydown=on_key>
                        <title>"Close this network (back to one box)"</title>
                    </rect>
                }
            })
        };
        view! {
            <g class="group" class:lit=lit data-network=network data-testid=testids::GRAPH_GROUP>
                <title>{title}</title>
                <rect x=x y=y width=w height=h rx="8"></rect>
                <text x=x + TEXT_INSET y=y + GROUP_LABEL_BASELINE class="group-label">{group.text.clone()}{detail}</text>
                {closer}
                {badge}
            </g>
        }
        .into_any()
    }
}

/// A line; a route into a container the proxy cannot deliver to is drawn broken, with a badge.
#[component]
fn EdgeLine(edge: Edge, focus: Signal<Focus>, badges: Signal<GraphBadges>) -> impl IntoView {
    let key = edge_key(&edge);
    let problem = {
        let edge = edge.clone();
        move || badges.with(|b| edge_badge(b, &edge))
    };
    let class = {
        let problem = problem.clone();
        move || match problem() {
            Some((severity, _)) => format!(
                "{} broken {}",
                edge_class(edge.kind),
                severity_class(severity)
            ),
            None => edge_class(edge.kind).to_owned(),
        }
    };
    let lit = {
        let key = key.clone();
        move || focus.with(|f| f.edges.contains(&key))
    };
    let badge_lit = move || focus.with(|f| f.edges.contains(&key));
    // In the gutter where the line turns towards its end: beside the group, never on a label.
    let mark_at = edge
        .points
        .len()
        .checked_sub(if edge.points.len() >= 4 { 3 } else { 2 })
        .and_then(|i| edge.points.get(i))
        .copied();
    view! {
        <polyline class=class class:lit=lit points=points(&edge.points) marker-end="url(#arrow)"
            data-from=edge.from.clone() data-to=edge.to.clone()></polyline>
        {move || problem().zip(mark_at).map(|(b, (x, y))| {
            let badge_lit = badge_lit.clone();
            view! { <g class="edge-badge" class:lit=badge_lit>{badge_mark(b, x, y)}</g> }
        })}
    }
}

#[component]
fn GraphNode(
    node: NodeBox,
    selected: Signal<Option<String>>,
    focus: Signal<Focus>,
    badges: Signal<GraphBadges>,
    on_select: Callback<String>,
) -> impl IntoView {
    let selectable = matches!(node.kind, NodeKind::Container | NodeKind::Proxy);
    let id = node.id.clone();
    let is_selected = {
        let id = id.clone();
        move || selected.with(|s| s.as_deref() == Some(id.as_str()))
    };
    let lit = {
        let id = id.clone();
        move || focus.with(|f| f.nodes.contains(&id))
    };
    let badge = {
        let node = node.clone();
        move || badges.with(|b| node_badge(b, &node))
    };
    let (x, y, w) = (node.x, node.y, node.w);
    // The Internet and the host are smaller: their one line is centred.
    let text_y = if node.h < NODE_HEIGHT {
        node.h / 2.0 + 4.5
    } else {
        LABEL_BASELINE
    };
    let select = {
        let id = id.clone();
        move || {
            if selectable {
                on_select.run(id.clone());
            }
        }
    };
    let select_on_key = select.clone();
    let aria_label = node.title.lines().take(2).collect::<Vec<_>>().join(", ");
    view! {
        <g
            class=node_class(node.kind)
            class:selected=is_selected
            class:lit=lit
            data-testid=testids::GRAPH_NODE
            data-node=id.clone()
            tabindex=if selectable { "0" } else { "-1" }
            role=if selectable { "button" } else { "presentation" }
            aria-label=aria_label
            on:click=move |_| select()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    select_on_key();
                }
            }
        >
            <title>{node.title.clone()}</title>
            <rect x=node.x y=node.y width=node.w height=node.h rx="6"></rect>
            <text x=x + TEXT_INSET y=y + text_y class="node-label">
                {node.text.clone()}
                {node.detail.clone().map(|d| view! { <tspan class="detail">{format!(" {d}")}</tspan> })}
            </text>
            {move || badge().map(|b| badge_mark(b, x + w - 2.0, y + 2.0))}
        </g>
    }
}

/// The graph's look for a downloaded picture: the page's CSS does not travel with the file.
const EXPORT_STYLE: &str = "
text { font-family: 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace; }
.group rect { fill: #eef1f5; stroke: #dde1e6; stroke-width: 1.5; }
.group .group-closer { fill: transparent; stroke: none; }
.group-label { font-weight: 600; font-size: 13px; fill: #5b6570; }
.group-counts { font-size: 11px; fill: #5b6570; }
.node rect { fill: #fff; stroke: #c5ccd4; stroke-width: 1.5; }
.node-label { font-weight: 600; font-size: 13px; fill: #1b1f24; }
.detail { font-weight: 400; fill: #5b6570; }
.node.internet rect, .node.host rect { fill: #f6f7f9; stroke-dasharray: 4 3; }
.node.domain rect, .node.proxy rect, .node.selected rect { stroke: #2f6fde; }
.node.proxy rect { stroke-width: 2.5; }
.node.selected rect { stroke-width: 3; }
.node.hostport rect { stroke: #b26b00; }
.edge { fill: none; stroke-width: 1.6; }
.edge.route { stroke: #2f6fde; }
.edge.published { stroke: #b26b00; }
.edge.attachment { stroke: #5b6570; stroke-dasharray: 2 3; }
.edge.broken { stroke-width: 2.4; stroke-dasharray: 8 5; }
.edge.broken.blocking { stroke: #c62f2f; }
.edge.broken.warning { stroke: #b26b00; }
.arrowhead { fill: #5b6570; }
.badge circle { stroke: #fff; stroke-width: 2; }
.badge text { font-family: sans-serif; font-weight: 700; font-size: 11px; fill: #fff; }
.badge.blocking circle { fill: #c62f2f; }
.badge.warning circle { fill: #b26b00; }
.badge.info circle { fill: #2f6fde; }
.focused .node:not(.lit), .focused .group:not(.lit), .focused .edge:not(.lit), .focused .edge-badge:not(.lit) { opacity: 0.25; }
.focused .edge.lit { stroke-width: 2.6; }
.caption { font-family: sans-serif; font-size: 12px; fill: #5b6570; }
";

/// Downloads of the picture: the SVG as shown (its current view), styled for use outside the
/// page, and the same drawn on a canvas as PNG.
mod export {
    use super::{ViewBox, EXPORT_STYLE};
    use leptos::prelude::*;

    #[cfg(feature = "hydrate")]
    pub fn download(
        svg: NodeRef<leptos::svg::Svg>,
        view: ViewBox,
        caption: &str,
        file: &str,
        png: bool,
    ) {
        let Some(svg) = svg.get_untracked() else {
            return;
        };
        let (w, h) = (
            f64::from(svg.client_width()).max(1.0),
            f64::from(svg.client_height()).max(1.0),
        );
        let Some(text) = standalone(&svg, view, caption, w, h) else {
            return;
        };
        if png {
            let file = format!("{file}.png");
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = to_png(&text, w, h, &file).await {
                    leptos::logging::warn!("PNG export failed: {e:?}");
                }
            });
        } else {
            crate::components::download::save_text(
                &text,
                "image/svg+xml;charset=utf-8",
                &format!("{file}.svg"),
            );
        }
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn download(
        _svg: NodeRef<leptos::svg::Svg>,
        _view: ViewBox,
        _caption: &str,
        _file: &str,
        _png: bool,
    ) {
        let _ = EXPORT_STYLE;
    }

    /// The SVG element cloned as a file of its own: the current view, a white background, the
    /// styles inline and the caption in the bottom-right corner.
    #[cfg(feature = "hydrate")]
    fn standalone(
        svg: &web_sys::SvgElement,
        view: ViewBox,
        caption: &str,
        w: f64,
        h: f64,
    ) -> Option<String> {
        use wasm_bindgen::JsCast;
        const NS: &str = "http://www.w3.org/2000/svg";
        let copy: web_sys::Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
        copy.set_attribute("xmlns", NS).ok()?;
        copy.set_attribute("viewBox", &view.attribute()).ok()?;
        copy.set_attribute("width", &format!("{w:.0}")).ok()?;
        copy.set_attribute("height", &format!("{h:.0}")).ok()?;
        for attribute in ["tabindex", "data-testid", "style"] {
            let _ = copy.remove_attribute(attribute);
        }
        let document = svg.owner_document()?;
        let style = document.create_element_ns(Some(NS), "style").ok()?;
        style.set_text_content(Some(EXPORT_STYLE));
        let background = document.create_element_ns(Some(NS), "rect").ok()?;
        for (k, v) in [
            ("x", view.x),
            ("y", view.y),
            ("width", view.w),
            ("height", view.h),
        ] {
            background.set_attribute(k, &format!("{v:.1}")).ok()?;
        }
        background.set_attribute("fill", "#ffffff").ok()?;
        let first = copy.first_child();
        copy.insert_before(&style, first.as_ref()).ok()?;
        copy.insert_before(&background, first.as_ref()).ok()?;
        // 12 px on the picture whatever the zoom.
        let unit = (view.w / w).max(view.h / h);
        let label = document.create_element_ns(Some(NS), "text").ok()?;
        label.set_attribute("class", "caption").ok()?;
        label
            .set_attribute("x", &format!("{:.1}", view.x + view.w - 8.0 * unit))
            .ok()?;
        label
            .set_attribute("y", &format!("{:.1}", view.y + view.h - 8.0 * unit))
            .ok()?;
        label.set_attribute("text-anchor", "end").ok()?;
        label
            .set_attribute("style", &format!("font-size:{:.2}px", 12.0 * unit))
            .ok()?;
        label.set_text_content(Some(caption));
        copy.append_child(&label).ok()?;
        web_sys::XmlSerializer::new()
            .ok()?
            .serialize_to_string(&copy)
            .ok()
    }

    /// Draws the SVG on a canvas at twice its size (sharp on high-density screens) and saves
    /// the canvas as PNG. The SVG goes in as a `data:` URL, which the page's CSP allows for
    /// images and which leaves the canvas untainted.
    #[cfg(feature = "hydrate")]
    async fn to_png(text: &str, w: f64, h: f64, file: &str) -> Result<(), wasm_bindgen::JsValue> {
        use wasm_bindgen::JsCast;
        let scale = 2.0;
        let image = web_sys::HtmlImageElement::new()?;
        let encoded: String = web_sys::js_sys::encode_uri_component(text).into();
        image.set_src(&format!("data:image/svg+xml;charset=utf-8,{encoded}"));
        wasm_bindgen_futures::JsFuture::from(image.decode()).await?;
        let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
        canvas.set_width((w * scale) as u32);
        canvas.set_height((h * scale) as u32);
        let context: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")?
            .ok_or_else(|| wasm_bindgen::JsValue::from_str("no 2d context"))?
            .dyn_into()?;
        context.draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            w * scale,
            h * scale,
        )?;
        let promise = web_sys::js_sys::Promise::new(&mut |resolve, _reject| {
            let _ = canvas.to_blob_with_type(&resolve, "image/png");
        });
        let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(promise)
            .await?
            .dyn_into()
            .map_err(|_| wasm_bindgen::JsValue::from_str("the canvas gave no PNG"))?;
        crate::components::download::save_blob(&blob, file);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloaded_files_are_named_after_the_host_and_the_minute() {
        assert_eq!(
            file_name(Some("my host.example"), 1_764_238_503_123),
            "netdoctor-graph-my-host-example-2025-11-27-10-15"
        );
        assert_eq!(file_name(None, 0), "netdoctor-graph-host-1970-01-01-00-00");
    }
}
