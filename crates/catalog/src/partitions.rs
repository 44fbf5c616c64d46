//! Partitions: single and batch writes with per-entry errors, and
//! GetPartitions over the in-memory index of a table's partition values, so a
//! selective predicate over 100,000 partitions reads only the rows it returns.

use crate::error::{CatalogError, Result};
use crate::model::{Partition, Table, now_millis};
use crate::store::{Store, values_key};
use crate::{Catalog, expr, names, paging, tables};

/// One failed entry of a batch partition operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionError {
    pub values: Vec<String>,
    pub code: &'static str,
    pub message: String,
}

impl PartitionError {
    fn new(values: &[String], e: &CatalogError) -> Self {
        Self {
            values: values.to_vec(),
            code: lakestack_aws_protocol::AwsError::code(e),
            message: e.to_string(),
        }
    }
}

/// One page of GetPartitions.
#[derive(Debug, Clone, Default)]
pub struct PartitionPage {
    pub partitions: Vec<Partition>,
    pub next_token: Option<String>,
}

/// The arguments of GetPartitions besides the table.
#[derive(Debug, Clone, Default)]
pub struct PartitionQuery<'a> {
    pub expression: Option<&'a str>,
    /// (SegmentNumber, TotalSegments).
    pub segment: Option<(i64, i64)>,
    pub next_token: Option<&'a str>,
    pub max_results: Option<i64>,
    pub exclude_column_schema: bool,
}

fn partition_not_found() -> CatalogError {
    CatalogError::NotFound("Cannot find partition.".into())
}

fn check_arity(table: &Table, values: &[String]) -> Result<()> {
    if values.len() != table.partition_keys.len() {
        return Err(CatalogError::InvalidInput(
            "The number of partition keys do not match the number of partition values".into(),
        ));
    }
    Ok(())
}

impl Catalog {
    fn partition_table(&self, c: &rusqlite::Connection, db: &str, table: &str) -> Result<Table> {
        self.require_database(c, db)?;
        Store::get_table(c, db, table)?.ok_or_else(|| tables::not_found(table))
    }

    pub fn create_partition(&self, database: &str, table: &str, p: Partition) -> Result<()> {
        match self
            .insert_partitions("CreatePartition", database, table, vec![p])?
            .pop()
        {
            None => Ok(()),
            Some(e) => Err(match e.code {
                "AlreadyExistsException" => CatalogError::AlreadyExists(e.message),
                "EntityNotFoundException" => CatalogError::NotFound(e.message),
                _ => CatalogError::InvalidInput(e.message),
            }),
        }
    }

    /// Creates each partition that is valid and new; the others come back as errors.
    pub fn batch_create_partition(
        &self,
        database: &str,
        table: &str,
        inputs: Vec<Partition>,
    ) -> Result<Vec<PartitionError>> {
        self.insert_partitions("BatchCreatePartition", database, table, inputs)
    }

    /// Creates partitions and announces those created as `op`.
    fn insert_partitions(
        &self,
        op: &'static str,
        database: &str,
        table: &str,
        inputs: Vec<Partition>,
    ) -> Result<Vec<PartitionError>> {
        let db = names::entity(database, "databaseName")?;
        let tbl = names::entity(table, "tableName")?;
        let now = now_millis();
        let mut created = Vec::new();
        let errors = self.store.write(|tx| {
            let t = self.partition_table(tx, &db, &tbl)?;
            let mut errors = Vec::new();
            for mut p in inputs {
                if let Err(e) = check_arity(&t, &p.values) {
                    errors.push(PartitionError::new(&p.values, &e));
                    continue;
                }
                p.database_name.clone_from(&db);
                p.table_name.clone_from(&tbl);
                p.create_time = now;
                if self.store.insert_partition(tx, &p)? {
                    created.push(p.values);
                } else {
                    let e = CatalogError::AlreadyExists("Partition already exists.".into());
                    errors.push(PartitionError::new(&p.values, &e));
                }
            }
            Ok(errors)
        })?;
        self.emit_table_change(op, &db, &tbl, created);
        Ok(errors)
    }

