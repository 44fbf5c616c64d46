//! The model's constraints on names, paths, descriptions and tags, answered
//! with AWS's `1 validation error detected` messages (IAM names members in
//! camelCase there: `roleName`, `path`).

use lakestack_aws_protocol::validation::{Shown, Violation};

use crate::error::{IamError, Result};
use crate::model::Tag;

const NAME_PATTERN: &str = "[\\w+=,.@-]+";
const PATH_PATTERN: &str = "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)";

/// Tags an entity may carry.
pub const MAX_TAGS: usize = 50;

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// A user, role, group, instance profile or policy name.
pub fn name(member: &str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n == 0 {
        return Err(IamError::violation(Violation::min_len(
            member,
            Shown::Value(value.into()),
            1,
        )));
    }
    if n > max {
        return Err(IamError::violation(Violation::max_len(
            member,
            Shown::Value(value.into()),
            max,
        )));
    }
    if !value.chars().all(name_char) {
        return Err(IamError::violation(Violation::pattern(
            member,
            Shown::Value(value.into()),
            NAME_PATTERN,
        )));
    }
    Ok(())
}

/// A path (`/` or `/a/b/`), defaulting to `/`.
pub fn path(member: &str, value: Option<&str>) -> Result<String> {
    let Some(p) = value else { return Ok("/".into()) };
    let n = p.chars().count();
    if n == 0 || n > 512 {
        return Err(IamError::violation(Violation::len_between(
            member,
            Shown::Value(p.into()),
            1,
            512,
        )));
    }
    let inner_ok = p.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    if !(p == "/" || (p.len() >= 3 && p.starts_with('/') && p.ends_with('/') && inner_ok)) {
        return Err(IamError::violation(Violation::pattern(
            member,
            Shown::Value(p.into()),
            PATH_PATTERN,
        )));
    }
    Ok(p.to_owned())
}

/// A path prefix filter of a List operation.
pub fn path_prefix(value: Option<&str>) -> Result<String> {
    let Some(p) = value else { return Ok("/".into()) };
    if p.is_empty() || p.chars().count() > 512 || !p.starts_with('/') {
        return Err(IamError::violation(Violation::pattern(
            "pathPrefix",
            Shown::Value(p.into()),
            "\\u002F[\\u0021-\\u007F]*",
        )));
    }
    Ok(p.to_owned())
}

pub fn description(value: Option<&str>) -> Result<()> {
    if let Some(d) = value
        && d.chars().count() > 1000
    {
        return Err(IamError::violation(Violation::max_len(
            "description",
            Shown::Value(d.into()),
            1000,
        )));
    }
    Ok(())
}

/// Tag keys 1..=128, values 0..=256, at most 50 in one call.
pub fn tags(tags: &[Tag]) -> Result<()> {
    if tags.len() > MAX_TAGS {
        return Err(IamError::violation(Violation::new(
            "tags",
            Shown::Hidden,
            format!("Member must have length less than or equal to {MAX_TAGS}"),
        )));
    }
    for t in tags {
        let n = t.key.chars().count();
        if n == 0 || n > 128 {
            return Err(IamError::violation(Violation::len_between(
                "tags.member.key",
                Shown::Value(t.key.clone()),
                1,
                128,
            )));
        }
        if t.value.chars().count() > 256 {
            return Err(IamError::violation(Violation::max_len(
                "tags.member.value",
                Shown::Value(t.value.clone()),
                256,
            )));
        }
    }
    Ok(())
}

/// Adds or replaces tags (keys compare case-insensitively, as IAM's do),
/// refusing to go past the quota.
pub fn merge_tags(existing: &mut Vec<Tag>, new: Vec<Tag>) -> Result<()> {
    tags(&new)?;
    let mut merged = existing.clone();
    for t in new {
        match merged.iter_mut().find(|e| e.key.eq_ignore_ascii_case(&t.key)) {
            Some(e) => *e = t,
            None => merged.push(t),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(IamError::LimitExceeded(
            "The number of tags has reached the maximum limit.".into(),
        ));
    }
    *existing = merged;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert!(name("roleName", "my-role_1+=,.@", 64).is_ok());
        assert_eq!(
            name("roleName", "a b", 64).unwrap_err().to_string(),
            "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        );
        assert!(name("roleName", &"x".repeat(65), 64).is_err());
        assert_eq!(path("path", None).unwrap(), "/");
        assert_eq!(path("path", Some("/a/b/")).unwrap(), "/a/b/");
        assert!(path("path", Some("a/")).is_err());
        assert!(path("path", Some("/a")).is_err());
        assert!(path("path", Some("//")).is_err());
    }

    #[test]
    fn tags_merge_case_insensitively_within_the_quota() {
        let t = |k: &str, v: &str| Tag {
            key: k.into(),
            value: v.into(),
        };
        let mut have = vec![t("Env", "dev")];
        merge_tags(&mut have, vec![t("env", "prod"), t("team", "x")]).unwrap();
        assert_eq!(have, vec![t("env", "prod"), t("team", "x")]);
        let many: Vec<Tag> = (0..49).map(|i| t(&format!("k{i}"), "")).collect();
        assert!(matches!(merge_tags(&mut have, many), Err(IamError::LimitExceeded(_))));
        assert_eq!(have.len(), 2);
    }
}
