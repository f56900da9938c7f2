//! Where every box and line of the network picture goes, computed once here so the SVG only draws.

use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// Id of the Internet node (column A, top).
pub const INTERNET_ID: &str = "internet:";
/// Id of the host machine node (column A, below the Internet), where published ports enter.
pub const HOST_ID: &str = "host:";
/// Id of the pseudo-group holding containers attached to no network (`none`, `host`).
pub const NO_NETWORK_ID: &str = "network:none";
/// Label of the pseudo-group [`NO_NETWORK_ID`].
pub const NO_NETWORK_LABEL: &str = "no network (none / host)";

/// Space around the whole picture.
pub const MARGIN: f64 = 24.0;
/// Width of every node box.
pub const NODE_WIDTH: f64 = 220.0;
/// Height of every node box.
pub const NODE_HEIGHT: f64 = 56.0;
/// Gap between nodes on a group's grid, both ways; edges run along these gaps.
pub const NODE_GAP: f64 = 20.0;
/// Gap between nodes stacked in columns A to C.
pub const STACK_GAP: f64 = 16.0;
/// Extra space between the domains and the host ports in column B.
pub const SECTION_GAP: f64 = 40.0;
/// Gap between columns; the one before the networks carries the vertical runs of the edges.
pub const COLUMN_GAP: f64 = 96.0;
/// Space between a group's border and its nodes (left, right, bottom).
pub const GROUP_PADDING: f64 = 16.0;
/// Band at the top of a group where its label is drawn; no node enters it.
pub const GROUP_LABEL_HEIGHT: f64 = 40.0;
/// Gap between network groups, both ways.
pub const GROUP_GAP: f64 = 32.0;
/// Most nodes side by side in one group, so a big network grows down rather than across.
pub const MAX_GROUP_COLUMNS: usize = 6;
/// Width of the network area (column D) before groups wrap onto a new row.
pub const MAX_AREA_WIDTH: f64 = 2400.0;

/// Where the networks area (column D) starts.
const AREA_X: f64 = MARGIN + 3.0 * (NODE_WIDTH + COLUMN_GAP);
/// Vertical runs in the gap before column D, one lane per kind of edge so they do not merge.
const TRUNK_ROUTE: f64 = AREA_X - 24.0;
const TRUNK_PUBLISHED: f64 = AREA_X - 40.0;
const TRUNK_PROXY_ATTACHMENT: f64 = AREA_X - 56.0;
const TRUNK_CONTAINER_ATTACHMENT: f64 = AREA_X - 72.0;
/// Ports shown under a name before the rest are counted as `+N`.
const MAX_PORTS_SHOWN: usize = 3;

/// What the picture shows, as the Engine and the proxy routes describe it. Order is irrelevant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutInput {
    pub networks: Vec<NetworkIn>,
    pub containers: Vec<ContainerIn>,
    /// Routes from the proxy: host → containers.
    pub domains: Vec<DomainIn>,
}

/// A Docker network, drawn as a group box.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NetworkIn {
    pub id: String,
    pub label: String,
}

/// A container and what it is attached to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContainerIn {
    pub id: String,
    pub label: String,
    /// Ids of the [`NetworkIn`]s it is attached to; empty for network `none` or `host`.
    pub networks: Vec<String>,
    /// The reverse proxy (Traefik or Caddy in Coolify): drawn in its own column.
    pub is_proxy: bool,
    /// Internal ports printed under the name, e.g. `3001/tcp`.
    pub ports: Vec<String>,
    /// Host bindings, e.g. `0.0.0.0:5433`; each becomes a host-port node.
    pub published: Vec<String>,
}

/// A domain the proxy routes, and the containers behind it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DomainIn {
    pub host: String,
    /// Container ids.
    pub containers: Vec<String>,
    pub tls: bool,
}

/// The computed picture; every coordinate is in `0..=width` × `0..=height`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub groups: Vec<GroupBox>,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<Edge>,
}

/// A network drawn as a box; its label goes in the top [`GROUP_LABEL_HEIGHT`] band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupBox {
    /// The network id, or [`NO_NETWORK_ID`].
    pub network: String,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// What a node stands for, so the SVG can pick its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    Internet,
    Host,
    Domain,
    Proxy,
    Container,
    HostPort,
}

/// A box for one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeBox {
    /// Containers keep their id; the rest use [`INTERNET_ID`], [`HOST_ID`],
    /// [`domain_node_id`] and [`host_port_node_id`].
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// Ports for containers, `https`/`http` for domains.
    pub sublabel: Option<String>,
    /// The group (network id) a container is drawn in; `None` outside groups.
    pub group: Option<String>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// What a line means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EdgeKind {
    /// Domain → proxy and proxy → container (domain → container when there is no proxy).
    Route,
    /// Proxy or multi-network container → a network group it is attached to.
    Attachment,
    /// Host port → the container publishing it.
    Published,
    /// Internet → domain, host → host port.
    Entry,
}

