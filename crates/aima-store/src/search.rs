//! Text search over insights, on each engine's own full-text index: FTS5
//! on SQLite (`insight_search`, kept by triggers), a generated `tsvector`
//! with a GIN index on PostgreSQL (migrations `0008_search.sql`). Both are
//! written by the database itself as insights are stored or deleted, so no
//! writer can forget them. The query is built here from parsed terms
//! (letters and digits only), never from what a user typed.

use aima_core::search::{other_stems, unmark, SearchHit, SearchQuery, SearchSort, SearchTerm};
use async_trait::async_trait;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{push_distance, t, vector_from_text, vector_text, Arg, Dialect, Sql};
use crate::store::SqlStore;

/// Text search; see [`aima_core::search`].
#[async_trait]
pub trait SearchRepo: Send + Sync {
    /// Hits of one workspace, rejected insights left out, at most
    /// `q.limit` from `q.offset` on; none for a query without terms.
    async fn search_text(&self, workspace: &str, q: &SearchQuery) -> Result<Vec<SearchHit>>;

    /// Transcript segments and OCR lines of one workspace closest in
    /// meaning to `vector` (unit length, of `model`), rejected insights left
    /// out, filtered inside the index query; `score` is the cosine
    /// similarity, hits below `q.min_score` (and all of negative
    /// similarity) left out. `q.terms` is not read.
    async fn search_semantic(
        &self,
        workspace: &str,
        model: &str,
        vector: &[f32],
        q: &SearchQuery,
    ) -> Result<Vec<SearchHit>>;
}

/// Frames (CLIP image embeddings) of one workspace closest to `vector` (a
/// CLIP text embedding, unit length), rejected insights left out,
/// filtered inside the query; only frames of the vector's size compare.
/// Hits are `labels` insights of the `clip` analyzer, their text the
/// frame's top label, `score` the cosine similarity; hits below
/// `q.min_score` are left out.
#[async_trait]
pub trait FrameSearchRepo: Send + Sync {
    async fn search_frames(
        &self,
        workspace: &str,
        vector: &[f32],
        q: &SearchQuery,
    ) -> Result<Vec<SearchHit>>;
}

/// How far the index of text vectors is, for one workspace or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextIndexStatus {
    /// Transcript segments and OCR lines with a vector of the model asked.
    pub indexed: u64,
    /// Waiting for the indexer.
    pub pending: u64,
}

/// Upkeep of the text vectors: the indexer's reads and writes.
#[async_trait]
pub trait VectorRepo: Send + Sync {
    /// Up to `limit` insights waiting for a text vector, oldest first: id
    /// and what they say.
    async fn pending_texts(&self, limit: u32) -> Result<Vec<(i64, String)>>;
    /// Stores each insight's vector of `model` (replacing an older one) and
    /// clears its pending flag, in one transaction. An insight deleted in
    /// the meantime is skipped.
    async fn put_text_vectors(&self, model: &str, vectors: &[(i64, Vec<f32>)]) -> Result<()>;
    /// Marks as pending the next `limit` transcript segments and OCR lines
    /// after insight `after` whose vector is missing or of another model
    /// (or all of them with `all`). Answers the last insight id looked at,
    /// None past the end: call again from there.
    async fn requeue_texts(
        &self,
        model: &str,
        all: bool,
        after: i64,
        limit: u32,
    ) -> Result<Option<i64>>;
    async fn text_index_status(
        &self,
        workspace: Option<&str>,
        model: &str,
    ) -> Result<TextIndexStatus>;
}

/// Kinds whose text is embedded for search by meaning.
const EMBEDDED_KINDS: &str = "kind IN ('transcript_segment', 'text')";

