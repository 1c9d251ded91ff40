//! People in a workspace: roles, and the events other systems can follow.

use serde::{Deserialize, Serialize};

/// What a user (or a key) may do in a workspace. Ordered: each role may do
/// everything the one before it may.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read, search, ask, export.
    Viewer,
    /// And upload, analyse, review, name persons, label, train.
    Editor,
    /// And users, keys of others, webhooks, workers, models, audit.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The events a webhook can subscribe to. The worker and budget events are
/// the server's, not a workspace's: they reach the webhooks of the admin
/// workspaces (`server.admin_workspaces`) only.
pub const WEBHOOK_EVENTS: [&str; 11] = [
    "job.succeeded",
    "job.partial",
    "job.failed",
    "media.deleted",
    "person.named",
    "mode_model.trained",
    "worker.started",
    "worker.stopped",
    "provision.failed",
    "budget.warning",
    "budget.exhausted",
];

/// What [`valid_name`] accepts, as errors say it.
pub const NAME_RULE: &str =
    "a name has 1 to 64 letters, digits or ._@- and starts with a letter or a digit";

/// A user's or a key's name: letters, digits and `._@-`, starting with a
/// letter or digit, at most 64 characters. Names appear in logs, the audit
/// log and the UI, so nothing that could be read as markup or a path.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse_back() {
        assert!(Role::Viewer < Role::Editor && Role::Editor < Role::Admin);
        for r in [Role::Viewer, Role::Editor, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn names_keep_to_their_characters() {
        assert!(
            valid_name("alice") && valid_name("bob.smith@example.org") && valid_name("ci-bot_2")
        );
        for bad in [
            "",
            "'; DROP TABLE users;--",
            "../etc",
            "a b",
            ".hidden",
            "<b>",
            &"x".repeat(65),
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
