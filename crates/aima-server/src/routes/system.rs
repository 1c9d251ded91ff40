//! Health, readiness, metrics, OpenAPI, docs, and the analyzer list.

use std::sync::Arc;

use aima_core::{ErrorCode, JobState, MediaKind};
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::OpenApi;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::health::HealthDetails;
use crate::AppState;

/// The server's checks, each with what to do: ffmpeg and ffprobe, the
/// memory limit, CTranslate2, each default model, the models and data
/// folders, the database and its migrations, free disk, anonymous access
/// (what `aima doctor` prints). For keys of an admin workspace.
#[utoipa::path(
    get, path = "/api/v1/health/details", operation_id = "getHealthDetails", tag = "system",
    responses(
        (status = 200, body = HealthDetails),
        (status = 403, description = "Not a key of an admin workspace (`forbidden`)", body = crate::ErrorBody)
    )
)]
pub async fn health_details(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<HealthDetails>> {
    caller.require_admin(&state)?;
    let checks = match &state.health {
        Some(report) => report.checks().await,
        None => Vec::new(),
    };
    Ok(axum::Json(HealthDetails::new(checks)))
}

pub fn router(spec: Arc<OpenApi>) -> Router<AppState> {
    let json = spec.to_pretty_json().unwrap_or_else(|_| "{}".into());
    let docs = utoipa_scalar::Scalar::new(spec.as_ref().clone()).to_html();
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json) }
            }),
        )
        .route(
            "/docs",
            get(move || {
                let docs = docs.clone();
                async move { Html(docs) }
            }),
        )
}

async fn readyz(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    state.store.ready().await.map_err(ApiError::unavailable)?;
    Ok(axum::Json(serde_json::json!({"status": "ready"})))
}

/// Prometheus text format. Job gauges are read from the database at scrape
/// time, so they count jobs of every process sharing it.
async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let Some(handle) = &state.metrics else {
        return Err(ApiError::new(ErrorCode::NotFound, "metrics are turned off"));
    };
    // With `server.metrics_token`, only a scraper that sends it (Prometheus'
    // `authorization: {credentials: ...}`) reads the whole server's numbers.
    if let Some(token) = &state.settings.metrics_token {
        let sent = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        use sha2::Digest;
        // Compared as digests: equal length, no early exit on a prefix.
        if sha2::Sha256::digest(sent.as_bytes()) != sha2::Sha256::digest(token.as_bytes()) {
            return Err(ApiError::new(
                ErrorCode::InvalidApiKey,
                "/metrics needs `Authorization: Bearer <server.metrics_token>`",
            ));
        }
    }
    let counts = state.store.job_counts().await?;
    for s in JobState::ALL {
        let n = counts
            .iter()
            .find(|(state, _)| state == s.as_str())
            .map(|(_, n)| *n)
            .unwrap_or(0);
        metrics::gauge!("aima_jobs", "state" => s.as_str()).set(n as f64);
        if s == JobState::Queued {
            metrics::gauge!("aima_queue_depth").set(n as f64);
        }
    }
    // Busy seconds today per capability, from every worker (the database
    // records them as leases end).
    let today = aima_store::now_ms().div_euclid(86_400_000);
    let mut per_cap: std::collections::BTreeMap<String, f64> = Default::default();
    for u in state.store.usage(None, today).await? {
        *per_cap.entry(u.capability).or_default() += u.seconds;
    }
    for (cap, secs) in per_cap {
        metrics::gauge!("aima_worker_busy_seconds_today", "capability" => cap).set(secs);
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyzerInfo {
    pub name: String,
    pub description: String,
    pub accepts: Vec<MediaKind>,
    /// The models it needs with its default options (from the catalog).
    pub models: Vec<String>,
    /// Whether it runs on uploads made without a pipeline (for the kinds
    /// it accepts).
    pub default: bool,
    /// Its models that are not installed on this server: until they are
    /// (`aima models pull <name>`, or a pull on the admin page), its stages
    /// fail alone with `model_missing` and the rest of a job goes on.
    pub missing_models: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyzerList {
    pub items: Vec<AnalyzerInfo>,
}

/// The analyzers this server can run, which of them run on uploads without
/// a pipeline, and which lack a model here.
#[utoipa::path(get, path = "/api/v1/analyzers", operation_id = "listAnalyzers", tag = "system", responses((status = 200, body = AnalyzerList)))]
pub async fn analyzers(
    State(state): State<AppState>,
    _caller: crate::Caller,
) -> axum::Json<AnalyzerList> {
    let mut items = Vec::new();
    for a in state.registry.all() {
        let mut missing_models = Vec::new();
        for &model in a.models() {
            // A name the catalog does not know cannot be pulled either:
            // it counts as missing, as the worker would find it.
            let installed = state
                .models
                .status(model)
                .await
                .is_ok_and(|s| s.state == aima_models::State::Installed);
            if !installed {
                missing_models.push(model.to_string());
            }
        }
        items.push(AnalyzerInfo {
            name: a.name().into(),
            description: a.description().into(),
            accepts: a.accepts().to_vec(),
            models: a.models().iter().map(|m| m.to_string()).collect(),
            default: state
                .settings
                .default_pipeline
                .iter()
                .any(|n| n == a.name()),
            missing_models,
        });
    }
    axum::Json(AnalyzerList { items })
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such endpoint")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this endpoint",
    )
}

/// Busy seconds of a workspace's jobs on one day with one capability.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceUsageRow {
    /// UTC date.
    pub day: String,
    /// The capability of the worker that ran the jobs, or `cpu` for none.
    pub capability: String,
    pub seconds: f64,
}

