//! Text search: the query language users type, the query the store runs,
//! and the hits it answers. No engine syntax crosses this boundary: a query
//! is parsed here into terms of letters and digits only, and each store
//! writes them in its engine's syntax, so nothing a user types is ever read
//! as FTS5 or tsquery syntax.

use serde::{Deserialize, Serialize};

use crate::MediaKind;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// One term of a query; every term must match (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// A word, stemmed by the engine (`meetings` finds `meeting`) and
    /// matched by its German stem too ([`other_stems`]).
    Word(String),
    /// `budg*`: words that begin so.
    Prefix(String),
    /// `"shared document"`: these words next to each other, in this order.
    Phrase(Vec<String>),
}

/// Stems a word is also matched by, as the beginning of a word: its German
/// Snowball stem where that differs (`Schwestern` also finds `Schwester`
/// through `schwest*`, `Züge` finds `Zug`, `Häuser` finds `Haus`).
///
/// Why at query time, and as a prefix: both engines index each text once
/// with English stemming (FTS5's porter, PostgreSQL's `english`), which
/// leaves German inflections apart. Indexing stems per text's language
/// would need a language for every text (OCR lines and file names have
/// none), a tokenizer FTS5 does not have (only porter ships with it; a
/// custom one needs `unsafe` FFI) and a second copy of each text, and would
/// lose the marks of matched words. Snowball's German stem of a query word
/// is a prefix of the indexed (porter) forms of the same German word, so
/// matching it as a prefix finds the inflections on both engines over the
/// index as it is. The cost is some over-matching (`Zug*` also finds
/// `Zugang`), which ranking puts after exact matches. Stems shorter than
/// three letters are not used.
pub fn other_stems(word: &str) -> Vec<String> {
    use std::sync::OnceLock;
    static GERMAN: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
    let german =
        GERMAN.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::German));
    let stem = german.stem(word);
    if stem != word && stem.chars().count() >= 3 && stem.chars().all(char::is_alphanumeric) {
        vec![stem.into_owned()]
    } else {
        Vec::new()
    }
}

/// Parses what a user types: words, `prefix*` and `"a phrase"`. Case and
/// accents are the engine's to fold; anything but letters and digits
/// separates words (so `NEAR`, `:`, `-` or an unbalanced quote are plain
/// text, never syntax). A query without letters or digits has no terms and
/// finds nothing.
pub fn parse_query(q: &str) -> Result<Vec<SearchTerm>, String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("q is longer than {MAX_QUERY_CHARS} characters"));
    }
    let mut terms = Vec::new();
    // Odd pieces are inside quotes; an unbalanced last quote closes at the end.
    for (i, piece) in q.split('"').enumerate() {
        if i % 2 == 1 {
            let words = words(piece);
            match words.len() {
                0 => {}
                1 => terms.push(SearchTerm::Word(words[0].clone())),
                _ => terms.push(SearchTerm::Phrase(words)),
            }
            continue;
        }
        for raw in piece.split_whitespace() {
            let prefix = raw.ends_with('*');
            let mut ws = words(raw);
            let last = ws.pop();
            terms.extend(ws.into_iter().map(SearchTerm::Word));
            if let Some(w) = last {
                terms.push(if prefix {
                    SearchTerm::Prefix(w)
                } else {
                    SearchTerm::Word(w)
                });
            }
        }
    }
    Ok(terms)
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchSort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest media first, then by time within it.
    Date,
}

/// What a search matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// The words themselves (stemmed, prefixes, phrases).
    Text,
    /// Meaning: what is said or shown is close to the query in a sentence
    /// embedding's space, whatever the words.
    Semantic,
    /// Both, fused by reciprocal rank.
    #[default]
    Hybrid,
}

/// The constant of reciprocal rank fusion (Cormack et al., 2009): a hit's
/// fused score is the sum over the lists of `1 / (RRF_K + rank)`.
pub const RRF_K: f64 = 60.0;

/// Fuses ranked lists (best first) by reciprocal rank: a hit found by
/// several lists rises above one found by a single list at the same rank.
/// The same insight (or media, for file names) in two lists is one hit,
/// carrying the first list's text and marks. Scores are scaled to 0..1 by
/// the best possible sum (rank 1 in every list). With `SearchSort::Date`
/// the fused hits are then ordered newest media first.
pub fn fuse(lists: Vec<Vec<SearchHit>>, sort: SearchSort) -> Vec<SearchHit> {
    let best = lists.len() as f64 / (RRF_K + 1.0);
    let mut fused: Vec<(SearchHit, f64)> = Vec::new();
    let mut at = std::collections::HashMap::new();
    for list in lists {
        for (rank, hit) in list.into_iter().enumerate() {
            let add = 1.0 / (RRF_K + rank as f64 + 1.0);
            let key = (hit.insight_id, hit.media_id.clone(), hit.kind.clone());
            match at.get(&key) {
                Some(&i) => {
                    let (kept, score): &mut (SearchHit, f64) = &mut fused[i];
                    *score += add;
                    if kept.marks.is_empty() && !hit.marks.is_empty() {
                        kept.marks = hit.marks;
                    }
                }
                None => {
                    at.insert(key, fused.len());
                    fused.push((hit, add));
                }
            }
        }
    }
    // Stable: equal scores keep the order they were first found in.
    fused.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut hits: Vec<SearchHit> = fused
        .into_iter()
        .map(|(mut hit, score)| {
            hit.score = (score / best * 1e6).round() / 1e6;
            hit
        })
        .collect();
    if sort == SearchSort::Date {
        hits.sort_by(|a, b| {
            b.media_created_at
                .cmp(&a.media_created_at)
                .then_with(|| a.media_id.cmp(&b.media_id))
                .then_with(|| a.start.total_cmp(&b.start))
        });
    }
    hits
}

