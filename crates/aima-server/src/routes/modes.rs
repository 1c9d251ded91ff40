//! `/api/v1/modes`: the user's modes, training, real-time prediction, and
//! the versions of the learned model.

use aima_core::activity::{validate_mode_name, ActivityRecord};
use aima_core::{ErrorCode, Job, ModeInfo, ModeModelInfo, StageSpec};
use aima_store::NewJob;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::{AppState, Caller};

/// Events each mode needs before a training is queued (the training job
/// checks again, on the data it reads).
const MIN_LABELS_PER_MODE: i64 = 3;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMode {
    /// 1 to 64 characters, no control characters, no surrounding spaces.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[^\\s\\x00-\\x1f\\x7f-\\x9f]([^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f])?$"
    )]
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModeList {
    pub items: Vec<ModeInfo>,
}

/// The workspace's modes, with how many events a person labelled with each.
#[utoipa::path(get, path = "/api/v1/modes", operation_id = "listModes", tag = "modes", responses((status = 200, body = ModeList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<ModeList>> {
    let items = state.store.list_modes(&caller.workspace).await?;
    Ok(axum::Json(ModeList { items }))
}

/// Define a mode (Work, Meeting, Relax… the names are yours).
#[utoipa::path(
    post, path = "/api/v1/modes", operation_id = "createMode", tag = "modes", request_body = CreateMode,
    responses((status = 201, body = ModeInfo), (status = 400, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateMode>,
) -> ApiResult<(StatusCode, axum::Json<ModeInfo>)> {
    validate_mode_name(&req.name)
        .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e.to_string()))?;
    let existing = state.store.list_modes(&caller.workspace).await?;
    if existing.len() >= 100 {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "a workspace has at most 100 modes",
        ));
    }
    let mode = state
        .store
        .create_mode(&caller.workspace, &req.name)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::Conflict(m) => ApiError::new(ErrorCode::ModeExists, m),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, axum::Json(mode)))
}

/// Delete a mode; events labelled with it become unlabelled.
#[utoipa::path(
    delete, path = "/api/v1/modes/{name}", operation_id = "deleteMode", tag = "modes", params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = crate::ErrorBody))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .delete_mode(&caller.workspace, &name)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => ApiError::new(
                ErrorCode::ModeNotFound,
                format!("mode {name:?} does not exist"),
            ),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queue the training of a new model version on the labelled activity.
