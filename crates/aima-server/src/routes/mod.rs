pub mod activity;
mod analyze;
pub mod ask;
pub mod audit;
pub mod aw;
pub mod chat;
pub mod jobs;
pub mod keys;
pub mod media;
pub mod models;
pub mod modes;
pub mod openai;
pub mod persons;
pub mod search;
pub mod session;
pub mod system;
pub mod users;
pub mod webhooks;
pub mod workers;

/// Whether a listing's `format` parameter asks for CSV (`json`, the
/// default, or `csv`); anything else is the caller's mistake.
pub(crate) fn wants_csv(format: Option<&str>) -> Result<bool, crate::error::ApiError> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(crate::error::ApiError::new(
            aima_core::ErrorCode::InvalidParameter,
            format!("format {other:?}: use json or csv"),
        )),
    }
}

pub(crate) use aima_core::csv_field;
