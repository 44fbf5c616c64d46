//! Tables and their versions: every archived update keeps the previous
//! definition, and `VersionId` guards updates the way Iceberg commits need.

use regex::RegexBuilder;

use crate::error::{CatalogError, Result};
use crate::model::{Table, now_millis};
use crate::store::Store;
use crate::{Catalog, names, paging};

pub(crate) fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Table {name} not found."))
}

/// One failed entry of a batch table operation.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    pub table_name: String,
    pub version_id: Option<String>,
    pub code: &'static str,
    pub message: String,
}

impl TableError {
    fn from_error(table_name: &str, version_id: Option<String>, e: CatalogError) -> Self {
        Self {
            table_name: table_name.to_owned(),
            version_id,
            code: lakestack_aws_protocol::AwsError::code(&e),
            message: e.to_string(),
        }
    }
}

/// A SearchTables filter on one property of a table.
#[derive(Debug, Clone)]
pub struct SearchFilter {
    pub key: String,
    pub value: String,
    /// EQUALS, GREATER_THAN, LESS_THAN, GREATER_THAN_EQUALS or LESS_THAN_EQUALS.
    pub comparator: String,
}

impl Catalog {
    pub fn create_table(&self, database: &str, mut t: Table) -> Result<Table> {
        let db = names::entity(database, "databaseName")?;
        t.name = names::entity(&t.name, "tableInput.name")?;
        t.database_name.clone_from(&db);
        let now = now_millis();
        t.create_time = now;
        t.update_time = now;
        t.version_id = 0;
        let t = self.store.write(|tx| {
            self.require_database(tx, &db)?;
            if Store::get_table(tx, &db, &t.name)?.is_some() {
                return Err(CatalogError::AlreadyExists("Table already exists.".into()));
            }
            Store::put_table(tx, &t)?;
            Ok(t)
        })?;
        self.emit_database_change("CreateTable", &db, vec![t.name.clone()]);
        Ok(t)
    }

    pub fn get_table(&self, database: &str, name: &str) -> Result<Table> {
        let db = names::entity(database, "databaseName")?;
        let name = names::entity(name, "name")?;
        self.store.read(|c| {
            self.require_database(c, &db)?;
            Store::get_table(c, &db, &name)?.ok_or_else(|| not_found(&name))
        })
    }

    /// One page of a database's tables whose names fully match `expression`
    /// (a regular expression, case-insensitive, `*` alone meaning all).
    pub fn get_tables(
        &self,
        database: &str,
        expression: Option<&str>,
        next_token: Option<&str>,
        max: Option<i64>,
    ) -> Result<(Vec<Table>, Option<String>)> {
        let db = names::entity(database, "databaseName")?;
        if let Some(e) = expression {
            names::max_length(e, "expression", 2048)?;
        }
        let filter = match expression.filter(|e| !e.is_empty() && *e != "*") {
            None => None,
            Some(e) => Some(
                RegexBuilder::new(&format!("^(?:{})$", table_pattern(e)))
                    .case_insensitive(true)
                    .build()
                    .map_err(|err| CatalogError::InvalidInput(format!("Invalid expression {e}: {err}")))?,
            ),
        };
        let mut after = paging::decode(next_token)?;
        let limit = paging::page_size(max, 100, 100)?;
        self.store.read(|c| {
            self.require_database(c, &db)?;
            let mut out = Vec::new();
            loop {
                let batch = Store::list_tables(c, &db, after.as_deref(), 500)?;
                let Some(last) = batch.last() else {
                    return Ok((out, None));
                };
                after = Some(last.name.clone());
                for t in batch {
                    if filter.as_ref().is_none_or(|r| r.is_match(&t.name)) {
                        if out.len() == limit {
                            let token = out.last().map(|t: &Table| paging::encode(&t.name));
                            return Ok((out, token));
                        }
                        out.push(t);
                    }
                }
            }
        })
    }

    /// Every table of a database, in name order.
    pub fn all_tables(&self, database: &str) -> Result<Vec<Table>> {
        let db = names::entity(database, "databaseName")?;
        self.store.read(|c| {
            self.require_database(c, &db)?;
            Store::list_tables(c, &db, None, usize::MAX >> 1)
        })
    }