    pub fn get_partition(&self, database: &str, table: &str, values: &[String]) -> Result<Partition> {
        let db = names::entity(database, "databaseName")?;
        let tbl = names::entity(table, "tableName")?;
        self.store.read(|c| {
            self.partition_table(c, &db, &tbl)?;
            Store::get_partition(c, &db, &tbl, values)?.ok_or_else(partition_not_found)
        })
    }

    /// The partitions among `keys` that exist, in the order asked.
    pub fn batch_get_partition(&self, database: &str, table: &str, keys: &[Vec<String>]) -> Result<Vec<Partition>> {
        let db = names::entity(database, "databaseName")?;
        let tbl = names::entity(table, "tableName")?;
        self.store.read(|c| {
            self.partition_table(c, &db, &tbl)?;
            let mut out = Vec::with_capacity(keys.len());
            for k in keys {
                if let Some(p) = Store::get_partition(c, &db, &tbl, k)? {
                    out.push(p);
                }
            }
            Ok(out)
        })
    }

    pub fn get_partitions(&self, database: &str, table: &str, q: &PartitionQuery<'_>) -> Result<PartitionPage> {
        let db = names::entity(database, "databaseName")?;
        let tbl = names::entity(table, "tableName")?;
        if let Some(e) = q.expression {
            names::max_length(e, "expression", 2048)?;
        }
        let limit = paging::page_size(q.max_results, 1000, 1000)?;
        let t = self.store.read(|c| self.partition_table(c, &db, &tbl))?;
        let filter = match q.expression.map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(e) => Some(
                expr::parse(e)
                    .and_then(|x| x.bind(&t.key_types()))
                    .map_err(CatalogError::InvalidInput)?,
            ),
        };
        let index = self.store.partition_index(&db, &tbl)?;
        let (mut lo, hi) = match q.segment {
            None => (0, index.len()),
            Some((n, total)) => {
                if !(1..=10).contains(&total) || n < 0 || n >= total {
                    return Err(CatalogError::InvalidInput(format!(
                        "Invalid segment: SegmentNumber {n} must be at least 0 and less than TotalSegments {total}, which must be between 1 and 10"
                    )));
                }
                let (n, total) = (n as usize, total as usize);
                (index.len() * n / total, index.len() * (n + 1) / total)
            }
        };
        if let Some(after) = paging::decode(q.next_token)? {
            let after: Vec<String> = serde_json::from_str(&after).map_err(|_| paging::invalid_token())?;
            lo = lo.max(index.partition_point(|(v, _)| *v <= after));
        }
        let mut ids = Vec::new();
        let mut last = None;
        let mut more = false;
        for (values, id) in index[lo.min(hi)..hi].iter() {
            if filter.as_ref().is_none_or(|f| f.matches(values)) {
                if ids.len() == limit {
                    more = true;
                    break;
                }
                ids.push(*id);
                last = Some(values);
            }
        }
        let mut partitions = self.store.read(|c| Store::partitions_by_id(c, &db, &tbl, &ids))?;
        if q.exclude_column_schema {
            for p in &mut partitions {
                if let Some(sd) = p.storage_descriptor.as_mut() {
                    sd.columns.clear();
                }
            }
        }
        let next_token = more.then(|| last.map(|v| paging::encode(&values_key(v)))).flatten();
        Ok(PartitionPage { partitions, next_token })
    }

    /// Every partition matching `expression` (all of them when None), across all pages.
    pub fn all_partitions(&self, database: &str, table: &str, expression: Option<&str>) -> Result<Vec<Partition>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let q = PartitionQuery {
                expression,
                next_token: token.as_deref(),
                ..PartitionQuery::default()
            };
            let page = self.get_partitions(database, table, &q)?;
            out.extend(page.partitions);
            match page.next_token {
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
    }

    /// Replaces the partition `values` with `input` (which may carry new values).
    pub fn update_partition(&self, database: &str, table: &str, values: &[String], input: Partition) -> Result<()> {
        match self
            .replace_partitions("UpdatePartition", database, table, vec![(values.to_vec(), input)])?
            .pop()
        {
            None => Ok(()),
            Some(e) if e.code == "EntityNotFoundException" => Err(CatalogError::NotFound(e.message)),
            Some(e) => Err(CatalogError::InvalidInput(e.message)),
        }
    }

    pub fn batch_update_partition(
        &self,
        database: &str,
        table: &str,
        entries: Vec<(Vec<String>, Partition)>,
    ) -> Result<Vec<PartitionError>> {
        self.replace_partitions("BatchUpdatePartition", database, table, entries)
    }

    /// Replaces partitions and announces those replaced as `op`.
    fn replace_partitions(
        &self,
        op: &'static str,
        database: &str,
        table: &str,
        entries: Vec<(Vec<String>, Partition)>,
    ) -> Result<Vec<PartitionError>> {
        let db = names::entity(database, "databaseName")?;
        let tbl = names::entity(table, "tableName")?;
        let mut changed = Vec::new();
        let errors = self.store.write(|tx| {
            let t = self.partition_table(tx, &db, &tbl)?;
            let mut errors = Vec::new();
            for (values, mut p) in entries {
                let Some(current) = Store::get_partition(tx, &db, &tbl, &values)? else {
                    errors.push(PartitionError::new(&values, &partition_not_found()));
                    continue;
                };
                if p.values.is_empty() {
                    p.values.clone_from(&values);
                }
                if let Err(e) = check_arity(&t, &p.values) {
                    errors.push(PartitionError::new(&values, &e));
                    continue;
                }
                if p.values != values && Store::get_partition(tx, &db, &tbl, &p.values)?.is_some() {
                    let e = CatalogError::AlreadyExists("Partition already exists.".into());
                    errors.push(PartitionError::new(&values, &e));
                    continue;
                }
                p.database_name.clone_from(&db);
                p.table_name.clone_from(&tbl);
                p.create_time = current.create_time;
                self.store.replace_partition(tx, &values, &p)?;
                changed.push(values);
            }
            Ok(errors)
        })?;
        self.emit_table_change(op, &db, &tbl, changed);
        Ok(errors)
    }

    pub fn delete_partition(&self, database: &str, table: &str, values: &[String]) -> Result<()> {
        match self
            .remove_partitions("DeletePartition", database, table, &[values.to_vec()])?
            .pop()
        {
            None => Ok(()),
            Some(e) => Err(CatalogError::NotFound(e.message)),
        }
    }

    pub fn batch_delete_partition(
        &self,
        database: &str,
        table: &str,
        keys: &[Vec<String>],
    ) -> Result<Vec<PartitionError>> {
        self.remove_partitions("BatchDeletePartition", database, table, keys)
    }

    /// Deletes partitions and announces those deleted as `op`.
    fn remove_partitions(
        &self,
        op: &'static str,
        database: &str,
        table: &str,
        keys: &[Vec<String>],
    ) -> Result<Vec<PartitionError>> {
        let db = names::entity(database, "databaseName")?;
        let tbl = names::entity(table, "tableName")?;
        let mut deleted = Vec::new();
        let errors = self.store.write(|tx| {
            self.partition_table(tx, &db, &tbl)?;
            let mut errors = Vec::new();
            for values in keys {
                if self.store.delete_partition(tx, &db, &tbl, values)? {
                    deleted.push(values.clone());
                } else {
                    errors.push(PartitionError::new(values, &partition_not_found()));
                }
            }
            Ok(errors)
        })?;
        self.emit_table_change(op, &db, &tbl, deleted);
        Ok(errors)
    }
}