/// Busy seconds of one worker on one day with one capability.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageRow {
    /// UTC date.
    pub day: String,
    pub worker: String,
    /// A capability the worker announced, or `cpu` for none.
    pub capability: String,
    pub seconds: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageReport {
    /// The caller's workspace: busy seconds of its jobs.
    pub items: Vec<WorkspaceUsageRow>,
    /// What the month cost in money (`[billing]`; absent without prices):
    /// for an admin workspace's key the server's, for any other key its
    /// own workspace's.
    pub month: Option<MonthUsage>,
    /// Server-wide (every worker, every workspace's work, the budget):
    /// only for keys of an admin workspace (`server.admin_workspaces`).
    pub server: Option<ServerUsage>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServerUsage {
    pub items: Vec<UsageRow>,
    /// The daily budget, if one is set, and what today used of it.
    pub budget: Option<BudgetReport>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetReport {
    pub capability: String,
    pub seconds_per_day: f64,
    pub used_today: f64,
    /// False once today's budget is spent: workers with the capability get
    /// no more jobs until the next UTC day.
    pub dispatching: bool,
}

/// A calendar month's cost in the configured time zone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MonthUsage {
    /// `2026-12`.
    pub month: String,
    pub time_zone: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
    /// Spent so far (the server's for admins, else the workspace's).
    pub cost: f64,
    /// The monthly budget (admins; absent when none is set).
    pub budget: Option<f64>,
    /// The month's cost at its end if spending goes on at the rate so far.
    pub forecast: f64,
    /// False while a budget is spent: priced capabilities get no jobs and
    /// no new workers (admins only).
    pub dispatching: Option<bool>,
    /// Why dispatching stopped (admins only).
    pub blocked: Option<String>,
    /// Today's cost and the daily budget (admins).
    pub today: DayUsage,
    /// Cost per workspace (admins: every workspace; others: their own).
    pub workspaces: Vec<WorkspaceCost>,
    /// Hours and cost per priced capability.
    pub capabilities: Vec<CapabilityCost>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayUsage {
    /// `2026-12-07`, in the configured time zone.
    pub day: String,
    pub cost: f64,
    pub budget: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceCost {
    pub workspace: String,
    pub cost: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CapabilityCost {
    pub capability: String,
    pub hours: f64,
    pub price_per_hour: f64,
    pub cost: f64,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// Days back, including today (1-366, default 7).
    #[param(minimum = 1, maximum = 366)]
    days: Option<i64>,
    /// The month whose cost `month` reports, `YYYY-MM` (default: this
    /// month in `billing.time_zone`).
    #[param(pattern = "^([0-9]{4}-(0[1-9]|1[0-2]))?$")]
    month: Option<String>,
    /// `json` (default) or `csv`: the month's cost per workspace and
    /// capability, for accounting (without `[billing]` prices nothing
    /// costs anything: the header only).
    #[param(pattern = "^(json|csv)?$")]
    format: Option<String>,
}

fn usage_day(day: i64) -> String {
    aima_core::activity::format_rfc3339_ms(day * 86_400_000)[..10].to_string()
}

fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// The month's cost (`month`), of the server for admins and of the
/// caller's workspace for others.
async fn month_usage(
    state: &AppState,
    caller: &crate::Caller,
    billing: &aima_billing::Billing,
    month: Option<&str>,
) -> ApiResult<(MonthUsage, aima_billing::Costs)> {
    let now = aima_store::now_ms();
    let period = match month {
        None => billing.month_of(now),
        Some(m) => billing.month_named(m).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("month {m:?}: use YYYY-MM"),
            )
        })?,
    };
    let admin = caller.is_admin(state);
    let workspace = (!admin).then_some(caller.workspace.as_str());
    let day = billing.day_of(now);
    let costs = billing.cost(
        &state
            .store
            .busy_totals(workspace, period.from, period.until)
            .await?,
    );
    let today = billing
        .cost(
            &state
                .store
                .busy_totals(workspace, day.from, day.until)
                .await?,
        )
        .total;
    let cfg = &billing.config;
    let round = aima_billing::Billing::round;
    let blocked = if admin {
        state
            .store
            .blocked_capabilities()
            .await?
            .into_iter()
            .next()
            .map(|(_, r)| r)
    } else {
        None
    };
    let budget = |v: f64| (admin && v > 0.0).then_some(v);
    let usage = MonthUsage {
        month: period.name.clone(),
        time_zone: cfg.time_zone.clone(),
        currency: cfg.currency.clone(),
        cost: round(costs.total),
        budget: budget(cfg.monthly_budget),
        forecast: round(aima_billing::Billing::forecast(costs.total, &period, now)),
        dispatching: admin.then_some(blocked.is_none()),
        blocked,
        today: DayUsage {
            day: day.name,
            cost: round(today),
            budget: budget(cfg.daily_budget),
        },
        workspaces: costs
            .by_workspace
            .iter()
            .map(|(w, c)| WorkspaceCost {
                workspace: w.clone(),
                cost: round(*c),
            })
            .collect(),
        capabilities: costs
            .by_capability
            .iter()
            .map(|(c, l)| CapabilityCost {
                capability: c.clone(),
                hours: round(l.hours),
                price_per_hour: cfg.price_per_hour.get(c).copied().unwrap_or_default(),
                cost: round(l.cost),
            })
            .collect(),
    };
    Ok((usage, costs))
}

/// Busy seconds per day and capability of the caller's workspace's jobs;
/// for an admin workspace's key also every worker's and the budget's state.
/// With `[billing]` prices, the month's cost in money (`month`), or with
/// `format=csv` that month's cost per workspace and capability.
#[utoipa::path(
    get, path = "/api/v1/usage", operation_id = "getUsage", tag = "system", params(UsageQuery),
    responses(
        (status = 200, description = "JSON, or CSV with `format=csv`", content((UsageReport = "application/json"), (String = "text/csv"))),
        (status = 400, body = crate::ErrorBody)
    )
)]
pub async fn usage(
    State(state): State<AppState>,
    caller: crate::Caller,
    crate::extract::Query(q): crate::extract::Query<UsageQuery>,
) -> ApiResult<Response> {
    let csv = super::wants_csv(q.format.as_deref())?;
    let month = match &state.settings.billing {
        Some(b) => Some(month_usage(&state, &caller, b, q.month.as_deref()).await?),
        None => {
            // No prices, no report; the month is still checked as it would be.
            if let Some(m) = &q.month {
                let digits = |r: &str| r.bytes().all(|b| b.is_ascii_digit());
                let ok = m.len() == 7
                    && m.as_bytes()[4] == b'-'
                    && digits(&m[..4])
                    && digits(&m[5..])
                    && matches!(m[5..].parse::<u8>(), Ok(1..=12));
                if !ok {
                    return Err(ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("month {m:?}: use YYYY-MM"),
                    ));
                }
            }
            None
        }
    };
    if csv {
        let mut out =
            String::from("month,workspace,capability,hours,price_per_hour,cost,currency\n");
        // Without prices nothing costs anything: the header alone.
        if let Some((m, costs)) = &month {
            for ((ws, cap), line) in &costs.lines {
                let price = m
                    .capabilities
                    .iter()
                    .find(|c| &c.capability == cap)
                    .map(|c| c.price_per_hour)
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{},{},{},{:.4},{},{:.4},{}\n",
                    m.month,
                    super::csv_field(ws),
                    super::csv_field(cap),
                    line.hours,
                    price,
                    line.cost,
                    m.currency
                ));
            }
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response());
    }
    let month = month.map(|(m, _)| m);
    let days = q.days.unwrap_or(7);
    if !(1..=366).contains(&days) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "days must be 1 to 366",
        ));
    }
    let today = aima_store::now_ms().div_euclid(86_400_000);
    let since = today - days + 1;
    let items = state
        .store
        .usage(Some(&caller.workspace), since)
        .await?
        .into_iter()
        .map(|u| WorkspaceUsageRow {
            day: usage_day(u.day),
            capability: u.capability,
            seconds: millis(u.seconds),
        })
        .collect();
    let server = if caller.is_admin(&state) {
        let rows = state.store.usage(None, since).await?;
        let budget = state.settings.budget.as_ref().map(|b| {
            let used_today: f64 = rows
                .iter()
                .filter(|u| u.day == today && u.capability == b.capability)
                .map(|u| u.seconds)
                .sum();
            BudgetReport {
                capability: b.capability.clone(),
                seconds_per_day: b.seconds_per_day,
                used_today,
                dispatching: used_today < b.seconds_per_day,
            }
        });
        let items = rows
            .into_iter()
            .map(|u| UsageRow {
                day: usage_day(u.day),
                worker: u.worker,
                capability: u.capability,
                seconds: millis(u.seconds),
            })
            .collect();
        Some(ServerUsage { items, budget })
    } else {
        None
    };
    Ok(axum::Json(UsageReport {
        items,
        month,
        server,
    })
    .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkerList {
    pub items: Vec<WorkerStatus>,
    /// Workers the provisioner (`[[autoscale.pools]]`) started in the last
    /// day, newest first (at most 100): running, stopped, or failed and why.
    pub provisioned: Vec<ProvisionedWorker>,
}

/// A worker the provisioner started.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProvisionedWorker {
    /// The name it announces itself with (in `items` with its token's).
    pub name: String,
    pub pool: String,
    pub capability: String,
    /// `local` or `command`.
    pub provider: String,
    /// `starting`, `running`, `stopped` or `failed`.
    pub state: String,
    /// Unix milliseconds.
    pub started_at: i64,
    /// When it first announced itself.
    pub connected_at: Option<i64>,
    pub stopped_at: Option<i64>,
    /// Why it stopped or failed (`idle`, `exited`, what the provider said).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkerStatus {
    #[serde(flatten)]
    pub worker: aima_core::worker_api::WorkerSeen,
    /// Heard from in the last 90 s (workers announce every 30 s).
    pub online: bool,
}

