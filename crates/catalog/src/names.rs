//! Glue's name rules: database and table names are stored lower-cased, and
//! every name is a single line of 1 to 255 characters.

use lakestack_aws_protocol::validation::{Shown, Violation};

use crate::error::{CatalogError, Result};

/// The characters Glue's model allows in a name: one line.
const SINGLE_LINE: &str = r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*";

/// Validates a name given at `field` (e.g. `databaseInput.name`) and returns
/// it as Glue stores it.
pub fn entity(name: &str, field: &str) -> Result<String> {
    check(name, field)?;
    Ok(name.to_lowercase())
}

pub fn check(name: &str, field: &str) -> Result<()> {
    let len = name.chars().count();
    let shown = || Shown::Value(name.to_owned());
    let broken = if len == 0 {
        Violation::min_len(field, shown(), 1)
    } else if len > 255 {
        Violation::max_len(field, shown(), 255)
    } else if name.chars().any(|c| c.is_control() && c != '\t') {
        Violation::pattern(field, shown(), SINGLE_LINE)
    } else {
        return Ok(());
    };
    Err(CatalogError::invalid(broken))
}

/// Glue's model caps `field` at `max` characters (counted as Java counts them,
/// in UTF-16 units). AWS echoes the value in the message, as here.
pub fn max_length(value: &str, field: &str, max: usize) -> Result<()> {
    if value.encode_utf16().count() > max {
        return Err(CatalogError::Validation(
            Violation::max_len(field, Shown::Value(value.to_owned()), max).message(),
        ));
    }
    Ok(())
}

/// A folder name turned into a table or column name the way crawlers do:
/// lower-cased, with characters other than letters, digits and `_` as `_`.
pub fn from_folder(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(entity("Sales", "name").unwrap(), "sales");
        assert!(entity("a\nb", "name").is_err());
        assert_eq!(
            entity("", "databaseInput.name").unwrap_err().to_string(),
            "1 validation error detected: Value '' at 'databaseInput.name' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert_eq!(
            check("a\u{1}", "name").unwrap_err().to_string(),
            "1 validation error detected: Value 'a\u{1}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*"
        );
        assert_eq!(from_folder("My-Table.v2"), "my_table_v2");
    }
}
