//! Opaque `NextToken`s (the kit's key-based tokens: the key of the last
//! item returned, so a page continues correctly even when items were added
//! or removed in between) and Glue's bounds on `MaxResults`.

use lakestack_aws_protocol::paging;
use lakestack_aws_protocol::validation::Violation;

pub use lakestack_aws_protocol::paging::encode;

use crate::error::{CatalogError, Result};

/// Glue's answer to a token it did not write.
pub fn invalid_token() -> CatalogError {
    CatalogError::InvalidInput("Invalid pagination token".into())
}

/// The key a token continues after; `None` for no token.
pub fn decode(token: Option<&str>) -> Result<Option<String>> {
    paging::decode(token).map_err(|()| invalid_token())
}

/// A requested page size within Glue's bounds for the operation.
pub fn page_size(requested: Option<i64>, default: usize, max: usize) -> Result<usize> {
    match requested {
        None => Ok(default),
        Some(n) if n < 1 || n as usize > max => {
            Err(CatalogError::invalid(Violation::range("maxResults", n, 1, max as i64)))
        }
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

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None, 100, 1000).unwrap(), 100);
        assert_eq!(page_size(Some(7), 100, 1000).unwrap(), 7);
        assert_eq!(
            page_size(Some(0), 100, 100).unwrap_err().to_string(),
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100"
        );
    }
}
