//! The container list's filter, kept in the URL (`?q=web&state=running`) so a link reproduces
//! what is on screen.

use crate::domain::containers::ContainerRow;
use serde::{Deserialize, Serialize};

/// Which lifecycle states to show: `docker ps -a`, `docker ps`, or only the stopped ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateFilter {
    #[default]
    All,
    Running,
    Stopped,
}

impl StateFilter {
    /// The URL value; `All` is the default and is left out of links.
    pub fn as_param(self) -> Option<&'static str> {
        match self {
            Self::All => None,
            Self::Running => Some("running"),
            Self::Stopped => Some("stopped"),
        }
    }

    /// Unknown values fall back to `All` rather than hiding containers behind a typo.
    pub fn from_param(raw: Option<&str>) -> Self {
        match raw {
            Some("running") => Self::Running,
            Some("stopped") => Self::Stopped,
            _ => Self::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::Running => "Running",
            Self::Stopped => "Stopped",
        }
    }

    pub const ALL: [StateFilter; 3] = [Self::All, Self::Running, Self::Stopped];
}

/// How the list is grouped (`?group=project|stack`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupBy {
    #[default]
    Nothing,
    /// Coolify project (then environment).
    Project,
    /// Compose project: a Coolify stack, app or database, or any compose stack.
    Stack,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [Self::Nothing, Self::Project, Self::Stack];

    pub fn as_param(self) -> Option<&'static str> {
        match self {
            Self::Nothing => None,
            Self::Project => Some("project"),
            Self::Stack => Some("stack"),
        }
    }

    pub fn from_param(raw: Option<&str>) -> Self {
        match raw {
            Some("project") => Self::Project,
            Some("stack") => Self::Stack,
            _ => Self::Nothing,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Nothing => "no grouping",
            Self::Project => "Coolify project",
            Self::Stack => "compose stack",
        }
    }

    /// The group a row falls in; rows without one go to a last group.
    pub fn key(self, row: &ContainerRow) -> Option<String> {
        match self {
            Self::Nothing => None,
            Self::Project => row.coolify.as_ref().and_then(|c| {
                c.project.as_ref().map(|p| match &c.environment {
                    Some(env) => format!("{p} / {env}"),
                    None => p.clone(),
                })
            }),
            Self::Stack => row.compose_project.clone(),
        }
    }
}

/// Rows in groups, groups sorted by name with the ungrouped last, rows keeping their order.
/// With no grouping, one group with an empty name.
pub fn group_rows<'a>(
    rows: &[&'a ContainerRow],
    by: GroupBy,
) -> Vec<(String, Vec<&'a ContainerRow>)> {
    if by == GroupBy::Nothing {
        return vec![(String::new(), rows.to_vec())];
    }
    let mut groups: std::collections::BTreeMap<(bool, String), Vec<&'a ContainerRow>> =
        Default::default();
    for row in rows {
        let key = match by.key(row) {
            Some(k) => (false, k),
            None => (true, format!("no {}", by.label())),
        };
        groups.entry(key).or_default().push(row);
    }
    groups
        .into_iter()
        .map(|((_, name), rows)| (name, rows))
        .collect()
}

/// What the user narrowed the list to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerFilter {
    /// Case-insensitive text matched against name, image, short id, networks and ports.
    pub query: String,
    pub state: StateFilter,
}

impl ContainerFilter {
    /// Longest search text kept from a URL.
    pub const MAX_QUERY: usize = 200;

    pub fn from_params(query: Option<&str>, state: Option<&str>) -> Self {
        Self {
            query: query
                .unwrap_or_default()
                .trim()
                .chars()
                .take(Self::MAX_QUERY)
                .collect(),
            state: StateFilter::from_param(state),
        }
    }

    /// `(q, state)` for the URL; `None` drops a parameter so default links stay short.
    pub fn to_params(&self) -> (Option<String>, Option<String>) {
        let q = Some(self.query.clone()).filter(|q| !q.is_empty());
        (q, self.state.as_param().map(str::to_owned))
    }

