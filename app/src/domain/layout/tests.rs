#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn net(id: &str) -> NetworkIn {
    NetworkIn {
        id: id.to_owned(),
        label: id.to_owned(),
        note: None,
    }
}

fn container(id: &str, networks: &[&str]) -> ContainerIn {
    ContainerIn {
        id: id.to_owned(),
        label: id.to_owned(),
        networks: networks.iter().map(|n| (*n).to_owned()).collect(),
        ..ContainerIn::default()
    }
}

fn proxy(id: &str, networks: &[&str]) -> ContainerIn {
    ContainerIn {
        is_proxy: true,
        ports: vec!["443/tcp".to_owned(), "80/tcp".to_owned()],
        published: vec!["0.0.0.0:443".to_owned(), "0.0.0.0:80".to_owned()],
        ..container(id, networks)
    }
}

fn domain(host: &str, containers: &[&str], tls: bool) -> DomainIn {
    DomainIn {
        host: host.to_owned(),
        containers: containers.iter().map(|c| (*c).to_owned()).collect(),
        tls,
    }
}

/// The SVG's box in a 1440×900 window, measured in Chromium: the window's own bars leave a
/// 1440×757 page, the side panel and the toolbar leave this.
const FRAME: (f64, f64) = (1047.0, 621.0);

fn fitted(input: &LayoutInput) -> Layout {
    layout(input, &LayoutOptions::fitted(FRAME.0 / FRAME.1))
}

fn plain(input: &LayoutInput) -> Layout {
    layout(input, &LayoutOptions::default())
}

/// One Coolify server: the coolify network, two stacks, an unused network, a bare container.
fn coolify_like() -> LayoutInput {
    let mut web = container("web-a", &["stack-a", "coolify"]);
    web.ports = vec!["3000/tcp".to_owned()];
    let mut db = container("db-a", &["stack-a"]);
    db.ports = vec!["5432/tcp".to_owned()];
    db.published = vec!["0.0.0.0:5433".to_owned()];
    let mut dashboard = container("coolify", &["coolify"]);
    dashboard.published = vec!["0.0.0.0:8000".to_owned()];
    LayoutInput {
        networks: vec![
            net("coolify"),
            net("stack-a"),
            net("stack-b"),
            net("unused"),
        ],
        containers: vec![
            proxy("coolify-proxy", &["coolify", "stack-a", "stack-b"]),
            dashboard,
            container("coolify-db", &["coolify"]),
            container("coolify-redis", &["coolify"]),
            container("coolify-realtime", &["coolify"]),
            web,
            container("api-a", &["stack-a"]),
            db,
            container("web-b", &["stack-b"]),
            container("sidecar", &[]),
        ],
        domains: vec![
            domain("app.example.com", &["web-a"], true),
            domain("api.example.com", &["api-a"], true),
            domain("coolify.example.com", &["coolify"], false),
        ],
    }
}

/// Tiny deterministic generator (PCG constants), so tests need no `rand`.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// `containers` over `networks`, skewed (a few big networks, many small), a proxy on all of
/// them, every 5th container routed, every 10th publishing a port.
pub(super) fn generated(containers: usize, networks: usize, seed: u64) -> LayoutInput {
    let mut rng = Lcg(seed);
    let nets: Vec<NetworkIn> = (0..networks)
        .map(|i| NetworkIn {
            id: format!("nid{i:03}"),
            label: format!("net-{}", rng.below(networks * 2)),
            note: None,
        })
        .collect();
    let all: Vec<&str> = nets.iter().map(|n| n.id.as_str()).collect();
    let mut list = vec![proxy("proxy", &all)];
    let mut domains = Vec::new();
    for i in 0..containers {
        let attached = match rng.below(20) {
            0 => 0,
            1..=12 => 1,
            13..=17 => 2,
            _ => 3,
        };
        let picked: Vec<&str> = (0..attached)
            .map(|_| all[rng.below(networks) * rng.below(networks) / networks])
            .collect();
        let mut c = container(&format!("c{i}"), &picked);
        c.label = format!("svc-{}", rng.below(containers));
        c.ports = (0..rng.below(5))
            .map(|p| format!("{}/tcp", 3000 + p))
            .collect();
        if rng.below(10) == 0 {
            c.published = vec![format!("0.0.0.0:{}", 5000 + i)];
        }
        if i % 5 == 0 {
            domains.push(domain(&format!("c{i}.example.com"), &[&c.id], i % 2 == 0));
        }
        list.push(c);
    }
    LayoutInput {
        networks: nets,
        containers: list,
        domains,
    }
}

