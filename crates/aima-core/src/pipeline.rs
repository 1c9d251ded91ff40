//! The pipeline grammar: which analyzers a job runs, in order, with options.
//!
//! This module checks the *shape* of a pipeline. Whether a name is a known
//! analyzer, and whether its options make sense, is decided by the analyzer
//! registry, which knows the analyzers.

use serde::{Deserialize, Serialize};

pub const MAX_STAGES: usize = 16;
const MAX_NAME: usize = 64;

/// One stage: an analyzer name, its options (a JSON object), and the
/// capability a worker needs to run it, if any (e.g. `gpu`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageSpec {
    pub name: String,
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// Only workers that announce this capability (`aima worker
    /// --capability gpu`) run this stage; the job's other stages run
    /// anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// Capability names are short slugs: `gpu`, `cuda12`, `big_memory`.
pub fn validate_capability(c: &str) -> Result<(), String> {
    let ok = !c.is_empty()
        && c.len() <= 32
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "capability {c:?} must be 1-32 characters of a-z, 0-9, '_' or '-'"
        ))
    }
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

impl StageSpec {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            options: empty_object(),
            requires: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pipeline(pub Vec<StageSpec>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    #[error("the pipeline is empty")]
    Empty,
    #[error("the pipeline has more than {MAX_STAGES} stages")]
    TooLong,
    #[error("stage name {0:?} must be 1-64 characters of a-z, 0-9 or '_'")]
    BadName(String),
    #[error("analyzer {0:?} appears twice in the pipeline")]
    Duplicate(String),
    #[error("options of {0:?} must be a JSON object")]
    OptionsNotObject(String),
    #[error("stage {0:?}: {1}")]
    BadCapability(String, String),
}

impl Pipeline {
    /// Parses the compact form used in query strings and on the command line:
    /// `probe,keyframes`.
    pub fn parse_list(s: &str) -> Result<Self, PipelineError> {
        let stages = s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(StageSpec::new)
            .collect();
        let p = Pipeline(stages);
        p.validate()?;
        Ok(p)
    }

    pub fn validate(&self) -> Result<(), PipelineError> {
        if self.0.is_empty() {
            return Err(PipelineError::Empty);
        }
        if self.0.len() > MAX_STAGES {
            return Err(PipelineError::TooLong);
        }
        let mut seen = std::collections::HashSet::new();
        for stage in &self.0 {
            let ok = !stage.name.is_empty()
                && stage.name.len() <= MAX_NAME
                && stage
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(PipelineError::BadName(stage.name.clone()));
            }
            if !stage.options.is_object() {
                return Err(PipelineError::OptionsNotObject(stage.name.clone()));
            }
            if !seen.insert(stage.name.as_str()) {
                return Err(PipelineError::Duplicate(stage.name.clone()));
            }
            if let Some(c) = &stage.requires {
                validate_capability(c)
                    .map_err(|m| PipelineError::BadCapability(stage.name.clone(), m))?;
            }
        }
        Ok(())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| s.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_compact_lists() {
        let p = Pipeline::parse_list(" probe, keyframes ,").unwrap_or(Pipeline(vec![]));
        assert_eq!(p.names().collect::<Vec<_>>(), ["probe", "keyframes"]);
        assert!(p.0.iter().all(|s| s.options.is_object()));
    }

    #[test]
    fn rejects_bad_pipelines() {
        assert_eq!(Pipeline::parse_list(""), Err(PipelineError::Empty));
        assert_eq!(Pipeline::parse_list(",,"), Err(PipelineError::Empty));
        assert!(matches!(
            Pipeline::parse_list("probe,probe"),
            Err(PipelineError::Duplicate(_))
        ));
        assert!(matches!(
            Pipeline::parse_list("Probe"),
            Err(PipelineError::BadName(_))
        ));
        assert!(matches!(
            Pipeline::parse_list("../x"),
            Err(PipelineError::BadName(_))
        ));
        let long = (0..17)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(Pipeline::parse_list(&long), Err(PipelineError::TooLong));
        let p = Pipeline(vec![StageSpec {
            name: "probe".into(),
            options: serde_json::json!([1]),
            requires: None,
        }]);
        assert!(matches!(
            p.validate(),
            Err(PipelineError::OptionsNotObject(_))
        ));
    }
}
