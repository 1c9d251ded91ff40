//! `/api/v1/persons`: faces clustered across a workspace's media into
//! persons that users name, merge, split and correct; and reviews of any
//! insight (`/api/v1/insights/{id}`).

use aima_core::{
    Appearance, ErrorCode, FaceRecord, PageRequest, Person, Review, SortOrder, StoredInsight,
};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, OrNotFound};
use crate::extract::{Json, Path, Query};
use crate::{AppState, Caller};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonPage {
    pub items: Vec<Person>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub(crate) limit: Option<u32>,
    #[param(schema_with = crate::openapi::cursor_param)]
    pub(crate) cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for, oldest first, or `invalid_parameter`.
    pub(crate) fn page(&self) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.limit, self.cursor.as_deref(), SortOrder::Asc)
            .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e))
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// 1 to 200 characters, not all spaces, no control characters; `null`
    /// removes the name.
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The person whose faces move into this one; it is removed.
    pub from: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// Face ids (their `face` insight ids) of this person that are someone else.
    #[schema(min_items = 1, max_items = 10000)]
    #[serde(deserialize_with = "whole_numbers")]
    pub faces: Vec<i64>,
}

/// Ids as JSON numbers: `7` and `7.0` alike (both are integers to JSON
/// Schema, which generated clients follow); fractions are refused.
fn whole_numbers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    let raw = Vec::<serde_json::Number>::deserialize(d)?;
    raw.iter()
        .map(|n| {
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| serde::de::Error::custom(format!("face id {n} is not an integer")))
        })
        .collect()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveFace {
    /// The person the face belongs to; `null` makes it a person of its own.
    pub person_id: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `confirmed`, `rejected`, or `null` to clear.
    pub review: Option<Review>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FaceList {
    pub items: Vec<FaceRecord>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FaceQuery {
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The last face id of the previous page.
    after: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppearanceList {
    pub person_id: String,
    pub items: Vec<Appearance>,
}

const MAX_SPLIT: usize = 10_000;

fn person_edit(e: aima_store::StoreError) -> ApiError {
    match e {
        aima_store::StoreError::NotFound => {
            ApiError::new(ErrorCode::PersonNotFound, "person not found")
        }
        aima_store::StoreError::Conflict(m) => ApiError::new(ErrorCode::InvalidPersonEdit, m),
        other => other.into(),
    }
}

/// The workspace's persons (each with at least one face), oldest first.
#[utoipa::path(
    get, path = "/api/v1/persons", operation_id = "listPersons", tag = "persons", params(PageQuery),
    responses((status = 200, body = PersonPage), (status = 400, body = crate::ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<PersonPage>> {
    let page = PageRequest::new(q.limit, q.cursor.as_deref(), SortOrder::Asc)
        .map_err(|e| ApiError::new(ErrorCode::InvalidParameter, e))?;
    let page = state.store.list_persons(&caller.workspace, &page).await?;
    Ok(axum::Json(PersonPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One person: name, counts, the face shown for them.
#[utoipa::path(
    get, path = "/api/v1/persons/{id}", operation_id = "getPerson", tag = "persons",
    responses((status = 200, body = Person), (status = 404, body = crate::ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Person>> {
    let p = state
        .store
        .get_person(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::PersonNotFound, "person")?;
    Ok(axum::Json(p))
}

/// Name a person (or remove the name with `null`).
#[utoipa::path(
    patch, path = "/api/v1/persons/{id}", operation_id = "renamePerson", tag = "persons", request_body = Rename,
    responses((status = 200, body = Person), (status = 400, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn rename(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Rename>,
) -> ApiResult<axum::Json<Person>> {
    let name = match req.name.as_deref().map(str::trim) {
        None => None,
        Some(n) if n.is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "a name is 1 to 200 characters without control characters",
            ))
        }
        Some(n) => Some(n),
    };
    let p = state
        .store
        .rename_person(&caller.workspace, &id, name)
        .await
        .map_err(person_edit)?;
    Ok(axum::Json(p))
}

/// Merge another person into this one: they are the same person.
#[utoipa::path(
    post, path = "/api/v1/persons/{id}/merge", operation_id = "mergePersons", tag = "persons", request_body = Merge,
    responses((status = 200, body = Person), (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody))
)]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Merge>,
) -> ApiResult<axum::Json<Person>> {
    let p = state
        .store
        .merge_persons(&caller.workspace, &id, &req.from)
        .await
        .map_err(person_edit)?;
    Ok(axum::Json(p))
}

/// Split faces off a person into a new person.
#[utoipa::path(
    post, path = "/api/v1/persons/{id}/split", operation_id = "splitPerson", tag = "persons", request_body = Split,
    responses((status = 201, body = Person), (status = 400, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody))
)]
pub async fn split(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Split>,
) -> ApiResult<(StatusCode, axum::Json<Person>)> {
    let mut faces = req.faces;
    faces.sort_unstable();
    faces.dedup();
    if faces.is_empty() || faces.len() > MAX_SPLIT {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("faces: 1 to {MAX_SPLIT} face ids"),
        ));
    }
    let p = state
        .store
        .split_person(&caller.workspace, &id, &faces)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => {
                ApiError::new(ErrorCode::FaceNotFound, "person or face not found")
            }
            other => person_edit(other),
        })?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// A person's faces (face tracks), each with its media, time and thumbnail.
#[utoipa::path(
    get, path = "/api/v1/persons/{id}/faces", operation_id = "listFaces", tag = "persons", params(FaceQuery),
    responses((status = 200, body = FaceList), (status = 404, body = crate::ErrorBody))
)]
pub async fn faces(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FaceQuery>,
) -> ApiResult<axum::Json<FaceList>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "limit must be 1 to 500",
        ));
    }
    let mut items = state
        .store
        .person_faces(&caller.workspace, &id, limit + 1, q.after)
        .await
        .or_not_found(ErrorCode::PersonNotFound, "person")?;
    let next_after = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|f| f.insight_id)
    } else {
        None
    };
    Ok(axum::Json(FaceList { items, next_after }))
}