/// A search by vector distance: insights whose vector (`column` of
/// `table`, aliased `alias`, with an `insight_id`) is closest to `vector`,
/// in one workspace, rejected ones left out, `condition` added to the
/// scan, then the score floor, the filters and the page
/// ([`semantic_page`]); `body` is the text shown, read for the page's rows
/// only.
#[allow(clippy::too_many_arguments)]
fn nearest_insights(
    dialect: Dialect,
    table: &str,
    alias: &str,
    body: &str,
    vector: &[f32],
    workspace: &str,
    condition: impl FnOnce(&mut Sql),
    q: &SearchQuery,
) -> Sql {
    // The filters wrap a subquery PostgreSQL flattens, so that ordering by
    // `dist` is ordering by the index's operator (an HNSW scan).
    let mut sql = Sql::new(&format!(
        "SELECT page.*, (SELECT {body} FROM insights i WHERE i.id = page.id) AS body \
         FROM (SELECT * FROM (SELECT {INSIGHT_HIT}, "
    ));
    push_distance(&mut sql, dialect, &format!("{alias}.vector"), vector)
        .push(&format!(
            " AS dist FROM {table} {alias} JOIN insights i ON i.id = {alias}.insight_id \
             JOIN media m ON m.id = i.media_id WHERE m.workspace_id = "
        ))
        .bind(t(workspace))
        .push(NOT_REJECTED);
    condition(&mut sql);
    semantic_page(&mut sql, q);
    sql
}

