//! Key-based `NextToken`s: a token names the key of the last item returned,
//! so a page continues where it stopped even when items were added or
//! removed in between (an offset would skip or repeat them).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{ServiceError, ServiceSpec};

/// The token that continues after `last_key`.
pub fn encode(last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(last_key.as_bytes())
}

/// The key a token continues after; `Ok(None)` for no (or an empty) token,
/// `Err(())` for one we did not write, for which the caller answers its
/// service's invalid-token error (as [`after`] does).
#[allow(clippy::result_unit_err)]
pub fn decode(token: Option<&str>) -> Result<Option<String>, ()> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(Some)
        .ok_or(())
}

/// One page of `items`, which are in ascending order of `key`: the items
/// whose key is after `after`, at most `max`, and the token of the next
/// page if more remain.
pub fn page<T>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
    after: Option<&str>,
    max: usize,
) -> (Vec<T>, Option<String>) {
    let mut rest = items
        .into_iter()
        .filter(|t| after.is_none_or(|a| key(t).as_str() > a))
        .peekable();
    let mut out = Vec::new();
    while out.len() < max {
        match rest.next() {
            Some(t) => out.push(t),
            None => break,
        }
    }
    let next = match (rest.peek(), out.last()) {
        (Some(_), Some(last)) => Some(encode(&key(last))),
        _ => None,
    };
    (out, next)
}

/// The key a token continues after, as [`decode`] reads it; a token the
/// kit did not write is the service's own error ([`ServiceSpec::invalid_token`]).
pub fn after(spec: &ServiceSpec, token: Option<&str>) -> Result<Option<String>, ServiceError> {
    decode(token).map_err(|()| spec.invalid_token(token.unwrap_or_default()))
}

/// One page of `items` (ascending by `key`) as [`page`] cuts it,
/// continuing after the key `token` names (see [`after`]).
pub fn page_from<T>(
    spec: &ServiceSpec,
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
    token: Option<&str>,
    max: usize,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let last = after(spec, token)?;
    Ok(page(items, key, last.as_deref(), max))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(decode(Some(&encode("db/tbl"))).unwrap().as_deref(), Some("db/tbl"));
        assert_eq!(decode(None), Ok(None));
        assert_eq!(decode(Some("")), Ok(None));
        assert!(decode(Some("***")).is_err());
    }

    #[test]
    fn pages_continue_after_the_last_key_even_when_it_is_gone() {
        let items = ["a", "b", "c", "d", "e"];
        let (p1, t1) = page(items, |s| s.to_string(), None, 2);
        assert_eq!(p1, ["a", "b"]);
        let after = decode(t1.as_deref()).unwrap();
        assert_eq!(after.as_deref(), Some("b"));
        // "b" and "c" were deleted meanwhile.
        let (p2, t2) = page(["a", "d", "e"], |s| s.to_string(), after.as_deref(), 2);
        assert_eq!(p2, ["d", "e"]);
        assert_eq!(t2, None);
    }

    #[test]
    fn pages_from_a_token_answer_the_services_own_error() {
        static SPEC: ServiceSpec = ServiceSpec {
            invalid_token: ("InvalidToken", "Invalid Token: '{token}'"),
            ..DEFAULT
        };
        let key = |s: &&str| s.to_string();
        let (p1, t1) = page_from(&SPEC, ["a", "b", "c"], key, None, 2).unwrap();
        assert_eq!((p1, t1.as_deref()), (vec!["a", "b"], Some("Yg")));
        let (p2, t2) = page_from(&SPEC, ["a", "b", "c"], key, t1.as_deref(), 2).unwrap();
        assert_eq!((p2, t2), (vec!["c"], None));
        let (p, t) = page_from(&SPEC, ["a"], key, Some(""), 2).unwrap();
        assert_eq!((p, t), (vec!["a"], None));
        assert_eq!(
            page_from(&SPEC, ["a"], key, Some("***"), 2).unwrap_err(),
            ServiceError::client("InvalidToken", "Invalid Token: '***'")
        );
        assert_eq!(after(&SPEC, Some(&encode("db/t"))), Ok(Some("db/t".to_owned())));
        assert_eq!(after(&SPEC, None), Ok(None));
        assert_eq!(
            after(&SPEC, Some("%%")),
            Err(ServiceError::client("InvalidToken", "Invalid Token: '%%'"))
        );
    }
}
