//! Who can talk to whom: every source × target in a scope (a Coolify project, a network, a
//! stack, or the whole host), each cell the model's verdict for the name the source should use
//! and the target's first port, blocked cells with their cause.

use crate::domain::names::ContainerName;
use crate::domain::reachability::{Address, Blocked, CauseCode, Model, Verdict};
use crate::domain::topology::{Container, Topology};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which containers the matrix covers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    #[default]
    All,
    /// A Coolify project (`coolify.projectName`).
    Project(String),
    /// The containers attached to one network.
    Network(String),
    /// One compose project (a Coolify stack's uuid).
    Stack(String),
}

impl Scope {
    /// Reads `all`, `project:NAME`, `network:NAME`, `stack:UUID`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() || input == "all" {
            return Ok(Self::All);
        }
        let (kind, value) = input
            .split_once(':')
            .filter(|(_, v)| !v.is_empty() && v.len() <= 255)
            .ok_or_else(|| {
                format!(
                    "`{input}` is not a scope: write all, project:NAME, network:NAME or stack:UUID"
                )
            })?;
        if value.chars().any(char::is_control) {
            return Err("a scope holds no control characters".to_owned());
        }
        let value = value.to_owned();
        match kind {
            "project" => Ok(Self::Project(value)),
            "network" => Ok(Self::Network(value)),
            "stack" => Ok(Self::Stack(value)),
            other => Err(format!(
                "`{other}` is not a kind of scope: use project, network or stack"
            )),
        }
    }

    pub fn includes(&self, c: &Container) -> bool {
        match self {
            Self::All => true,
            Self::Project(p) => c
                .coolify
                .as_ref()
                .and_then(|i| i.project.as_deref())
                .is_some_and(|x| x == p),
            Self::Network(n) => c.attachment(n).is_some(),
            Self::Stack(s) => c.compose.as_ref().is_some_and(|x| &x.project == s),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Project(p) => write!(f, "project:{p}"),
            Self::Network(n) => write!(f, "network:{n}"),
            Self::Stack(s) => write!(f, "stack:{s}"),
        }
    }
}

/// The scopes worth offering on this host, labelled: everything, each Coolify project, each
/// compose stack, each network containers can talk over.
pub fn scopes(t: &Topology) -> Vec<(Scope, String)> {
    use std::collections::BTreeSet;
    let mut out = vec![(
        Scope::All,
        format!("Everything ({} containers)", t.containers.len()),
    )];
    let projects: BTreeSet<&str> = t
        .containers
        .iter()
        .filter_map(|c| c.coolify.as_ref()?.project.as_deref())
        .collect();
    let size = |scope: &Scope| t.containers.iter().filter(|c| scope.includes(c)).count();
    let labelled = |scope: Scope, what: String| {
        let n = size(&scope);
        (scope, format!("{what} ({n})"))
    };
    out.extend(
        projects
            .into_iter()
            .map(|p| labelled(Scope::Project(p.to_owned()), format!("Coolify project {p}"))),
    );
    let stacks: BTreeSet<&str> = t
        .containers
        .iter()
        .filter_map(|c| c.compose.as_ref().map(|x| x.project.as_str()))
        .filter(|p| !p.is_empty())
        .collect();
    out.extend(
        stacks
            .into_iter()
            .map(|s| labelled(Scope::Stack(s.to_owned()), format!("Stack {s}"))),
    );
    out.extend(
        t.networks
            .iter()
            .filter(|n| t.is_routable(&n.name) && !n.members.is_empty())
            .map(|n| {
                labelled(
                    Scope::Network(n.name.clone()),
                    format!("Network {}", n.name),
                )
            }),
    );
    out
}

/// One source → target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub verdict: Verdict,
    /// The name (or IP) the source should use, as the connection builder would pick it.
    pub address: String,
    pub port: Option<u16>,
    /// Several containers answer to the name.
    pub ambiguous: bool,
    pub cause: Option<CauseCode>,
    /// The cause's title, for the cell's tooltip and the CLI.
    pub title: Option<String>,
}

impl Cell {
    /// `address:port`, or the address alone when the port is unknown.
    pub fn target(&self) -> String {
        self.port
            .map_or_else(|| self.address.clone(), |p| format!("{}:{p}", self.address))
    }
}

/// Rows are sources, columns targets, both `containers` in order; `cells[i][j]` is `None` on
/// the diagonal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub scope: Scope,
    pub containers: Vec<ContainerName>,
    pub cells: Vec<Vec<Option<Cell>>>,
}

