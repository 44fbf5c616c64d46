//! Opaque `NextToken`s: the key of the last item returned, so a page
//! continues correctly even when items were added or removed in between.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{CatalogError, Result};

pub fn encode(last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(last_key.as_bytes())
}

pub fn decode(token: Option<&str>) -> Result<Option<String>> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(Some)
        .ok_or_else(|| CatalogError::InvalidInput("Invalid pagination token".into()))
}

/// Clamps a requested page size to Glue's bounds for the operation.
pub fn page_size(requested: Option<i64>, default: usize, max: usize) -> Result<usize> {
    match requested {
        None => Ok(default),
        Some(n) if n < 1 || n as usize > max => Err(CatalogError::InvalidInput(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
        Some(n) => Ok(n as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(decode(Some(&encode("db/tbl"))).unwrap().as_deref(), Some("db/tbl"));
        assert_eq!(decode(None).unwrap(), None);
        assert!(decode(Some("***")).is_err());
    }
}
