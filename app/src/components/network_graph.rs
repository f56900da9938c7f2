//! The network picture as SVG. It only draws what `domain::layout` computed; zoom and pan move
//! the viewBox (mouse wheel, drag, or the keyboard: + − arrows 0), and a node is selected by
//! click or Enter.

use crate::components::findings_list::severity_class;
use crate::domain::graph::{edge_badge, group_badge, node_badge, Badge, GraphBadges};
use crate::domain::layout::{
    EdgeKind, Layout, NodeKind, GROUP_LABEL_BASELINE, LABEL_BASELINE, SUBLABEL_BASELINE, TEXT_INSET,
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

#[component]
pub fn NetworkGraph(
    #[prop(into)] layout: Signal<Layout>,
    #[prop(into)] selected: Signal<Option<String>>,
    #[prop(into)] badges: Signal<GraphBadges>,
    #[prop(into)] on_select: Callback<String>,
) -> impl IntoView {
    let view = RwSignal::new(None::<ViewBox>);
    // A new layout (filter changed) starts fitted.
    Effect::new(move |_| {
        layout.track();
        view.set(None);
    });
    let current = move || view.get().unwrap_or_else(|| layout.with(ViewBox::fit));
    let view_box = move || {
        let v = current();
        format!("{:.1} {:.1} {:.1} {:.1}", v.x, v.y, v.w, v.h)
    };
    let zoom = move |factor: f64| view.set(Some(current().zoom(factor)));
    let pan_by = move |fx: f64, fy: f64| {
        let v = current();
        view.set(Some(v.pan(v.w * fx, v.h * fy)));
    };

    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
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

    let groups = move || layout.with(|l| l.groups.clone());
    let edges = move || layout.with(|l| l.edges.clone());
    let nodes = move || layout.with(|l| l.nodes.clone());

    view! {
        <div class="graph-frame">
            <div class="graph-controls" role="group" aria-label="Zoom">
                <button type="button" on:click=move |_| zoom(1.0 / ZOOM_STEP) aria-label="Zoom in" title="Zoom in (+)">"+"</button>
                <button type="button" on:click=move |_| zoom(ZOOM_STEP) aria-label="Zoom out" title="Zoom out (−)">"−"</button>
                <button type="button" on:click=move |_| view.set(None) title="Fit the whole picture (0)">"Fit"</button>
            </div>
            <svg
                node_ref=svg_ref
                class="graph"
                data-testid=testids::GRAPH
                viewBox=view_box
                preserveAspectRatio="xMidYMin meet"
                tabindex="0"
                role="img"
                aria-label="Network graph: Internet, domains, proxy, networks and containers. + and − zoom, arrows pan, 0 fits."
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
                <For each=groups key=|g| (g.network.clone(), g.x.to_bits(), g.y.to_bits(), g.w.to_bits(), g.h.to_bits()) let:g>
                    <g class="group" data-network=g.network.clone()>
                        <rect x=g.x y=g.y width=g.w height=g.h rx="10"></rect>
                        <title>{g.label.clone()}</title>
                        <text x=g.x + TEXT_INSET y=g.y + GROUP_LABEL_BASELINE class="group-label">{g.text.clone()}</text>
                        {
                            let group = g.clone();
                            move || badges.with(|b| group_badge(b, &group)).map(|b| badge_mark(b, g.x + g.w - 12.0, g.y + 12.0))
                        }
                    </g>
                </For>
                <For each=edges key=|e| (e.from.clone(), e.to.clone(), e.kind, points(&e.points)) let:e>
                    <EdgeLine edge=e badges/>
                </For>
                <For each=nodes key=|n| (n.id.clone(), n.label.clone(), n.sublabel.clone(), n.x.to_bits(), n.y.to_bits()) let:n>
                    <GraphNode node=n selected badges on_select/>
                </For>
            </svg>
        </div>
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

/// A line; a route into a container the proxy cannot deliver to is drawn broken, with a badge.
#[component]
fn EdgeLine(edge: crate::domain::layout::Edge, badges: Signal<GraphBadges>) -> impl IntoView {
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
    let mark_at = edge
        .points
        .len()
        .checked_sub(2)
        .and_then(|i| edge.points.get(i))
        .copied();
    view! {
        <polyline class=class points=points(&edge.points) marker-end="url(#arrow)"></polyline>
        {move || problem().zip(mark_at).map(|(b, (x, y))| badge_mark(b, x, y))}
    }
}

#[component]
fn GraphNode(
    node: crate::domain::layout::NodeBox,
    selected: Signal<Option<String>>,
    badges: Signal<GraphBadges>,
    on_select: Callback<String>,
) -> impl IntoView {
    let selectable = matches!(node.kind, NodeKind::Container | NodeKind::Proxy);
    let id = node.id.clone();
    let is_selected = {
        let id = id.clone();
        move || selected.with(|s| s.as_deref() == Some(id.as_str()))
    };
    let badge = {
        let node = node.clone();
        move || badges.with(|b| node_badge(b, &node))
    };
    let (x, y, w) = (node.x, node.y, node.w);
    // Boxes with one line centre it.
    let text_y = if node.sublabel.is_some() {
        LABEL_BASELINE
    } else {
        node.h / 2.0 + 4.5
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
    view! {
        <g
            class=node_class(node.kind)
            class:selected=is_selected
            data-testid=testids::GRAPH_NODE
            data-node=id.clone()
            tabindex=if selectable { "0" } else { "-1" }
            role=if selectable { "button" } else { "presentation" }
            aria-label=node.label.clone()
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
            <text x=x + TEXT_INSET y=y + text_y class="node-label">{node.text.clone()}</text>
            {node.sublabel.clone().map(|s| view! { <text x=x + TEXT_INSET y=y + SUBLABEL_BASELINE class="node-sublabel">{s}</text> })}
            {move || badge().map(|b| badge_mark(b, x + w - 2.0, y + 2.0))}
        </g>
    }
}
