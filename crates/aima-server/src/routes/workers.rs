//! `/api/worker/v1`: the API remote workers pull jobs from and report to
//! (`aima worker --server URL --token TOKEN`).
//!
//! A worker token (made by `aima admin create-worker-token`, stored hashed)
//! grants some workspaces and nothing else: it can claim media jobs of those
//! workspaces, read the media of a job it holds, and write that job's
//! progress, insights, artifacts and end, always under the job's lease token,
//! exactly as a worker beside the database does. It cannot read or list
//! anything through the user API. Revoking a token stops it at its next
//! request.

use std::time::{Duration, Instant};

use aima_core::worker_api::{
    ClaimRequest, Claimed, FailBody, FencedReply, InsightBody, LeaseBody, TokenQuery,
};
use aima_core::{ErrorCode, Job, Media};
use aima_store::{ClaimScope, FailureKind, Fenced, StoreError, WorkerGrant};
use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::AppState;

/// Largest artifact a remote worker may upload.
const MAX_ARTIFACT_BYTES: u64 = 512 * 1024 * 1024;
/// Longest long-poll of a claim.
const MAX_WAIT: Duration = Duration::from_secs(30);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/worker/v1/claim", post(claim))
        .route("/api/worker/v1/announce", post(announce))
        // heartbeat, stages, finish-stage, complete, release
        .route("/api/worker/v1/jobs/{id}/{action}", post(lease_write))
        .route("/api/worker/v1/jobs/{id}/fail", post(fail))
        .route("/api/worker/v1/jobs/{id}/insights", post(insight))
        .route("/api/worker/v1/jobs/{id}/media", get(media))
        .route("/api/worker/v1/jobs/{id}/media/content", get(media_content))
        .route(
            "/api/worker/v1/jobs/{id}/artifacts/{name}",
            put(artifact).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}

/// The worker calling: its token's grant.
pub struct WorkerCaller(pub WorkerGrant);

impl FromRequestParts<AppState> for WorkerCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::MissingApiKey,
                    "send a worker token as `Authorization: Bearer <token>` (aima admin create-worker-token)",
                )
            })?;
        match state
            .store
            .worker_grant(&aima_store::hash_api_key(token))
            .await?
        {
            Some(grant) => Ok(WorkerCaller(grant)),
            None => Err(ApiError::new(
                ErrorCode::InvalidApiKey,
                "the worker token is not valid (unknown or revoked)",
            )),
        }
    }
}

/// The job, if it belongs to a workspace the token grants; 404 otherwise,
/// so a token learns nothing of other workspaces.
async fn granted_job(state: &AppState, grant: &WorkerGrant, id: &str) -> ApiResult<Job> {
    let not_found = || ApiError::new(ErrorCode::JobNotFound, "job not found");
    let job = state.store.get_job_any(id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    if !grant.workspaces.contains(&job.workspace) {
        return Err(not_found());
    }
    Ok(job)
}

fn reply(f: Fenced) -> axum::Json<FencedReply> {
    axum::Json(FencedReply {
        ok: f == Fenced::Ok,
    })
}

async fn claim(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Json(req): Json<ClaimRequest>,
) -> ApiResult<Response> {
    if !(1_000..=3_600_000).contains(&req.lease_ms) || req.owner.len() > 200 {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "lease_ms must be 1000 to 3600000 and owner at most 200 bytes",
        ));
    }
    for c in &req.capabilities {
        aima_core::validate_capability(c)
            .map_err(|m| ApiError::new(ErrorCode::InvalidParameter, m))?;
    }
    let scope = ClaimScope {
        workspaces: Some(grant.workspaces.clone()),
        media_only: true,
        capabilities: req.capabilities.clone(),
        budget: state.settings.budget.clone(),
    };
    let owner = format!("{} ({})", req.owner, grant.name);
    let until = Instant::now() + Duration::from_millis(req.wait_ms).min(MAX_WAIT);
    loop {
        if let Some(lease) = state
            .store
            .claim_job_scoped(&owner, req.lease_ms, &scope)
            .await?
        {
            tracing::info!(job = %lease.job.id, worker = %owner, "job claimed by a remote worker");
            return Ok(axum::Json(Claimed {
                job: lease.job,
                token: lease.token,
            })
            .into_response());
        }
        if Instant::now() >= until {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Heartbeat, progress, stage end, completion and release: the lease
/// writes that take a `LeaseBody`, one store call each.
async fn lease_write(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Path((id, action)): Path<(String, String)>,
    Json(b): Json<LeaseBody>,
) -> ApiResult<axum::Json<FencedReply>> {
    granted_job(&state, &grant, &id).await?;
    let store = &state.store;
    let fenced = match action.as_str() {
        "heartbeat" => {
            store
                .heartbeat(&id, &b.token, b.lease_ms.clamp(1_000, 3_600_000))
                .await?
        }
        "stages" => store.update_stages(&id, &b.token, &b.stages).await?,
        "finish-stage" => {
            store
                .finish_stage(&id, &b.token, &b.analyzer, &b.stages)
                .await?
        }
        "complete" => store.complete_job(&id, &b.token, &b.stages).await?,
        "release" => store.release_job(&id, &b.token).await?,
        other => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no worker action {other:?}"),
            ))
        }
    };
    Ok(reply(fenced))
}

