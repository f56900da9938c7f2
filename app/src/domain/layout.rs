//! Where every box and line of the network picture goes, computed once here so the SVG only
//! draws.
//!
//! The picture reads top-down in one direction: the domains (the Internet's way in) and the host
//! ports (the host's), then the proxy, then the network groups, wrapped into rows (shelves) whose
//! width is chosen so the whole drawing has the viewport's shape, containers on a grid inside
//! each group. Lines run only in the gaps — channels between shelves, gutters left of each
//! stack of groups, lanes between rows of nodes — so they pass around groups, never through
//! them. Large hosts are drawn as an overview: closed groups are one box with their counts.

use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet};

/// Id of the Internet node: the header of the domains' row.
pub const INTERNET_ID: &str = "internet:";
/// Id of the host machine node: the header of the host ports' row.
pub const HOST_ID: &str = "host:";
/// Id of the pseudo-group holding containers attached to no network (`none`, `host`).
pub const NO_NETWORK_ID: &str = "network:none";
/// Label of the pseudo-group [`NO_NETWORK_ID`].
pub const NO_NETWORK_LABEL: &str = "no network";
/// The note beside [`NO_NETWORK_LABEL`].
pub const NO_NETWORK_NOTE: &str = "none/host";
/// Id of the one node standing for every domain that routes only into closed groups.
pub const FOLDED_DOMAINS_ID: &str = "domain:*";
/// Id of the one node standing for every host port published only by closed groups' members.
pub const FOLDED_HOST_PORTS_ID: &str = "hostport:*";

/// Space around the whole picture.
pub const MARGIN: f64 = 12.0;
/// Font size of a node's name (the SVG's CSS uses the same numbers).
pub const LABEL_FONT: f64 = 13.0;
/// Font size of a closed group's counts.
pub const SUBLABEL_FONT: f64 = 11.0;
/// Advance of one character of the monospace font, in ems (DejaVu / Liberation Mono: 0.6).
pub const CHAR_WIDTH: f64 = 0.6;
/// Text's distance from the left border of its box.
pub const TEXT_INSET: f64 = 8.0;
/// Baseline of a node's one line (its name, then its detail), from the top of the box.
pub const LABEL_BASELINE: f64 = 17.5;
/// Room kept at the right end of a name for a finding badge.
pub const BADGE_ROOM: f64 = 6.0;
/// Baseline of a group's label, from the top of the group.
pub const GROUP_LABEL_BASELINE: f64 = 19.0;
/// A container, proxy or domain box.
pub const NODE_WIDTH: f64 = 168.0;
pub const NODE_HEIGHT: f64 = 26.0;
/// The proxy's box: its ports fit beside `coolify-proxy`.
pub const PROXY_WIDTH: f64 = 200.0;
/// A host port box (`127.0.0.1:15432` fits).
pub const HOST_PORT_WIDTH: f64 = 152.0;
/// Ends a host-port entry the swarm's ingress mesh publishes (`*:8080 ingress (every node)`):
/// drawn as `*:8080` marked `ingress`, the whole in its tooltip.
pub const INGRESS_MARK: &str = " ingress (every node)";
/// The Internet and host boxes.
pub const PILL_WIDTH: f64 = 96.0;
pub const PILL_HEIGHT: f64 = 22.0;
/// Gaps between nodes on a grid; lines run along them.
pub const NODE_GAP_X: f64 = 8.0;
pub const NODE_GAP_Y: f64 = 14.0;
/// Space between a group's border and its nodes (left, right, bottom).
pub const GROUP_PADDING: f64 = 8.0;
/// Band at the top of a group where its label is drawn; no node enters it.
pub const GROUP_LABEL_HEIGHT: f64 = 30.0;
/// Gap between groups, both ways: the channels and gutters the lines run in.
pub const GROUP_GAP: f64 = 26.0;
/// A closed group (overview): its label, then its counts.
pub const CLOSED_WIDTH: f64 = 192.0;
pub const CLOSED_HEIGHT: f64 = 48.0;
/// A network without containers: at least this wide.
pub const EMPTY_GROUP_WIDTH: f64 = 112.0;
/// Baseline of a closed group's counts line, from its top.
pub const CLOSED_COUNTS_BASELINE: f64 = 39.0;
/// Gap between the rows of the entry band (Internet, domains, proxy).
pub const ENTRY_GAP: f64 = 24.0;
/// Gap between the domains and the host ports, side by side.
pub const BLOCK_GAP: f64 = 40.0;

/// Where the drawing starts: the margin plus a gutter for the lines running down the left side.
const LEFT: f64 = MARGIN + GROUP_GAP / 2.0;
/// Most nodes side by side in one group.
const MAX_GROUP_COLUMNS: usize = 8;
/// Most node widths side by side across the network area.
const MAX_ROW_CELLS: usize = 32;

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
    /// What kind of network it is when that matters (`internal`), drawn quieter after the label.
    #[serde(default)]
    pub note: Option<String>,
}

/// A container and what it is attached to.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContainerIn {
    /// The container's name.
    pub id: String,
    /// What users call it (a Coolify resource or service name), drawn on its box.
    pub label: String,
    /// Ids of the [`NetworkIn`]s it is attached to; empty for network `none` or `host`.
    pub networks: Vec<String>,
    /// The reverse proxy (Traefik or Caddy in Coolify): drawn above the networks.
    pub is_proxy: bool,
    /// Internal ports printed under the name, e.g. `3001/tcp`.
    pub ports: Vec<String>,
    /// Host bindings, e.g. `0.0.0.0:5433`; each becomes a host-port node.
    pub published: Vec<String>,
    /// The stack it belongs to (`n8n-with-postgresql`), added to the label when the container
    /// is drawn outside `context_network`, where the group's label no longer says it.
    #[serde(default)]
    pub context: Option<String>,
    /// The stack's own network.
    #[serde(default)]
    pub context_network: Option<String>,
}

/// A domain the proxy routes, and the containers behind it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DomainIn {
    pub host: String,
    /// Container ids.
    pub containers: Vec<String>,
    pub tls: bool,
}

/// How the picture is to be drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayoutOptions {
    /// Width ÷ height of the box the picture is fitted into; the layout takes this shape.
    pub aspect: f64,
    /// Network ids drawn closed: one box with counts instead of their containers.
    pub closed: BTreeSet<String>,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        Self {
            aspect: 1.5,
            closed: BTreeSet::new(),
        }
    }
}

impl LayoutOptions {
    /// Open groups fitted to a viewport of this shape.
    pub fn fitted(aspect: f64) -> Self {
        Self {
            aspect,
            ..Self::default()
        }
    }
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
    /// The whole label (for the tooltip), its note in brackets.
    pub label: String,
    /// The label as drawn: cut to the box's width.
    pub text: String,
    /// The note as drawn after it (`internal`, `default bridge: no DNS`), when it fits.
    pub detail: Option<String>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Drawn as one box with its counts (overview).
    pub closed: bool,
    /// The closed box's second line, as drawn (empty when open).
    pub summary: String,
    /// Containers drawn in this group (open) or standing behind it (closed), sorted.
    pub members: Vec<String>,
    pub counts: GroupCounts,
}

/// What a group holds, for its closed box and its tooltip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Containers drawn in it ([`GroupBox::members`]).
    pub containers: usize,
    /// Of those, how many a domain routes to.
    pub routed: usize,
    /// Of those, how many publish a host port.
    pub published: usize,
    /// Containers on this network drawn in another group (they are on several networks).
    pub elsewhere: usize,
}

