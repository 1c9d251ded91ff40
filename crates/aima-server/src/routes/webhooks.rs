//! `/api/v1/webhooks`: other systems told of a workspace's events (admins
//! only). Sending is `aima_webhooks`' dispatcher's; here webhooks are made,
//! listed and removed, and their deliveries read and sent again.

use aima_core::{ErrorCode, WEBHOOK_EVENTS};
use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use serde::{Deserialize, Serialize};

use crate::auth::note_audit;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::routes::persons::PageQuery;
use crate::{AppState, Caller};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookInfo {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl From<aima_store::Webhook> for WebhookInfo {
    fn from(w: aima_store::Webhook) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w.events,
            created_at: w.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookPage {
    pub items: Vec<WebhookInfo>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed: http or https, a public address unless
    /// the server sets `webhooks.allow_private`.
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = "^https?://[^\\s/?#]+([/?#]\\S*)?$"
    )]
    pub url: String,
    /// Any of `job.succeeded`, `job.partial` (some stages failed alone),
    /// `job.failed`, `media.deleted`, `person.named`, `mode_model.trained`.
    #[schema(min_items = 1, max_items = 11)]
    pub events: Vec<WebhookEvent>,
    /// The key of the HMAC-SHA256 signature; 16 to 256 characters.
    #[schema(min_length = 16, max_length = 256)]
    pub secret: String,
}

/// An event a webhook can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub enum WebhookEvent {
    #[serde(rename = "job.succeeded")]
    JobSucceeded,
    #[serde(rename = "job.partial")]
    JobPartial,
    #[serde(rename = "job.failed")]
    JobFailed,
    #[serde(rename = "media.deleted")]
    MediaDeleted,
    #[serde(rename = "person.named")]
    PersonNamed,
    #[serde(rename = "mode_model.trained")]
    ModeModelTrained,
    /// The provisioner started a worker (admin workspaces only).
    #[serde(rename = "worker.started")]
    WorkerStarted,
    /// A worker the provisioner started stopped (admin workspaces only).
    #[serde(rename = "worker.stopped")]
    WorkerStopped,
    /// The provisioner could not start a worker, or it never connected
    /// (admin workspaces only).
    #[serde(rename = "provision.failed")]
    ProvisionFailed,
    /// 80 % of the month's or the day's budget in money is spent (admin
    /// workspaces only).
    #[serde(rename = "budget.warning")]
    BudgetWarning,
    /// The month's or the day's budget is spent: priced capabilities get
    /// no more work until it ends (admin workspaces only).
    #[serde(rename = "budget.exhausted")]
    BudgetExhausted,
}