/// A line between two boxes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// A node id.
    pub from: String,
    /// A node id, or a network id (group) for [`EdgeKind::Attachment`].
    pub to: String,
    pub kind: EdgeKind,
    /// Orthogonal polyline of at least 2 points, from the border of `from` to the border of `to`.
    pub points: Vec<(f64, f64)>,
}

/// Node id of a domain.
pub fn domain_node_id(host: &str) -> String {
    format!("domain:{host}")
}

/// Node id of a host binding such as `0.0.0.0:5433`.
pub fn host_port_node_id(binding: &str) -> String {
    format!("hostport:{binding}")
}

/// Lays the picture out: Internet and host, domains and host ports, proxies, network groups.
/// Deterministic and independent of the order of every list in `input`.
pub fn layout(input: &LayoutInput) -> Layout {
    let model = Model::new(input);
    let mut canvas = Canvas::default();
    let col_a = MARGIN;
    let col_b = col_a + NODE_WIDTH + COLUMN_GAP;
    let col_c = col_b + NODE_WIDTH + COLUMN_GAP;
    let pitch = NODE_HEIGHT + STACK_GAP;

    // Column B: domains, then host ports.
    let domain_block = stack_extent(MARGIN, model.domains.len());
    for (i, (host, domain)) in model.domains.iter().enumerate() {
        let scheme = if domain.tls { "https" } else { "http" };
        canvas.add_node(NodeBox {
            id: domain_node_id(host),
            kind: NodeKind::Domain,
            label: (*host).to_owned(),
            sublabel: Some(scheme.to_owned()),
            group: None,
            x: col_b,
            y: MARGIN + i as f64 * pitch,
            w: NODE_WIDTH,
            h: NODE_HEIGHT,
        });
    }
    let ports_top = domain_block.map_or(MARGIN, |(_, bottom)| bottom + SECTION_GAP);
    let port_block = stack_extent(ports_top, model.host_ports.len());
    for (i, (binding, _)) in model.host_ports.iter().enumerate() {
        canvas.add_node(NodeBox {
            id: host_port_node_id(binding),
            kind: NodeKind::HostPort,
            label: binding.text.to_owned(),
            sublabel: None,
            group: None,
            x: col_b,
            y: ports_top + i as f64 * pitch,
            w: NODE_WIDTH,
            h: NODE_HEIGHT,
        });
    }

    // Column A: the Internet level with the domains, the host level with the host ports.
    let internet_y = domain_block.map_or(MARGIN, |block| centred(block, NODE_HEIGHT));
    let host_min = internet_y + NODE_HEIGHT + SECTION_GAP;
    let host_y = port_block.map_or(host_min, |block| centred(block, NODE_HEIGHT).max(host_min));
    for (id, kind, label, y) in [
        (INTERNET_ID, NodeKind::Internet, "Internet", internet_y),
        (HOST_ID, NodeKind::Host, "Host", host_y),
    ] {
        canvas.add_node(NodeBox {
            id: id.to_owned(),
            kind,
            label: label.to_owned(),
            sublabel: None,
            group: None,
            x: col_a,
            y,
            w: NODE_WIDTH,
            h: NODE_HEIGHT,
        });
    }

    // Column C: proxies, level with the domains.
    let proxies_height = stack_extent(0.0, model.proxies.len()).map_or(0.0, |(_, b)| b);
    let proxies_top = domain_block.map_or(MARGIN, |(top, bottom)| {
        ((top + bottom - proxies_height) / 2.0).max(MARGIN)
    });
    for (i, proxy) in model.proxies.iter().enumerate() {
        canvas.add_node(NodeBox {
            id: proxy.id.to_owned(),
            kind: NodeKind::Proxy,
            label: proxy.label.to_owned(),
            sublabel: port_summary(&proxy.ports),
            group: None,
            x: col_c,
            y: proxies_top + i as f64 * pitch,
            w: NODE_WIDTH,
            h: NODE_HEIGHT,
        });
    }

    // Column D: network groups, shelf-packed, containers on a grid inside.
    for group in pack_groups(&model) {
        let columns = grid_columns(group.members.len());
        for (i, member) in group.members.iter().enumerate() {
            let (row, column) = (i / columns, i % columns);
            canvas.add_node(NodeBox {
                id: member.id.to_owned(),
                kind: NodeKind::Container,
                label: member.label.to_owned(),
                sublabel: port_summary(&member.ports),
                group: Some(group.id.to_owned()),
                x: group.rect.x + GROUP_PADDING + column as f64 * (NODE_WIDTH + NODE_GAP),
                y: group.rect.y + GROUP_LABEL_HEIGHT + row as f64 * (NODE_HEIGHT + NODE_GAP),
                w: NODE_WIDTH,
                h: NODE_HEIGHT,
            });
        }
        canvas.add_group(GroupBox {
            network: group.id.to_owned(),
            label: group.label.to_owned(),
            x: group.rect.x,
            y: group.rect.y,
            w: group.rect.w,
            h: group.rect.h,
        });
    }

    add_edges(&model, &mut canvas);
    canvas.finish()
}