/// `containers` spread evenly over `networks` (like the browser tests' hosts), a proxy on all,
/// every 4th container routed.
fn even(containers: usize, networks: usize) -> LayoutInput {
    let nets: Vec<NetworkIn> = (0..networks)
        .map(|i| net(&format!("nd-test-net-{i}")))
        .collect();
    let all: Vec<&str> = nets.iter().map(|n| n.id.as_str()).collect();
    let mut list = vec![proxy("coolify-proxy", &all)];
    let mut domains = Vec::new();
    for i in 0..containers {
        let mut c = container(&format!("nd-test-app-{i:03}"), &[all[i % networks]]);
        c.ports = vec!["80/tcp".to_owned()];
        if i % 4 == 0 {
            domains.push(domain(&format!("app{i}.example.com"), &[&c.id], true));
        }
        list.push(c);
    }
    LayoutInput {
        networks: nets,
        containers: list,
        domains,
    }
}

fn closed_all(input: &LayoutInput) -> LayoutOptions {
    LayoutOptions {
        aspect: FRAME.0 / FRAME.1,
        closed: input
            .networks
            .iter()
            .map(|n| n.id.clone())
            .chain([NO_NETWORK_ID.to_owned()])
            .collect(),
    }
}

fn shuffled(input: &LayoutInput, seed: u64) -> LayoutInput {
    let mut rng = Lcg(seed);
    let mut input = input.clone();
    rng.shuffle(&mut input.networks);
    rng.shuffle(&mut input.containers);
    rng.shuffle(&mut input.domains);
    for c in &mut input.containers {
        rng.shuffle(&mut c.networks);
        rng.shuffle(&mut c.ports);
        rng.shuffle(&mut c.published);
    }
    for d in &mut input.domains {
        rng.shuffle(&mut d.containers);
    }
    input
}

fn node<'l>(layout: &'l Layout, id: &str) -> &'l NodeBox {
    layout.nodes.iter().find(|n| n.id == id).expect(id)
}

fn group<'l>(layout: &'l Layout, id: &str) -> &'l GroupBox {
    layout.groups.iter().find(|g| g.network == id).expect(id)
}

fn has_edge(layout: &Layout, from: &str, to: &str, kind: EdgeKind) -> bool {
    layout
        .edges
        .iter()
        .any(|e| e.from == from && e.to == to && e.kind == kind)
}

fn edges_from<'l>(layout: &'l Layout, from: &str, kind: EdgeKind) -> Vec<&'l str> {
    let mut to: Vec<&str> = layout
        .edges
        .iter()
        .filter(|e| e.from == from && e.kind == kind)
        .map(|e| e.to.as_str())
        .collect();
    to.sort_unstable();
    to
}

type Box4 = (f64, f64, f64, f64);

fn overlaps(a: Box4, b: Box4) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

fn node_box4(n: &NodeBox) -> Box4 {
    (n.x, n.y, n.w, n.h)
}

fn group_box4(g: &GroupBox) -> Box4 {
    (g.x, g.y, g.w, g.h)
}

fn on_border((px, py): (f64, f64), (x, y, w, h): Box4) -> bool {
    let tol = 0.5;
    let within = px >= x - tol && px <= x + w + tol && py >= y - tol && py <= y + h + tol;
    let near = (px - x).abs() <= tol
        || (px - (x + w)).abs() <= tol
        || (py - y).abs() <= tol
        || (py - (y + h)).abs() <= tol;
    within && near
}

/// Whether the segment a–b (axis-aligned) enters the inside of the box.
fn crosses((ax, ay): (f64, f64), (bx, by): (f64, f64), (x, y, w, h): Box4) -> bool {
    let (x0, x1) = (ax.min(bx), ax.max(bx));
    let (y0, y1) = (ay.min(by), ay.max(by));
    x1 > x && x0 < x + w && y1 > y && y0 < y + h
}

