//! `/api/v1/models`: the models this server knows, installed or missing,
//! and pulling one, for keys of an admin workspace (models are server-wide).
//! A pull runs in the background; its state is polled on the listing.
//! `aima models pull` does the same from a shell.

use std::collections::HashMap;
use std::sync::Mutex;

use aima_core::ErrorCode;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::{AppState, Caller};

/// A model of the catalog and its state on this server.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelInfo {
    pub name: String,
    /// `runtime`, `speech`, `speech_ct2`, `vision`, `text_embedding`, `llm`.
    pub kind: String,
    pub license: String,
    /// Bytes (from the catalog until installed).
    pub size: u64,
    /// `installed`, `partial` or `missing`.
    pub state: String,
    /// Among the models `aima models pull --default` installs.
    pub default: bool,
    /// The last pull started here since the server started, if any.
    pub pull: Option<PullStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PullStatus {
    /// `running`, `succeeded` or `failed`.
    pub state: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub started_at: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelInfoList {
    pub items: Vec<ModelInfo>,
}

/// Pulls started through the API, by model name.
#[derive(Debug, Default)]
pub struct ModelPulls(Mutex<HashMap<String, PullStatus>>);

impl ModelPulls {
    fn get(&self, name: &str) -> Option<PullStatus> {
        self.0.lock().ok()?.get(name).cloned()
    }

    fn set(&self, name: &str, status: PullStatus) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(name.to_string(), status);
        }
    }
}

async fn info(state: &AppState, name: &str) -> ApiResult<ModelInfo> {
    let status =
        state.models.status(name).await.map_err(|_| {
            ApiError::new(ErrorCode::ModelNotFound, format!("no model named {name:?}"))
        })?;
    Ok(described(state, status))
}

fn described(state: &AppState, status: aima_models::ModelStatus) -> ModelInfo {
    ModelInfo {
        default: state.settings.default_models.contains(&status.name),
        pull: state.pulls.get(&status.name),
        kind: text(&status.kind),
        state: text(&status.state),
        name: status.name,
        license: status.license,
        size: status.size,
    }
}

/// A serde enum's name as the API shows it.
fn text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Every model of the catalog, installed or missing.
#[utoipa::path(
    get, path = "/api/v1/models", operation_id = "listModels", tag = "system",
    responses(
        (status = 200, body = ModelInfoList),
        (status = 403, description = "Not a key of an admin workspace (`forbidden`)", body = crate::ErrorBody)
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<ModelInfoList>> {
    caller.require_admin(&state)?;
    let statuses = state.models.list().await.map_err(ApiError::internal)?;
    let items = statuses.into_iter().map(|s| described(&state, s)).collect();
    Ok(axum::Json(ModelInfoList { items }))
}

/// Starts pulling a model in the background (fetched and verified like
/// `aima models pull`); follow it on the listing.
#[utoipa::path(
    post, path = "/api/v1/models/{name}/pull", operation_id = "pullModel", tag = "system",
    responses(
        (status = 202, body = ModelInfo),
        (status = 403, description = "Not a key of an admin workspace (`forbidden`)", body = crate::ErrorBody),
        (status = 404, description = "No such model (`model_not_found`)", body = crate::ErrorBody)
    )
)]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<ModelInfo>)> {
    caller.require_admin(&state)?;
    info(&state, &name).await?;
    let running = state.pulls.get(&name).is_some_and(|p| p.state == "running");
    if !running {
        state.pulls.set(
            &name,
            PullStatus {
                state: "running".into(),
                error: None,
                started_at: aima_store::now_ms(),
            },
        );
        let task_state = state.clone();
        let task_name = name.clone();
        tokio::spawn(async move {
            let started_at = task_state
                .pulls
                .get(&task_name)
                .map(|p| p.started_at)
                .unwrap_or_default();
            let result = task_state.models.pull(&task_name).await;
            if let Err(e) = &result {
                tracing::warn!(model = %task_name, error = %e, "model pull failed");
            }
            task_state.pulls.set(
                &task_name,
                PullStatus {
                    state: if result.is_ok() {
                        "succeeded"
                    } else {
                        "failed"
                    }
                    .into(),
                    error: result.err().map(|e| e.to_string()),
                    started_at,
                },
            );
        });
    }
    Ok((StatusCode::ACCEPTED, axum::Json(info(&state, &name).await?)))
}