impl GroupCounts {
    /// `12 containers · 3 routed · 1 published`, in full.
    pub fn summary(&self) -> String {
        self.parts().join(" · ")
    }

    /// As much of [`GroupCounts::summary`] as fits in `width`, whole parts only.
    pub fn summary_within(&self, width: f64) -> String {
        let mut text = String::new();
        for part in self.parts() {
            let longer = if text.is_empty() {
                part.clone()
            } else {
                format!("{text} · {part}")
            };
            if !text.is_empty() && fit_text(&longer, width, SUBLABEL_FONT) != longer {
                break;
            }
            text = longer;
        }
        fit_text(&text, width, SUBLABEL_FONT)
    }

    fn parts(&self) -> Vec<String> {
        let mut parts = vec![match self.containers {
            1 => "1 container".to_owned(),
            n => format!("{n} containers"),
        }];
        if self.routed > 0 {
            parts.push(format!("{} routed", self.routed));
        }
        if self.published > 0 {
            parts.push(format!("{} published", self.published));
        }
        parts
    }
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
    /// Containers keep their name; the rest use [`INTERNET_ID`], [`HOST_ID`],
    /// [`domain_node_id`], [`host_port_node_id`], [`FOLDED_DOMAINS_ID`], [`FOLDED_HOST_PORTS_ID`].
    pub id: String,
    pub kind: NodeKind,
    /// The whole label.
    pub label: String,
    /// The label as drawn: cut to the box's width.
    pub text: String,
    /// What follows the name on its line, in a quieter colour, as drawn: a container's first
    /// port (`:3001 +2`), `http` for a domain served without TLS, `+v6` for a host port bound on
    /// both `0.0.0.0` and `[::]`. Dropped when the name needs the room.
    pub detail: Option<String>,
    /// Everything about it in words, for the tooltip (the container's real name first).
    pub title: String,
    /// The group (network id) a container is drawn in; `None` outside groups.
    pub group: Option<String>,
    /// Ids of the nodes this one stands for (a folded node), else empty.
    pub folded: Vec<String>,
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
}

/// A line between two boxes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// A node id.
    pub from: String,
    /// A node id, or a network id (a group) when `to_group`.
    pub to: String,
    pub to_group: bool,
    pub kind: EdgeKind,
    /// Orthogonal polyline of at least 2 points, from the border of `from` to the border of `to`.
    pub points: Vec<(f64, f64)>,
    /// The containers whose traffic or membership this line stands for, sorted: selecting one
    /// of them lights the line up.
    pub serves: Vec<String>,
}

/// Node id of a domain.
pub fn domain_node_id(host: &str) -> String {
    format!("domain:{host}")
}

/// Node id of a host binding such as `0.0.0.0:5433`.
pub fn host_port_node_id(binding: &str) -> String {
    format!("hostport:{binding}")
}

/// `text` cut with `…` to what fits in `width` at `font` in the monospace font.
pub fn fit_text(text: &str, width: f64, font: f64) -> String {
    let room = (width / (font * CHAR_WIDTH)).floor().max(1.0) as usize;
    if text.chars().count() <= room {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(room - 1).collect();
        format!("{kept}…")
    }
}