fn assert_no_overlaps(layout: &Layout) {
    for (i, a) in layout.nodes.iter().enumerate() {
        for b in &layout.nodes[i + 1..] {
            assert!(
                !overlaps(node_box4(a), node_box4(b)),
                "{} overlaps {}",
                a.id,
                b.id
            );
        }
        if a.group.is_none() {
            for g in &layout.groups {
                assert!(
                    !overlaps(node_box4(a), group_box4(g)),
                    "{} lies on {}",
                    a.id,
                    g.network
                );
            }
        }
    }
    for (i, a) in layout.groups.iter().enumerate() {
        for b in &layout.groups[i + 1..] {
            assert!(
                !overlaps(group_box4(a), group_box4(b)),
                "{} overlaps {}",
                a.network,
                b.network
            );
        }
    }
}

fn assert_containers_inside_groups(layout: &Layout) {
    for n in layout
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Container)
    {
        let g = group(layout, n.group.as_deref().expect("container has a group"));
        assert!(
            !g.closed,
            "{} is drawn in the closed group {}",
            n.id, g.network
        );
        assert!(n.x >= g.x + GROUP_PADDING, "{}", n.id);
        assert!(n.x + n.w <= g.x + g.w - GROUP_PADDING, "{}", n.id);
        assert!(
            n.y >= g.y + GROUP_LABEL_HEIGHT,
            "{} enters the label band",
            n.id
        );
        assert!(n.y + n.h <= g.y + g.h - GROUP_PADDING, "{}", n.id);
    }
}

fn assert_edges_on_borders(layout: &Layout) {
    for e in &layout.edges {
        assert!(e.points.len() >= 2, "{} -> {}", e.from, e.to);
        let from = node_box4(node(layout, &e.from));
        let to = if e.to_group {
            group_box4(group(layout, &e.to))
        } else {
            node_box4(node(layout, &e.to))
        };
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        assert!(on_border(first, from), "{} -> {} starts off", e.from, e.to);
        assert!(on_border(last, to), "{} -> {} ends off", e.from, e.to);
    }
}

/// No line passes through a group it neither starts in nor ends at, nor through a box other
/// than its two ends.
fn assert_edges_go_around(layout: &Layout) {
    for e in &layout.edges {
        let from = node(layout, &e.from);
        let mut own: Vec<&str> = from.group.iter().map(String::as_str).collect();
        if e.to_group {
            own.push(&e.to);
        } else if let Some(g) = &node(layout, &e.to).group {
            own.push(g);
        }
        for w in e.points.windows(2) {
            for g in layout
                .groups
                .iter()
                .filter(|g| !own.contains(&g.network.as_str()))
            {
                assert!(
                    !crosses(w[0], w[1], group_box4(g)),
                    "{} -> {} ({:?}) crosses the group {} at {:?}",
                    e.from,
                    e.to,
                    e.kind,
                    g.network,
                    w
                );
            }
            for n in layout
                .nodes
                .iter()
                .filter(|n| n.id != e.from && (e.to_group || n.id != e.to))
            {
                assert!(
                    !crosses(w[0], w[1], node_box4(n)),
                    "{} -> {} ({:?}) crosses the box of {} at {:?}",
                    e.from,
                    e.to,
                    e.kind,
                    n.id,
                    w
                );
            }
        }
    }
}

fn assert_coordinates_in_bounds(layout: &Layout) {
    let (w, h) = (layout.width, layout.height);
    assert!(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0);
    let in_bounds =
        |x: f64, y: f64| x.is_finite() && y.is_finite() && x >= 0.0 && y >= 0.0 && x <= w && y <= h;
    for b in layout
        .nodes
        .iter()
        .map(node_box4)
        .chain(layout.groups.iter().map(group_box4))
    {
        assert!(
            in_bounds(b.0, b.1) && in_bounds(b.0 + b.2, b.1 + b.3),
            "{b:?}"
        );
    }
    for e in &layout.edges {
        for &(x, y) in &e.points {
            assert!(in_bounds(x, y), "{} -> {} at {x},{y}", e.from, e.to);
        }
    }
}

