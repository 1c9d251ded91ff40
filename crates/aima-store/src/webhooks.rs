//! Webhooks and their deliveries: what the dispatcher claims, sends and
//! records. Secrets are stored as given: the dispatcher needs them to sign.

use aima_core::PageRequest;
use async_trait::async_trait;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::outbox::{insert_delivery, queue_event};
use crate::sql::{
    corrupt, cursor, into_page, new_id, now_ms, push_page, push_page_on, t, Arg, Page, Sql,
};
use crate::store::SqlStore;
use crate::workspaces::WorkspaceRepo;

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub body: String,
    /// `pending`, `succeeded` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A delivery claimed for sending, with what sending needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: Delivery,
    pub url: String,
    pub secret: String,
}

/// How an attempt at a delivery ended.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<i64>,
    pub error: Option<String>,
    /// Whether the receiver took it (2xx).
    pub delivered: bool,
    /// When to try again; None: give up (the delivery fails).
    pub retry_at: Option<i64>,
}

#[async_trait]
pub trait WebhookRepo: Send + Sync {
    async fn create_webhook(
        &self,
        workspace: &str,
        url: &str,
        events: &[String],
        secret: &str,
    ) -> Result<Webhook>;
    async fn list_webhooks(&self, workspace: &str, page: &PageRequest) -> Result<Page<Webhook>>;
    async fn get_webhook(&self, workspace: &str, id: &str) -> Result<Webhook>;
    async fn delete_webhook(&self, workspace: &str, id: &str) -> Result<()>;
    /// Queues a delivery of an event to every webhook of the workspace that
    /// follows it. Events of the store's own writes (jobs ending, media
    /// deleted, persons named, models trained) are queued in those writes'
    /// transactions; this is for the rest.
    async fn emit_event(&self, workspace: &str, event: &str, data: Value) -> Result<()>;
    async fn list_deliveries(
        &self,
        workspace: &str,
        webhook_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Delivery>>;
    /// Queues a delivery's body again as a new delivery.
    async fn redeliver(&self, workspace: &str, webhook_id: &str, id: &str) -> Result<Delivery>;
    /// Takes up to `limit` due deliveries for `lease_ms` (another server
    /// takes them again after that, if this one died sending).
    async fn claim_deliveries(&self, limit: u32, lease_ms: i64) -> Result<Vec<DueDelivery>>;
    async fn finish_attempt(&self, id: &str, attempt: &Attempt) -> Result<()>;
}

const DELIVERY_COLS: &str = "d.id, d.webhook_id, d.event, d.body, d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.updated_at";

fn webhook_row(r: &AnyRow) -> Result<Webhook> {
    let events: String = r.try_get("events")?;
    Ok(Webhook {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| corrupt("webhook events", e))?,
        created_at: r.try_get("created_at")?,
    })
}