async fn fail(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Path(id): Path<String>,
    Json(b): Json<FailBody>,
) -> ApiResult<axum::Json<FencedReply>> {
    granted_job(&state, &grant, &id).await?;
    let kind = match b.retry_after_ms {
        Some(ms) => FailureKind::Retry {
            retry_after_ms: ms.clamp(0, 86_400_000),
        },
        None => FailureKind::Abort,
    };
    // A remote worker's message reaches this workspace's clients: without
    // that machine's paths, whatever its version.
    let error = aima_core::ErrorInfo::new(b.error.code, aima_core::redact_paths(&b.error.message));
    Ok(reply(
        state
            .store
            .fail_job(&id, &b.token, kind, &error, &b.stages)
            .await?,
    ))
}

async fn insight(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Path(id): Path<String>,
    Json(b): Json<InsightBody>,
) -> ApiResult<axum::Json<FencedReply>> {
    let job = granted_job(&state, &grant, &id).await?;
    let mut insight = b.insight;
    insight.key = b.key;
    if insight.key.is_empty() || insight.key.len() > 200 {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "an insight needs a key of 1-200 bytes",
        ));
    }
    Ok(reply(
        state.store.put_insight(&job, &b.token, &insight).await?,
    ))
}

/// The job's lease must be held by `token`: reads and uploads are for the
/// worker running the job, not for anyone with a token.
async fn held_job(state: &AppState, grant: &WorkerGrant, id: &str, token: &str) -> ApiResult<Job> {
    let job = granted_job(state, grant, id).await?;
    if !state.store.lease_held(id, token).await? {
        return Err(ApiError::new(
            ErrorCode::InvalidJobState,
            "this worker does not hold the job's lease",
        ));
    }
    Ok(job)
}

async fn job_media(state: &AppState, job: &Job) -> ApiResult<Media> {
    let media_id = job
        .media_id
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::MediaNotFound, "the job has no media"))?;
    state
        .store
        .get_media(&job.workspace, media_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::new(ErrorCode::MediaNotFound, "media not found"),
            other => other.into(),
        })
}

async fn media(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> ApiResult<axum::Json<Media>> {
    let job = held_job(&state, &grant, &id, &q.token).await?;
    Ok(axum::Json(job_media(&state, &job).await?))
}

async fn media_content(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> ApiResult<Response> {
    let job = held_job(&state, &grant, &id, &q.token).await?;
    let media = job_media(&state, &job).await?;
    let stream = state
        .blobs
        .stream(&aima_blobs::media_key(&media.sha256))
        .await?;
    Ok((
        [(axum::http::header::CONTENT_LENGTH, media.size.to_string())],
        Body::from_stream(stream),
    )
        .into_response())
}

async fn artifact(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Path((id, name)): Path<(String, String)>,
    Query(q): Query<TokenQuery>,
    body: Body,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let job = held_job(&state, &grant, &id, &q.token).await?;
    let media_id = job.media_id.clone().unwrap_or_default();
    let artifact = format!("{}/{name}", job.id);
    let key = format!("{}/{artifact}", aima_blobs::artifacts_prefix(&media_id));
    aima_blobs::validate_key(&key)
        .map_err(|_| ApiError::new(ErrorCode::InvalidParameter, "invalid artifact name"))?;
    let staged = tempfile::Builder::new()
        .prefix("artifact-")
        .tempfile_in(state.blobs.staging_dir())
        .map_err(ApiError::internal)?
        .into_temp_path();
    let mut file = tokio::fs::File::create(&staged)
        .await
        .map_err(ApiError::internal)?;
    let mut stream = body.into_data_stream();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?;
        size += chunk.len() as u64;
        if size > MAX_ARTIFACT_BYTES {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("artifacts are at most {MAX_ARTIFACT_BYTES} bytes"),
            ));
        }
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.flush().await.map_err(ApiError::internal)?;
    drop(file);
    state.blobs.put_file(&key, &staged).await?;
    Ok(axum::Json(serde_json::json!({ "artifact": artifact })))
}

async fn announce(
    State(state): State<AppState>,
    WorkerCaller(grant): WorkerCaller,
    Json(mut info): Json<aima_core::worker_api::WorkerInfo>,
) -> ApiResult<StatusCode> {
    if info.name.len() > 200
        || info.capabilities.len() > 32
        || info.analyzers.len() > 256
        || info.models.len() > 256
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "announcement too large",
        ));
    }
    for c in &info.capabilities {
        aima_core::validate_capability(c)
            .map_err(|m| ApiError::new(ErrorCode::InvalidParameter, m))?;
    }
    // Named as its leases are: the worker's name and its token's.
    info.name = format!("{} ({})", info.name, grant.name);
    state.store.announce_worker(&info, Some(&grant.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
