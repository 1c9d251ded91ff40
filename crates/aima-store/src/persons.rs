//! SQL for persons: the face index, incremental clustering of new faces, and
//! the edits users make (name, merge, split, move, review).
//!
//! Every change to a workspace's persons runs in one transaction under the
//! workspace's persons lock, so two jobs finding the same new face at once
//! cannot create two persons for it. Clustering compares a face with every
//! person's centroid of the workspace: linear, fine for thousands of persons;
//! the vector index (pgvector on PostgreSQL) is where it goes beyond.

use aima_core::person::{merge_ranges, normalize, sum};
use aima_core::{
    Appearance, FaceRecord, Insight, Job, PageRequest, Person, Review, StoredInsight, TimeRange,
};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::insight_rows::{insight_from_row, INSIGHT_COLS};
use crate::sql::{
    corrupt, into_page, new_id, now_ms, push_distance, push_page_on, t, vector_from_text,
    vector_text, Arg, Dialect, Fenced, Page, Sql,
};
use crate::store::SqlStore;

/// Persons: face tracks clustered across a workspace, and what users do
/// with them. Faces enter through [`InsightRepo::put_insight`]: a `face`
/// insight with an `embedding` is indexed and joins the closest person (or a
/// new one) in the same transaction.
#[async_trait]
pub trait PersonRepo: Send + Sync {
    /// Persons with at least one face, oldest first.
    async fn list_persons(&self, workspace: &str, page: &PageRequest) -> Result<Page<Person>>;
    async fn get_person(&self, workspace: &str, id: &str) -> Result<Person>;
    /// Names (or, with `None`, unnames) a person.
    async fn rename_person(&self, workspace: &str, id: &str, name: Option<&str>) -> Result<Person>;
    /// Moves every face of `from` into `into` and removes `from`.
    async fn merge_persons(&self, workspace: &str, into: &str, from: &str) -> Result<Person>;
    /// Moves these faces of `id` into a new person; both keep them pinned.
    async fn split_person(&self, workspace: &str, id: &str, faces: &[i64]) -> Result<Person>;
    /// Puts a face into a person, or (with `None`) into a new person of its
    /// own; the face is pinned there. A face that was rejected counts again
    /// (its review is cleared): a user said whose face it is.
    async fn move_face(
        &self,
        workspace: &str,
        insight_id: i64,
        person: Option<&str>,
    ) -> Result<FaceRecord>;
    /// A person's faces in time order per media, paged by insight id.
    async fn person_faces(
        &self,
        workspace: &str,
        id: &str,
        limit: u32,
        after: Option<i64>,
    ) -> Result<Vec<FaceRecord>>;
    /// The faces of one media in time order, each with its person.
    async fn media_faces(&self, workspace: &str, media_id: &str) -> Result<Vec<FaceRecord>>;
    /// Every media a person appears in, with merged time ranges.
    async fn appearances(&self, workspace: &str, id: &str) -> Result<Vec<Appearance>>;
    /// Records a user's verdict on an insight. Rejecting a face takes it out
    /// of its person; un-rejecting it lets clustering place it again.
    async fn review_insight(
        &self,
        workspace: &str,
        id: i64,
        review: Option<Review>,
    ) -> Result<StoredInsight>;
    /// Persons whose faces `embedding` matches (their centroid at least
    /// `threshold` similar, or the configured threshold when None), most
    /// similar first, with the similarity.
    async fn persons_near(
        &self,
        workspace: &str,
        embedding: &[f32],
        threshold: Option<f32>,
    ) -> Result<Vec<(String, f32)>>;
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// The threshold a face insight names for its embedding model (the
/// `faces` analyzer writes it when the model's descriptor has one), if it
/// is a usable one.
fn match_threshold(data: &serde_json::Value) -> Option<f32> {
    data.get("match_threshold")?
        .as_f64()
        .map(|t| t as f32)
        .filter(|t| *t > 0.0 && *t <= 1.0)
}

/// A sum's direction (unit length), what person vectors are compared by.
fn direction(sum: &[f32]) -> Vec<f32> {
    let mut d = sum.to_vec();
    normalize(&mut d);
    d
}

fn to_json(v: &[f32]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_vec(s: &str) -> Result<Vec<f32>> {
    serde_json::from_str(s).map_err(|e| corrupt("embedding", e))
}

const FACE_COLS: &str = "f.insight_id, f.media_id, f.person_id, f.start_s, f.end_s, f.pinned, \
                         i.artifact";
const FACE_FROM: &str = "FROM faces f JOIN insights i ON i.id = f.insight_id";
const NOT_REJECTED: &str = "(i.review IS NULL OR i.review <> 'rejected')";

fn face_from_row(row: &AnyRow) -> Result<FaceRecord> {
    let pinned: i64 = row.try_get("pinned")?;
    Ok(FaceRecord {
        insight_id: row.try_get("insight_id")?,
        media_id: row.try_get("media_id")?,
        person_id: row.try_get("person_id")?,
        start: row.try_get("start_s")?,
        end: row.try_get("end_s")?,
        artifact: row.try_get("artifact")?,
        pinned: pinned != 0,
    })
}

/// A person with its counts and its cover (its first face), in one row.
const PERSON_SELECT: &str = "SELECT p.id, p.name, p.created_at, p.updated_at, \
     (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS nfaces, \
     (SELECT COUNT(DISTINCT f.media_id) FROM faces f WHERE f.person_id = p.id) AS nmedia, \
     c.insight_id, c.media_id, c.person_id, c.start_s, c.end_s, c.pinned, ci.artifact \
     FROM persons p \
     LEFT JOIN faces c ON c.insight_id = \
       (SELECT MIN(f.insight_id) FROM faces f WHERE f.person_id = p.id) \
     LEFT JOIN insights ci ON ci.id = c.insight_id \
     WHERE p.workspace_id = ";

/// Persons of a workspace whose centroid (the direction of their face
/// embeddings' sum, kept in `persons.direction`) is at least `threshold`
/// similar to `embedding`, embeddings of another size never, most similar
/// first, at most `limit`: a distance query on the person vectors
/// (sqlite-vec, pgvector), exact. Answers `id` and `dist` (1 - cosine).
fn q_nearest(
    dialect: Dialect,
    workspace: &str,
    embedding: &[f32],
    threshold: f32,
    limit: i64,
) -> Sql {
    let mut q = Sql::new("SELECT id, dist FROM (SELECT id, ");
    push_distance(&mut q, dialect, "direction", embedding)
        .push(" AS dist FROM persons WHERE workspace_id = ")
        .bind(t(workspace))
        .push(" AND dims = ")
        .bind(Arg::Int(embedding.len() as i64))
        // A person whose faces are all rejected (their sum left as it was)
        // matches nothing.
        .push(
            " AND EXISTS (SELECT 1 FROM faces f JOIN insights fi ON fi.id = f.insight_id \
             WHERE f.person_id = persons.id AND (fi.review IS NULL OR fi.review <> 'rejected'))",
        )
        .push(") near WHERE dist <= ")
        .bind(Arg::Float(1.0 - f64::from(threshold)))
        .push(" ORDER BY dist, id LIMIT ")
        .bind(Arg::Int(limit));
    q
}

impl SqlStore {
    /// Puts an unassigned face into the closest person at least
    /// `threshold` similar, or a new one.
    async fn assign(
        &self,
        tx: &mut Tx<'_>,
        workspace: &str,
        insight_id: i64,
        embedding: &[f32],
        threshold: f32,
    ) -> Result<String> {
        let best: Option<String> = q_nearest(self.dialect, workspace, embedding, threshold, 1)
            .query()
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?;
        let person = match best {
            Some(p) => {
                // One more face: add it to the sum (no re-read of the
                // person's faces on this path, however many there are).
                let mut q = Sql::new("SELECT centroid FROM persons WHERE id = ");
                q.bind(t(&p));
                let mut sum = parse_vec(
                    &q.query()
                        .fetch_one(&mut **tx)
                        .await?
                        .try_get::<String, _>("centroid")?,
                )?;
                sum.iter_mut().zip(embedding).for_each(|(a, b)| *a += b);
                self.set_sum(tx, &p, &sum).await?;
                p
            }
            None => self.new_person(tx, workspace, embedding).await?,
        };
        let mut q = Sql::new("UPDATE faces SET person_id = ");
        q.bind(t(&person))
            .push(" WHERE insight_id = ")
            .bind(Arg::Int(insight_id));
        q.query().execute(&mut **tx).await?;
        Ok(person)
    }

    async fn set_sum(&self, tx: &mut Tx<'_>, person: &str, sum: &[f32]) -> Result<()> {
        let (open, close) = vector_from_text(self.dialect);
        let mut q = Sql::new("UPDATE persons SET centroid = ");
        q.bind(t(&to_json(sum)))
            .push(", dims = ")
            .bind(Arg::Int(sum.len() as i64))
            .push(&format!(", direction = {open}"))
            .bind(t(&vector_text(&direction(sum))))
            .push(&format!("{close}, updated_at = "))
            .bind(Arg::Int(now_ms()))
            .push(" WHERE id = ")
            .bind(t(person));
        q.query().execute(&mut **tx).await?;
        Ok(())
    }

    /// A new person whose embedding sum is `total`.
    async fn new_person(&self, tx: &mut Tx<'_>, workspace: &str, total: &[f32]) -> Result<String> {
        let id = new_id();
        let now = now_ms();
        let (open, close) = vector_from_text(self.dialect);
        let mut q = Sql::new(
            "INSERT INTO persons (id, workspace_id, name, centroid, dims, direction, created_at, \
             updated_at) VALUES (",
        );
        q.bind(t(&id))
            .push(", ")
            .bind(t(workspace))
            .push(", NULL, ")
            .bind(t(&to_json(total)))
            .push(", ")
            .bind(Arg::Int(total.len() as i64))
            .push(&format!(", {open}"))
            .bind(t(&vector_text(&direction(total))))
            .push(&format!("{close}, "))
            .bind(Arg::Int(now))
            .push(", ")
            .bind(Arg::Int(now))
            .push(")");
        q.query().execute(&mut **tx).await?;
        Ok(id)
    }

    /// Recomputes a person's embedding sum from its faces that are not
    /// rejected (after a user's edit); a person left with no face at all is
    /// removed.
    async fn refresh(&self, tx: &mut Tx<'_>, person: &str) -> Result<()> {
        let mut q = Sql::new(&format!(
            "SELECT f.embedding, i.review {FACE_FROM} WHERE f.person_id = "
        ));
        q.bind(t(person));
        let rows = q.query().fetch_all(&mut **tx).await?;
        if rows.is_empty() {
            let mut q = Sql::new("DELETE FROM persons WHERE id = ");
            q.bind(t(person));
            q.query().execute(&mut **tx).await?;
            return Ok(());
        }
        let mut kept = Vec::with_capacity(rows.len());
        for row in &rows {
            let review: Option<String> = row.try_get("review")?;
            if review.as_deref() != Some("rejected") {
                kept.push(parse_vec(&row.try_get::<String, _>("embedding")?)?);
            }
        }
        if let Some(sum) = sum(kept.iter().map(Vec::as_slice)) {
            self.set_sum(tx, person, &sum).await?;
        }
        Ok(())
    }

    async fn person_exists(&self, tx: &mut Tx<'_>, workspace: &str, id: &str) -> Result<()> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM persons WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        let n: i64 = q.query().fetch_one(&mut **tx).await?.try_get("n")?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn face_in(
        &self,
        exec: impl sqlx::Executor<'_, Database = sqlx::Any>,
        workspace: &str,
        insight_id: i64,
    ) -> Result<FaceRecord> {
        let mut q = Sql::new(&format!(
            "SELECT {FACE_COLS} {FACE_FROM} WHERE f.workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND f.insight_id = ")
            .bind(Arg::Int(insight_id));
        let row = q
            .query()
            .fetch_optional(exec)
            .await?
            .ok_or(StoreError::NotFound)?;
        face_from_row(&row)
    }
}

fn person_from_row(row: &AnyRow) -> Result<Person> {
    let cover_id: Option<i64> = row.try_get("insight_id")?;
    let cover = match cover_id {
        Some(_) => Some(face_from_row(row)?),
        None => None,
    };
    Ok(Person {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        faces: row.try_get("nfaces")?,
        media: row.try_get("nmedia")?,
        cover,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl SqlStore {
    /// Moves faces to `to` and pins them there.
    async fn pin_faces(&self, tx: &mut Tx<'_>, faces: &[i64], to: &str) -> Result<()> {
        for id in faces {
            let mut q = Sql::new("UPDATE faces SET pinned = 1, person_id = ");
            q.bind(t(to))
                .push(" WHERE insight_id = ")
                .bind(Arg::Int(*id));
            q.query().execute(&mut **tx).await?;
        }
        Ok(())
    }

    async fn face_embedding(&self, tx: &mut Tx<'_>, insight_id: i64) -> Result<Vec<f32>> {
        let mut q = Sql::new("SELECT embedding FROM faces WHERE insight_id = ");
        q.bind(Arg::Int(insight_id));
        let e: String = q.query().fetch_one(&mut **tx).await?.try_get("embedding")?;
        parse_vec(&e)
    }

    /// The threshold a face clusters with: its model's, else the configured one.
    async fn face_threshold(&self, tx: &mut Tx<'_>, insight_id: i64) -> Result<f32> {
        let mut q = Sql::new("SELECT data FROM insights WHERE id = ");
        q.bind(Arg::Int(insight_id));
        let data: String = q.query().fetch_one(&mut **tx).await?.try_get("data")?;
        Ok(serde_json::from_str(&data)
            .ok()
            .and_then(|d| match_threshold(&d))
            .unwrap_or(self.face_match))
    }
}

#[async_trait]
impl PersonRepo for SqlStore {
    /// Persons whose centroid is at least `threshold` similar to
    /// `embedding` (the store's own threshold when None), most similar
    /// first: the same distance query clustering asks (at most 1,000).
    async fn persons_near(
        &self,
        workspace: &str,
        embedding: &[f32],
        threshold: Option<f32>,
    ) -> Result<Vec<(String, f32)>> {
        let threshold = threshold.unwrap_or(self.face_match);
        let rows = q_nearest(self.dialect, workspace, embedding, threshold, 1000)
            .query()
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let dist: f64 = r.try_get("dist")?;
                Ok((r.try_get("id")?, (1.0 - dist) as f32))
            })
            .collect()
    }

    async fn list_persons(&self, workspace: &str, page: &PageRequest) -> Result<Page<Person>> {
        let mut q = Sql::new(PERSON_SELECT);
        q.bind(t(workspace))
            .push(" AND EXISTS (SELECT 1 FROM faces f WHERE f.person_id = p.id)");
        push_page_on(&mut q, page, "p.");
        let rows = q.query().fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(person_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |p| aima_core::Cursor {
            created_at: p.created_at,
            id: p.id.clone(),
        }))
    }

    async fn get_person(&self, workspace: &str, id: &str) -> Result<Person> {
        let mut q = Sql::new(PERSON_SELECT);
        q.bind(t(workspace)).push(" AND p.id = ").bind(t(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        person_from_row(&row)
    }

    async fn rename_person(&self, workspace: &str, id: &str, name: Option<&str>) -> Result<Person> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("UPDATE persons SET name = ");
        q.bind(Arg::OptText(name.map(str::to_string)))
            .push(", updated_at = ")
            .bind(Arg::Int(now_ms()))
            .push(" WHERE workspace_id = ")
            .bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(name) = name {
            let data = serde_json::json!({
                "resource": {"type": "person", "id": id},
                "person": {"id": id, "name": name},
            });
            crate::outbox::queue_event(&mut tx, workspace, "person.named", data).await?;
        }
        tx.commit().await?;
        self.get_person(workspace, id).await
    }

    async fn merge_persons(&self, workspace: &str, into: &str, from: &str) -> Result<Person> {
        if into == from {
            return Err(StoreError::Conflict(
                "a person cannot be merged into itself".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        self.lock_persons(&mut tx, workspace).await?;
        self.person_exists(&mut tx, workspace, into).await?;
        self.person_exists(&mut tx, workspace, from).await?;
        let mut q = Sql::new("UPDATE faces SET person_id = ");
        q.bind(t(into)).push(" WHERE person_id = ").bind(t(from));
        q.query().execute(&mut *tx).await?;
        // A name given to the merged person is kept when `into` has none.
        let mut q = Sql::new(
            "UPDATE persons SET name = COALESCE(name, (SELECT o.name FROM persons o WHERE o.id = ",
        );
        q.bind(t(from)).push(")) WHERE id = ").bind(t(into));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new("DELETE FROM persons WHERE id = ");
        q.bind(t(from));
        q.query().execute(&mut *tx).await?;
        self.refresh(&mut tx, into).await?;
        tx.commit().await?;
        self.get_person(workspace, into).await
    }

    async fn split_person(&self, workspace: &str, id: &str, faces: &[i64]) -> Result<Person> {
        let mut tx = self.begin_write().await?;
        self.lock_persons(&mut tx, workspace).await?;
        self.person_exists(&mut tx, workspace, id).await?;
        let mut embeddings = Vec::with_capacity(faces.len());
        for f in faces {
            let face = self.face_in(&mut *tx, workspace, *f).await?;
            if face.person_id.as_deref() != Some(id) {
                return Err(StoreError::Conflict(format!(
                    "face {f} does not belong to person {id}"
                )));
            }
            embeddings.push(self.face_embedding(&mut tx, *f).await?);
        }
        let total = sum(embeddings.iter().map(Vec::as_slice))
            .ok_or_else(|| StoreError::Conflict("no face to split off".into()))?;
        let new = self.new_person(&mut tx, workspace, &total).await?;
        self.pin_faces(&mut tx, faces, &new).await?;
        self.refresh(&mut tx, id).await?;
        tx.commit().await?;
        self.get_person(workspace, &new).await
    }

    async fn move_face(
        &self,
        workspace: &str,
        insight_id: i64,
        person: Option<&str>,
    ) -> Result<FaceRecord> {
        let mut tx = self.begin_write().await?;
        self.lock_persons(&mut tx, workspace).await?;
        let face = self.face_in(&mut *tx, workspace, insight_id).await?;
        let to = match person {
            Some(p) => {
                self.person_exists(&mut tx, workspace, p).await?;
                p.to_string()
            }
            None => {
                let e = self.face_embedding(&mut tx, insight_id).await?;
                self.new_person(&mut tx, workspace, &e).await?
            }
        };
        self.pin_faces(&mut tx, &[insight_id], &to).await?;
        // Else the person would hold a face that its pages and its
        // centroid leave out.
        let mut q = Sql::new("UPDATE insights SET review = NULL WHERE id = ");
        q.bind(Arg::Int(insight_id))
            .push(" AND review = 'rejected'");
        q.query().execute(&mut *tx).await?;
        if let Some(old) = face.person_id.as_deref().filter(|o| *o != to) {
            self.refresh(&mut tx, old).await?;
        }
        self.refresh(&mut tx, &to).await?;
        tx.commit().await?;
        self.face_in(&self.pool, workspace, insight_id).await
    }

    async fn person_faces(
        &self,
        workspace: &str,
        id: &str,
        limit: u32,
        after: Option<i64>,
    ) -> Result<Vec<FaceRecord>> {
        self.get_person(workspace, id).await?;
        let mut q = Sql::new(&format!(
            "SELECT {FACE_COLS} {FACE_FROM} WHERE f.workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND f.person_id = ")
            .bind(t(id))
            .push(" AND f.insight_id > ")
            .bind(Arg::Int(after.unwrap_or(0)))
            .push(" ORDER BY f.insight_id LIMIT ")
            .bind(Arg::Int(limit as i64));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(face_from_row).collect()
    }

    async fn media_faces(&self, workspace: &str, media_id: &str) -> Result<Vec<FaceRecord>> {
        let mut q = Sql::new(&format!(
            "SELECT {FACE_COLS} {FACE_FROM} WHERE f.workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND f.media_id = ")
            .bind(t(media_id))
            .push(&format!(
                " AND {NOT_REJECTED} ORDER BY f.start_s, f.insight_id"
            ));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(face_from_row).collect()
    }

    async fn appearances(&self, workspace: &str, id: &str) -> Result<Vec<Appearance>> {
        self.get_person(workspace, id).await?;
        let mut q = Sql::new(&format!(
            "SELECT f.media_id, m.filename, f.start_s, f.end_s {FACE_FROM} \
             JOIN media m ON m.id = f.media_id WHERE f.workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND f.person_id = ")
            .bind(t(id))
            .push(&format!(
                " AND {NOT_REJECTED} ORDER BY m.created_at, f.media_id, f.start_s"
            ));
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut out: Vec<(Appearance, Vec<TimeRange>)> = Vec::new();
        for row in &rows {
            let media_id: String = row.try_get("media_id")?;
            let range = TimeRange {
                start: row.try_get("start_s")?,
                end: row.try_get("end_s")?,
            };
            match out.last_mut() {
                Some((a, ranges)) if a.media_id == media_id => ranges.push(range),
                _ => out.push((
                    Appearance {
                        media_id,
                        filename: row.try_get("filename")?,
                        ranges: Vec::new(),
                    },
                    vec![range],
                )),
            }
        }
        Ok(out
            .into_iter()
            .map(|(a, ranges)| Appearance {
                ranges: merge_ranges(ranges),
                ..a
            })
            .collect())
    }

    async fn review_insight(
        &self,
        workspace: &str,
        id: i64,
        review: Option<Review>,
    ) -> Result<StoredInsight> {
        let mut tx = self.begin_write().await?;
        self.lock_persons(&mut tx, workspace).await?;
        let mut q = Sql::new("UPDATE insights SET review = ");
        q.bind(Arg::OptText(review.map(|r| r.as_str().to_string())))
            .push(" WHERE workspace_id = ")
            .bind(t(workspace))
            .push(" AND id = ")
            .bind(Arg::Int(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        match self.face_in(&mut *tx, workspace, id).await {
            Ok(face) => {
                if review == Some(Review::Rejected) {
                    if let Some(old) = face.person_id.as_deref() {
                        let mut q = Sql::new(
                            "UPDATE faces SET person_id = NULL, pinned = 0 WHERE insight_id = ",
                        );
                        q.bind(Arg::Int(id));
                        q.query().execute(&mut *tx).await?;
                        self.refresh(&mut tx, old).await?;
                    }
                } else if face.person_id.is_none() {
                    let e = self.face_embedding(&mut tx, id).await?;
                    let threshold = self.face_threshold(&mut tx, id).await?;
                    self.assign(&mut tx, workspace, id, &e, threshold).await?;
                } else if let Some(p) = face.person_id.as_deref() {
                    self.refresh(&mut tx, p).await?;
                }
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
        let mut q = Sql::new(&format!(
            "SELECT {INSIGHT_COLS} FROM insights WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" AND id = ").bind(Arg::Int(id));
        let row = q.query().fetch_one(&mut *tx).await?;
        let insight = insight_from_row(&row)?;
        tx.commit().await?;
        Ok(insight)
    }
}

/// Saves a face insight, indexes its embedding and clusters it, in one
/// transaction.
pub(crate) async fn put_face(
    store: &SqlStore,
    job: &Job,
    token: &str,
    insight: &Insight,
    embedding: Vec<f32>,
) -> Result<Fenced> {
    let Some(media_id) = job.media_id.as_deref() else {
        return Err(StoreError::Conflict("a face needs a media job".into()));
    };
    let mut tx = store.begin_write().await?;
    store.lock_persons(&mut tx, &job.workspace).await?;
    if store.insert_insight(&mut *tx, job, token, insight).await? == 0 {
        tx.rollback().await?;
        return store.nothing_written(job, token).await;
    }
    let mut q = Sql::new("SELECT id FROM insights WHERE job_id = ");
    q.bind(t(&job.id))
        .push(" AND analyzer = ")
        .bind(t(&insight.analyzer))
        .push(" AND ikey = ")
        .bind(t(&insight.key));
    let id: i64 = q.query().fetch_one(&mut *tx).await?.try_get("id")?;
    let mut q = Sql::new(
        "INSERT INTO faces (insight_id, workspace_id, media_id, person_id, embedding, pinned, \
         start_s, end_s) VALUES (",
    );
    q.bind(Arg::Int(id))
        .push(", ")
        .bind(t(&job.workspace))
        .push(", ")
        .bind(t(media_id))
        .push(", NULL, ")
        .bind(t(&to_json(&embedding)))
        .push(", 0, ")
        .bind(Arg::Float(insight.start))
        .push(", ")
        .bind(Arg::OptFloat(insight.end))
        .push(")");
    q.query().execute(&mut *tx).await?;
    let threshold = match_threshold(&insight.data).unwrap_or(store.face_match);
    store
        .assign(&mut tx, &job.workspace, id, &embedding, threshold)
        .await?;
    tx.commit().await?;
    Ok(Fenced::Ok)
}
