//! The Glue table's columns as the Arrow schema written, checked for what
//! the chosen format can hold.

use std::collections::HashSet;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use lakestack_catalog::glue_types::arrow_type;

use super::error::{ConvertError, SchemaProblem};

/// A column of the Glue table (`StorageDescriptor.Columns`; partition keys
/// are not written into the object and are left out by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The Hive type string: `bigint`, `decimal(10,2)`, `array<struct<a:int>>`...
    pub glue_type: String,
}

impl Column {
    pub fn new(name: impl Into<String>, glue_type: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            glue_type: glue_type.into(),
        }
    }
}

/// The schema of the object: one nullable field per column, named as Glue
/// names it, typed as the query crate reads the table (the same parser).
pub(crate) fn arrow_schema(columns: &[Column], orc: bool) -> Result<SchemaRef, ConvertError> {
    if columns.is_empty() {
        return Err(ConvertError::NoColumns);
    }
    let mut seen = HashSet::new();
    let mut fields = Vec::with_capacity(columns.len());
    for c in columns {
        let bad = |problem| ConvertError::InvalidSchema {
            column: c.name.clone(),
            glue_type: c.glue_type.clone(),
            problem,
        };
        if c.name.is_empty() {
            return Err(bad(SchemaProblem::EmptyName));
        }
        // Hive's names are case-insensitive: two columns differing in case
        // are one column to every reader of the table.
        if !seen.insert(c.name.to_lowercase()) {
            return Err(bad(SchemaProblem::DuplicateName));
        }
        let t = arrow_type(&c.glue_type).map_err(|reason| bad(SchemaProblem::Unparsable { reason }))?;
        check(&t, orc).map_err(bad)?;
        fields.push(Field::new(c.name.clone(), t, true));
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// What the writers and the JSON reader cannot do with a type. Recursion is
/// bounded by the Glue parser's `MAX_TYPE_DEPTH`.
fn check(t: &DataType, orc: bool) -> Result<(), SchemaProblem> {
    match t {
        DataType::List(item) => {
            if orc {
                return Err(SchemaProblem::NotInOrc);
            }
            check(item.data_type(), orc)
        }
        DataType::Map(entries, _) => {
            if orc {
                return Err(SchemaProblem::NotInOrc);
            }
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(SchemaProblem::MapKey);
            };
            let (Some(k), Some(v)) = (kv.first(), kv.get(1)) else {
                return Err(SchemaProblem::MapKey);
            };
            if k.data_type().is_nested() {
                return Err(SchemaProblem::MapKey);
            }
            check(v.data_type(), orc)
        }
        DataType::Struct(fields) => {
            if orc {
                return Err(SchemaProblem::NotInOrc);
            }
            if fields.is_empty() {
                return Err(SchemaProblem::EmptyStruct);
            }
            let mut seen = HashSet::new();
            for f in fields {
                if f.name().is_empty() {
                    return Err(SchemaProblem::EmptyName);
                }
                if !seen.insert(f.name().to_lowercase()) {
                    return Err(SchemaProblem::DuplicateName);
                }
                check(f.data_type(), orc)?;
            }
            Ok(())
        }
        DataType::Decimal128(_, _) if orc => Err(SchemaProblem::NotInOrc),
        _ => Ok(()),
    }
}