/// Drawn text fits its box (monospace: every character is [`CHAR_WIDTH`] em wide).
fn assert_text_fits(layout: &Layout) {
    let width = |text: &str, font: f64| text.chars().count() as f64 * font * CHAR_WIDTH;
    for n in &layout.nodes {
        let line = match &n.detail {
            Some(d) => format!("{} {d}", n.text),
            None => n.text.clone(),
        };
        assert!(
            width(&line, LABEL_FONT) <= n.w - 2.0 * TEXT_INSET - BADGE_ROOM,
            "{}: {line}",
            n.id
        );
    }
    for g in &layout.groups {
        let line = match &g.detail {
            Some(d) => format!("{} {d}", g.text),
            None => g.text.clone(),
        };
        assert!(
            width(&line, LABEL_FONT) <= g.w - 2.0 * TEXT_INSET - BADGE_ROOM,
            "{}",
            g.network
        );
        if g.closed {
            assert!(
                width(&g.summary, SUBLABEL_FONT) <= g.w - 2.0 * TEXT_INSET,
                "{}",
                g.network
            );
        }
    }
}

fn assert_well_formed(layout: &Layout) {
    assert_no_overlaps(layout);
    assert_containers_inside_groups(layout);
    assert_edges_on_borders(layout);
    assert_edges_go_around(layout);
    assert_coordinates_in_bounds(layout);
    assert_text_fits(layout);
    for e in &layout.edges {
        for w in e.points.windows(2) {
            assert!(
                w[0].0 == w[1].0 || w[0].1 == w[1].1,
                "{} -> {} is not orthogonal",
                e.from,
                e.to
            );
        }
    }
}

/// How large a label is drawn, in CSS px, when the layout is fitted into `frame`.
fn label_px(layout: &Layout, frame: (f64, f64)) -> f64 {
    (frame.0 / layout.width).min(frame.1 / layout.height) * LABEL_FONT
}

/// The drawing's shape against the viewport's: 1.0 when it fills it, 0.5 when half is empty.
fn fill(layout: &Layout, aspect: f64) -> f64 {
    let drawn = layout.width / layout.height;
    (drawn / aspect).min(aspect / drawn)
}

#[test]
fn a_coolify_server_is_well_formed_at_every_viewport_shape() {
    for aspect in [0.6, 1.0, 1.39, 2.2] {
        let l = layout(&coolify_like(), &LayoutOptions::fitted(aspect));
        assert_well_formed(&l);
        assert_eq!(l.groups.len(), 5, "4 networks and the no-network group");
    }
}

#[test]
fn three_hundred_containers_on_forty_networks_are_well_formed_open_and_closed() {
    let input = generated(300, 40, 7);
    let open = fitted(&input);
    assert_eq!(
        open.nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Container)
            .count(),
        300
    );
    assert_eq!(open.groups.len(), 41);
    assert_well_formed(&open);
    assert_well_formed(&layout(&input, &closed_all(&input)));
}

#[test]
fn the_drawing_takes_the_shape_of_the_viewport() {
    let inputs = [
        ("18 containers", even(18, 6)),
        ("40 containers", even(40, 8)),
        ("coolify-like", coolify_like()),
        ("300 generated", generated(300, 40, 3)),
    ];
    for (name, input) in &inputs {
        for aspect in [0.75, 1.0, 1.39, 1.8] {
            let l = layout(input, &LayoutOptions::fitted(aspect));
            let f = fill(&l, aspect);
            // Ten containers cannot take every shape; the larger pictures must.
            let least = if *name == "coolify-like" { 0.6 } else { 0.75 };
            assert!(
                f >= least,
                "{name} at aspect {aspect}: the drawing is {:.0}×{:.0}, filling {:.0} % of the viewport",
                l.width,
                l.height,
                f * 100.0
            );
        }
    }
    let input = generated(300, 40, 3);
    for aspect in [0.75, 1.39, 1.8] {
        let l = layout(
            &input,
            &LayoutOptions {
                aspect,
                ..closed_all(&input)
            },
        );
        assert!(
            fill(&l, aspect) >= 0.75,
            "the overview at {aspect}: {:.0}×{:.0}",
            l.width,
            l.height
        );
    }
}