    /// Replaces the table's definition. `version_id`, when given, must be the
    /// current version or the update fails with ConcurrentModification; the
    /// version id always advances, and unless `skip_archive` the previous
    /// definition stays readable through GetTableVersion.
    pub fn update_table(
        &self,
        database: &str,
        mut input: Table,
        version_id: Option<&str>,
        skip_archive: bool,
    ) -> Result<Table> {
        let db = names::entity(database, "databaseName")?;
        input.name = names::entity(&input.name, "tableInput.name")?;
        let updated = self.store.write(|tx| {
            self.require_database(tx, &db)?;
            let current = Store::get_table(tx, &db, &input.name)?.ok_or_else(|| not_found(&input.name))?;
            if let Some(v) = version_id
                && v != current.version_id.to_string()
            {
                return Err(CatalogError::ConcurrentModification(
                    "Update table failed due to concurrent modifications.".into(),
                ));
            }
            input.database_name.clone_from(&db);
            input.create_time = current.create_time;
            input.update_time = now_millis();
            input.version_id = current.version_id + 1;
            if skip_archive {
                Store::delete_table_version(tx, &db, &input.name, current.version_id)?;
            }
            Store::put_table(tx, &input)?;
            Ok(input)
        })?;
        self.emit_table_change("UpdateTable", &db, &updated.name, Vec::new());
        Ok(updated)
    }

    pub fn delete_table(&self, database: &str, name: &str) -> Result<()> {
        let (db, name) = self.remove_table(database, name)?;
        self.emit_database_change("DeleteTable", &db, vec![name]);
        Ok(())
    }

    /// Deletes a table; answers the database and table names as stored.
    fn remove_table(&self, database: &str, name: &str) -> Result<(String, String)> {
        let db = names::entity(database, "databaseName")?;
        let name = names::entity(name, "name")?;
        let arn = self.arn(&format!("table/{db}/{name}"));
        self.store.write(|tx| {
            self.require_database(tx, &db)?;
            if Store::get_table(tx, &db, &name)?.is_none() {
                return Err(not_found(&name));
            }
            self.store.delete_table(tx, &db, &name)?;
            Store::remove_tags_under(tx, &arn)
        })?;
        Ok((db, name))
    }

    pub fn batch_delete_table(&self, database: &str, tables: &[String]) -> Result<Vec<TableError>> {
        let db = names::entity(database, "databaseName")?;
        self.store.read(|c| self.require_database(c, &db).map(drop))?;
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for t in tables {
            match self.remove_table(&db, t) {
                Ok((_, name)) => deleted.push(name),
                Err(e) => errors.push(TableError::from_error(t, None, e)),
            }
        }
        self.emit_database_change("BatchDeleteTable", &db, deleted);
        Ok(errors)
    }

    /// Archived versions of a table, newest first, paged by version id.
    pub fn get_table_versions(
        &self,
        database: &str,
        name: &str,
        next_token: Option<&str>,
        max: Option<i64>,
    ) -> Result<(Vec<Table>, Option<String>)> {
        let db = names::entity(database, "databaseName")?;
        let name = names::entity(name, "tableName")?;
        let before: Option<i64> = paging::decode(next_token)?.and_then(|s| s.parse().ok());
        let limit = paging::page_size(max, 100, 100)?;
        let versions = self.store.read(|c| {
            self.require_database(c, &db)?;
            Store::get_table(c, &db, &name)?.ok_or_else(|| not_found(&name))?;
            Store::table_versions(c, &db, &name)
        })?;
        let mut page: Vec<Table> = versions
            .into_iter()
            .filter(|t| before.is_none_or(|b| t.version_id < b))
            .take(limit + 1)
            .collect();
        let next = (page.len() > limit).then(|| {
            page.truncate(limit);
            paging::encode(&page[limit - 1].version_id.to_string())
        });
        Ok((page, next))
    }

    /// One version of a table; the current one when `version_id` is None.
    pub fn get_table_version(&self, database: &str, name: &str, version_id: Option<&str>) -> Result<Table> {
        let Some(v) = version_id else {
            return self.get_table(database, name);
        };
        let wanted = parse_version(v)?;
        let (versions, _) = self.get_table_versions(database, name, None, Some(100))?;
        let mut all = versions;
        if all.len() == 100 {
            let db = names::entity(database, "databaseName")?;
            let name = names::entity(name, "tableName")?;
            all = self.store.read(|c| Store::table_versions(c, &db, &name))?;
        }
        all.into_iter()
            .find(|t| t.version_id == wanted)
            .ok_or_else(|| CatalogError::NotFound(format!("Version {v} of table {name} not found.")))
    }

