//! Modes: their labels on events and the versions of the learned model.

use aima_core::{ModeInfo, ModeLabel, ModeModelInfo};
use async_trait::async_trait;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::events::{active_mode_version_sql, push_activity_buckets, push_label, push_range};
use crate::sql::{corrupt, now_ms, t, Arg, Sql};
use crate::store::SqlStore;
use crate::workspaces::WorkspaceRepo;

/// Modes, their labels on events, and versions of the learned model.
#[async_trait]
pub trait ModeRepo: Send + Sync {
    /// `Conflict` if the mode exists.
    async fn create_mode(&self, workspace: &str, name: &str) -> Result<ModeInfo>;
    async fn list_modes(&self, workspace: &str) -> Result<Vec<ModeInfo>>;
    /// Deletes the mode and clears it from every event.
    async fn delete_mode(&self, workspace: &str, name: &str) -> Result<()>;
    /// Labels, as a person's choice, the activity events overlapping a time
    /// range (or the listed events). `NotFound` if the mode does not exist.
    /// Returns how many events were labelled.
    async fn label_events(
        &self,
        workspace: &str,
        mode: &str,
        range: Option<(i64, i64)>,
        event_ids: &[i64],
    ) -> Result<i64>;
    /// Sets predicted modes on events a person has not labelled.
    async fn set_predictions(&self, workspace: &str, labels: &[(i64, ModeLabel)]) -> Result<()>;
    /// Saves a trained model as the next version and makes it active, under
    /// the training job's lease. Returns the version, or None if the lease
    /// was lost.
    async fn save_mode_model(
        &self,
        job_id: &str,
        token: &str,
        algorithm: &str,
        metrics: &serde_json::Value,
        model: &str,
    ) -> Result<Option<i64>>;
    async fn list_mode_models(&self, workspace: &str) -> Result<Vec<ModeModelInfo>>;
    /// A version's model (the active one if `version` is None).
    async fn get_mode_model(
        &self,
        workspace: &str,
        version: Option<i64>,
    ) -> Result<(ModeModelInfo, String)>;
    async fn active_mode_version(&self, workspace: &str) -> Result<Option<i64>>;
    /// Makes a version the active one (a rollback, or a roll forward).
    async fn activate_mode_model(&self, workspace: &str, version: i64) -> Result<ModeModelInfo>;
}

fn model_info_from_row(row: &AnyRow) -> Result<ModeModelInfo> {
    let metrics: String = row.try_get("metrics")?;
    let active: i64 = row.try_get("active")?;
    Ok(ModeModelInfo {
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        job_id: row.try_get("job_id")?,
        algorithm: row.try_get("algorithm")?,
        active: active != 0,
        metrics: serde_json::from_str(&metrics).map_err(|e| corrupt("model metrics", e))?,
    })
}

const MODEL_INFO_COLS: &str = "version, created_at, job_id, algorithm, active, metrics";