#[test]
fn up_to_forty_containers_read_at_eleven_pixels_or_more_fitted_in_a_1440_by_900_window() {
    for (containers, networks) in [
        (10, 3),
        (18, 6),
        (20, 5),
        (30, 6),
        (40, 8),
        (40, 12),
        (40, 4),
    ] {
        let l = fitted(&even(containers, networks));
        let px = label_px(&l, FRAME);
        assert!(
            px >= 11.0,
            "{containers} containers on {networks} networks: labels {px:.1} px (drawing {:.0}×{:.0})",
            l.width,
            l.height
        );
    }
    let l = fitted(&coolify_like());
    assert!(label_px(&l, FRAME) >= 11.0, "{}", label_px(&l, FRAME));
}

#[test]
fn the_flow_reads_top_down_domains_proxy_networks() {
    let l = fitted(&coolify_like());
    let internet = node(&l, INTERNET_ID);
    let domain = node(&l, &domain_node_id("app.example.com"));
    let proxy = node(&l, "coolify-proxy");
    assert!(
        internet.x + internet.w < domain.x,
        "the Internet heads the domains' row"
    );
    assert!(internet.y >= domain.y && internet.y + internet.h <= domain.y + domain.h);
    assert!(domain.y + domain.h < proxy.y);
    for g in &l.groups {
        assert!(proxy.y + proxy.h < g.y, "{} is below the proxy", g.network);
    }
    assert!(!l.edges.is_empty());
    // Only the proxy's own host ports come in from the side (the host heads the proxy's row).
    let sideways = |e: &Edge| e.kind == EdgeKind::Published && e.to == "coolify-proxy";
    for e in l
        .edges
        .iter()
        .filter(|e| e.kind != EdgeKind::Attachment && !sideways(e))
    {
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        assert!(last.1 > first.1, "{} -> {} runs downwards", e.from, e.to);
    }
}

#[test]
fn every_container_lies_inside_its_group_below_the_label() {
    assert_containers_inside_groups(&plain(&coolify_like()));
    assert_containers_inside_groups(&plain(&generated(300, 40, 11)));
}

#[test]
fn a_container_on_two_networks_lives_in_the_bigger_one_and_is_attached_to_the_other() {
    let input = LayoutInput {
        networks: vec![net("small"), net("big")],
        containers: vec![
            container("a", &["big"]),
            container("b", &["big"]),
            container("both", &["small", "big"]),
            container("d", &["small"]),
        ],
        domains: Vec::new(),
    };
    let layout = plain(&input);
    assert_eq!(node(&layout, "both").group.as_deref(), Some("big"));
    assert_eq!(edges_from(&layout, "both", EdgeKind::Attachment), ["small"]);
    assert_eq!(layout.nodes.iter().filter(|n| n.id == "both").count(), 1);
    assert_eq!(homes(&input).get("both").map(String::as_str), Some("big"));
    assert_eq!(group(&layout, "small").counts.elsewhere, 1);
}

#[test]
fn a_tie_between_networks_goes_to_the_smallest_label() {
    let input = LayoutInput {
        networks: vec![
            NetworkIn {
                id: "n1".to_owned(),
                label: "zeta".to_owned(),
                note: None,
            },
            NetworkIn {
                id: "n2".to_owned(),
                label: "alpha".to_owned(),
                note: Some("internal".to_owned()),
            },
        ],
        containers: vec![container("x", &["n1", "n2"])],
        domains: Vec::new(),
    };
    let layout = plain(&input);
    assert_eq!(node(&layout, "x").group.as_deref(), Some("n2"));
    assert_eq!(edges_from(&layout, "x", EdgeKind::Attachment), ["n1"]);
}

#[test]
fn the_proxy_sits_outside_groups_with_an_attachment_per_network() {
    let layout = plain(&coolify_like());
    let p = node(&layout, "coolify-proxy");
    assert_eq!(p.kind, NodeKind::Proxy);
    assert_eq!(p.group, None);
    assert_eq!(
        edges_from(&layout, "coolify-proxy", EdgeKind::Attachment),
        ["coolify", "stack-a", "stack-b"]
    );
    assert_eq!(p.detail.as_deref(), Some(":80 +1"));
}