fn delivery_row(r: &AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        event: r.try_get("event")?,
        body: r.try_get("body")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[async_trait]
impl WebhookRepo for SqlStore {
    async fn create_webhook(
        &self,
        workspace: &str,
        url: &str,
        events: &[String],
        secret: &str,
    ) -> Result<Webhook> {
        self.ensure_workspace(workspace).await?;
        let id = new_id();
        let now = now_ms();
        let events_json = serde_json::to_string(events).map_err(|e| corrupt("events", e))?;
        let mut q = Sql::new(
            "INSERT INTO webhooks (id, workspace_id, url, events, secret, created_at) VALUES (",
        );
        q.bind(t(&id))
            .push(", ")
            .bind(t(workspace))
            .push(", ")
            .bind(t(url))
            .push(", ")
            .bind(t(&events_json))
            .push(", ")
            .bind(t(secret))
            .push(", ")
            .bind(Arg::Int(now))
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(Webhook {
            id,
            url: url.to_string(),
            events: events.to_vec(),
            created_at: now,
        })
    }

    async fn list_webhooks(&self, workspace: &str, page: &PageRequest) -> Result<Page<Webhook>> {
        let mut q =
            Sql::new("SELECT id, url, events, created_at FROM webhooks WHERE workspace_id = ");
        q.bind(t(workspace));
        push_page(&mut q, page);
        let items = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(webhook_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |w| cursor(w.created_at, &w.id)))
    }

    async fn get_webhook(&self, workspace: &str, id: &str) -> Result<Webhook> {
        let mut q =
            Sql::new("SELECT id, url, events, created_at FROM webhooks WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        webhook_row(&row)
    }

    async fn delete_webhook(&self, workspace: &str, id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("DELETE FROM webhook_deliveries WHERE webhook_id = ");
        q.bind(t(id))
            .push(" AND workspace_id = ")
            .bind(t(workspace));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new("DELETE FROM webhooks WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn emit_event(&self, workspace: &str, event: &str, data: Value) -> Result<()> {
        let mut tx = self.begin_write().await?;
        queue_event(&mut tx, workspace, event, data).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_deliveries(
        &self,
        workspace: &str,
        webhook_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Delivery>> {
        self.get_webhook(workspace, webhook_id).await?;
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d WHERE d.webhook_id = "
        ));
        q.bind(t(webhook_id));
        push_page_on(&mut q, page, "d.");
        let items = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(delivery_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |d| cursor(d.created_at, &d.id)))
    }

    async fn redeliver(&self, workspace: &str, webhook_id: &str, id: &str) -> Result<Delivery> {
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d WHERE d.workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND d.webhook_id = ")
            .bind(t(webhook_id))
            .push(" AND d.id = ")
            .bind(t(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let old = delivery_row(&row)?;
        // The same body (its `id` names the first delivery, so a receiver
        // that keeps ids can tell a redelivery), signed afresh when sent.
        let new_id = new_id();
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        insert_delivery(
            &mut tx, &new_id, webhook_id, workspace, &old.event, &old.body, now,
        )
        .await?;
        tx.commit().await?;
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d WHERE d.id = "
        ));
        q.bind(t(&new_id));
        delivery_row(&q.query().fetch_one(&self.pool).await?)
    }

    async fn claim_deliveries(&self, limit: u32, lease_ms: i64) -> Result<Vec<DueDelivery>> {
        let now = now_ms();
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS}, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.state = 'pending' AND d.next_attempt_at <= "
        ));
        q.bind(Arg::Int(now))
            .push(" ORDER BY d.next_attempt_at LIMIT ")
            .bind(Arg::Int(limit as i64));
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut due = Vec::new();
        for r in rows {
            let delivery = delivery_row(&r)?;
            // Taken only if no other server took it in between.
            let mut q = Sql::new("UPDATE webhook_deliveries SET next_attempt_at = ");
            q.bind(Arg::Int(now + lease_ms))
                .push(" WHERE id = ")
                .bind(t(&delivery.id))
                .push(" AND state = 'pending' AND next_attempt_at = ")
                .bind(Arg::Int(delivery.next_attempt_at));
            if q.query().execute(&self.pool).await?.rows_affected() == 1 {
                due.push(DueDelivery {
                    delivery,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                });
            }
        }
        Ok(due)
    }

    async fn finish_attempt(&self, id: &str, a: &Attempt) -> Result<()> {
        let now = now_ms();
        let state = if a.delivered {
            "succeeded"
        } else if a.retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        let mut q = Sql::new("UPDATE webhook_deliveries SET attempts = attempts + 1, state = ");
        q.bind(t(state))
            .push(", last_status = ")
            .bind(Arg::OptInt(a.status))
            .push(", last_error = ")
            .bind(Arg::OptText(a.error.clone()))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .push(", next_attempt_at = ")
            .bind(Arg::Int(a.retry_at.unwrap_or(now)))
            .push(" WHERE id = ")
            .bind(t(id));
        q.query().execute(&self.pool).await?;
        Ok(())
    }
}