/// Every line, in a fixed order; duplicates are dropped by the canvas.
fn add_edges(model: &Model<'_>, canvas: &mut Canvas) {
    for host in model.domains.keys() {
        canvas.connect(
            INTERNET_ID,
            &domain_node_id(host),
            EdgeKind::Entry,
            Path::Forward,
        );
    }
    for binding in model.host_ports.keys() {
        canvas.connect(
            HOST_ID,
            &host_port_node_id(binding),
            EdgeKind::Entry,
            Path::Forward,
        );
    }
    let into_container = |kind: EdgeKind| match kind {
        EdgeKind::Published => Path::IntoNode {
            trunk_x: TRUNK_PUBLISHED,
            end_dx: 12.0,
        },
        _ => Path::IntoNode {
            trunk_x: TRUNK_ROUTE,
            end_dx: -12.0,
        },
    };
    for (host, domain) in &model.domains {
        let from = domain_node_id(host);
        let routed: Vec<&Container<'_>> = domain
            .containers
            .iter()
            .filter_map(|id| model.container(id))
            .collect();
        if routed.is_empty() {
            for proxy in &model.proxies {
                canvas.connect(&from, proxy.id, EdgeKind::Route, Path::Forward);
            }
        }
        for target in routed {
            if target.is_proxy {
                canvas.connect(&from, target.id, EdgeKind::Route, Path::Forward);
                continue;
            }
            if model.proxies.is_empty() {
                canvas.connect(
                    &from,
                    target.id,
                    EdgeKind::Route,
                    into_container(EdgeKind::Route),
                );
                continue;
            }
            for proxy in model.proxies_for(target) {
                canvas.connect(&from, proxy.id, EdgeKind::Route, Path::Forward);
                canvas.connect(
                    proxy.id,
                    target.id,
                    EdgeKind::Route,
                    into_container(EdgeKind::Route),
                );
            }
        }
    }
    for proxy in &model.proxies {
        for network in &proxy.networks {
            let path = Path::IntoGroup {
                trunk_x: TRUNK_PROXY_ATTACHMENT,
                end_dx: GROUP_PADDING,
                from_bottom: false,
            };
            canvas.connect(proxy.id, network, EdgeKind::Attachment, path);
        }
    }
    for container in model.containers.iter().filter(|c| !c.is_proxy) {
        let home = model.home(container);
        for network in container.networks.iter().filter(|n| Some(**n) != home) {
            let path = Path::IntoGroup {
                trunk_x: TRUNK_CONTAINER_ATTACHMENT,
                end_dx: 2.0 * GROUP_PADDING,
                from_bottom: true,
            };
            canvas.connect(container.id, network, EdgeKind::Attachment, path);
        }
    }
    for (binding, owners) in &model.host_ports {
        let from = host_port_node_id(binding);
        for target in owners.iter().filter_map(|id| model.container(id)) {
            let path = if target.is_proxy {
                Path::Forward
            } else {
                into_container(EdgeKind::Published)
            };
            canvas.connect(&from, target.id, EdgeKind::Published, path);
        }
    }
}

/// The input, cleaned once: sorted, deduplicated, dangling references dropped.
struct Model<'a> {
    /// Network id → label.
    networks: BTreeMap<&'a str, &'a str>,
    /// Sorted by id, one per id.
    containers: Vec<Container<'a>>,
    by_id: BTreeMap<&'a str, usize>,
    /// Non-proxy containers per network.
    members: BTreeMap<&'a str, usize>,
    /// Sorted by label, then id.
    proxies: Vec<Container<'a>>,
    domains: BTreeMap<&'a str, Domain<'a>>,
    /// Binding → container ids, in display order.
    host_ports: BTreeMap<SortKey<'a>, BTreeSet<&'a str>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Container<'a> {
    id: &'a str,
    label: &'a str,
    is_proxy: bool,
    /// Known network ids only, sorted.
    networks: Vec<&'a str>,
    ports: Vec<&'a str>,
    published: Vec<&'a str>,
}

#[derive(Default)]
struct Domain<'a> {
    containers: BTreeSet<&'a str>,
    tls: bool,
}