/// Workers heard from in the last day: what each can run (capabilities,
/// analyzers, installed models) and whether it is online. Server-wide: for
/// keys of an admin workspace (`server.admin_workspaces`) only.
#[utoipa::path(
    get, path = "/api/v1/workers", operation_id = "listWorkers", tag = "system",
    responses(
        (status = 200, body = WorkerList),
        (status = 403, description = "The key's workspace is not an admin workspace (`forbidden`)", body = crate::ErrorBody)
    )
)]
pub async fn workers(
    State(state): State<AppState>,
    caller: crate::Caller,
) -> ApiResult<axum::Json<WorkerList>> {
    caller.require_admin(&state)?;
    let now = aima_store::now_ms();
    let items = state
        .store
        .list_workers(now - 86_400_000)
        .await?
        .into_iter()
        .map(|w| WorkerStatus {
            online: w.last_seen >= now - 90_000,
            worker: w,
        })
        .collect();
    let provisioned = state
        .store
        .recent_provisioned(now - 86_400_000, 100)
        .await?
        .into_iter()
        .map(|p| ProvisionedWorker {
            name: p.id,
            pool: p.pool,
            capability: p.capability,
            provider: p.provider,
            state: p.state,
            started_at: p.started_at,
            connected_at: p.connected_at,
            stopped_at: p.stopped_at,
            reason: p.reason,
        })
        .collect();
    Ok(axum::Json(WorkerList { items, provisioned }))
}