/// `"word"` (or `("word" OR "stem"*)` with its other languages' stems),
/// `"pre"*`, `"two words"`, all required (an explicit `AND`: FTS5 joins
/// phrases by juxtaposition but not a parenthesised group): FTS5's
/// syntax. Terms hold letters and digits only, so quoting cannot be
/// escaped from.
fn fts5_query(terms: &[SearchTerm]) -> String {
    terms
        .iter()
        .map(|term| match term {
            SearchTerm::Word(w) => {
                let stems = other_stems(w);
                if stems.is_empty() {
                    format!("\"{w}\"")
                } else {
                    let alts: Vec<String> = stems.iter().map(|s| format!("\"{s}\"*")).collect();
                    format!("(\"{w}\" OR {})", alts.join(" OR "))
                }
            }
            SearchTerm::Prefix(w) => format!("\"{w}\"*"),
            SearchTerm::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `word & pre:* & (two <-> words)` (a word with other languages' stems:
/// `(word | stem:*)`): tsquery's syntax, for `to_tsquery`, which stems and
/// folds each word as the index did.
fn tsquery(terms: &[SearchTerm]) -> String {
    terms
        .iter()
        .map(|term| match term {
            SearchTerm::Word(w) => {
                let stems = other_stems(w);
                if stems.is_empty() {
                    w.clone()
                } else {
                    let alts: Vec<String> = stems.iter().map(|s| format!("{s}:*")).collect();
                    format!("({w} | {})", alts.join(" | "))
                }
            }
            SearchTerm::Prefix(w) => format!("{w}:*"),
            SearchTerm::Phrase(ws) => format!("({})", ws.join(" <-> ")),
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The columns every branch of a search yields: the hit's insight (none for
/// a file name), its media, where, the person found by name (if so), the
/// text to mark (PostgreSQL), the original text where marking needs a
/// spaced copy (file names on PostgreSQL), and a raw rank, higher is better.
const HIT_COLUMNS: &str =
    "id, media_id, analyzer, kind, start_s, end_s, media_created, media_kind, \
    person_id, body, plain, raw";

/// One branch of the search on SQLite: `table` is an FTS5 table, `from`
/// joins it to the hits' rows.
fn sqlite_branch(
    sql: &mut Sql,
    select: &str,
    table: &str,
    from: &str,
    query: &str,
    workspace: &str,
) {
    sql.push(&format!(
        "SELECT {select}, CAST(NULL AS TEXT) AS body, -bm25({table}) AS raw \
         FROM {table} {from} WHERE {table} MATCH "
    ))
    .bind(t(query))
    .push(" AND m.workspace_id = ")
    .bind(t(workspace));
}

/// One branch on PostgreSQL: `vector` is the indexed tsvector, `body` the
/// text its headline marks.
fn postgres_branch(
    sql: &mut Sql,
    select: &str,
    vector: &str,
    body: &str,
    from: &str,
    workspace: &str,
) {
    sql.push(&format!(
        "SELECT {select}, {body} AS body, \
         CAST(ts_rank_cd({vector}, sq.q) AS DOUBLE PRECISION) AS raw \
         FROM sq, {from} WHERE {vector} @@ sq.q AND m.workspace_id = "
    ))
    .bind(t(workspace));
}

const INSIGHT_HIT: &str = "i.id, i.media_id, i.analyzer, i.kind, i.start_s, i.end_s, \
    m.created_at AS media_created, m.kind AS media_kind, CAST(NULL AS TEXT) AS person_id, \
    CAST(NULL AS TEXT) AS plain";
const PERSON_HIT: &str = "i.id, i.media_id, i.analyzer, i.kind, i.start_s, i.end_s, \
    m.created_at AS media_created, m.kind AS media_kind, f.person_id AS person_id, \
    CAST(NULL AS TEXT) AS plain";
const FILE_HIT: &str =
    "CAST(NULL AS BIGINT) AS id, m.id AS media_id, CAST(NULL AS TEXT) AS analyzer, \
    'filename' AS kind, 0.0 AS start_s, m.duration AS end_s, m.created_at AS media_created, \
    m.kind AS media_kind, CAST(NULL AS TEXT) AS person_id, m.filename AS plain";
const NOT_REJECTED: &str = " AND (i.review IS NULL OR i.review <> 'rejected')";

/// The filters of a search, on the columns every branch yields (`hits`).
fn push_filters(sql: &mut Sql, q: &SearchQuery) {
    if let Some(a) = &q.analyzer {
        sql.push(" AND analyzer = ").bind(t(a));
    }
    if let Some(m) = &q.media_id {
        sql.push(" AND media_id = ").bind(t(m));
    }
    if let Some(person) = &q.person_id {
        sql.push(" AND EXISTS (SELECT 1 FROM faces pf WHERE pf.media_id = hits.media_id AND pf.person_id = ")
                .bind(t(person))
                .push(")");
    }
    if let Some(k) = q.kind {
        sql.push(" AND media_kind = ").bind(t(k.as_str()));
    }
    if let Some(after) = q.created_after {
        sql.push(" AND media_created >= ").bind(Arg::Int(after));
    }
    if let Some(before) = q.created_before {
        sql.push(" AND media_created < ").bind(Arg::Int(before));
    }
}

/// Orders the page, cuts it, and closes the `page` subquery (ordered again
/// outside: a subquery's order is not kept).
fn push_page(sql: &mut Sql, q: &SearchQuery) {
    let order = match q.sort {
        SearchSort::Relevance => " ORDER BY raw DESC, media_id, start_s, kind, id",
        SearchSort::Date => " ORDER BY media_created DESC, media_id, start_s, kind, id",
    };
    sql.push(order)
        .push(" LIMIT ")
        .bind(Arg::Int(i64::from(q.limit)))
        .push(" OFFSET ")
        .bind(Arg::Int(i64::from(q.offset)))
        .push(") page")
        .push(order);
}

#[async_trait]
impl SearchRepo for SqlStore {
    async fn search_text(&self, workspace: &str, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        // A query without words finds nothing (and an empty MATCH is an
        // error to FTS5).
        if q.terms.is_empty() {
            return Ok(vec![]);
        }
        // Three branches, ranked and cut to the page first: what insights
        // say or name, media by file name, and the face tracks of persons
        // by name. Only the page's rows are then marked (marking every
        // match of a common word costs more than the search).
        let mut sql = Sql::new("");
        let fts = fts5_query(&q.terms);
        match self.dialect {
            Dialect::Sqlite => {
                sql.push(
                    "SELECT page.*, CASE \
                     WHEN page.kind = 'filename' THEN (SELECT highlight(media_search, 0, char(2), char(3)) \
                       FROM media_search WHERE media_search MATCH ",
                )
                .bind(t(&fts))
                .push(
                    " AND media_search.media_id = page.media_id LIMIT 1) \
                     WHEN page.person_id IS NOT NULL THEN (SELECT highlight(person_search, 0, char(2), char(3)) \
                       FROM person_search WHERE person_search MATCH ",
                )
                .bind(t(&fts))
                .push(
                    " AND person_search.person_id = page.person_id LIMIT 1) \
                     ELSE (SELECT highlight(insight_search, 0, char(2), char(3)) \
                       FROM insight_search WHERE insight_search MATCH ",
                )
                .bind(t(&fts))
                .push(&format!(
                    " AND insight_search.rowid = page.id) END AS marked FROM (SELECT {HIT_COLUMNS} FROM ("
                ));
                sqlite_branch(
                    &mut sql,
                    INSIGHT_HIT,
                    "insight_search",
                    "JOIN insights i ON i.id = insight_search.rowid JOIN media m ON m.id = i.media_id",
                    &fts,
                    workspace,
                );
                sql.push(NOT_REJECTED).push(" UNION ALL ");
                sqlite_branch(
                    &mut sql,
                    FILE_HIT,
                    "media_search",
                    "JOIN media m ON m.id = media_search.media_id",
                    &fts,
                    workspace,
                );
                sql.push(" UNION ALL ");
                sqlite_branch(
                    &mut sql,
                    PERSON_HIT,
                    "person_search",
                    "JOIN faces f ON f.person_id = person_search.person_id \
                     JOIN insights i ON i.id = f.insight_id JOIN media m ON m.id = i.media_id",
                    &fts,
                    workspace,
                );
                sql.push(NOT_REJECTED);
            }
            Dialect::Postgres => {
                sql.push("WITH sq AS (SELECT to_tsquery('aima_search', ")
                    .bind(t(&tsquery(&q.terms)))
                    .push(&format!(
                        ") AS q) SELECT page.*, ts_headline('aima_search', page.body, sq.q, \
                         'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS marked \
                         FROM sq, (SELECT {HIT_COLUMNS} FROM ("
                    ));
                postgres_branch(
                    &mut sql,
                    INSIGHT_HIT,
                    "i.search",
                    "i.search_body",
                    "insights i JOIN media m ON m.id = i.media_id",
                    workspace,
                );
                sql.push(NOT_REJECTED).push(" UNION ALL ");
                postgres_branch(
                    &mut sql,
                    FILE_HIT,
                    "m.search",
                    "regexp_replace(m.filename, '[^[:alnum:]]', ' ', 'g')",
                    "media m",
                    workspace,
                );
                sql.push(" UNION ALL ");
                postgres_branch(
                    &mut sql,
                    PERSON_HIT,
                    "p.search",
                    "p.name",
                    "persons p JOIN faces f ON f.person_id = p.id \
                     JOIN insights i ON i.id = f.insight_id JOIN media m ON m.id = i.media_id",
                    workspace,
                );
                sql.push(NOT_REJECTED);
            }
        }
        // A rank r becomes a score r / (1 + r) in [0, 1).
        sql.push(") hits WHERE raw / (1 + raw) >= ")
            .bind(Arg::Float(q.min_score));
        push_filters(&mut sql, q);
        push_page(&mut sql, q);
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let marked: Option<String> = r.try_get("marked")?;
                let (mut text, marks) = unmark(&marked.unwrap_or_default());
                // The name as it is, where the engine marked a spaced copy.
                if let Some(plain) = r.try_get::<Option<String>, _>("plain")? {
                    if plain.chars().count() == text.chars().count() {
                        text = plain;
                    }
                }
                let raw: f64 = r.try_get("raw")?;
                Ok(SearchHit {
                    media_id: r.try_get("media_id")?,
                    insight_id: r.try_get("id")?,
                    analyzer: r.try_get("analyzer")?,
                    kind: r.try_get("kind")?,
                    start: r.try_get("start_s")?,
                    end: r.try_get("end_s")?,
                    text,
                    marks,
                    score: (raw / (1.0 + raw) * 1e6).round() / 1e6,
                    media_created_at: r.try_get("media_created")?,
                })
            })
            .collect()
    }
    async fn search_semantic(
        &self,
        workspace: &str,
        model: &str,
        vector: &[f32],
        q: &SearchQuery,
    ) -> Result<Vec<SearchHit>> {
        let body = match self.dialect {
            Dialect::Sqlite => "json_extract(i.data, '$.text')",
            Dialect::Postgres => "i.search_body",
        };
        let sql = nearest_insights(
            self.dialect,
            "text_vectors",
            "v",
            body,
            vector,
            workspace,
            |sql| {
                sql.push(" AND v.model = ").bind(t(model));
            },
            q,
        );
        let mut tx = self.pool.begin().await?;
        if self.dialect == Dialect::Postgres {
            // Keep scanning the graph until the filters have let a page
            // through (pgvector 0.8), in exact order, with one beam width for
            // every page (so pages of one search agree), and without the
            // default stop at 20,000 tuples, which a narrow filter (one
            // media, a small workspace in a large database) can need.
            for set in [
                "SET LOCAL hnsw.iterative_scan = strict_order",
                "SET LOCAL hnsw.ef_search = 200",
                "SET LOCAL hnsw.max_scan_tuples = 10000000",
            ] {
                sqlx::query(set).execute(&mut *tx).await?;
            }
        }
        let rows = sql.query().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows.iter().map(semantic_hit).collect()
    }
}

#[async_trait]
impl FrameSearchRepo for SqlStore {
    async fn search_frames(
        &self,
        workspace: &str,
        vector: &[f32],
        q: &SearchQuery,
    ) -> Result<Vec<SearchHit>> {
        let label = match self.dialect {
            Dialect::Sqlite => "json_extract(i.data, '$.labels[0].label')",
            Dialect::Postgres => "i.search_body",
        };
        let sql = nearest_insights(
            self.dialect,
            "frame_vectors",
            "fv",
            label,
            vector,
            workspace,
            |sql| {
                sql.push(" AND fv.dims = ")
                    .bind(Arg::Int(vector.len() as i64));
            },
            q,
        );
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter().map(semantic_hit).collect()
    }
}

/// The end of a search by vector distance (`dist` in a subquery `hits`):
/// the score floor, the filters, the order, the page (a subquery `page`,
/// whose text is read for its rows only, and ordered again outside).
/// Relevance orders by `dist` alone, so that PostgreSQL can take the order
/// from an HNSW scan.
fn semantic_page(sql: &mut Sql, q: &SearchQuery) {
    sql.push(") hits WHERE dist <= ")
        .bind(Arg::Float(1.0 - q.min_score));
    push_filters(sql, q);
    let order = match q.sort {
        SearchSort::Relevance => " ORDER BY dist",
        SearchSort::Date => " ORDER BY media_created DESC, media_id, start_s, id",
    };
    sql.push(order)
        .push(" LIMIT ")
        .bind(Arg::Int(i64::from(q.limit)))
        .push(" OFFSET ")
        .bind(Arg::Int(i64::from(q.offset)))
        .push(") page")
        .push(order);
}

/// A hit of a search by vector distance: its text as stored, no marks, the
/// cosine similarity as its score.
fn semantic_hit(r: &sqlx::any::AnyRow) -> Result<SearchHit> {
    let dist: f64 = r.try_get("dist")?;
    Ok(SearchHit {
        media_id: r.try_get("media_id")?,
        insight_id: r.try_get("id")?,
        analyzer: r.try_get("analyzer")?,
        kind: r.try_get("kind")?,
        start: r.try_get("start_s")?,
        end: r.try_get("end_s")?,
        text: r.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
        marks: vec![],
        score: ((1.0 - dist).clamp(0.0, 1.0) * 1e6).round() / 1e6,
        media_created_at: r.try_get("media_created")?,
    })
}

#[async_trait]
impl VectorRepo for SqlStore {
    async fn pending_texts(&self, limit: u32) -> Result<Vec<(i64, String)>> {
        let text = match self.dialect {
            Dialect::Sqlite => "json_extract(data, '$.text')",
            Dialect::Postgres => "search_body",
        };
        let mut q = Sql::new(&format!(
            "SELECT id, COALESCE({text}, '') AS body FROM insights \
             WHERE vector_pending = 1 AND {EMBEDDED_KINDS} ORDER BY id LIMIT "
        ));
        q.bind(Arg::Int(i64::from(limit)));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("body")?)))
            .collect()
    }

    async fn put_text_vectors(&self, model: &str, vectors: &[(i64, Vec<f32>)]) -> Result<()> {
        let vector = vector_from_text(self.dialect);
        let mut tx = self.begin_write().await?;
        for (id, v) in vectors {
            let mut q =
                Sql::new("INSERT INTO text_vectors (insight_id, model, vector) SELECT id, ");
            q.bind(t(model))
                .push(&format!(", {}", vector.0))
                .bind(t(&vector_text(v)))
                .push(&format!("{} FROM insights WHERE id = ", vector.1))
                .bind(Arg::Int(*id))
                .push(
                    " ON CONFLICT (insight_id) DO UPDATE \
                     SET model = excluded.model, vector = excluded.vector",
                );
            q.query().execute(&mut *tx).await?;
            let mut done = Sql::new("UPDATE insights SET vector_pending = 0 WHERE id = ");
            done.bind(Arg::Int(*id));
            done.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn requeue_texts(
        &self,
        model: &str,
        all: bool,
        after: i64,
        limit: u32,
    ) -> Result<Option<i64>> {
        let mut q = Sql::new("SELECT MAX(id) AS last FROM (SELECT id FROM insights WHERE id > ");
        q.bind(Arg::Int(after))
            .push(&format!(" AND {EMBEDDED_KINDS} ORDER BY id LIMIT "))
            .bind(Arg::Int(i64::from(limit)))
            .push(") s");
        let last: Option<i64> = q.query().fetch_one(&self.pool).await?.try_get("last")?;
        let Some(last) = last else { return Ok(None) };
        let mut u = Sql::new("UPDATE insights SET vector_pending = 1 WHERE id > ");
        u.bind(Arg::Int(after))
            .push(" AND id <= ")
            .bind(Arg::Int(last))
            .push(&format!(" AND {EMBEDDED_KINDS} AND vector_pending = 0"));
        if !all {
            u.push(
                " AND NOT EXISTS (SELECT 1 FROM text_vectors v \
                 WHERE v.insight_id = insights.id AND v.model = ",
            )
            .bind(t(model))
            .push(")");
        }
        u.query().execute(&self.pool).await?;
        Ok(Some(last))
    }

    async fn text_index_status(
        &self,
        workspace: Option<&str>,
        model: &str,
    ) -> Result<TextIndexStatus> {
        let mut q = Sql::new(
            "SELECT (SELECT COUNT(*) FROM text_vectors v JOIN insights i ON i.id = v.insight_id \
             WHERE v.model = ",
        );
        q.bind(t(model));
        if let Some(w) = workspace {
            q.push(" AND i.workspace_id = ").bind(t(w));
        }
        q.push(&format!(
            ") AS indexed, (SELECT COUNT(*) FROM insights WHERE vector_pending = 1 AND {EMBEDDED_KINDS}"
        ));
        if let Some(w) = workspace {
            q.push(" AND workspace_id = ").bind(t(w));
        }
        q.push(") AS pending");
        let row = q.query().fetch_one(&self.pool).await?;
        Ok(TextIndexStatus {
            indexed: row.try_get::<i64, _>("indexed")?.max(0) as u64,
            pending: row.try_get::<i64, _>("pending")?.max(0) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_become_each_engines_syntax() {
        let terms =
            aima_core::search::parse_query(r#"budg* "shared document" NEAR"#).unwrap_or_default();
        assert_eq!(
            fts5_query(&terms),
            r#""budg"* AND "shared document" AND "near""#
        );
        assert_eq!(tsquery(&terms), "budg:* & (shared <-> document) & near");
        // A German inflection also matches by its stem, as a prefix; not
        // inside a phrase.
        let terms = aima_core::search::parse_query(r#"Schwestern "die Züge""#).unwrap_or_default();
        assert_eq!(
            fts5_query(&terms),
            r#"("schwestern" OR "schwest"*) AND "die züge""#
        );
        assert_eq!(tsquery(&terms), "(schwestern | schwest:*) & (die <-> züge)");
    }
}