    pub fn delete_table_version(&self, database: &str, name: &str, version_id: &str) -> Result<()> {
        let db = names::entity(database, "databaseName")?;
        let name = names::entity(name, "tableName")?;
        let v = parse_version(version_id)?;
        self.store.write(|tx| {
            self.require_database(tx, &db)?;
            let current = Store::get_table(tx, &db, &name)?.ok_or_else(|| not_found(&name))?;
            if current.version_id == v {
                return Err(CatalogError::InvalidInput(
                    "Cannot delete the current version of a table.".into(),
                ));
            }
            if !Store::delete_table_version(tx, &db, &name, v)? {
                return Err(CatalogError::NotFound(format!(
                    "Version {version_id} of table {name} not found."
                )));
            }
            Ok(())
        })
    }

    pub fn batch_delete_table_version(
        &self,
        database: &str,
        name: &str,
        versions: &[String],
    ) -> Result<Vec<TableError>> {
        Ok(versions
            .iter()
            .filter_map(|v| {
                self.delete_table_version(database, name, v)
                    .err()
                    .map(|e| TableError::from_error(name, Some(v.clone()), e))
            })
            .collect())
    }

    /// SearchTables: tables across databases whose name, description,
    /// columns or parameters contain `text`, and that pass every filter.
    pub fn search_tables(
        &self,
        text: Option<&str>,
        filters: &[SearchFilter],
        next_token: Option<&str>,
        max: Option<i64>,
    ) -> Result<(Vec<Table>, Option<String>)> {
        let limit = paging::page_size(max, 100, 1000)?;
        let after = paging::decode(next_token)?;
        let text = text.map(str::to_lowercase).filter(|t| !t.is_empty());
        let all = self.store.read(Store::all_tables)?;
        let mut out = Vec::new();
        // The token is the JSON pair [database, table], compared as a pair in
        // the order the rows come (by database, then name).
        let after: Option<(String, String)> = match after {
            None => None,
            Some(a) => Some(serde_json::from_str(&a).map_err(|_| paging::invalid_token())?),
        };
        for t in all {
            if after
                .as_ref()
                .is_some_and(|(db, name)| (t.database_name.as_str(), t.name.as_str()) <= (db.as_str(), name.as_str()))
            {
                continue;
            }
            if text.as_ref().is_some_and(|q| !table_mentions(&t, q)) {
                continue;
            }
            if !filters.iter().all(|f| filter_holds(&t, f)) {
                continue;
            }
            if out.len() == limit {
                let token = out
                    .last()
                    .map(|t: &Table| paging::encode(&serde_json::json!([t.database_name, t.name]).to_string()));
                return Ok((out, token));
            }
            out.push(t);
        }
        Ok((out, None))
    }
}

/// GetTables' `Expression` is a regular expression, but Glue also accepts
/// the Hive wildcard form (`sales*`): a `*` not after `.` means "anything".
fn table_pattern(e: &str) -> String {
    let mut out = String::with_capacity(e.len() + 4);
    let mut prev = None;
    for c in e.chars() {
        if c == '*' && prev != Some('.') && prev != Some('\\') {
            out.push_str(".*");
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

fn parse_version(v: &str) -> Result<i64> {
    v.parse()
        .map_err(|_| CatalogError::InvalidInput(format!("Invalid table version id: {v}")))
}

fn table_mentions(t: &Table, q: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(q);
    has(&t.name)
        || t.description.as_deref().is_some_and(has)
        || t.parameters.iter().any(|(k, v)| has(k) || has(v))
        || t.partition_keys.iter().any(|c| has(&c.name))
        || t.storage_descriptor.as_ref().is_some_and(|sd| {
            sd.columns
                .iter()
                .any(|c| has(&c.name) || c.comment.as_deref().is_some_and(has))
                || sd.location.as_deref().is_some_and(has)
        })
}

fn filter_holds(t: &Table, f: &SearchFilter) -> bool {
    let actual: Option<String> = match f.key.as_str() {
        "DatabaseName" | "databaseName" => Some(t.database_name.clone()),
        "TableName" | "tableName" | "Name" | "name" => Some(t.name.clone()),
        "Description" | "description" => t.description.clone(),
        "Owner" | "owner" => t.owner.clone(),
        "TableType" | "tableType" => t.table_type.clone(),
        "Location" | "location" => t.location().map(str::to_owned),
        key => t.parameters.get(key).cloned(),
    };
    let Some(actual) = actual else { return false };
    let ord = actual.as_str().cmp(f.value.as_str());
    match f.comparator.as_str() {
        "GREATER_THAN" => ord.is_gt(),
        "LESS_THAN" => ord.is_lt(),
        "GREATER_THAN_EQUALS" => ord.is_ge(),
        "LESS_THAN_EQUALS" => ord.is_le(),
        // EQUALS (the default) matches case-insensitively, as the console's search does.
        _ => actual.eq_ignore_ascii_case(&f.value),
    }
}