    pub fn matches(&self, row: &ContainerRow) -> bool {
        let state_ok = match self.state {
            StateFilter::All => true,
            StateFilter::Running => row.state.is_listed_by_docker_ps(),
            StateFilter::Stopped => !row.state.is_listed_by_docker_ps(),
        };
        if !state_ok {
            return false;
        }
        let needle = self.query.to_lowercase();
        if needle.is_empty() {
            return true;
        }
        let hay = [
            row.name.as_str(),
            row.image.as_str(),
            row.short_id(),
            row.state.as_str(),
        ];
        let identity = [
            row.coolify.as_ref().and_then(|c| c.project.as_deref()),
            row.coolify
                .as_ref()
                .and_then(|c| c.resource_name.as_deref()),
            row.coolify.as_ref().and_then(|c| c.environment.as_deref()),
            row.compose_project.as_deref(),
            row.compose_service.as_deref(),
        ];
        hay.iter().any(|h| h.to_lowercase().contains(&needle))
            || identity
                .iter()
                .flatten()
                .any(|h| h.to_lowercase().contains(&needle))
            || row
                .networks
                .iter()
                .any(|n| n.to_lowercase().contains(&needle))
            || row.ports.iter().any(|p| p.to_string().contains(&needle))
    }

    pub fn apply<'a>(&self, rows: &'a [ContainerRow]) -> Vec<&'a ContainerRow> {
        rows.iter().filter(|r| self.matches(r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::containers::rows_from_engine;
    use crate::domain::engine_json::ContainerSummaryJson;

    fn rows() -> Vec<ContainerRow> {
        let raw: Vec<ContainerSummaryJson> =
            serde_json::from_str(include_str!("fixtures/containers-list-api-1.41.json"))
                .expect("parses");
        rows_from_engine(&raw)
    }

    fn names(filter: &ContainerFilter) -> Vec<String> {
        let rows = rows();
        let mut n: Vec<String> = filter
            .apply(&rows)
            .iter()
            .map(|r| r.name.to_string())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn no_filter_shows_every_container_like_docker_ps_a() {
        assert_eq!(names(&ContainerFilter::default()).len(), 5);
    }

    #[test]
    fn running_shows_what_docker_ps_shows_and_stopped_the_rest() {
        let running = ContainerFilter {
            state: StateFilter::Running,
            ..Default::default()
        };
        let stopped = ContainerFilter {
            state: StateFilter::Stopped,
            ..Default::default()
        };
        assert_eq!(names(&running), ["fx-bridge", "fx-none", "fx-web"]);
        assert_eq!(names(&stopped), ["fx-exited", "fx-stopped"]);
    }

    #[test]
    fn text_matches_names_networks_and_ports_case_insensitively() {
        assert_eq!(
            names(&ContainerFilter::from_params(Some("FX-WEB"), None)),
            ["fx-web"]
        );
        assert_eq!(
            names(&ContainerFilter::from_params(Some("coolify"), None)),
            ["fx-web"]
        );
        assert_eq!(
            names(&ContainerFilter::from_params(Some("8443"), None)),
            ["fx-web"]
        );
        assert!(names(&ContainerFilter::from_params(
            Some("nothing-like-this"),
            None
        ))
        .is_empty());
    }

    #[test]
    fn filters_round_trip_through_url_parameters() {
        for filter in [
            ContainerFilter::default(),
            ContainerFilter {
                query: "web".into(),
                state: StateFilter::Running,
            },
            ContainerFilter {
                query: String::new(),
                state: StateFilter::Stopped,
            },
        ] {
            let (q, state) = filter.to_params();
            assert_eq!(
                ContainerFilter::from_params(q.as_deref(), state.as_deref()),
                filter
            );
        }
    }

    #[test]
    fn grouping_by_stack_puts_compose_projects_together_and_the_rest_last() {
        let rows = rows();
        let mut labelled = rows[0].clone();
        labelled.compose_project = Some("stack-a".into());
        let all: Vec<&ContainerRow> = std::iter::once(&labelled)
            .chain(rows.iter().skip(1))
            .collect();
        let groups = group_rows(&all, GroupBy::Stack);
        assert_eq!(groups[0].0, "stack-a");
        assert_eq!(groups[0].1.len(), 1);
        assert_eq!(
            groups.last().map(|g| g.0.as_str()),
            Some("no compose stack")
        );
        assert_eq!(groups.iter().map(|g| g.1.len()).sum::<usize>(), all.len());
        assert_eq!(group_rows(&all, GroupBy::Nothing).len(), 1);
        for g in GroupBy::ALL {
            assert_eq!(GroupBy::from_param(g.as_param()), g);
        }
    }

    #[test]
    fn unknown_or_oversized_url_values_are_tamed() {
        let f = ContainerFilter::from_params(Some(&"x".repeat(5000)), Some("bogus"));
        assert_eq!(f.state, StateFilter::All);
        assert_eq!(f.query.len(), ContainerFilter::MAX_QUERY);
    }
}