/// A text search in one workspace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchQuery {
    pub terms: Vec<SearchTerm>,
    pub analyzer: Option<String>,
    pub media_id: Option<String>,
    /// Only media in which this person appears.
    pub person_id: Option<String>,
    pub kind: Option<MediaKind>,
    /// Media created at or after / before (Unix ms).
    pub created_after: Option<i64>,
    pub created_before: Option<i64>,
    pub sort: SearchSort,
    /// Hits scoring below are left out (0 to 1).
    pub min_score: f64,
    pub offset: u32,
    pub limit: u32,
}

/// A time-coded hit: where in which media the words are said, shown or named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub media_id: String,
    /// The insight found; none for a media found by its file name.
    pub insight_id: Option<i64>,
    /// The analyzer of the insight; none for a file name.
    pub analyzer: Option<String>,
    /// The insight's kind (`transcript_segment`, `text`, `object_track`,
    /// `labels`, `face` for a person found by name), or `filename`.
    pub kind: String,
    /// Seconds into the media.
    pub start: f64,
    pub end: Option<f64>,
    /// What matched: a transcript segment, an OCR line, a label, a
    /// person's name or the file name.
    pub text: String,
    /// The matched words in `text`, as character offsets `[start, end)`.
    pub marks: Vec<[usize; 2]>,
    /// 0 to 1, higher is better; comparable within one search.
    pub score: f64,
    /// When the media was created (Unix ms): what `sort=date` orders by.
    pub media_created_at: i64,
}

/// A person whose faces match a face searched for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonMatch {
    pub person_id: String,
    pub name: Option<String>,
    /// Cosine similarity of the face to the person's centroid (0 to 1).
    pub score: f64,
    /// Where the person appears: each media's merged time ranges.
    pub appearances: Vec<PersonAppearance>,
}

/// One time range in which a person appears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonAppearance {
    pub media_id: String,
    pub start: f64,
    pub end: Option<f64>,
}

/// Splits text the engine marked with `\u{2}` ... `\u{3}` into the clean
/// text and the character offsets of the marked runs.
pub fn unmark(marked: &str) -> (String, Vec<[usize; 2]>) {
    let mut text = String::with_capacity(marked.len());
    let mut marks = Vec::new();
    let (mut chars, mut open) = (0usize, None);
    for c in marked.chars() {
        match c {
            '\u{2}' => open = Some(chars),
            '\u{3}' => {
                if let Some(s) = open.take() {
                    marks.push([s, chars]);
                }
            }
            _ => {
                text.push(c);
                chars += 1;
            }
        }
    }
    (text, marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use SearchTerm::*;

    #[test]
    fn queries_parse_into_words_prefixes_and_phrases() {
        assert_eq!(
            parse_query(r#"Budget* "Shared  Document" café"#),
            Ok(vec![
                Prefix("budget".into()),
                Phrase(vec!["shared".into(), "document".into()]),
                Word("café".into()),
            ])
        );
        // Engine syntax is plain text.
        assert_eq!(
            parse_query(r#"a NEAR b: c-d "e"#),
            Ok(vec![
                Word("a".into()),
                Word("near".into()),
                Word("b".into()),
                Word("c".into()),
                Word("d".into()),
                Word("e".into()),
            ])
        );
        for nothing in ["", "  ", "\"\"", "*", ":::"] {
            assert_eq!(parse_query(nothing), Ok(vec![]), "{nothing:?}");
        }
        assert!(parse_query(&"x ".repeat(501)).is_err());
    }

    fn hit(insight: i64) -> SearchHit {
        SearchHit {
            media_id: "m".into(),
            insight_id: Some(insight),
            analyzer: None,
            kind: "text".into(),
            start: 0.0,
            end: None,
            text: String::new(),
            marks: vec![],
            score: 0.0,
            media_created_at: 0,
        }
    }

    #[test]
    fn fusion_ranks_hits_found_by_both_lists_first() {
        let text = vec![hit(1), hit(2), hit(3)];
        let meaning = vec![hit(4), hit(3), hit(5)];
        let fused = fuse(vec![text, meaning], SearchSort::Relevance);
        let ids: Vec<_> = fused.iter().map(|h| h.insight_id.unwrap_or(0)).collect();
        // 3 is in both lists; 1 and 4 lead one list each, 1 found first.
        assert_eq!(ids, [3, 1, 4, 2, 5]);
        assert!(fused.iter().all(|h| h.score > 0.0 && h.score <= 1.0));
        assert_eq!(
            fuse(vec![vec![hit(7)], vec![hit(7)]], SearchSort::Relevance)[0].score,
            1.0
        );
        let mut newer = hit(8);
        newer.media_created_at = 5;
        let by_date = fuse(vec![vec![hit(1)], vec![newer]], SearchSort::Date);
        assert_eq!(by_date[0].insight_id, Some(8));
    }

    #[test]
    fn marks_are_character_offsets() {
        let (text, marks) = unmark("Open the \u{2}shared\u{3} document, \u{2}é\u{3}!");
        assert_eq!(text, "Open the shared document, é!");
        assert_eq!(marks, vec![[9, 15], [26, 27]]);
    }
}
