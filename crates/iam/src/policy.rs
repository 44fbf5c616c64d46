//! Policy documents as IAM accepts and answers them: checked for the
//! structure IAM insists on (not evaluated: lakestack enforces no policy),
//! measured as IAM measures quotas (characters other than white space), and
//! URL-encoded on the way out, as IAM returns every document.

use lakestack_aws_protocol::validation::{Shown, Violation};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::error::{IamError, Result};

/// RFC 3986's unreserved characters are the only ones IAM leaves as they are.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The model's bound on any policy document member, before quotas.
pub const MAX_DOCUMENT_CHARS: usize = 131_072;
/// A managed policy version (not adjustable).
pub const MANAGED_POLICY_QUOTA: usize = 6_144;
/// A role's trust policy (the default quota).
pub const TRUST_POLICY_QUOTA: usize = 2_048;

/// What a document is for: IAM checks principals differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Identity policies (managed, inline): no `Principal`.
    Identity,
    /// A role's trust policy: every statement names a principal.
    Trust,
}

pub fn url_encode(document: &str) -> String {
    utf8_percent_encode(document, ENCODED).to_string()
}

/// Characters that count against IAM's size quotas.
pub fn size(document: &str) -> usize {
    document.chars().filter(|c| !c.is_whitespace()).count()
}

/// Checks a document as IAM does before storing it; `member` is the
/// camelCase member name validation messages use.
pub fn check(document: &str, member: &str, purpose: Purpose) -> Result<()> {
    let n = document.chars().count();
    if n == 0 || n > MAX_DOCUMENT_CHARS {
        return Err(IamError::violation(Violation::len_between(
            member,
            Shown::Value(truncated(document)),
            1,
            MAX_DOCUMENT_CHARS,
        )));
    }
    // The model's pattern: tab, line feed, carriage return, U+0020..U+00FF.
    if document
        .chars()
        .any(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        return Err(IamError::violation(Violation::pattern(
            member,
            Shown::Value(truncated(document)),
            "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
        )));
    }
    let malformed = |m: &str| Err(IamError::MalformedPolicyDocument(m.to_owned()));
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(document) else {
        return malformed("This policy contains invalid Json");
    };
    if let Some(v) = doc.get("Version")
        && !matches!(v.as_str(), Some("2012-10-17" | "2008-10-17"))
    {
        return malformed("The policy failed legacy parsing");
    }
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) if !items.is_empty() => items.iter().collect::<Vec<_>>(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return malformed("Syntax errors in policy."),
    };
    for s in statements {
        let Value::Object(s) = s else {
            return malformed("Syntax errors in policy.");
        };
        if !matches!(s.get("Effect").and_then(Value::as_str), Some("Allow" | "Deny")) {
            return malformed("Syntax errors in policy.");
        }
        if !s.contains_key("Action") && !s.contains_key("NotAction") {
            return malformed("Policy statement must contain actions.");
        }
        let names_principal = s.contains_key("Principal") || s.contains_key("NotPrincipal");
        match purpose {
            Purpose::Identity if names_principal => {
                return malformed("Policy document should not specify a principal.");
            }
            Purpose::Trust if !names_principal => return malformed("Missing required field Principal"),
            _ => {}
        }
        if purpose == Purpose::Identity && !s.contains_key("Resource") && !s.contains_key("NotResource") {
            return malformed("Policy statement must contain resources.");
        }
    }
    Ok(())
}

/// Validation messages show the value; a long document is cut, so that an
/// error never echoes 128 KiB back.
fn truncated(s: &str) -> String {
    s.chars().take(256).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
    const S3: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;

    #[test]
    fn encodes_as_iam_does() {
        assert_eq!(
            url_encode(r#"{"A": "s3:*", "b": "x-y_z.~"}"#),
            "%7B%22A%22%3A%20%22s3%3A%2A%22%2C%20%22b%22%3A%20%22x-y_z.~%22%7D"
        );
        assert_eq!(size("{ \"a\" :\n 1 }"), 7);
    }

    #[test]
    fn documents_are_checked_for_their_purpose() {
        assert!(check(TRUST, "assumeRolePolicyDocument", Purpose::Trust).is_ok());
        assert!(check(S3, "policyDocument", Purpose::Identity).is_ok());
        let msg = |d: &str, p| match check(d, "policyDocument", p) {
            Err(IamError::MalformedPolicyDocument(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg(TRUST, Purpose::Identity),
            "Policy document should not specify a principal."
        );
        assert_eq!(msg(S3, Purpose::Trust), "Missing required field Principal");
        assert_eq!(msg("{", Purpose::Identity), "This policy contains invalid Json");
        assert_eq!(msg("[]", Purpose::Identity), "This policy contains invalid Json");
        assert_eq!(
            msg(r#"{"Statement": []}"#, Purpose::Identity),
            "Syntax errors in policy."
        );
        assert_eq!(
            msg(&S3.replace("2012-10-17", "2020-01-01"), Purpose::Identity),
            "The policy failed legacy parsing"
        );
        assert!(matches!(
            check("", "policyDocument", Purpose::Identity),
            Err(IamError::Validation(_))
        ));
        assert!(matches!(
            check("{\"a\": \"\u{4e00}\"}", "policyDocument", Purpose::Identity),
            Err(IamError::Validation(_))
        ));
    }
}