/// Every media a person appears in, with the time ranges.
#[utoipa::path(
    get, path = "/api/v1/persons/{id}/appearances", operation_id = "listAppearances", tag = "persons",
    responses((status = 200, body = AppearanceList), (status = 404, body = crate::ErrorBody))
)]
pub async fn appearances(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AppearanceList>> {
    let items = state
        .store
        .appearances(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::PersonNotFound, "person")?;
    Ok(axum::Json(AppearanceList {
        person_id: id,
        items,
    }))
}

/// Move a face to another person, or (`person_id: null`) to a person of its
/// own. A face that was rejected counts again: its review is cleared.
#[utoipa::path(
    put, path = "/api/v1/faces/{id}/person", operation_id = "moveFace", tag = "persons", request_body = MoveFace,
    responses((status = 200, body = FaceRecord), (status = 404, body = crate::ErrorBody))
)]
pub async fn move_face(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<MoveFace>,
) -> ApiResult<axum::Json<FaceRecord>> {
    let f = state
        .store
        .move_face(&caller.workspace, id, req.person_id.as_deref())
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => {
                ApiError::new(ErrorCode::FaceNotFound, "face or person not found")
            }
            other => person_edit(other),
        })?;
    Ok(axum::Json(f))
}

/// Confirm or reject an insight (a wrong OCR line, a wrong face match).
/// Rejected insights leave listings (unless asked for), exports and persons.
#[utoipa::path(
    patch, path = "/api/v1/insights/{id}", operation_id = "reviewInsight", tag = "persons", request_body = ReviewBody,
    responses((status = 200, body = StoredInsight), (status = 404, body = crate::ErrorBody))
)]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(req): Json<ReviewBody>,
) -> ApiResult<axum::Json<StoredInsight>> {
    let i = state
        .store
        .review_insight(&caller.workspace, id, req.review)
        .await
        .or_not_found(ErrorCode::InsightNotFound, "insight")?;
    Ok(axum::Json(i))
}