/// Follow the job like any other (`/api/v1/jobs/{id}`, `/events`).
#[utoipa::path(
    post, path = "/api/v1/modes/train", operation_id = "trainModes", tag = "modes",
    responses((status = 202, body = Job), (status = 409, description = "Not enough labelled activity to train on (`insufficient_labels`)", body = crate::ErrorBody))
)]
pub async fn train(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, axum::Json<Job>)> {
    let modes = state.store.list_modes(&caller.workspace).await?;
    let labelled: Vec<&ModeInfo> = modes.iter().filter(|m| m.labelled_events > 0).collect();
    if labelled.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InsufficientLabels,
            "no labelled activity: create modes and label activity with them first",
        ));
    }
    if labelled.len() < 2 {
        return Err(ApiError::new(
            ErrorCode::InsufficientLabels,
            format!(
                "only the mode {:?} has labelled activity: label at least two modes",
                labelled[0].name
            ),
        ));
    }
    if let Some(m) = labelled
        .iter()
        .find(|m| m.labelled_events < MIN_LABELS_PER_MODE)
    {
        return Err(ApiError::new(
            ErrorCode::InsufficientLabels,
            format!(
                "mode {:?} has {} labelled events; each labelled mode needs at least {MIN_LABELS_PER_MODE}",
                m.name, m.labelled_events
            ),
        ));
    }
    let job = state
        .store
        .create_job(NewJob {
            workspace: caller.workspace.clone(),
            media_id: None,
            pipeline: vec![StageSpec::new("train_modes")],
            max_attempts: state.settings.max_attempts,
        })
        .await?;
    if let Some(wake) = &state.wake {
        wake.notify_one();
    }
    Ok((StatusCode::ACCEPTED, axum::Json(job)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModePrediction {
    pub mode: String,
    /// The model's probability for `mode`.
    pub confidence: f64,
    /// Every mode's probability, most likely first.
    pub probabilities: Vec<ModeProbability>,
    pub model_version: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModeProbability {
    pub mode: String,
    pub probability: f64,
}

/// Predict the mode of an activity record now, with the active model (the
/// record is not stored; `POST /log_activity` stores and labels).
#[utoipa::path(
    post, path = "/api/v1/modes/predict", operation_id = "predictMode", tag = "modes", request_body = ActivityRecord,
    responses((status = 200, body = ModePrediction), (status = 400, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody))
)]
pub async fn predict(
    State(state): State<AppState>,
    caller: Caller,
    Json(record): Json<ActivityRecord>,
) -> ApiResult<axum::Json<ModePrediction>> {
    let bucket = aima_core::activity::log_bucket_id(record.hostname.as_deref())?;
    let event = record.into_event(aima_store::now_ms())?;
    let started = std::time::Instant::now();
    let Some((version, mut predictions)) = state
        .modes
        .predict(
            state.store.as_ref(),
            &caller.workspace,
            &bucket,
            &[event],
            crate::modes::Active::Unknown,
        )
        .await?
    else {
        return Err(ApiError::new(
            ErrorCode::NoModeModel,
            "no mode model is active: label activity and POST /api/v1/modes/train",
        ));
    };
    metrics::histogram!("aima_mode_predict_seconds").record(started.elapsed().as_secs_f64());
    let p = predictions
        .pop()
        .ok_or_else(|| ApiError::internal("no prediction for one event"))?;
    Ok(axum::Json(ModePrediction {
        mode: p.mode,
        confidence: p.confidence,
        probabilities: p
            .probabilities
            .into_iter()
            .map(|(mode, probability)| ModeProbability { mode, probability })
            .collect(),
        model_version: version,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    pub items: Vec<ModeModelInfo>,
}

/// Versions of the mode model, newest first, with their cross-validation
/// metrics.
#[utoipa::path(get, path = "/api/v1/modes/models", operation_id = "listModeModels", tag = "modes", responses((status = 200, body = ModelList)))]
pub async fn models(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<ModelList>> {
    let items = state.store.list_mode_models(&caller.workspace).await?;
    Ok(axum::Json(ModelList { items }))
}

fn version_not_found(version: i64) -> impl Fn(aima_store::StoreError) -> ApiError {
    move |e| match e {
        aima_store::StoreError::NotFound => ApiError::new(
            ErrorCode::ModelVersionNotFound,
            format!("there is no model version {version}"),
        ),
        other => other.into(),
    }
}

/// One version and its metrics.
#[utoipa::path(
    get, path = "/api/v1/modes/models/{version}", operation_id = "getModeModel", tag = "modes", params(("version" = i64, Path)),
    responses((status = 200, body = ModeModelInfo), (status = 404, body = crate::ErrorBody))
)]
pub async fn model(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
) -> ApiResult<axum::Json<ModeModelInfo>> {
    let (info, _) = state
        .store
        .get_mode_model(&caller.workspace, Some(version))
        .await
        .map_err(version_not_found(version))?;
    Ok(axum::Json(info))
}

/// Make a version the active one: a rollback to an earlier version, or
/// back to a later one.
#[utoipa::path(
    post, path = "/api/v1/modes/models/{version}/activate", operation_id = "activateModeModel", tag = "modes", params(("version" = i64, Path)),
    responses((status = 200, body = ModeModelInfo), (status = 404, body = crate::ErrorBody))
)]
pub async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<i64>,
) -> ApiResult<axum::Json<ModeModelInfo>> {
    let info = state
        .store
        .activate_mode_model(&caller.workspace, version)
        .await
        .map_err(version_not_found(version))?;
    Ok(axum::Json(info))
}