/// Orders `80/tcp` before `443/tcp` and `0.0.0.0:80` before `0.0.0.0:5433`, then by text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey<'a> {
    number: u64,
    text: &'a str,
}

impl<'a> SortKey<'a> {
    /// Keyed on the number after the last `:` (or at the start when there is none).
    fn new(text: &'a str) -> Self {
        let tail = text.rsplit(':').next().unwrap_or(text);
        let digits = tail.bytes().take_while(u8::is_ascii_digit);
        let number = digits.fold(None, |acc: Option<u64>, d| {
            Some(
                acc.unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(u64::from(d - b'0')),
            )
        });
        Self {
            number: number.unwrap_or(u64::MAX),
            text,
        }
    }
}

impl std::ops::Deref for SortKey<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.text
    }
}

impl<'a> Model<'a> {
    fn new(input: &'a LayoutInput) -> Self {
        let mut networks: Vec<(&str, &str)> = input
            .networks
            .iter()
            .filter(|n| n.id != NO_NETWORK_ID)
            .map(|n| (n.id.as_str(), n.label.as_str()))
            .collect();
        networks.sort_unstable();
        networks.dedup_by(|later, kept| later.0 == kept.0);
        let networks: BTreeMap<&str, &str> = networks.into_iter().collect();

        let mut containers: Vec<Container<'_>> = input
            .containers
            .iter()
            .map(|c| Container {
                id: &c.id,
                label: &c.label,
                is_proxy: c.is_proxy,
                networks: sorted(
                    c.networks
                        .iter()
                        .map(String::as_str)
                        .filter(|n| networks.contains_key(n)),
                ),
                ports: sorted_by_number(&c.ports),
                published: sorted_by_number(&c.published),
            })
            .collect();
        containers.sort_unstable();
        containers.dedup_by(|later, kept| later.id == kept.id);
        let by_id = containers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();

        let mut members: BTreeMap<&str, usize> = BTreeMap::new();
        for network in containers
            .iter()
            .filter(|c| !c.is_proxy)
            .flat_map(|c| &c.networks)
        {
            *members.entry(network).or_default() += 1;
        }
        let mut proxies: Vec<Container<'_>> =
            containers.iter().filter(|c| c.is_proxy).cloned().collect();
        proxies.sort_unstable_by(|a, b| (a.label, a.id).cmp(&(b.label, b.id)));

        let mut domains: BTreeMap<&str, Domain<'_>> = BTreeMap::new();
        for d in &input.domains {
            let domain = domains.entry(d.host.as_str()).or_default();
            domain
                .containers
                .extend(d.containers.iter().map(String::as_str));
            domain.tls |= d.tls;
        }

        let mut host_ports: BTreeMap<SortKey<'_>, BTreeSet<&str>> = BTreeMap::new();
        for c in &containers {
            for binding in &c.published {
                host_ports
                    .entry(SortKey::new(binding))
                    .or_default()
                    .insert(c.id);
            }
        }

        Self {
            networks,
            containers,
            by_id,
            members,
            proxies,
            domains,
            host_ports,
        }
    }

    fn container(&self, id: &str) -> Option<&Container<'a>> {
        self.by_id.get(id).and_then(|&i| self.containers.get(i))
    }

    /// The network a container is drawn in: the one with the most members, ties by label then
    /// id; `None` when it is attached to no known network.
    fn home(&self, container: &Container<'a>) -> Option<&'a str> {
        container.networks.iter().copied().min_by_key(|&n| {
            let members = self.members.get(n).copied().unwrap_or(0);
            let label = self.networks.get(n).copied().unwrap_or(n);
            (Reverse(members), label, n)
        })
    }

    /// The proxies that can reach `target` (share a network with it); all of them when none
    /// does, so the route is still drawn.
    fn proxies_for(&self, target: &Container<'a>) -> Vec<&Container<'a>> {
        let sharing: Vec<&Container<'a>> = self
            .proxies
            .iter()
            .filter(|p| p.networks.iter().any(|n| target.networks.contains(n)))
            .collect();
        if sharing.is_empty() {
            self.proxies.iter().collect()
        } else {
            sharing
        }
    }
}

fn sorted<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut items: Vec<&str> = items.collect();
    items.sort_unstable();
    items.dedup();
    items
}

fn sorted_by_number(items: &[String]) -> Vec<&str> {
    let mut keys: Vec<SortKey<'_>> = items.iter().map(|s| SortKey::new(s)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter().map(|k| k.text).collect()
}

