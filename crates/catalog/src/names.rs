//! Glue's name rules: database and table names are stored lower-cased, and
//! every name is a single line of 1 to 255 characters.

use crate::error::{CatalogError, Result};

/// Validates a name given at `field` (e.g. `databaseInput.name`) and returns
/// it as Glue stores it.
pub fn entity(name: &str, field: &str) -> Result<String> {
    check(name, field)?;
    Ok(name.to_lowercase())
}

pub fn check(name: &str, field: &str) -> Result<()> {
    let len = name.chars().count();
    if len == 0 {
        return Err(CatalogError::InvalidInput(format!(
            "1 validation error detected: Value '' at '{field}' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )));
    }
    if len > 255 {
        return Err(CatalogError::InvalidInput(format!(
            "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: Member must have length less than or equal to 255"
        )));
    }
    if name.chars().any(|c| c.is_control() && c != '\t') {
        return Err(CatalogError::InvalidInput(format!(
            "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*"
        )));
    }
    Ok(())
}

/// Glue's model caps `field` at `max` characters (counted as Java counts them,
/// in UTF-16 units). AWS echoes the value in the message, as here.
pub fn max_length(value: &str, field: &str, max: usize) -> Result<()> {
    if value.encode_utf16().count() > max {
        return Err(CatalogError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
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
        assert!(entity("", "databaseInput.name").is_err());
        assert!(entity("a\nb", "name").is_err());
        assert_eq!(from_folder("My-Table.v2"), "my_table_v2");
    }
}