impl Matrix {
    /// Cells that reach, and all off-diagonal cells.
    pub fn counts(&self) -> (usize, usize) {
        let all = self.cells.iter().flatten().flatten();
        let total = all.clone().count();
        let open = all
            .filter(|c| c.verdict == Verdict::Yes && c.cause.is_none())
            .count();
        (open, total)
    }
}

/// The blocked pairs of a matrix by cause, most frequent first: what a large scope shows instead
/// of a grid nobody can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedGroup {
    pub cause: CauseCode,
    pub count: usize,
    /// The first pairs (source, target, cell), in the matrix's order.
    pub examples: Vec<(ContainerName, ContainerName, Cell)>,
}

impl Matrix {
    /// [`BlockedGroup`]s, with up to `examples` pairs each.
    pub fn blocked_by_cause(&self, examples: usize) -> Vec<BlockedGroup> {
        let mut groups: Vec<BlockedGroup> = Vec::new();
        for (i, row) in self.cells.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let Some((cell, cause)) = cell.as_ref().and_then(|c| Some((c, c.cause?))) else {
                    continue;
                };
                let at = match groups.iter().position(|g| g.cause == cause) {
                    Some(at) => at,
                    None => {
                        groups.push(BlockedGroup {
                            cause,
                            count: 0,
                            examples: Vec::new(),
                        });
                        groups.len() - 1
                    }
                };
                let g = &mut groups[at];
                g.count += 1;
                if g.examples.len() < examples {
                    g.examples.push((
                        self.containers[i].clone(),
                        self.containers[j].clone(),
                        cell.clone(),
                    ));
                }
            }
        }
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.cause.cmp(&b.cause)));
        groups
    }
}

/// The matrix for `scope`, containers sorted by name.
pub fn matrix(t: &Topology, scope: &Scope) -> Matrix {
    let m = Model::new(t);
    let members: Vec<&Container> = t.containers.iter().filter(|c| scope.includes(c)).collect();
    // Most cells use the target's container name: read each once.
    let by_name: Vec<Address> = members
        .iter()
        .map(|c| engine_name(c.name.as_str()))
        .collect();
    let cells = members
        .iter()
        .map(|s| {
            members
                .iter()
                .zip(&by_name)
                .map(|(target, named)| {
                    (s.name != target.name).then(|| cell_with(&m, s, target, Some(named)))
                })
                .collect()
        })
        .collect();
    Matrix {
        scope: scope.clone(),
        containers: members.iter().map(|c| c.name.clone()).collect(),
        cells,
    }
}

/// What the reach wizard offers as targets once a source is chosen: for every other container,
/// the address the source should use (`name:port`) labelled with the container, its Coolify
/// project or stack, and the model's verdict; open ones first, then by container.
pub fn suggestions(t: &Topology, source: &str) -> Vec<(String, String)> {
    let m = Model::new(t);
    let Some(s) = m.container(source) else {
        return Vec::new();
    };
    let mut out: Vec<(bool, String, String)> = t
        .containers
        .iter()
        .filter(|c| c.name != s.name)
        .map(|target| {
            let cell = cell(&m, s, target);
            let value = cell.target();
            let group = target
                .group_label()
                .unwrap_or_else(|| "no project".to_owned());
            let verdict = cell.cause.map_or("reachable", |c| c.short());
            let open = cell.cause.is_none();
            (
                !open,
                value,
                format!("{} ({group}): {verdict}", target.name),
            )
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    out.into_iter().map(|(_, v, l)| (v, l)).collect()
}

/// A name the engine reported (a container name, alias or service name) as an address; a name
/// no DNS can carry stays a name.
fn engine_name(name: &str) -> Address {
    Address::parse(name).unwrap_or_else(|_| Address::Name {
        name: name.to_owned(),
        dns: false,
    })
}

/// The model's answer for the name the source should use for `target`, on its first port.
pub fn cell(m: &Model<'_>, source: &Container, target: &Container) -> Cell {
    cell_with(m, source, target, None)
}

/// [`cell`], with the target's container name already read as an address.
fn cell_with(
    m: &Model<'_>,
    source: &Container,
    target: &Container,
    named: Option<&Address>,
) -> Cell {
    let port = target.exposed.first().map(|p| p.port);
    let best = m.best_name(source, target).map(|(name, _)| name);
    let address = best.unwrap_or(target.name.as_str());
    let parsed;
    let to = match (best, named) {
        (None, Some(named)) => named,
        _ => {
            parsed = engine_name(address);
            &parsed
        }
    };
    let d = m.decide(Some(source), to, port);
    Cell {
        verdict: d.ip,
        ambiguous: d.resolves_to.len() > 1,
        cause: d.blocked.as_ref().map(Blocked::code),
        title: d.blocked.as_ref().map(Blocked::title),
        address: address.to_owned(),
        port,
    }
}
