//! Text search over insights, on each engine's own full-text index: FTS5
//! on SQLite (`insight_search`, kept by triggers), a generated `tsvector`
//! with a GIN index on PostgreSQL (migrations `0008_search.sql`). Both are
//! written by the database itself as insights are stored or deleted, so no
//! writer can forget them. The query is built here from parsed terms
//! (letters and digits only), never from what a user typed.

use aima_core::search::{unmark, SearchHit, SearchQuery, SearchSort, SearchTerm};
use async_trait::async_trait;
use sqlx::Row;

use crate::sql::{t, Arg, Sql};
use crate::{Dialect, Result, SqlStore};

/// Text search; see [`aima_core::search`].
#[async_trait]
pub trait SearchRepo: Send + Sync {
    /// Hits of one workspace, rejected insights left out, at most
    /// `q.limit` from `q.offset` on.
    async fn search_text(&self, workspace: &str, q: &SearchQuery) -> Result<Vec<SearchHit>>;
}

/// `"word"`, `"pre"*`, `"two words"`, all required: FTS5's syntax. Terms
/// hold letters and digits only, so quoting cannot be escaped from.
fn fts5_query(terms: &[SearchTerm]) -> String {
    terms
        .iter()
        .map(|term| match term {
            SearchTerm::Word(w) => format!("\"{w}\""),
            SearchTerm::Prefix(w) => format!("\"{w}\"*"),
            SearchTerm::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word & pre:* & (two <-> words)`: tsquery's syntax, for `to_tsquery`,
/// which stems and folds each word as the index did.
fn tsquery(terms: &[SearchTerm]) -> String {
    terms
        .iter()
        .map(|term| match term {
            SearchTerm::Word(w) => w.clone(),
            SearchTerm::Prefix(w) => format!("{w}:*"),
            SearchTerm::Phrase(ws) => format!("({})", ws.join(" <-> ")),
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

#[async_trait]
impl SearchRepo for SqlStore {
    async fn search_text(&self, workspace: &str, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        // Each engine's hit: the marked text (matches between \x02 and
        // \x03) and a raw rank, higher is better.
        let mut sql = match self.dialect {
            Dialect::Sqlite => {
                let mut s = Sql::new(
                    "SELECT * FROM (SELECT i.id, i.media_id, i.analyzer, i.kind, i.start_s, i.end_s, \
                     m.created_at AS media_created, \
                     highlight(insight_search, 0, char(2), char(3)) AS marked, \
                     -bm25(insight_search) AS raw \
                     FROM insight_search JOIN insights i ON i.id = insight_search.rowid \
                     JOIN media m ON m.id = i.media_id \
                     WHERE insight_search MATCH ",
                );
                s.bind(t(&fts5_query(&q.terms)));
                s
            }
            Dialect::Postgres => {
                let mut s = Sql::new(
                    "SELECT * FROM (SELECT i.id, i.media_id, i.analyzer, i.kind, i.start_s, i.end_s, \
                     m.created_at AS media_created, \
                     ts_headline('aima_search', i.search_body, sq.q, \
                       'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS marked, \
                     CAST(ts_rank_cd(i.search, sq.q) AS DOUBLE PRECISION) AS raw \
                     FROM insights i JOIN media m ON m.id = i.media_id, \
                     to_tsquery('aima_search', ",
                );
                s.bind(t(&tsquery(&q.terms)))
                    .push(") AS sq(q) WHERE i.search @@ sq.q");
                s
            }
        };
        sql.push(" AND i.workspace_id = ")
            .bind(t(workspace))
            .push(" AND (i.review IS NULL OR i.review <> 'rejected')");
        if let Some(a) = &q.analyzer {
            sql.push(" AND i.analyzer = ").bind(t(a));
        }
        if let Some(m) = &q.media_id {
            sql.push(" AND i.media_id = ").bind(t(m));
        }
        if let Some(k) = q.kind {
            sql.push(" AND m.kind = ").bind(t(k.as_str()));
        }
        if let Some(after) = q.created_after {
            sql.push(" AND m.created_at >= ").bind(Arg::Int(after));
        }
        if let Some(before) = q.created_before {
            sql.push(" AND m.created_at < ").bind(Arg::Int(before));
        }
        // A rank r becomes a score r / (1 + r) in [0, 1).
        sql.push(") hits WHERE raw / (1 + raw) >= ")
            .bind(Arg::Float(q.min_score));
        sql.push(match q.sort {
            SearchSort::Relevance => " ORDER BY raw DESC, id",
            SearchSort::Date => " ORDER BY media_created DESC, media_id, start_s, id",
        });
        sql.push(" LIMIT ")
            .bind(Arg::Int(i64::from(q.limit)))
            .push(" OFFSET ")
            .bind(Arg::Int(i64::from(q.offset)));
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let marked: Option<String> = r.try_get("marked")?;
                let (text, marks) = unmark(&marked.unwrap_or_default());
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
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_become_each_engines_syntax() {
        let terms =
            aima_core::search::parse_query(r#"budg* "shared document" NEAR"#).unwrap_or_default();
        assert_eq!(fts5_query(&terms), r#""budg"* "shared document" "near""#);
        assert_eq!(tsquery(&terms), "budg:* & (shared <-> document) & near");
    }
}