impl WebhookEvent {
    fn as_str(self) -> &'static str {
        let i = match self {
            WebhookEvent::JobSucceeded => 0,
            WebhookEvent::JobPartial => 1,
            WebhookEvent::JobFailed => 2,
            WebhookEvent::MediaDeleted => 3,
            WebhookEvent::PersonNamed => 4,
            WebhookEvent::ModeModelTrained => 5,
            WebhookEvent::WorkerStarted => 6,
            WebhookEvent::WorkerStopped => 7,
            WebhookEvent::ProvisionFailed => 8,
            WebhookEvent::BudgetWarning => 9,
            WebhookEvent::BudgetExhausted => 10,
        };
        WEBHOOK_EVENTS[i]
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryInfo {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    /// The JSON body sent.
    pub body: serde_json::Value,
    /// `pending`, `succeeded` or `failed` (attempts ran out).
    pub state: String,
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries), Unix milliseconds.
    pub next_attempt_at: i64,
    /// The receiver's last HTTP status.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<aima_store::Delivery> for DeliveryInfo {
    fn from(d: aima_store::Delivery) -> Self {
        Self {
            body: serde_json::from_str(&d.body).unwrap_or(serde_json::Value::Null),
            id: d.id,
            webhook_id: d.webhook_id,
            event: d.event,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryInfo>,
    pub next_cursor: Option<String>,
}

fn not_found(e: aima_store::StoreError) -> ApiError {
    match e {
        aima_store::StoreError::NotFound => {
            ApiError::new(ErrorCode::WebhookNotFound, "no such webhook")
        }
        other => other.into(),
    }
}

/// Makes a webhook. Deliveries carry `X-AIMA-Event`, `X-AIMA-Delivery`,
/// `X-AIMA-Timestamp` and `X-AIMA-Signature: sha256=<hex HMAC-SHA256 of
/// "<timestamp>.<body>" with the secret>`; a receiver answers 2xx to take
/// one, else it is sent again later with growing delays.
#[utoipa::path(
    post, path = "/api/v1/webhooks", operation_id = "createWebhook", tag = "team", request_body = NewWebhook,
    responses(
        (status = 201, body = WebhookInfo),
        (status = 400, description = "A URL that is not http(s), does not resolve, or resolves to a private address (`invalid_webhook_url`)", body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extensions: Extensions,
    Json(body): Json<NewWebhook>,
) -> ApiResult<(StatusCode, axum::Json<WebhookInfo>)> {
    let n = body.secret.chars().count();
    if !(16..=256).contains(&n) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "secret has 16 to 256 characters",
        ));
    }
    if body.events.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "events names at least one event",
        ));
    }
    aima_webhooks::check_url(&body.url, state.settings.webhooks_allow_private)
        .await
        .map_err(|m| ApiError::new(ErrorCode::InvalidWebhookUrl, m))?;
    let mut events: Vec<String> = body.events.iter().map(|e| e.as_str().to_string()).collect();
    events.sort();
    events.dedup();
    let hook = state
        .store
        .create_webhook(&caller.workspace, &body.url, &events, &body.secret)
        .await?;
    note_audit(&extensions, |n| {
        n.resource = Some(format!("webhook/{}", hook.id))
    });
    Ok((StatusCode::CREATED, axum::Json(hook.into())))
}

/// The workspace's webhooks, oldest first.
#[utoipa::path(
    get, path = "/api/v1/webhooks", operation_id = "listWebhooks", tag = "team", params(PageQuery),
    responses((status = 200, body = WebhookPage), (status = 403, body = crate::ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<WebhookPage>> {
    let page = state
        .store
        .list_webhooks(&caller.workspace, &q.page()?)
        .await?;
    Ok(axum::Json(WebhookPage {
        items: page.items.into_iter().map(WebhookInfo::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One webhook.
#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}", operation_id = "getWebhook", tag = "team",
    responses((status = 200, body = WebhookInfo), (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<WebhookInfo>> {
    let hook = state
        .store
        .get_webhook(&caller.workspace, &id)
        .await
        .map_err(not_found)?;
    Ok(axum::Json(hook.into()))
}

/// Removes a webhook and its deliveries.
#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", operation_id = "deleteWebhook", tag = "team",
    responses((status = 204, description = "Removed"), (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .delete_webhook(&caller.workspace, &id)
        .await
        .map_err(not_found)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A webhook's deliveries, newest first, with their state and the last
/// answer of the receiver.
#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}/deliveries", operation_id = "listDeliveries", tag = "team", params(PageQuery),
    responses((status = 200, body = DeliveryPage), (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<DeliveryPage>> {
    let mut page = q.page()?;
    page.order = aima_core::SortOrder::Desc;
    let page = state
        .store
        .list_deliveries(&caller.workspace, &id, &page)
        .await
        .map_err(not_found)?;
    Ok(axum::Json(DeliveryPage {
        items: page.items.into_iter().map(DeliveryInfo::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Sends a delivery's body again, as a new delivery.
#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", operation_id = "redeliver", tag = "team",
    responses((status = 202, body = DeliveryInfo), (status = 403, body = crate::ErrorBody), (status = 404, description = "No such webhook or delivery (`delivery_not_found`)", body = crate::ErrorBody))
)]
pub async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery)): Path<(String, String)>,
) -> ApiResult<(StatusCode, axum::Json<DeliveryInfo>)> {
    let d = state
        .store
        .redeliver(&caller.workspace, &id, &delivery)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => ApiError::new(
                ErrorCode::DeliveryNotFound,
                "no such delivery of this webhook",
            ),
            other => other.into(),
        })?;
    Ok((StatusCode::ACCEPTED, axum::Json(d.into())))
}