#[test]
fn domains_route_from_the_internet_through_the_proxy_to_the_container() {
    let layout = plain(&coolify_like());
    let d = domain_node_id("app.example.com");
    assert_eq!(node(&layout, &d).detail, None, "https is the norm");
    let plain = node(&layout, &domain_node_id("coolify.example.com"));
    assert_eq!(plain.detail.as_deref(), Some("http"));
    assert!(plain.title.starts_with("http://coolify.example.com"));
    assert!(has_edge(&layout, &d, "coolify-proxy", EdgeKind::Route));
    assert!(has_edge(&layout, "coolify-proxy", "web-a", EdgeKind::Route));
    assert!(!has_edge(&layout, &d, "web-a", EdgeKind::Route));
    let hosts: Vec<&str> = layout
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Domain)
        .map(|n| n.label.as_str())
        .collect();
    assert_eq!(
        hosts,
        ["api.example.com", "app.example.com", "coolify.example.com"]
    );
}

#[test]
fn every_line_names_the_containers_it_leads_to() {
    let layout = plain(&coolify_like());
    let serves = |from: &str, to: &str| {
        layout
            .edges
            .iter()
            .find(|e| e.from == from && e.to == to)
            .map(|e| e.serves.clone())
            .expect("edge")
    };
    let d = domain_node_id("app.example.com");
    assert_eq!(serves(&d, "coolify-proxy"), ["web-a"]);
    assert_eq!(serves("coolify-proxy", "web-a"), ["web-a"]);
    assert_eq!(
        serves("coolify-proxy", "stack-a"),
        ["api-a", "db-a", "web-a"]
    );
    assert_eq!(serves(&host_port_node_id("0.0.0.0:5433"), "db-a"), ["db-a"]);
}

#[test]
fn without_a_proxy_domains_route_straight_to_their_containers() {
    let input = LayoutInput {
        networks: vec![net("n")],
        containers: vec![container("web", &["n"])],
        domains: vec![domain("web.example.com", &["web", "missing"], false)],
    };
    let layout = plain(&input);
    assert_eq!(
        edges_from(&layout, &domain_node_id("web.example.com"), EdgeKind::Route),
        ["web"]
    );
    assert_well_formed(&layout);
}

#[test]
fn a_published_port_gets_a_host_port_node_entered_from_the_host() {
    let layout = plain(&coolify_like());
    let id = host_port_node_id("0.0.0.0:5433");
    let hp = node(&layout, &id);
    assert_eq!(
        (hp.kind, hp.label.as_str()),
        (NodeKind::HostPort, "0.0.0.0:5433")
    );
    assert_eq!(hp.title, "0.0.0.0:5433 → db-a");
    assert!(has_edge(&layout, &id, "db-a", EdgeKind::Published));
    assert!(has_edge(
        &layout,
        &host_port_node_id("0.0.0.0:80"),
        "coolify-proxy",
        EdgeKind::Published
    ));
    let bindings: Vec<&str> = layout
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::HostPort)
        .map(|n| n.label.as_str())
        .collect();
    assert_eq!(
        bindings,
        ["0.0.0.0:80", "0.0.0.0:443", "0.0.0.0:5433", "0.0.0.0:8000"]
    );
}

#[test]
fn a_container_without_networks_lands_in_the_no_network_group() {
    let layout = plain(&coolify_like());
    assert_eq!(
        node(&layout, "sidecar").group.as_deref(),
        Some(NO_NETWORK_ID)
    );
    let g = group(&layout, NO_NETWORK_ID);
    assert_eq!(g.label, format!("{NO_NETWORK_LABEL} ({NO_NETWORK_NOTE})"));
    assert_eq!(g.detail.as_deref(), Some(NO_NETWORK_NOTE));
    assert_eq!(g.members, ["sidecar"]);
}

#[test]
fn a_network_without_members_is_still_drawn() {
    let layout = plain(&coolify_like());
    let g = group(&layout, "unused");
    assert!(!layout
        .nodes
        .iter()
        .any(|n| n.group.as_deref() == Some("unused")));
    assert!(g.h < NODE_HEIGHT + GROUP_LABEL_HEIGHT);
}

#[test]
fn a_stack_container_drawn_outside_its_stack_network_says_which_stack_it_is() {
    let mut input = coolify_like();
    for c in &mut input.containers {
        if c.id == "web-a" || c.id == "api-a" {
            c.label = "web".to_owned();
            c.context = Some("shop".to_owned());
            c.context_network = Some("stack-a".to_owned());
        }
    }
    // web-a is also on coolify, the bigger network, so it is drawn there.
    let layout = plain(&input);
    assert_eq!(node(&layout, "web-a").group.as_deref(), Some("coolify"));
    assert_eq!(node(&layout, "web-a").text, "web · shop");
    assert_eq!(
        node(&layout, "api-a").text,
        "web",
        "inside its stack's group"
    );
    assert!(node(&layout, "web-a").title.starts_with("web-a\n"));
}