/// `80/tcp, 443/tcp +2`: the first ports, then how many more.
fn port_summary(ports: &[&str]) -> Option<String> {
    if ports.is_empty() {
        return None;
    }
    let mut summary = ports
        .iter()
        .take(MAX_PORTS_SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ports.len() > MAX_PORTS_SHOWN {
        summary.push_str(&format!(" +{}", ports.len() - MAX_PORTS_SHOWN));
    }
    Some(summary)
}

/// Top and bottom of `count` nodes stacked from `top`; `None` when there are none.
fn stack_extent(top: f64, count: usize) -> Option<(f64, f64)> {
    (count > 0).then(|| {
        let n = count as f64;
        (top, top + n * NODE_HEIGHT + (n - 1.0) * STACK_GAP)
    })
}

/// Top of a box of `height` centred on a block, never above the margin.
fn centred((top, bottom): (f64, f64), height: f64) -> f64 {
    ((top + bottom - height) / 2.0).max(MARGIN)
}

/// Columns of a group's grid: ⌈√n⌉, at most [`MAX_GROUP_COLUMNS`], at least 1.
fn grid_columns(members: usize) -> usize {
    let mut columns = 1;
    while columns * columns < members && columns < MAX_GROUP_COLUMNS {
        columns += 1;
    }
    columns
}

/// A group's box size for `members` containers.
fn group_size(members: usize) -> (f64, f64) {
    let columns = grid_columns(members) as f64;
    let rows = members.div_ceil(grid_columns(members)) as f64;
    let w = 2.0 * GROUP_PADDING + columns * NODE_WIDTH + (columns - 1.0) * NODE_GAP;
    let h = if members == 0 {
        GROUP_LABEL_HEIGHT + GROUP_PADDING
    } else {
        GROUP_LABEL_HEIGHT + rows * NODE_HEIGHT + (rows - 1.0) * NODE_GAP + GROUP_PADDING
    };
    (w, h)
}

struct PlacedGroup<'m, 'a> {
    id: &'a str,
    label: &'a str,
    /// Sorted by label, then id.
    members: Vec<&'m Container<'a>>,
    rect: Rect,
}

/// Groups with their members, biggest first (ties by label, then id), the "no network"
/// pseudo-group last, packed on shelves within [`MAX_AREA_WIDTH`].
fn pack_groups<'m, 'a>(model: &'m Model<'a>) -> Vec<PlacedGroup<'m, 'a>> {
    let mut homes: BTreeMap<&str, Vec<&Container<'a>>> =
        model.networks.keys().map(|id| (*id, Vec::new())).collect();
    let mut homeless: Vec<&Container<'a>> = Vec::new();
    for container in model.containers.iter().filter(|c| !c.is_proxy) {
        match model.home(container).and_then(|id| homes.get_mut(id)) {
            Some(members) => members.push(container),
            None => homeless.push(container),
        }
    }
    let mut groups: Vec<(&str, &str, Vec<&Container<'a>>)> = homes
        .into_iter()
        .map(|(id, members)| (id, model.networks.get(id).copied().unwrap_or(id), members))
        .collect();
    groups.sort_by(|a, b| (Reverse(a.2.len()), a.1, a.0).cmp(&(Reverse(b.2.len()), b.1, b.0)));
    if !homeless.is_empty() {
        groups.push((NO_NETWORK_ID, NO_NETWORK_LABEL, homeless));
    }

    let (mut x, mut y, mut shelf_height) = (AREA_X, MARGIN, 0.0_f64);
    groups
        .into_iter()
        .map(|(id, label, mut members)| {
            members.sort_by(|a, b| (a.label, a.id).cmp(&(b.label, b.id)));
            let (w, h) = group_size(members.len());
            if x > AREA_X && x + w > AREA_X + MAX_AREA_WIDTH {
                x = AREA_X;
                y += shelf_height + GROUP_GAP;
                shelf_height = 0.0;
            }
            let rect = Rect { x, y, w, h };
            x += w + GROUP_GAP;
            shelf_height = shelf_height.max(h);
            PlacedGroup {
                id,
                label,
                members,
                rect,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn right(self) -> f64 {
        self.x + self.w
    }
    fn bottom(self) -> f64 {
        self.y + self.h
    }
    fn cx(self) -> f64 {
        self.x + self.w / 2.0
    }
    fn cy(self) -> f64 {
        self.y + self.h / 2.0
    }
}

/// How a line runs. Horizontal runs stay in row gaps or shelf gaps, vertical ones in the gap
/// before the networks, so lines mostly pass between boxes rather than through them.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// Right border → left border of a box further right, one bend halfway.
    Forward,
    /// Right border → along `trunk_x` → the row gap above the node → its top border.
    IntoNode { trunk_x: f64, end_dx: f64 },
    /// Right border (or bottom border and the row gap below) → along `trunk_x` → the shelf gap
    /// above the group → its top border.
    IntoGroup {
        trunk_x: f64,
        end_dx: f64,
        from_bottom: bool,
    },
}

#[derive(Default)]
struct Canvas {
    nodes: Vec<NodeBox>,
    groups: Vec<GroupBox>,
    edges: Vec<Edge>,
    node_rects: BTreeMap<String, Rect>,
    group_rects: BTreeMap<String, Rect>,
    seen: BTreeSet<(String, String, EdgeKind)>,
}

impl Canvas {
    fn add_node(&mut self, node: NodeBox) {
        let rect = Rect {
            x: node.x,
            y: node.y,
            w: node.w,
            h: node.h,
        };
        self.node_rects.insert(node.id.clone(), rect);
        self.nodes.push(node);
    }

    fn add_group(&mut self, group: GroupBox) {
        let rect = Rect {
            x: group.x,
            y: group.y,
            w: group.w,
            h: group.h,
        };
        self.group_rects.insert(group.network.clone(), rect);
        self.groups.push(group);
    }

    /// Adds one line unless the same (from, to, kind) is already drawn or a box is missing.
    fn connect(&mut self, from: &str, to: &str, kind: EdgeKind, path: Path) {
        let key = (from.to_owned(), to.to_owned(), kind);
        if self.seen.contains(&key) {
            return;
        }
        let target = match path {
            Path::IntoGroup { .. } => self.group_rects.get(to),
            _ => self.node_rects.get(to),
        };
        let (Some(&a), Some(&b)) = (self.node_rects.get(from), target) else {
            return;
        };
        let points = match path {
            Path::Forward => forward(a, b),
            Path::IntoNode { trunk_x, end_dx } => {
                let lane = b.y - NODE_GAP / 2.0;
                let end_x = b.cx() + end_dx;
                vec![
                    (a.right(), a.cy()),
                    (trunk_x, a.cy()),
                    (trunk_x, lane),
                    (end_x, lane),
                    (end_x, b.y),
                ]
            }
            Path::IntoGroup {
                trunk_x,
                end_dx,
                from_bottom,
            } => {
                let mut points = if from_bottom {
                    let lane = a.bottom() + NODE_GAP / 2.0;
                    vec![(a.cx(), a.bottom()), (a.cx(), lane), (trunk_x, lane)]
                } else {
                    vec![(a.right(), a.cy()), (trunk_x, a.cy())]
                };
                let lane = b.y - GROUP_GAP / 2.0;
                let end_x = b.x + end_dx;
                points.extend([(trunk_x, lane), (end_x, lane), (end_x, b.y)]);
                points
            }
        };
        let mut cleaned: Vec<(f64, f64)> = Vec::with_capacity(points.len());
        for point in points {
            if cleaned.last() != Some(&point) {
                cleaned.push(point);
            }
        }
        self.seen.insert(key);
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind,
            points: cleaned,
        });
    }

    /// The layout, sized to hold every box and line plus the margin.
    fn finish(self) -> Layout {
        let node_corners = self.nodes.iter().map(|n| (n.x + n.w, n.y + n.h));
        let group_corners = self.groups.iter().map(|g| (g.x + g.w, g.y + g.h));
        let points = self.edges.iter().flat_map(|e| e.points.iter().copied());
        let (right, bottom) = node_corners
            .chain(group_corners)
            .chain(points)
            .fold((0.0_f64, 0.0_f64), |(r, b), (x, y)| (r.max(x), b.max(y)));
        Layout {
            width: right + MARGIN,
            height: bottom + MARGIN,
            groups: self.groups,
            nodes: self.nodes,
            edges: self.edges,
        }
    }
}

/// Border to border between two boxes that do not overlap: sideways when they are apart
/// horizontally, otherwise up or down; one bend halfway.
fn forward(a: Rect, b: Rect) -> Vec<(f64, f64)> {
    let sideways = |(x0, y0): (f64, f64), (x1, y1): (f64, f64)| {
        if y0 == y1 {
            vec![(x0, y0), (x1, y1)]
        } else {
            let mid = (x0 + x1) / 2.0;
            vec![(x0, y0), (mid, y0), (mid, y1), (x1, y1)]
        }
    };
    let upright = |(x0, y0): (f64, f64), (x1, y1): (f64, f64)| {
        if x0 == x1 {
            vec![(x0, y0), (x1, y1)]
        } else {
            let mid = (y0 + y1) / 2.0;
            vec![(x0, y0), (x0, mid), (x1, mid), (x1, y1)]
        }
    };
    if a.right() <= b.x {
        sideways((a.right(), a.cy()), (b.x, b.cy()))
    } else if b.right() <= a.x {
        sideways((a.x, a.cy()), (b.right(), b.cy()))
    } else if a.bottom() <= b.y {
        upright((a.cx(), a.bottom()), (b.cx(), b.y))
    } else {
        upright((a.cx(), a.y), (b.cx(), b.bottom()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn net(id: &str) -> NetworkIn {
        NetworkIn {
            id: id.to_owned(),
            label: id.to_owned(),
        }
    }

    fn container(id: &str, networks: &[&str]) -> ContainerIn {
        ContainerIn {
            id: id.to_owned(),
            label: id.to_owned(),
            networks: networks.iter().map(|n| (*n).to_owned()).collect(),
            is_proxy: false,
            ports: Vec::new(),
            published: Vec::new(),
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

    fn generated(containers: usize, networks: usize, seed: u64) -> LayoutInput {
        let mut rng = Lcg(seed);
        let nets: Vec<NetworkIn> = (0..networks)
            .map(|i| NetworkIn {
                id: format!("nid{i:03}"),
                label: format!("net-{}", rng.below(networks * 2)),
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
            // Skewed: a few big networks, many small ones.
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

    fn node_box(n: &NodeBox) -> Box4 {
        (n.x, n.y, n.w, n.h)
    }

    fn group_box(g: &GroupBox) -> Box4 {
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

    fn assert_no_overlaps(layout: &Layout) {
        for (i, a) in layout.nodes.iter().enumerate() {
            for b in &layout.nodes[i + 1..] {
                assert!(
                    !overlaps(node_box(a), node_box(b)),
                    "{} overlaps {}",
                    a.id,
                    b.id
                );
            }
        }
        for (i, a) in layout.groups.iter().enumerate() {
            for b in &layout.groups[i + 1..] {
                assert!(
                    !overlaps(group_box(a), group_box(b)),
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
            let from = node_box(node(layout, &e.from));
            let to = if e.kind == EdgeKind::Attachment {
                group_box(group(layout, &e.to))
            } else {
                node_box(node(layout, &e.to))
            };
            let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
            assert!(on_border(first, from), "{} -> {} starts off", e.from, e.to);
            assert!(on_border(last, to), "{} -> {} ends off", e.from, e.to);
        }
    }

    fn assert_coordinates_in_bounds(layout: &Layout) {
        let (w, h) = (layout.width, layout.height);
        assert!(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0);
        let in_bounds = |x: f64, y: f64| {
            x.is_finite() && y.is_finite() && x >= 0.0 && y >= 0.0 && x <= w && y <= h
        };
        for b in layout
            .nodes
            .iter()
            .map(node_box)
            .chain(layout.groups.iter().map(group_box))
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

    #[test]
    fn a_coolify_server_has_no_overlapping_nodes_or_groups() {
        let layout = layout(&coolify_like());
        assert_no_overlaps(&layout);
        assert_eq!(
            layout.groups.len(),
            5,
            "4 networks and the no-network group"
        );
    }

    #[test]
    fn three_hundred_containers_on_forty_networks_have_no_overlapping_nodes_or_groups() {
        let layout = layout(&generated(300, 40, 7));
        assert_eq!(
            layout
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Container)
                .count(),
            300
        );
        assert_eq!(layout.groups.len(), 41);
        assert_no_overlaps(&layout);
        assert!(layout.width <= AREA_X + MAX_AREA_WIDTH + MARGIN);
    }

    #[test]
    fn every_container_lies_inside_its_group_below_the_label() {
        assert_containers_inside_groups(&layout(&coolify_like()));
        assert_containers_inside_groups(&layout(&generated(300, 40, 11)));
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
        let layout = layout(&input);
        assert_eq!(node(&layout, "both").group.as_deref(), Some("big"));
        assert_eq!(edges_from(&layout, "both", EdgeKind::Attachment), ["small"]);
        assert_eq!(layout.nodes.iter().filter(|n| n.id == "both").count(), 1);
    }

    #[test]
    fn a_tie_between_networks_goes_to_the_smallest_label() {
        let input = LayoutInput {
            networks: vec![
                NetworkIn {
                    id: "n1".to_owned(),
                    label: "zeta".to_owned(),
                },
                NetworkIn {
                    id: "n2".to_owned(),
                    label: "alpha".to_owned(),
                },
            ],
            containers: vec![container("x", &["n1", "n2"])],
            domains: Vec::new(),
        };
        let layout = layout(&input);
        assert_eq!(node(&layout, "x").group.as_deref(), Some("n2"));
        assert_eq!(edges_from(&layout, "x", EdgeKind::Attachment), ["n1"]);
    }

    #[test]
    fn the_proxy_sits_outside_groups_with_an_attachment_per_network() {
        let layout = layout(&coolify_like());
        let p = node(&layout, "coolify-proxy");
        assert_eq!(p.kind, NodeKind::Proxy);
        assert_eq!(p.group, None);
        for g in &layout.groups {
            assert!(
                !overlaps(node_box(p), group_box(g)),
                "proxy inside {}",
                g.network
            );
        }
        assert_eq!(
            edges_from(&layout, "coolify-proxy", EdgeKind::Attachment),
            ["coolify", "stack-a", "stack-b"]
        );
        assert_eq!(p.sublabel.as_deref(), Some("80/tcp, 443/tcp"));
    }

    #[test]
    fn domains_route_from_the_internet_through_the_proxy_to_the_container() {
        let layout = layout(&coolify_like());
        let d = domain_node_id("app.example.com");
        assert_eq!(node(&layout, &d).sublabel.as_deref(), Some("https"));
        assert!(has_edge(&layout, INTERNET_ID, &d, EdgeKind::Entry));
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
    fn without_a_proxy_domains_route_straight_to_their_containers() {
        let input = LayoutInput {
            networks: vec![net("n")],
            containers: vec![container("web", &["n"])],
            domains: vec![domain("web.example.com", &["web", "missing"], false)],
        };
        let layout = layout(&input);
        assert_eq!(
            edges_from(&layout, &domain_node_id("web.example.com"), EdgeKind::Route),
            ["web"]
        );
    }

    #[test]
    fn a_published_port_gets_a_host_port_node_entered_from_the_host() {
        let layout = layout(&coolify_like());
        let id = host_port_node_id("0.0.0.0:5433");
        let hp = node(&layout, &id);
        assert_eq!(
            (hp.kind, hp.label.as_str()),
            (NodeKind::HostPort, "0.0.0.0:5433")
        );
        assert!(has_edge(&layout, HOST_ID, &id, EdgeKind::Entry));
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
        let last_domain = layout
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Domain)
            .map(|n| n.y)
            .fold(0.0, f64::max);
        assert!(hp.y > last_domain, "host ports sit below the domains");
    }

    #[test]
    fn a_container_without_networks_lands_in_the_no_network_group() {
        let layout = layout(&coolify_like());
        assert_eq!(
            node(&layout, "sidecar").group.as_deref(),
            Some(NO_NETWORK_ID)
        );
        let g = group(&layout, NO_NETWORK_ID);
        assert_eq!(g.label, NO_NETWORK_LABEL);
        assert_eq!(
            layout.groups.last().map(|g| g.network.as_str()),
            Some(NO_NETWORK_ID)
        );
    }

    #[test]
    fn a_network_without_members_is_still_drawn() {
        let layout = layout(&coolify_like());
        let g = group(&layout, "unused");
        assert!(!layout
            .nodes
            .iter()
            .any(|n| n.group.as_deref() == Some("unused")));
        assert!(g.h < NODE_HEIGHT + GROUP_LABEL_HEIGHT);
    }

    #[test]
    fn shuffled_input_gives_an_identical_layout() {
        for input in [coolify_like(), generated(300, 40, 3)] {
            let expected = layout(&input);
            for seed in 1..4 {
                assert_eq!(layout(&shuffled(&input, seed)), expected, "seed {seed}");
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
        assert_eq!(layout(&input), layout(&coolify_like()));
    }

    #[test]
    fn empty_input_gives_just_the_internet_and_the_host() {
        let layout = layout(&LayoutInput::default());
        let kinds: Vec<(NodeKind, &str)> = layout
            .nodes
            .iter()
            .map(|n| (n.kind, n.id.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [(NodeKind::Internet, INTERNET_ID), (NodeKind::Host, HOST_ID)]
        );
        assert!(layout.groups.is_empty() && layout.edges.is_empty());
        assert_no_overlaps(&layout);
        assert_coordinates_in_bounds(&layout);
    }

    #[test]
    fn every_edge_starts_and_ends_on_a_box_border() {
        assert_edges_on_borders(&layout(&coolify_like()));
        assert_edges_on_borders(&layout(&generated(300, 40, 5)));
    }

    #[test]
    fn all_coordinates_are_finite_non_negative_and_within_the_canvas() {
        assert_coordinates_in_bounds(&layout(&coolify_like()));
        assert_coordinates_in_bounds(&layout(&generated(300, 40, 9)));
    }

    #[test]
    fn edges_are_orthogonal() {
        for e in &layout(&generated(300, 40, 13)).edges {
            for w in e.points.windows(2) {
                assert!(
                    w[0].0 == w[1].0 || w[0].1 == w[1].1,
                    "{} -> {}",
                    e.from,
                    e.to
                );
            }
        }
    }

    #[test]
    #[ignore = "timing, run with --ignored --nocapture"]
    fn three_hundred_containers_on_forty_networks_lay_out_quickly() {
        let input = generated(300, 40, 42);
        let runs = 20;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            std::hint::black_box(layout(std::hint::black_box(&input)));
        }
        let each = start.elapsed() / runs;
        println!("300 containers / 40 networks: {each:?} per layout");
    }
}
