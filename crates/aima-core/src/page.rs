//! Keyset pagination: a cursor names the last row a client saw, so pages stay
//! stable while rows are added.

use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// Position after a row, by creation time then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    /// Opaque to clients; hex keeps it URL-safe without escaping.
    pub fn encode(&self) -> String {
        hex::encode(format!("{}:{}", self.created_at, self.id))
    }

    pub fn decode(s: &str) -> Option<Self> {
        let raw = String::from_utf8(hex::decode(s).ok()?).ok()?;
        let (ms, id) = raw.split_once(':')?;
        Some(Cursor {
            created_at: ms.parse().ok()?,
            id: id.to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
    pub order: SortOrder,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            after: None,
            order: SortOrder::Desc,
        }
    }
}

impl PageRequest {
    pub fn new(limit: Option<u32>, cursor: Option<&str>, order: SortOrder) -> Result<Self, String> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(format!("limit must be between 1 and {MAX_LIMIT}"));
        }
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(Cursor::decode(c).ok_or("cursor is not valid")?),
        };
        Ok(Self {
            limit,
            after,
            order,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            created_at: 1_700_000_000_123,
            id: "0190-abc".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode(&hex::encode("nocolon")), None);
    }

    #[test]
    fn limits() {
        assert!(PageRequest::new(Some(0), None, SortOrder::Asc).is_err());
        assert!(PageRequest::new(Some(501), None, SortOrder::Asc).is_err());
        assert!(PageRequest::new(None, Some("nothex"), SortOrder::Asc).is_err());
        assert_eq!(
            PageRequest::new(None, None, SortOrder::Desc).map(|p| p.limit),
            Ok(50)
        );
    }
}