#[test]
fn long_names_are_cut_to_their_box_and_whole_in_the_title() {
    let mut input = coolify_like();
    let long = "jk8c0wc4ok80s0gkcgwgo4s8-142311873944";
    input.containers.push(container(long, &["coolify"]));
    let layout = plain(&input);
    let n = node(&layout, long);
    assert!(
        n.text.contains('…') && n.text.chars().count() < long.len(),
        "{}",
        n.text
    );
    assert!(
        n.text.ends_with("1873944"),
        "the end of the name stays: {}",
        n.text
    );
    assert!(n.title.starts_with(long));
    assert_text_fits(&layout);
}

#[test]
fn closed_groups_are_one_box_with_counts_and_lines_end_at_them() {
    let input = coolify_like();
    let options = LayoutOptions {
        closed: ["stack-a".to_owned()].into(),
        ..LayoutOptions::default()
    };
    let layout = layout(&input, &options);
    let g = group(&layout, "stack-a");
    assert!(g.closed);
    assert_eq!(g.members, ["api-a", "db-a"]);
    assert_eq!(g.counts.summary(), "2 containers · 1 routed · 1 published");
    assert_eq!(g.summary, "2 containers · 1 routed");
    assert!(!layout.nodes.iter().any(|n| n.id == "api-a"));
    assert!(layout.edges.iter().any(|e| e.from == "coolify-proxy"
        && e.to == "stack-a"
        && e.to_group
        && e.kind == EdgeKind::Route
        && e.serves == ["api-a"]));
    assert!(layout
        .edges
        .iter()
        .any(|e| e.to == "stack-a" && e.kind == EdgeKind::Published && e.serves == ["db-a"]));
    assert!(!group(&layout, "coolify").closed);
    assert_well_formed(&layout);
}

#[test]
fn the_overview_folds_domains_and_host_ports_that_lead_only_into_closed_groups() {
    let input = generated(300, 40, 5);
    let layout = layout(&input, &closed_all(&input));
    let folded = node(&layout, FOLDED_DOMAINS_ID);
    assert_eq!(folded.folded.len(), input.domains.len());
    assert_eq!(folded.label, format!("{} domains", input.domains.len()));
    assert!(node(&layout, FOLDED_HOST_PORTS_ID).folded.len() > 1);
    assert!(!layout.nodes.iter().any(|n| n.kind == NodeKind::Container));
    assert!(layout
        .groups
        .iter()
        .all(|g| g.closed || g.members.is_empty()));
    assert!(has_edge(
        &layout,
        FOLDED_DOMAINS_ID,
        "proxy",
        EdgeKind::Route
    ));
    // Opening one group brings back its domains one by one.
    let open = layout
        .groups
        .iter()
        .find(|g| g.counts.routed > 0)
        .expect("a routed group")
        .network
        .clone();
    let mut options = closed_all(&input);
    options.closed.remove(&open);
    let opened = super::layout(&input, &options);
    assert!(opened
        .nodes
        .iter()
        .any(|n| n.kind == NodeKind::Container && n.group.as_deref() == Some(open.as_str())));
    assert!(opened
        .nodes
        .iter()
        .any(|n| n.kind == NodeKind::Domain && n.id != FOLDED_DOMAINS_ID));
    assert_well_formed(&opened);
}

#[test]
fn the_overview_of_three_hundred_containers_reads_at_eleven_pixels() {
    let input = generated(300, 40, 9);
    let l = layout(&input, &closed_all(&input));
    let px = label_px(&l, FRAME);
    assert!(px >= 11.0, "{px:.1} px ({:.0}×{:.0})", l.width, l.height);
}

#[test]
fn shuffled_input_gives_an_identical_layout() {
    for input in [coolify_like(), generated(300, 40, 3)] {
        let expected = fitted(&input);
        for seed in 1..4 {
            assert_eq!(fitted(&shuffled(&input, seed)), expected, "seed {seed}");
        }
    }
}

