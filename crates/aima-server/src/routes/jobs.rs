//! `/api/v1/jobs`: create, list, get, cancel, retry the failed stages, and follow (SSE).

use std::convert::Infallible;

use aima_core::{ErrorCode, Job, PageRequest, Pipeline, SortOrder, StageSpec};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, OrNotFound};
use crate::extract::{Json, Path, Query};
use crate::routes::media::queue_job;
use crate::{AppState, Caller};

/// A pipeline as a list of stages, or as the compact `"probe,keyframes"`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PipelineInput {
    Stages(Vec<StageSpec>),
    List(String),
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    pub media_id: String,
    pub pipeline: PipelineInput,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobPage {
    pub items: Vec<Job>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobListQuery {
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(schema_with = crate::openapi::cursor_param)]
    cursor: Option<String>,
    order: Option<SortOrder>,
    media_id: Option<String>,
}

/// Queue an analysis job on a media.
#[utoipa::path(
    post, path = "/api/v1/jobs", operation_id = "createJob", tag = "jobs", request_body = CreateJob,
    responses((status = 201, body = Job), (status = 400, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateJob>,
) -> ApiResult<(StatusCode, axum::Json<Job>)> {
    let pipeline = match req.pipeline {
        PipelineInput::Stages(stages) => Pipeline(stages),
        PipelineInput::List(s) => Pipeline::parse_list(&s)
            .map_err(|e| ApiError::new(ErrorCode::InvalidPipeline, e.to_string()))?,
    };
    let media = state
        .store
        .get_media(&caller.workspace, &req.media_id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    state
        .registry
        .check(&pipeline, Some(media.kind))
        .map_err(|r| ApiError::new(r.code, r.message))?;
    let job = queue_job(&state, &caller, &media.id, pipeline).await?;
    Ok((StatusCode::CREATED, axum::Json(job)))
}

/// List jobs, newest first.
#[utoipa::path(
    get, path = "/api/v1/jobs", operation_id = "listJobs", tag = "jobs", params(JobListQuery),
    responses((status = 200, body = JobPage), (status = 400, body = crate::ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<JobListQuery>,
) -> ApiResult<axum::Json<JobPage>> {
    let page = PageRequest::new(q.limit, q.cursor.as_deref(), q.order.unwrap_or_default())
        .map_err(|m| ApiError::new(ErrorCode::InvalidParameter, m))?;
    let page = state
        .store
        .list_jobs(&caller.workspace, q.media_id.as_deref(), &page)
        .await?;
    Ok(axum::Json(JobPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One job: state, progress per stage, error.
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}", operation_id = "getJob", tag = "jobs",
    responses((status = 200, body = Job), (status = 404, body = crate::ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Job>> {
    let job = state
        .store
        .get_job(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::JobNotFound, "job")?;
    Ok(axum::Json(job))
}

/// Cancel a queued or running job. A running job stops at its next heartbeat.
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/cancel", operation_id = "cancelJob", tag = "jobs",
    responses((status = 200, body = Job), (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody))
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Job>> {
    let job = state
        .store
        .cancel_job(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::JobNotFound, "job")?;
    Ok(axum::Json(job))
}

/// Run a job's failed stages again: a job that ended `partial` (some
/// stages failed alone, say a model was missing and has been pulled since)
/// or `failed` is queued again with its done stages and their insights
/// kept; only the others run. Its attempts start over.
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/retry", operation_id = "retryJob", tag = "jobs",
    responses(
        (status = 202, description = "Queued again", body = Job),
        (status = 404, description = "No such job in this workspace (`job_not_found`)", body = crate::ErrorBody),
        (status = 409, description = "The job is not partial or failed (`invalid_job_state`)", body = crate::ErrorBody)
    )
)]
pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<Job>)> {
    let job = state
        .store
        .retry_job(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::JobNotFound, "job")?;
    if let Some(wake) = &state.wake {
        wake.notify_one();
    }
    Ok((StatusCode::ACCEPTED, axum::Json(job)))
}

/// Follow a job as Server-Sent Events: a `job` event with the whole job each
/// time it changes, and the stream ends after the job does.
///
/// The stream reads the job from the database, so it works whichever
/// process runs the job.
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}/events", operation_id = "streamJobEvents", tag = "jobs",
    responses((status = 200, description = "text/event-stream of `job` events", content_type = "text/event-stream"), (status = 404, body = crate::ErrorBody))
)]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let first = state
        .store
        .get_job(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::JobNotFound, "job")?;
    let poll = state.settings.events_poll;
    let stream = async_stream::stream! {
        let mut last: Option<Job> = None;
        let mut job = first;
        loop {
            if last.as_ref() != Some(&job) {
                if let Ok(data) = serde_json::to_string(&job) {
                    yield Ok(Event::default().event("job").data(data));
                }
                if job.state.is_final() {
                    break;
                }
                last = Some(job.clone());
            }
            tokio::time::sleep(poll).await;
            match state.store.get_job(&caller.workspace, &id).await {
                Ok(j) => job = j,
                // Deleted with its media: say so and end.
                Err(aima_store::StoreError::NotFound) => {
                    yield Ok(Event::default().event("gone").data("{}"));
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "job events: could not read the job");
                }
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