/// A name cut to what fits, in the middle (`nd-45675e7…0-app004`): names that share a
/// prefix stay apart. A label made of a name and its context (`n8n-with-postgresql · qg8s…`)
/// keeps its start instead.
pub fn fit_name(text: &str, width: f64, font: f64) -> String {
    let room = (width / (font * CHAR_WIDTH)).floor().max(1.0) as usize;
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= room || text.contains(" · ") || room < 8 {
        return fit_text(text, width, font);
    }
    let head = (room - 1).div_ceil(2) + 1;
    let tail = room - 1 - head;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

/// The group each container is drawn in: its network with the most members (ties by label,
/// then id), or [`NO_NETWORK_ID`]. Proxies are drawn outside groups and are not listed.
pub fn homes(input: &LayoutInput) -> BTreeMap<String, String> {
    let model = Model::new(input);
    model
        .containers
        .iter()
        .filter(|c| !c.is_proxy)
        .map(|c| {
            let home = model.home(c).unwrap_or(NO_NETWORK_ID);
            (c.id.to_owned(), home.to_owned())
        })
        .collect()
}

/// Lays the picture out for a viewport of `options.aspect`. Deterministic and independent of
/// the order of every list in `input`.
pub fn layout(input: &LayoutInput, options: &LayoutOptions) -> Layout {
    let model = Model::new(input);
    let groups = plan_groups(&model, &options.closed);
    let entry = EntryItems::new(&model, &groups);
    let aspect = if options.aspect.is_finite() && options.aspect > 0.0 {
        options.aspect.clamp(0.2, 5.0)
    } else {
        LayoutOptions::default().aspect
    };
    let shape = best_shape(&groups, &entry, model.proxies.len(), aspect);
    draw(&model, &groups, &entry, shape)
}

// ---------------------------------------------------------------------------------------------
// The input, cleaned once.

/// The input, cleaned once: sorted, deduplicated, dangling references dropped.
struct Model<'a> {
    /// Network id → label.
    networks: BTreeMap<&'a str, &'a str>,
    /// Network id → its note.
    notes: BTreeMap<&'a str, &'a str>,
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
    /// `0.0.0.0:P` → `[::]:P` where both publish the same port to the same containers (what
    /// `-p P:…` does on a dual-stack host): drawn as one node.
    twins: BTreeMap<&'a str, &'a str>,
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
    context: Option<&'a str>,
    context_network: Option<&'a str>,
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
        let notes: BTreeMap<&str, &str> = input
            .networks
            .iter()
            .filter_map(|n| Some((n.id.as_str(), n.note.as_deref()?)))
            .collect();

        let mut containers: Vec<Container<'_>> = input
            .containers
            .iter()
            .map(|c| Container {
                id: &c.id,
                label: if c.label.is_empty() { &c.id } else { &c.label },
                is_proxy: c.is_proxy,
                networks: sorted(
                    c.networks
                        .iter()
                        .map(String::as_str)
                        .filter(|n| networks.contains_key(n)),
                ),
                ports: sorted_by_number(&c.ports),
                published: sorted_by_number(&c.published),
                context: c.context.as_deref().filter(|s| !s.is_empty()),
                context_network: c.context_network.as_deref(),
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
        let by_id_ref: &BTreeMap<&str, usize> = &by_id;
        for domain in domains.values_mut() {
            domain.containers.retain(|c| by_id_ref.contains_key(c));
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

        let mut twins: BTreeMap<&str, &str> = BTreeMap::new();
        let v6: Vec<SortKey<'_>> = host_ports
            .keys()
            .filter(|k| k.text.starts_with("[::]:"))
            .copied()
            .collect();
        for key in v6 {
            let port = &key.text["[::]:".len()..];
            let v4 = host_ports
                .keys()
                .find(|k| k.text.strip_prefix("0.0.0.0:") == Some(port))
                .copied();
            if let Some(v4) = v4 {
                if host_ports.get(&v4) == host_ports.get(&key) {
                    host_ports.remove(&key);
                    twins.insert(v4.text, key.text);
                }
            }
        }

        Self {
            networks,
            notes,
            containers,
            by_id,
            members,
            proxies,
            domains,
            host_ports,
            twins,
        }
    }

    fn container(&self, id: &str) -> Option<&Container<'a>> {
        self.by_id.get(id).and_then(|&i| self.containers.get(i))
    }

    /// The network a container is drawn in: the one with the most members, ties to its stack's
    /// own network, then by label, then id; `None` when it is attached to no known network.
    fn home(&self, container: &Container<'a>) -> Option<&'a str> {
        container.networks.iter().copied().min_by_key(|&n| {
            let members = self.members.get(n).copied().unwrap_or(0);
            let label = self.networks.get(n).copied().unwrap_or(n);
            let foreign = container.context_network != Some(n);
            (Reverse(members), foreign, label, n)
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

    /// Whether some domain routes to this container.
    fn is_routed(&self, id: &str) -> bool {
        self.domains.values().any(|d| d.containers.contains(id))
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

/// `:80 +2`: the first port (`/tcp` left out), then how many more.
fn port_detail(ports: &[&str]) -> Option<String> {
    let first = ports.first()?;
    let mut detail = format!(":{}", first.strip_suffix("/tcp").unwrap_or(first));
    if ports.len() > 1 {
        detail.push_str(&format!(" +{}", ports.len() - 1));
    }
    Some(detail)
}

/// A name and its detail on one line of `width`: both when they fit; for a container or proxy
/// (`keep_detail` false) else the name alone, whose identity matters more than its port; for a
/// domain, host port or network the name shortened (by `cut`) to make room for its detail while
/// ten characters remain.
fn fit_line(
    name: &str,
    detail: Option<&str>,
    width: f64,
    keep_detail: bool,
) -> (String, Option<String>) {
    let cut = if keep_detail { fit_text } else { fit_name };
    fit_line_with(name, detail, width, keep_detail, cut)
}

fn fit_line_with(
    name: &str,
    detail: Option<&str>,
    width: f64,
    keep_detail: bool,
    cut: fn(&str, f64, f64) -> String,
) -> (String, Option<String>) {
    let room = (width / (LABEL_FONT * CHAR_WIDTH)).floor().max(1.0) as usize;
    match detail {
        Some(d) if name.chars().count() + 1 + d.chars().count() <= room => {
            (name.to_owned(), Some(d.to_owned()))
        }
        Some(d) if keep_detail && room.saturating_sub(1 + d.chars().count()) >= 10 => {
            let keep = (room - 1 - d.chars().count()) as f64 * LABEL_FONT * CHAR_WIDTH;
            (cut(name, keep, LABEL_FONT), Some(d.to_owned()))
        }
        _ => (cut(name, width, LABEL_FONT), None),
    }
}

// ---------------------------------------------------------------------------------------------
// What goes where, before coordinates: groups and the entry band.

/// A network group with its members, in packing order.
struct GroupPlan<'m, 'a> {
    id: &'a str,
    label: String,
    note: Option<&'a str>,
    /// Drawn here, sorted by label, then id.
    members: Vec<&'m Container<'a>>,
    closed: bool,
    counts: GroupCounts,
}

impl GroupPlan<'_, '_> {
    /// The box's size when its grid has at most `columns` columns.
    fn size(&self, columns: usize) -> (f64, f64) {
        if self.closed {
            return (CLOSED_WIDTH, CLOSED_HEIGHT);
        }
        let grid = Grid::new(
            0.0,
            0.0,
            self.members.len(),
            columns,
            NODE_WIDTH,
            NODE_HEIGHT,
        );
        if self.members.is_empty() {
            // Just its label: as wide as that needs, within a node's width.
            let chars = self.label.chars().count() + self.note.map_or(0, |n| n.chars().count() + 1);
            let label = chars as f64 * LABEL_FONT * CHAR_WIDTH;
            let w = (label + 2.0 * TEXT_INSET + BADGE_ROOM + 6.0)
                .clamp(EMPTY_GROUP_WIDTH, NODE_WIDTH + 2.0 * GROUP_PADDING);
            return (w, GROUP_LABEL_HEIGHT + GROUP_PADDING);
        }
        let w = 2.0 * GROUP_PADDING + grid.width().max(NODE_WIDTH);
        let h = GROUP_LABEL_HEIGHT + grid.height() + GROUP_PADDING;
        (w, h)
    }

    fn columns(&self, most: usize) -> usize {
        self.members.len().clamp(1, most)
    }
}

/// Groups with their members, biggest first (ties by label, then id), the "no network"
/// pseudo-group among them.
fn plan_groups<'m, 'a>(model: &'m Model<'a>, closed: &BTreeSet<String>) -> Vec<GroupPlan<'m, 'a>> {
    let mut homes: BTreeMap<&str, Vec<&Container<'a>>> =
        model.networks.keys().map(|id| (*id, Vec::new())).collect();
    let mut homeless: Vec<&Container<'a>> = Vec::new();
    for container in model.containers.iter().filter(|c| !c.is_proxy) {
        match model.home(container).and_then(|id| homes.get_mut(id)) {
            Some(members) => members.push(container),
            None => homeless.push(container),
        }
    }
    let mut groups: Vec<(&str, String, Vec<&Container<'a>>)> = homes
        .into_iter()
        .map(|(id, members)| {
            let label = model.networks.get(id).copied().unwrap_or(id).to_owned();
            (id, label, members)
        })
        .collect();
    if !homeless.is_empty() {
        groups.push((NO_NETWORK_ID, NO_NETWORK_LABEL.to_owned(), homeless));
    }
    groups.sort_by(|a, b| (Reverse(a.2.len()), &a.1, a.0).cmp(&(Reverse(b.2.len()), &b.1, b.0)));
    groups
        .into_iter()
        .map(|(id, label, mut members)| {
            members.sort_by(|a, b| (a.label, a.id).cmp(&(b.label, b.id)));
            let attached = model.members.get(id).copied().unwrap_or(0);
            let counts = GroupCounts {
                containers: members.len(),
                routed: members.iter().filter(|c| model.is_routed(c.id)).count(),
                published: members.iter().filter(|c| !c.published.is_empty()).count(),
                elsewhere: attached.saturating_sub(members.len()),
            };
            let note = if id == NO_NETWORK_ID {
                Some(NO_NETWORK_NOTE)
            } else {
                model.notes.get(id).copied()
            };
            GroupPlan {
                id,
                label,
                note,
                closed: closed.contains(id) && !members.is_empty(),
                members,
                counts,
            }
        })
        .collect()
}

/// The nodes of the entry band: domains and host ports, some folded into one node when what
/// they lead to is in closed groups.
struct EntryItems<'a> {
    /// Drawn one by one, in order.
    domains: Vec<&'a str>,
    /// Folded into [`FOLDED_DOMAINS_ID`].
    folded_domains: Vec<&'a str>,
    host_ports: Vec<SortKey<'a>>,
    folded_host_ports: Vec<SortKey<'a>>,
}

impl<'a> EntryItems<'a> {
    fn new(model: &Model<'a>, groups: &[GroupPlan<'_, 'a>]) -> Self {
        let hidden: BTreeSet<&str> = groups
            .iter()
            .filter(|g| g.closed)
            .flat_map(|g| g.members.iter().map(|c| c.id))
            .collect();
        let all_hidden =
            |ids: &BTreeSet<&str>| !ids.is_empty() && ids.iter().all(|c| hidden.contains(c));
        let mut items = Self {
            domains: Vec::new(),
            folded_domains: Vec::new(),
            host_ports: Vec::new(),
            folded_host_ports: Vec::new(),
        };
        for (host, d) in &model.domains {
            if all_hidden(&d.containers) {
                items.folded_domains.push(host);
            } else {
                items.domains.push(host);
            }
        }
        for (key, owners) in &model.host_ports {
            if all_hidden(owners) {
                items.folded_host_ports.push(*key);
            } else {
                items.host_ports.push(*key);
            }
        }
        // A folded node standing for one item is just that item.
        if items.folded_domains.len() == 1 {
            items.domains.append(&mut items.folded_domains);
            items.domains.sort_unstable();
        }
        if items.folded_host_ports.len() == 1 {
            items.host_ports.append(&mut items.folded_host_ports);
            items.host_ports.sort_unstable();
        }
        items
    }

    fn domain_count(&self) -> usize {
        self.domains.len() + usize::from(!self.folded_domains.is_empty())
    }

    fn host_port_count(&self) -> usize {
        self.host_ports.len() + usize::from(!self.folded_host_ports.is_empty())
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry helpers.

#[derive(Debug, Clone, Copy, PartialEq)]
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

/// `count` equal cells in rows of `columns`, gaps [`NODE_GAP_X`] × [`NODE_GAP_Y`] between them.
#[derive(Debug, Clone, Copy)]
struct Grid {
    x: f64,
    y: f64,
    count: usize,
    columns: usize,
    cell_w: f64,
    cell_h: f64,
}

impl Grid {
    fn new(x: f64, y: f64, count: usize, columns: usize, cell_w: f64, cell_h: f64) -> Self {
        Self {
            x,
            y,
            count,
            columns: columns.max(1),
            cell_w,
            cell_h,
        }
    }

    fn rows(&self) -> usize {
        self.count.div_ceil(self.columns)
    }

    fn width(&self) -> f64 {
        let used = self.columns.min(self.count) as f64;
        if used == 0.0 {
            0.0
        } else {
            used * self.cell_w + (used - 1.0) * NODE_GAP_X
        }
    }

    fn height(&self) -> f64 {
        let rows = self.rows() as f64;
        if rows == 0.0 {
            0.0
        } else {
            rows * self.cell_h + (rows - 1.0) * NODE_GAP_Y
        }
    }

    fn row_of(&self, index: usize) -> usize {
        index / self.columns
    }

    fn cell(&self, index: usize) -> Rect {
        let (row, column) = (index / self.columns, index % self.columns);
        Rect {
            x: self.x + column as f64 * (self.cell_w + NODE_GAP_X),
            y: self.y + row as f64 * (self.cell_h + NODE_GAP_Y),
            w: self.cell_w,
            h: self.cell_h,
        }
    }

    /// The middle of the gap above `row` (for row 0, just above the grid).
    fn lane_above(&self, row: usize) -> f64 {
        self.y + row as f64 * (self.cell_h + NODE_GAP_Y) - NODE_GAP_Y / 2.0
    }

    fn lane_below(&self, row: usize) -> f64 {
        self.lane_above(row + 1)
    }
}

/// Which side of a gap a kind of line keeps to, so lines of different kinds never merge.
fn lane(kind: EdgeKind) -> f64 {
    match kind {
        EdgeKind::Route => 0.0,
        EdgeKind::Published => 6.0,
        EdgeKind::Attachment => -6.0,
    }
}

/// The narrower lanes between rows of nodes.
fn small_lane(kind: EdgeKind) -> f64 {
    lane(kind) * 0.75
}

/// Where on a node's top border a line of this kind arrives.
fn arrival_dx(kind: EdgeKind) -> f64 {
    match kind {
        EdgeKind::Published => 14.0,
        EdgeKind::Attachment => 28.0,
        _ => -14.0,
    }
}

// ---------------------------------------------------------------------------------------------
// Choosing the shape: how wide the rows are, how many columns a group may take.

/// The entry band for a given width: the Internet heading a grid of domains on top; below it
/// the proxies, and beside them the host heading a grid of host ports.
#[derive(Debug, Clone, Copy)]
struct EntryPlan {
    domains: Grid,
    host_ports: Grid,
    /// The Internet heading the domains, when there are some.
    internet: Option<Rect>,
    /// The host heading its published ports, when there are some.
    host: Option<Rect>,
    /// Top of the proxy row.
    proxies_y: f64,
    proxies_x: f64,
    /// Bottom of the whole band.
    bottom: f64,
    right: f64,
}

/// Width of a row's header (the Internet or the host) and the gap after it.
const HEADER: f64 = PILL_WIDTH + NODE_GAP_X + 4.0;

impl EntryPlan {
    fn new(entry: &EntryItems<'_>, proxies: usize, width: f64) -> Self {
        let (nd, nh) = (entry.domain_count(), entry.host_port_count());
        let dp = NODE_WIDTH + NODE_GAP_X;
        let hp = HOST_PORT_WIDTH + NODE_GAP_X;
        let columns = |room: f64, pitch: f64, n: usize| {
            (((room + NODE_GAP_X) / pitch).floor() as usize).clamp(1, n.max(1))
        };
        let dcols = columns(width - HEADER, dp, nd);
        let domains = Grid::new(LEFT + HEADER, MARGIN, nd, dcols, NODE_WIDTH, NODE_HEIGHT);
        let proxies_y = if nd > 0 {
            MARGIN + domains.height() + ENTRY_GAP
        } else {
            MARGIN
        };
        let proxies_x = if nd > 0 { LEFT + HEADER } else { LEFT };
        let proxies_w = if proxies == 0 {
            0.0
        } else {
            proxies as f64 * (PROXY_WIDTH + NODE_GAP_X) - NODE_GAP_X
        };
        let host_x = if proxies > 0 {
            proxies_x + proxies_w + BLOCK_GAP
        } else {
            LEFT
        };
        let hcols = columns(LEFT + width - host_x - HEADER, hp, nh);
        let host_ports = Grid::new(
            host_x + HEADER,
            proxies_y,
            nh,
            hcols,
            HOST_PORT_WIDTH,
            NODE_HEIGHT,
        );
        let pill = |x: f64, y: f64| Rect {
            x,
            y: y + (NODE_HEIGHT - PILL_HEIGHT) / 2.0,
            w: PILL_WIDTH,
            h: PILL_HEIGHT,
        };
        let mut bottom = MARGIN - GROUP_GAP;
        if nd > 0 {
            bottom = domains.y + domains.height();
        }
        if proxies > 0 {
            bottom = bottom.max(proxies_y + NODE_HEIGHT);
        }
        if nh > 0 {
            bottom = bottom.max(host_ports.y + host_ports.height());
        }
        let right = [
            (nd > 0).then(|| domains.x + domains.width()),
            (proxies > 0).then_some(proxies_x + proxies_w),
            (nh > 0).then(|| host_ports.x + host_ports.width()),
        ]
        .into_iter()
        .flatten()
        .fold(LEFT, f64::max);
        Self {
            domains,
            host_ports,
            internet: (nd > 0).then(|| pill(LEFT, MARGIN)),
            host: (nh > 0).then(|| pill(host_x, proxies_y)),
            proxies_y,
            proxies_x,
            bottom,
            right,
        }
    }

    fn proxy(&self, index: usize) -> Rect {
        Rect {
            x: self.proxies_x + index as f64 * (PROXY_WIDTH + NODE_GAP_X),
            y: self.proxies_y,
            w: PROXY_WIDTH,
            h: NODE_HEIGHT,
        }
    }
}

/// Groups packed on shelves: each shelf a row of stacks, each stack a column of groups.
#[derive(Debug, Clone, Default)]
struct Packing {
    /// Per group, in plan order.
    rects: Vec<Rect>,
    /// Per group: its shelf and stack.
    places: Vec<(usize, usize)>,
    shelves: Vec<Shelf>,
    right: f64,
    bottom: f64,
}

#[derive(Debug, Clone)]
struct Shelf {
    y: f64,
    h: f64,
    /// Per stack: left x and width.
    stacks: Vec<(f64, f64)>,
    /// Per stack: the bottom of its lowest group.
    stack_bottoms: Vec<f64>,
}

impl Shelf {
    /// Middles of the free vertical gaps: left of every stack, and right of the last.
    fn gutters(&self) -> impl Iterator<Item = f64> + '_ {
        let last = self.stacks.last().map(|&(x, w)| x + w + GROUP_GAP / 2.0);
        self.stacks
            .iter()
            .map(|&(x, _)| x - GROUP_GAP / 2.0)
            .chain(last)
    }
}

/// Next-fit shelves of stacks: a group goes under the groups of a stack of the current shelf
/// when it fits there (first such stack), else in a new stack to the right, else on a new shelf.
fn pack(sizes: &[(f64, f64)], top: f64, width: f64) -> Packing {
    let mut p = Packing {
        bottom: top,
        right: LEFT,
        ..Packing::default()
    };
    for &(w, h) in sizes {
        let mut placed = None;
        let last = p.shelves.len().checked_sub(1);
        if let (Some(s), Some(shelf)) = (last, p.shelves.last_mut()) {
            for (k, &(x, sw)) in shelf.stacks.iter().enumerate() {
                let y = shelf.stack_bottoms[k] + GROUP_GAP;
                if w <= sw && y + h <= shelf.y + shelf.h {
                    shelf.stack_bottoms[k] = y + h;
                    placed = Some((Rect { x, y, w, h }, (s, k)));
                    break;
                }
            }
            if placed.is_none() {
                let x = shelf
                    .stacks
                    .last()
                    .map_or(LEFT, |&(x, sw)| x + sw + GROUP_GAP);
                if x + w <= LEFT + width {
                    shelf.stacks.push((x, w));
                    shelf.stack_bottoms.push(shelf.y + h);
                    shelf.h = shelf.h.max(h);
                    placed = Some((
                        Rect {
                            x,
                            y: shelf.y,
                            w,
                            h,
                        },
                        (s, shelf.stacks.len() - 1),
                    ));
                }
            }
        }
        let (rect, place) = placed.unwrap_or_else(|| {
            let y = p
                .shelves
                .last()
                .map_or(top, |shelf| shelf.y + shelf.h + GROUP_GAP);
            p.shelves.push(Shelf {
                y,
                h,
                stacks: vec![(LEFT, w)],
                stack_bottoms: vec![y + h],
            });
            (Rect { x: LEFT, y, w, h }, (p.shelves.len() - 1, 0))
        });
        p.right = p.right.max(rect.right());
        p.bottom = p.bottom.max(rect.bottom());
        p.rects.push(rect);
        p.places.push(place);
    }
    p
}

/// The parameters of one candidate picture.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Shape {
    /// Width of the rows (network area and entry band).
    width: f64,
    /// Most columns a group's grid may take.
    columns: usize,
}

/// Tries every row width and column limit and keeps the one whose drawing, fitted into a
/// viewport of `aspect`, is drawn the largest (ties: the smaller drawing, then the narrower).
fn best_shape(
    groups: &[GroupPlan<'_, '_>],
    entry: &EntryItems<'_>,
    proxies: usize,
    aspect: f64,
) -> Shape {
    let widest_group = groups
        .iter()
        .map(|g| g.size(1).0)
        .fold(NODE_WIDTH, f64::max);
    let mut best: Option<(f64, f64, Shape)> = None;
    let mut sizes: Vec<(f64, f64)> = Vec::with_capacity(groups.len());
    for cells in 1..=MAX_ROW_CELLS {
        let width = (cells as f64 * (NODE_WIDTH + NODE_GAP_X) - NODE_GAP_X + 2.0 * GROUP_PADDING)
            .max(widest_group);
        let band = EntryPlan::new(entry, proxies, width);
        for columns in 1..=MAX_GROUP_COLUMNS {
            let fitting = ((width - 2.0 * GROUP_PADDING + NODE_GAP_X) / (NODE_WIDTH + NODE_GAP_X))
                .floor()
                .max(1.0) as usize;
            sizes.clear();
            sizes.extend(
                groups
                    .iter()
                    .map(|g| g.size(g.columns(columns.min(fitting)))),
            );
            let packed = pack(&sizes, band.bottom + GROUP_GAP, width);
            let w = packed.right.max(band.right) + MARGIN + GROUP_GAP / 2.0;
            let h = if groups.is_empty() {
                band.bottom + MARGIN
            } else {
                packed.bottom + MARGIN
            };
            let score = (w / aspect).max(h);
            let area = w * h;
            let shape = Shape { width, columns };
            let better = match &best {
                None => true,
                Some((s, a, _)) => match score.total_cmp(s) {
                    Ordering::Less => true,
                    Ordering::Equal => area < *a,
                    Ordering::Greater => false,
                },
            };
            if better {
                best = Some((score, area, shape));
            }
            if columns >= fitting {
                break;
            }
        }
    }
    best.map_or(
        Shape {
            width: widest_group,
            columns: 1,
        },
        |(_, _, shape)| shape,
    )
}

// ---------------------------------------------------------------------------------------------
// Drawing: boxes, then lines.

/// A group as placed: its box, where it sits among the shelves, and its grid when open.
struct PlacedGroup {
    rect: Rect,
    shelf: usize,
    /// Middle of the free gutter left of its stack.
    gutter: f64,
    /// Its stack within the shelf.
    stack: usize,
    grid: Option<Grid>,
}

/// Where a line ends.
enum Target {
    /// On a node's top border, arriving down the lane above its row.
    Node(String),
    /// On a group's left border at this height.
    GroupSide(String, f64),
}

struct Canvas {
    nodes: Vec<NodeBox>,
    groups: Vec<GroupBox>,
    edges: Vec<Edge>,
    node_rects: BTreeMap<String, Rect>,
    placed: BTreeMap<String, PlacedGroup>,
    /// Container id → (its group, its index on the group's grid), for open groups.
    cells: BTreeMap<String, (String, usize)>,
    /// Container id → its closed group.
    hidden: BTreeMap<String, String>,
    seen: BTreeMap<(String, String, bool, EdgeKind), usize>,
    shelves: Vec<Shelf>,
    /// Middle of the channel above the first shelf.
    first_channel: f64,
}

impl Canvas {
    fn channel(&self, s: usize) -> f64 {
        channel_y(&self.shelves, self.first_channel, s)
    }

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

    /// Adds a line, or merges `serves` into the same (from, to, kind) line already drawn.
    fn add_edge(
        &mut self,
        from: &str,
        to: &str,
        to_group: bool,
        kind: EdgeKind,
        points: Vec<(f64, f64)>,
        serves: &[&str],
    ) {
        let key = (from.to_owned(), to.to_owned(), to_group, kind);
        if let Some(&i) = self.seen.get(&key) {
            if let Some(edge) = self.edges.get_mut(i) {
                edge.serves.extend(serves.iter().map(|s| (*s).to_owned()));
                edge.serves.sort_unstable();
                edge.serves.dedup();
            }
            return;
        }
        let mut serves: Vec<String> = serves.iter().map(|s| (*s).to_owned()).collect();
        serves.sort_unstable();
        serves.dedup();
        self.seen.insert(key, self.edges.len());
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            to_group,
            kind,
            points: simplify(points),
            serves,
        });
    }

    /// From a point in the channel above shelf `from` (the last of `points`), along channels
    /// and through the gutter of each shelf crossed nearest to `x`, to the channel above `to`.
    fn navigate(
        &self,
        points: &mut Vec<(f64, f64)>,
        from: usize,
        to: usize,
        x: f64,
        kind: EdgeKind,
    ) {
        let l = lane(kind);
        let mut s = from;
        while s != to {
            let crossed = if to > s { s } else { s - 1 };
            let Some(shelf) = self.shelves.get(crossed) else {
                break;
            };
            let gutter = shelf
                .gutters()
                .min_by(|a, b| (a - x).abs().total_cmp(&(b - x).abs()).then(a.total_cmp(b)))
                .unwrap_or(LEFT - GROUP_GAP / 2.0);
            let next = if to > s { s + 1 } else { s - 1 };
            points.push((gutter + l, self.channel(s) + l));
            points.push((gutter + l, self.channel(next) + l));
            s = next;
        }
    }

    /// Continues `points` (ending in the channel above shelf `from`) to `target`. False when
    /// the target is not drawn.
    fn reach(
        &self,
        points: &mut Vec<(f64, f64)>,
        from: usize,
        target: &Target,
        kind: EdgeKind,
    ) -> bool {
        let l = lane(kind);
        let (group, y_inside, end) = match target {
            Target::Node(id) => {
                let Some((gid, index)) = self.cells.get(id) else {
                    return false;
                };
                let Some(group) = self.placed.get(gid) else {
                    return false;
                };
                let Some(grid) = group.grid else {
                    return false;
                };
                let cell = grid.cell(*index);
                let y = grid.lane_above(grid.row_of(*index)) + small_lane(kind);
                let x = cell.cx() + arrival_dx(kind);
                (group, y, vec![(x, y), (x, cell.y)])
            }
            Target::GroupSide(gid, y) => {
                let Some(group) = self.placed.get(gid) else {
                    return false;
                };
                (group, *y, vec![(group.rect.x, *y)])
            }
        };
        self.navigate(points, from, group.shelf, group.gutter, kind);
        points.push((group.gutter + l, self.channel(group.shelf) + l));
        points.push((group.gutter + l, y_inside));
        points.extend(end);
        true
    }

    /// Draws a line that starts with `start` (ending in the first channel) to `target`.
    fn connect(
        &mut self,
        from: &str,
        target: Target,
        kind: EdgeKind,
        mut start: Vec<(f64, f64)>,
        serves: &[&str],
    ) {
        if !self.reach(&mut start, 0, &target, kind) {
            return;
        }
        let (to, to_group) = match &target {
            Target::Node(id) => (id.as_str(), false),
            Target::GroupSide(id, _) => (id.as_str(), true),
        };
        self.add_edge(from, to, to_group, kind, start, serves);
    }

    /// Where a line to a container ends: the container, or its closed group's side.
    fn container_target(&self, id: &str, kind: EdgeKind) -> Option<Target> {
        if self.cells.contains_key(id) {
            return Some(Target::Node(id.to_owned()));
        }
        let group = self.hidden.get(id)?;
        let rect = self.placed.get(group)?.rect;
        Some(Target::GroupSide(
            group.clone(),
            rect.y + 0.65 * rect.h + small_lane(kind),
        ))
    }

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

/// A container's title: its real name first, then what the box cannot say.
fn container_title(c: &Container<'_>, shown: &str, model: &Model<'_>) -> String {
    let mut title = c.id.to_owned();
    if shown != c.id {
        title.push_str(&format!("\n{shown}"));
    }
    if c.is_proxy {
        title.push_str("\nthe reverse proxy");
    }
    if !c.ports.is_empty() {
        title.push_str(&format!("\nports: {}", c.ports.join(", ")));
    }
    if !c.published.is_empty() {
        title.push_str(&format!("\npublished: {}", c.published.join(", ")));
    }
    let networks: Vec<&str> = c
        .networks
        .iter()
        .map(|n| model.networks.get(n).copied().unwrap_or(n))
        .collect();
    if !networks.is_empty() {
        title.push_str(&format!("\nnetworks: {}", networks.join(", ")));
    }
    title
}

fn node_box(
    id: String,
    kind: NodeKind,
    label: String,
    detail: Option<String>,
    title: String,
    rect: Rect,
) -> NodeBox {
    let room = rect.w - 2.0 * TEXT_INSET - BADGE_ROOM;
    let keep_detail = !matches!(kind, NodeKind::Container | NodeKind::Proxy);
    let (text, detail) = fit_line(&label, detail.as_deref(), room, keep_detail);
    NodeBox {
        id,
        kind,
        text,
        label,
        detail,
        title,
        group: None,
        folded: Vec::new(),
        x: rect.x,
        y: rect.y,
        w: rect.w,
        h: rect.h,
    }
}

fn draw(
    model: &Model<'_>,
    plans: &[GroupPlan<'_, '_>],
    entry: &EntryItems<'_>,
    shape: Shape,
) -> Layout {
    let band = EntryPlan::new(entry, model.proxies.len(), shape.width);
    let fitting = ((shape.width - 2.0 * GROUP_PADDING + NODE_GAP_X) / (NODE_WIDTH + NODE_GAP_X))
        .floor()
        .max(1.0) as usize;
    let columns: Vec<usize> = plans
        .iter()
        .map(|g| g.columns(shape.columns.min(fitting)))
        .collect();
    let sizes: Vec<(f64, f64)> = plans
        .iter()
        .zip(&columns)
        .map(|(g, &c)| g.size(c))
        .collect();
    let packing = pack(&sizes, band.bottom + GROUP_GAP, shape.width);
    let mut canvas = Canvas {
        nodes: Vec::new(),
        groups: Vec::new(),
        edges: Vec::new(),
        node_rects: BTreeMap::new(),
        placed: BTreeMap::new(),
        cells: BTreeMap::new(),
        hidden: BTreeMap::new(),
        seen: BTreeMap::new(),
        shelves: packing.shelves.clone(),
        first_channel: band.bottom + GROUP_GAP / 2.0,
    };
    draw_entry(model, entry, &band, &mut canvas);
    draw_groups(model, plans, &columns, &packing, &mut canvas);
    draw_edges(model, entry, &band, &mut canvas);
    canvas.finish()
}

/// The Internet and the host, the domains and host ports under them, the proxies below.
fn draw_entry(model: &Model<'_>, entry: &EntryItems<'_>, band: &EntryPlan, canvas: &mut Canvas) {
    if let Some(rect) = band.internet {
        canvas.add_node(node_box(
            INTERNET_ID.to_owned(),
            NodeKind::Internet,
            "Internet".to_owned(),
            None,
            "The Internet: requests for the domains below reach the proxy".to_owned(),
            rect,
        ));
    }
    if let Some(rect) = band.host {
        canvas.add_node(node_box(
            HOST_ID.to_owned(),
            NodeKind::Host,
            "Host".to_owned(),
            None,
            "This host: its published ports lead straight to containers".to_owned(),
            rect,
        ));
    }
    let describe = |ids: &BTreeSet<&str>| {
        ids.iter()
            .map(|id| model.container(id).map_or(*id, |c| c.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, host) in entry.domains.iter().enumerate() {
        let Some(domain) = model.domains.get(host) else {
            continue;
        };
        let scheme = if domain.tls { "https" } else { "http" };
        canvas.add_node(node_box(
            domain_node_id(host),
            NodeKind::Domain,
            (*host).to_owned(),
            (!domain.tls).then(|| "http".to_owned()),
            format!("{scheme}://{host} → {}", describe(&domain.containers)),
            band.domains.cell(i),
        ));
    }
    if !entry.folded_domains.is_empty() {
        let n = entry.folded_domains.len();
        let mut node = node_box(
            FOLDED_DOMAINS_ID.to_owned(),
            NodeKind::Domain,
            format!("{n} domains"),
            None,
            format!(
                "{n} domains routed into closed networks: {}",
                entry.folded_domains.join(", ")
            ),
            band.domains.cell(entry.domains.len()),
        );
        node.folded = entry
            .folded_domains
            .iter()
            .map(|h| domain_node_id(h))
            .collect();
        canvas.add_node(node);
    }
    for (i, key) in entry.host_ports.iter().enumerate() {
        let owners = model.host_ports.get(key).cloned().unwrap_or_default();
        let to = describe(&owners);
        let twin = model.twins.get(key.text).copied();
        let mesh = key.text.strip_suffix(INGRESS_MARK);
        let mut node = node_box(
            host_port_node_id(key.text),
            NodeKind::HostPort,
            mesh.unwrap_or(key.text).to_owned(),
            match (mesh, twin) {
                (Some(_), _) => Some("ingress".to_owned()),
                (None, Some(_)) => Some("+v6".to_owned()),
                (None, None) => None,
            },
            match twin {
                Some(v6) => format!("{} and {v6} → {to}", key.text),
                None => format!("{} → {to}", key.text),
            },
            band.host_ports.cell(i),
        );
        node.folded.extend(twin.map(host_port_node_id));
        canvas.add_node(node);
    }
    if !entry.folded_host_ports.is_empty() {
        let n = entry.folded_host_ports.len();
        let list: Vec<&str> = entry.folded_host_ports.iter().map(|k| k.text).collect();
        let mut node = node_box(
            FOLDED_HOST_PORTS_ID.to_owned(),
            NodeKind::HostPort,
            format!("{n} host ports"),
            None,
            format!(
                "{n} host ports published by containers in closed networks: {}",
                list.join(", ")
            ),
            band.host_ports.cell(entry.host_ports.len()),
        );
        node.folded = list
            .iter()
            .flat_map(|b| std::iter::once(*b).chain(model.twins.get(b).copied()))
            .map(host_port_node_id)
            .collect();
        canvas.add_node(node);
    }
    for (i, proxy) in model.proxies.iter().enumerate() {
        canvas.add_node(node_box(
            proxy.id.to_owned(),
            NodeKind::Proxy,
            proxy.label.to_owned(),
            port_detail(&proxy.ports),
            container_title(proxy, proxy.label, model),
            band.proxy(i),
        ));
    }
}

/// The groups at their packed places, with their containers on a grid when open.
fn draw_groups(
    model: &Model<'_>,
    plans: &[GroupPlan<'_, '_>],
    columns: &[usize],
    packing: &Packing,
    canvas: &mut Canvas,
) {
    for (i, plan) in plans.iter().enumerate() {
        let (Some(&rect), Some(&(shelf, stack)), Some(&cols)) =
            (packing.rects.get(i), packing.places.get(i), columns.get(i))
        else {
            continue;
        };
        let gutter = packing
            .shelves
            .get(shelf)
            .and_then(|s| s.stacks.get(stack))
            .map_or(LEFT - GROUP_GAP / 2.0, |&(x, _)| x - GROUP_GAP / 2.0);
        let grid = (!plan.closed).then(|| {
            Grid::new(
                rect.x + GROUP_PADDING,
                rect.y + GROUP_LABEL_HEIGHT,
                plan.members.len(),
                cols,
                NODE_WIDTH,
                NODE_HEIGHT,
            )
        });
        if let Some(grid) = grid {
            for (index, member) in plan.members.iter().enumerate() {
                let shown = match (member.context, member.context_network) {
                    (Some(context), Some(network)) if network != plan.id => {
                        format!("{} · {context}", member.label)
                    }
                    _ => member.label.to_owned(),
                };
                let mut node = node_box(
                    member.id.to_owned(),
                    NodeKind::Container,
                    shown.clone(),
                    port_detail(&member.ports),
                    container_title(member, &shown, model),
                    grid.cell(index),
                );
                node.group = Some(plan.id.to_owned());
                canvas.add_node(node);
                canvas
                    .cells
                    .insert(member.id.to_owned(), (plan.id.to_owned(), index));
            }
        } else {
            for member in &plan.members {
                canvas
                    .hidden
                    .insert(member.id.to_owned(), plan.id.to_owned());
            }
        }
        let room = rect.w - 2.0 * TEXT_INSET - BADGE_ROOM;
        let (text, detail) = fit_line_with(&plan.label, plan.note, room, true, fit_name);
        canvas.groups.push(GroupBox {
            network: plan.id.to_owned(),
            label: match plan.note {
                Some(note) => format!("{} ({note})", plan.label),
                None => plan.label.clone(),
            },
            text,
            detail,
            x: rect.x,
            y: rect.y,
            w: rect.w,
            h: rect.h,
            closed: plan.closed,
            summary: if plan.closed {
                plan.counts.summary_within(rect.w - 2.0 * TEXT_INSET)
            } else {
                String::new()
            },
            members: plan.members.iter().map(|c| c.id.to_owned()).collect(),
            counts: plan.counts,
        });
        canvas.placed.insert(
            plan.id.to_owned(),
            PlacedGroup {
                rect,
                shelf,
                gutter,
                stack,
                grid,
            },
        );
    }
}

/// Every line, in a fixed order; the same (from, to, kind) is drawn once.
fn draw_edges(model: &Model<'_>, entry: &EntryItems<'_>, band: &EntryPlan, canvas: &mut Canvas) {
    let rect_of = |canvas: &Canvas, id: &str| canvas.node_rects.get(id).copied();
    let domain_gutter = LEFT - GROUP_GAP / 2.0;
    let host_gutter = band.host_ports.x - HEADER - BLOCK_GAP / 2.0;
    let above_proxies = band.proxies_y - ENTRY_GAP / 2.0;

    // Where each entry item sits: (node id, its index on its grid, the containers behind it).
    let mut domain_items: Vec<(String, usize, Vec<&str>)> = entry
        .domains
        .iter()
        .enumerate()
        .filter_map(|(i, host)| {
            let d = model.domains.get(host)?;
            Some((
                domain_node_id(host),
                i,
                d.containers.iter().copied().collect(),
            ))
        })
        .collect();
    if !entry.folded_domains.is_empty() {
        let behind: BTreeSet<&str> = entry
            .folded_domains
            .iter()
            .filter_map(|h| model.domains.get(h))
            .flat_map(|d| d.containers.iter().copied())
            .collect();
        domain_items.push((
            FOLDED_DOMAINS_ID.to_owned(),
            entry.domains.len(),
            behind.into_iter().collect(),
        ));
    }
    let mut port_items: Vec<(String, usize, Vec<&str>)> = entry
        .host_ports
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let owners = model
                .host_ports
                .get(key)
                .map(|o| o.iter().copied().collect())
                .unwrap_or_default();
            (host_port_node_id(key.text), i, owners)
        })
        .collect();
    if !entry.folded_host_ports.is_empty() {
        let behind: BTreeSet<&str> = entry
            .folded_host_ports
            .iter()
            .filter_map(|k| model.host_ports.get(k))
            .flat_map(|o| o.iter().copied())
            .collect();
        port_items.push((
            FOLDED_HOST_PORTS_ID.to_owned(),
            entry.host_ports.len(),
            behind.into_iter().collect(),
        ));
    }

    // From an entry item down out of its grid to `y`: straight from the last row, else along
    // the lane below its row to the grid's gutter first.
    let leave = |grid: Grid, gutter: f64, index: usize, from: Rect, kind: EdgeKind, y: f64| {
        let row = grid.row_of(index);
        let x = from.cx() + arrival_dx(kind) / 2.0;
        if row + 1 >= grid.rows() {
            vec![(x, from.bottom()), (x, y)]
        } else {
            let lane_y = grid.lane_below(row) + small_lane(kind);
            let g = gutter + lane(kind);
            vec![(x, from.bottom()), (x, lane_y), (g, lane_y), (g, y)]
        }
    };

    // Along the lane below the item's row to the grid's gutter, then down to `y`.
    let via_gutter = |grid: Grid, gutter: f64, index: usize, from: Rect, kind: EdgeKind, y: f64| {
        let row = grid.row_of(index);
        let x = from.cx() + arrival_dx(kind) / 2.0;
        let lane_y = grid.lane_below(row) + small_lane(kind);
        let g = gutter + lane(kind);
        vec![(x, from.bottom()), (x, lane_y), (g, lane_y), (g, y)]
    };

    // Domains → proxies (→ containers), or straight to containers when there is no proxy.
    for (id, index, behind) in &domain_items {
        let Some(from) = rect_of(canvas, id) else {
            continue;
        };
        let kind = EdgeKind::Route;
        let targets: Vec<&Container<'_>> =
            behind.iter().filter_map(|c| model.container(c)).collect();
        if model.proxies.is_empty() {
            for target in targets {
                let start = via_gutter(
                    band.domains,
                    domain_gutter,
                    *index,
                    from,
                    kind,
                    canvas.first_channel + lane(kind),
                );
                if let Some(t) = canvas.container_target(target.id, kind) {
                    let (to, to_group) = match &t {
                        Target::Node(n) => (n.clone(), false),
                        Target::GroupSide(g, _) => (g.clone(), true),
                    };
                    let mut points = start;
                    if canvas.reach(&mut points, 0, &t, kind) {
                        canvas.add_edge(id, &to, to_group, kind, points, &[target.id]);
                    }
                }
            }
            continue;
        }
        let mut via: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        if targets.is_empty() {
            for p in &model.proxies {
                via.entry(p.id).or_default();
            }
        }
        for target in &targets {
            if target.is_proxy {
                via.entry(target.id).or_default().push(target.id);
                continue;
            }
            for p in model.proxies_for(target) {
                via.entry(p.id).or_default().push(target.id);
            }
        }
        for (proxy, serves) in via {
            let Some(p) = rect_of(canvas, proxy) else {
                continue;
            };
            let x = p.cx() + arrival_dx(kind);
            let mut points = leave(
                band.domains,
                domain_gutter,
                *index,
                from,
                kind,
                above_proxies,
            );
            points.extend([(x, above_proxies), (x, p.y)]);
            canvas.add_edge(id, proxy, false, kind, points, &serves);
        }
    }

    // Proxies → the containers they route to, and → the networks they are on.
    for proxy in &model.proxies {
        let Some(p) = rect_of(canvas, proxy.id) else {
            continue;
        };
        for (_, d) in model.domains.iter() {
            for target in d.containers.iter().filter_map(|c| model.container(c)) {
                if target.is_proxy || !model.proxies_for(target).iter().any(|q| q.id == proxy.id) {
                    continue;
                }
                let kind = EdgeKind::Route;
                let Some(t) = canvas.container_target(target.id, kind) else {
                    continue;
                };
                let x = p.cx() + 2.0 * lane(kind);
                let start = vec![(x, p.bottom()), (x, canvas.first_channel + lane(kind))];
                canvas.connect(proxy.id, t, kind, start, &[target.id]);
            }
        }
        // Into open groups only: on the overview forty of them would hide everything else.
        for network in &proxy.networks {
            let kind = EdgeKind::Attachment;
            let Some(rect) = canvas
                .placed
                .get(*network)
                .filter(|g| g.grid.is_some())
                .map(|g| g.rect)
            else {
                continue;
            };
            let on: Vec<&str> = model
                .containers
                .iter()
                .filter(|c| !c.is_proxy && c.networks.contains(network))
                .map(|c| c.id)
                .collect();
            let x = p.cx() + 2.0 * lane(kind);
            let start = vec![(x, p.bottom()), (x, canvas.first_channel + lane(kind))];
            let y = rect.y + GROUP_LABEL_HEIGHT / 2.0 + small_lane(kind);
            canvas.connect(
                proxy.id,
                Target::GroupSide((*network).to_owned(), y),
                kind,
                start,
                &on,
            );
        }
    }

    // Host ports → the containers publishing them (the proxy's own ports go to the proxy).
    for (id, index, owners) in &port_items {
        let Some(from) = rect_of(canvas, id) else {
            continue;
        };
        let kind = EdgeKind::Published;
        for owner in owners.iter().filter_map(|c| model.container(c)) {
            if owner.is_proxy {
                let Some(p) = rect_of(canvas, owner.id) else {
                    continue;
                };
                // The proxy sits left of the host ports: in through its right side.
                let y = p.cy() + small_lane(kind);
                let mut points = via_gutter(band.host_ports, host_gutter, *index, from, kind, y);
                points.push((p.right(), y));
                canvas.add_edge(id, owner.id, false, kind, points, &[owner.id]);
                continue;
            }
            let Some(t) = canvas.container_target(owner.id, kind) else {
                continue;
            };
            let start = leave(
                band.host_ports,
                host_gutter,
                *index,
                from,
                kind,
                canvas.first_channel + lane(kind),
            );
            canvas.connect(id, t, kind, start, &[owner.id]);
        }
    }

    // Containers on several networks → the other groups, leaving their own group sideways.
    for container in model.containers.iter().filter(|c| !c.is_proxy) {
        let Some((home, index)) = canvas.cells.get(container.id).cloned() else {
            continue;
        };
        let Some(own) = canvas.placed.get(&home) else {
            continue;
        };
        let Some(grid) = own.grid else {
            continue;
        };
        let (own_shelf, own_stack, own_gutter) = (own.shelf, own.stack, own.gutter);
        let kind = EdgeKind::Attachment;
        let l = lane(kind);
        let cell = grid.cell(index);
        let lane_y = grid.lane_below(grid.row_of(index)) + small_lane(kind);
        for network in container.networks.iter().filter(|n| **n != home) {
            let Some(other) = canvas.placed.get(*network) else {
                continue;
            };
            let y = other.rect.y + GROUP_LABEL_HEIGHT / 2.0 + small_lane(kind);
            let x = cell.cx() + arrival_dx(kind);
            let mut points = vec![(x, cell.bottom()), (x, lane_y), (own_gutter + l, lane_y)];
            if other.shelf == own_shelf && other.stack == own_stack {
                points.extend([(own_gutter + l, y), (other.rect.x, y)]);
                canvas.add_edge(container.id, network, true, kind, points, &[container.id]);
                continue;
            }
            let exit = if other.shelf > own_shelf {
                own_shelf + 1
            } else {
                own_shelf
            };
            points.push((own_gutter + l, canvas.channel(exit) + l));
            if canvas.reach(
                &mut points,
                exit,
                &Target::GroupSide((*network).to_owned(), y),
                kind,
            ) {
                canvas.add_edge(container.id, network, true, kind, points, &[container.id]);
            }
        }
    }
}

/// The middle of the channel above shelf `s` (`s == shelves.len()`: below the last one).
fn channel_y(shelves: &[Shelf], first: f64, s: usize) -> f64 {
    match shelves.get(s) {
        Some(shelf) if s > 0 => shelf.y - GROUP_GAP / 2.0,
        Some(_) => first,
        None => shelves
            .last()
            .map_or(first, |shelf| shelf.y + shelf.h + GROUP_GAP / 2.0),
    }
}

/// Drops repeated points and the middle of three points on one straight line.
fn simplify(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight = (a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1);
            if straight {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests;