#[async_trait]
impl ModeRepo for SqlStore {
    async fn create_mode(&self, workspace: &str, name: &str) -> Result<ModeInfo> {
        self.ensure_workspace(workspace).await?;
        let now = now_ms();
        let mut q = Sql::new("INSERT INTO modes (workspace_id, name, created_at) VALUES (");
        q.bind(t(workspace))
            .push(", ")
            .bind(t(name))
            .push(", ")
            .bind(Arg::Int(now))
            .push(") ON CONFLICT (workspace_id, name) DO NOTHING");
        if q.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("mode {name:?} exists")));
        }
        Ok(ModeInfo {
            name: name.to_string(),
            created_at: now,
            labelled_events: 0,
        })
    }

    async fn list_modes(&self, workspace: &str) -> Result<Vec<ModeInfo>> {
        let mut q = Sql::new(
            "SELECT m.name, m.created_at, (SELECT COUNT(*) FROM events e \
             WHERE e.workspace_id = m.workspace_id AND e.mode = m.name \
             AND e.mode_source = 'user') AS n FROM modes m WHERE m.workspace_id = ",
        );
        q.bind(t(workspace)).push(" ORDER BY m.name");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(ModeInfo {
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    labelled_events: row.try_get("n")?,
                })
            })
            .collect()
    }

    async fn delete_mode(&self, workspace: &str, name: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("DELETE FROM modes WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND name = ").bind(t(name));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new(
            "UPDATE events SET mode = NULL, mode_source = NULL, mode_confidence = NULL, \
             model_version = NULL WHERE workspace_id = ",
        );
        q.bind(t(workspace)).push(" AND mode = ").bind(t(name));
        q.query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn label_events(
        &self,
        workspace: &str,
        mode: &str,
        range: Option<(i64, i64)>,
        event_ids: &[i64],
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        // A write first (see group_commit::lock_buckets): it also checks the mode exists
        // and keeps it from being deleted until the labels are in.
        let mut q = Sql::new("UPDATE modes SET created_at = created_at WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND name = ").bind(t(mode));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let mut total = 0i64;
        let mut base = Sql::new("UPDATE events SET mode = ");
        base.bind(t(mode))
            .push(", mode_source = 'user', mode_confidence = NULL, model_version = NULL WHERE workspace_id = ")
            .bind(t(workspace));
        push_activity_buckets(&mut base, workspace);
        if let Some((start, end)) = range {
            let mut q = base.clone();
            push_range(&mut q, Some(start), Some(end));
            total += q.query().execute(&mut *tx).await?.rows_affected() as i64;
        }
        for chunk in event_ids.chunks(500) {
            let mut q = base.clone();
            q.push(" AND id IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(Arg::Int(*id));
            }
            q.push(")");
            let n = q.query().execute(&mut *tx).await?.rows_affected() as i64;
            if n < chunk.len() as i64 {
                // Some id is not an activity event of this workspace: label nothing.
                return Err(StoreError::Conflict(format!(
                    "{} of the listed events are not activity events of this workspace",
                    chunk.len() as i64 - n
                )));
            }
            total += n;
        }
        tx.commit().await?;
        Ok(total)
    }

    async fn set_predictions(&self, workspace: &str, labels: &[(i64, ModeLabel)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (id, label) in labels {
            let mut q = Sql::new(
                "UPDATE events SET (mode, mode_source, mode_confidence, model_version) = (",
            );
            push_label(&mut q, &Some(label.clone()));
            q.push(") WHERE workspace_id = ")
                .bind(t(workspace))
                .push(" AND id = ")
                .bind(Arg::Int(*id))
                .push(" AND (mode_source IS NULL OR mode_source = 'model')");
            q.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn save_mode_model(
        &self,
        job_id: &str,
        token: &str,
        algorithm: &str,
        metrics: &Value,
        model: &str,
    ) -> Result<Option<i64>> {
        let metrics = serde_json::to_string(metrics).map_err(|e| corrupt("model metrics", e))?;
        let mut tx = self.begin_write().await?;
        // Lock the job row under the lease (a write first, as in group_commit::lock_buckets).
        let mut q = Sql::new("UPDATE jobs SET updated_at = ");
        q.bind(Arg::Int(now_ms())).fence(job_id, token);
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(None);
        }
        let mut q = Sql::new("SELECT workspace_id FROM jobs WHERE id = ");
        q.bind(t(job_id));
        let workspace: String = q
            .query()
            .fetch_one(&mut *tx)
            .await?
            .try_get("workspace_id")?;
        let mut q = Sql::new(
            "SELECT COALESCE(MAX(version), 0) AS v FROM mode_models WHERE workspace_id = ",
        );
        q.bind(t(&workspace));
        let version: i64 = q
            .query()
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("v")?
            + 1;
        let mut q = Sql::new("UPDATE mode_models SET active = 0 WHERE workspace_id = ");
        q.bind(t(&workspace));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new(
            "INSERT INTO mode_models (workspace_id, version, job_id, algorithm, metrics, model, \
             active, created_at) VALUES (",
        );
        q.bind(t(&workspace))
            .push(", ")
            .bind(Arg::Int(version))
            .push(", ")
            .bind(t(job_id))
            .push(", ")
            .bind(t(algorithm))
            .push(", ")
            .bind(t(&metrics))
            .push(", ")
            .bind(t(model))
            .push(", 1, ")
            .bind(Arg::Int(now_ms()))
            .push(")");
        q.query().execute(&mut *tx).await?;
        let data = serde_json::json!({
            "resource": {"type": "mode_model", "id": version.to_string()},
            "mode_model": {"version": version, "algorithm": algorithm, "job_id": job_id, "metrics": serde_json::from_str::<Value>(&metrics).unwrap_or(Value::Null)},
        });
        crate::outbox::queue_event(&mut tx, &workspace, "mode_model.trained", data).await?;
        tx.commit().await?;
        Ok(Some(version))
    }

    async fn list_mode_models(&self, workspace: &str) -> Result<Vec<ModeModelInfo>> {
        let mut q = Sql::new(&format!(
            "SELECT {MODEL_INFO_COLS} FROM mode_models WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" ORDER BY version DESC");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(model_info_from_row)
            .collect()
    }

    async fn get_mode_model(
        &self,
        workspace: &str,
        version: Option<i64>,
    ) -> Result<(ModeModelInfo, String)> {
        let mut q = Sql::new(&format!(
            "SELECT {MODEL_INFO_COLS}, model FROM mode_models WHERE workspace_id = "
        ));
        q.bind(t(workspace));
        match version {
            Some(v) => q.push(" AND version = ").bind(Arg::Int(v)),
            None => q.push(" AND active = 1"),
        };
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => Ok((model_info_from_row(&row)?, row.try_get("model")?)),
            None => Err(StoreError::NotFound),
        }
    }

    async fn active_mode_version(&self, workspace: &str) -> Result<Option<i64>> {
        let q = active_mode_version_sql(workspace);
        Ok(match q.query().fetch_optional(&self.pool).await? {
            Some(row) => Some(row.try_get("version")?),
            None => None,
        })
    }

    async fn activate_mode_model(&self, workspace: &str, version: i64) -> Result<ModeModelInfo> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("UPDATE mode_models SET active = CASE WHEN version = ");
        q.bind(Arg::Int(version))
            .push(" THEN 1 ELSE 0 END WHERE workspace_id = ")
            .bind(t(workspace))
            .push(" AND EXISTS (SELECT 1 FROM mode_models m WHERE m.workspace_id = ")
            .bind(t(workspace))
            .push(" AND m.version = ")
            .bind(Arg::Int(version))
            .push(")");
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        let (info, _) = self.get_mode_model(workspace, Some(version)).await?;
        Ok(info)
    }
}