#[test]
fn duplicated_input_is_drawn_once() {
    let mut input = coolify_like();
    let again = input.clone();
    input.networks.extend(again.networks);
    input.containers.extend(again.containers);
    input.domains.extend(again.domains);
    assert_eq!(plain(&input), plain(&coolify_like()));
}

#[test]
fn empty_input_gives_an_empty_picture() {
    let layout = plain(&LayoutInput::default());
    assert!(layout.nodes.is_empty() && layout.groups.is_empty() && layout.edges.is_empty());
    assert_well_formed(&layout);
}

#[test]
fn the_internet_and_the_host_are_drawn_only_above_what_they_lead_to() {
    let input = LayoutInput {
        networks: vec![net("n")],
        containers: vec![container("a", &["n"])],
        domains: Vec::new(),
    };
    let l = plain(&input);
    assert!(!l
        .nodes
        .iter()
        .any(|n| n.kind == NodeKind::Internet || n.kind == NodeKind::Host));
    assert_eq!(group(&l, "n").y, MARGIN, "the groups start at the top");
    let l = plain(&coolify_like());
    assert!(l.nodes.iter().any(|n| n.id == INTERNET_ID) && l.nodes.iter().any(|n| n.id == HOST_ID));
}

#[test]
#[ignore = "prints how large labels are drawn; run with --ignored --nocapture"]
fn print_label_sizes_at_fit() {
    for (containers, networks) in [
        (10, 3),
        (18, 6),
        (20, 5),
        (30, 6),
        (40, 8),
        (40, 12),
        (40, 20),
        (60, 10),
    ] {
        let l = fitted(&even(containers, networks));
        println!(
            "{containers:>3}/{networks:<3} {:>5.1} px  {:.0}×{:.0}",
            label_px(&l, FRAME),
            l.width,
            l.height
        );
    }
    for seed in [3, 5, 9] {
        let input = generated(300, 40, seed);
        let l = layout(&input, &closed_all(&input));
        println!(
            "300/40 overview seed {seed}: {:.1} px  {:.0}×{:.0}",
            label_px(&l, FRAME),
            l.width,
            l.height
        );
    }
}

#[test]
fn a_nonsense_aspect_falls_back_to_the_default() {
    let input = coolify_like();
    for aspect in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            layout(&input, &LayoutOptions::fitted(aspect)),
            layout(&input, &LayoutOptions::default())
        );
    }
}

#[test]
fn a_port_published_on_both_stacks_is_one_node() {
    let mut input = coolify_like();
    for c in &mut input.containers {
        if c.id == "db-a" {
            c.published.push("[::]:5433".to_owned());
        }
        if c.id == "coolify" {
            c.published.push("[::]:8001".to_owned());
        }
    }
    let l = plain(&input);
    let v4 = node(&l, &host_port_node_id("0.0.0.0:5433"));
    assert_eq!(v4.detail.as_deref(), Some("+v6"));
    assert_eq!(v4.folded, [host_port_node_id("[::]:5433")]);
    assert!(v4.title.contains("[::]:5433"));
    assert!(!l
        .nodes
        .iter()
        .any(|n| n.id == host_port_node_id("[::]:5433")));
    assert!(
        l.nodes
            .iter()
            .any(|n| n.id == host_port_node_id("[::]:8001")),
        "another port is its own node"
    );
}

#[test]
fn a_long_name_gives_up_its_port_and_is_cut_in_the_middle() {
    let (text, detail) = fit_line("coolify-realtime", Some(":6001"), 180.0, false);
    assert_eq!(
        (text.as_str(), detail.as_deref()),
        ("coolify-realtime", Some(":6001"))
    );
    let (text, detail) = fit_line("nd-45675e756e-g40-app004", Some(":8080"), 154.0, false);
    assert_eq!(detail, None);
    assert_eq!(text, "nd-45675e7…0-app004");
    assert_eq!(
        fit_name(
            "n8n-with-postgresql · qg8s4kc0w4wsgk0k8c0ww8o4",
            154.0,
            LABEL_FONT
        ),
        "n8n-with-postgresq…",
        "a resource name keeps its start"
    );
    assert_eq!(fit_name("short", 154.0, LABEL_FONT), "short");
}
