//! The webhook outbox: an event is queued as a delivery per following
//! webhook inside the transaction of the write it reports, so a committed
//! change always has its event and a rolled-back one never does. The
//! dispatcher (`aima-webhooks`) sends them.

use serde_json::Value;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{corrupt, new_id, now_ms, t, Arg, Sql};

/// Queues `event` for every webhook of `workspace` that follows it, inside
/// the caller's transaction (so the event and the change it reports commit
/// together, or neither does).
pub(crate) async fn queue_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    workspace: &str,
    event: &str,
    data: Value,
) -> Result<()> {
    let mut q = Sql::new("SELECT id, events FROM webhooks WHERE workspace_id = ");
    q.bind(t(workspace));
    let hooks = q.query().fetch_all(&mut **tx).await?;
    let now = now_ms();
    for hook in hooks {
        let events: String = hook.try_get("events")?;
        let events: Vec<String> =
            serde_json::from_str(&events).map_err(|e| corrupt("webhook events", e))?;
        if !events.iter().any(|e| e == event) {
            continue;
        }
        let webhook_id: String = hook.try_get("id")?;
        let id = new_id();
        let mut body = serde_json::json!({
            "id": id,
            "event": event,
            "workspace": workspace,
            "at": now,
        });
        if let (Some(b), Value::Object(d)) = (body.as_object_mut(), data.clone()) {
            b.extend(d);
        }
        insert_delivery(
            tx,
            &id,
            &webhook_id,
            workspace,
            event,
            &body.to_string(),
            now,
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    webhook_id: &str,
    workspace: &str,
    event: &str,
    body: &str,
    now: i64,
) -> Result<()> {
    let mut q = Sql::new("INSERT INTO webhook_deliveries (id, webhook_id, workspace_id, event, body, state, attempts, next_attempt_at, created_at, updated_at) VALUES (");
    q.bind(t(id))
        .push(", ")
        .bind(t(webhook_id))
        .push(", ")
        .bind(t(workspace))
        .push(", ")
        .bind(t(event))
        .push(", ")
        .bind(t(body))
        .push(", 'pending', 0, ")
        .bind(Arg::Int(now))
        .push(", ")
        .bind(Arg::Int(now))
        .push(", ")
        .bind(Arg::Int(now))
        .push(")");
    q.query().execute(&mut **tx).await?;
    Ok(())
}

/// The `job.succeeded`, `job.partial` or `job.failed` event of a job that has just ended
/// in this transaction (nothing for any other state).
pub(crate) async fn queue_job_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job_id: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "SELECT workspace_id, media_id, state, error_code, error_message FROM jobs WHERE id = ",
    );
    q.bind(t(job_id));
    let Some(row) = q.query().fetch_optional(&mut **tx).await? else {
        return Ok(());
    };
    let state: String = row.try_get("state")?;
    let event = match state.as_str() {
        "succeeded" => "job.succeeded",
        "partial" => "job.partial",
        "failed" => "job.failed",
        _ => return Ok(()),
    };
    let workspace: String = row.try_get("workspace_id")?;
    let media_id: Option<String> = row.try_get("media_id")?;
    let code: Option<String> = row.try_get("error_code")?;
    let message: Option<String> = row.try_get("error_message")?;
    let error = code.map(|code| serde_json::json!({"code": code, "message": message}));
    let data = serde_json::json!({
        "resource": {"type": "job", "id": job_id},
        "job": {"id": job_id, "media_id": media_id, "state": state, "error": error},
    });
    queue_event(tx, &workspace, event, data).await
}
