//! Tags on databases, tables, crawlers, jobs, triggers and workflows, keyed
//! by the resource's ARN.

use lakestack_aws_protocol::Arn;

use crate::error::{CatalogError, Result};
use crate::store::Store;
use crate::{Catalog, names};

/// Glue allows at most 50 tags on a resource.
const MAX_TAGS: usize = 50;

impl Catalog {
    pub fn database_arn(&self, name: &str) -> String {
        self.arn(&format!("database/{name}"))
    }

    pub fn table_arn(&self, database: &str, name: &str) -> String {
        self.arn(&format!("table/{database}/{name}"))
    }

    pub fn crawler_arn(&self, name: &str) -> String {
        self.arn(&format!("crawler/{name}"))
    }

    pub fn job_arn(&self, name: &str) -> String {
        self.arn(&format!("job/{name}"))
    }

    /// The ARN of one of the catalog's resources (`table/sales/orders`), for
    /// the events it announces.
    pub fn resource_arn(&self, resource: &str) -> String {
        self.arn(resource)
    }

    /// Checks that the ARN names a database, table, crawler, job, trigger or
    /// workflow that exists, and
    /// returns it as tags are keyed: database and table names lower-cased, as Glue stores them.
    fn require_resource(&self, c: &rusqlite::Connection, arn: &str) -> Result<String> {
        let not_found = || CatalogError::NotFound(format!("Resource {arn} not found."));
        let resource = Arn::parse(arn)
            .filter(|a| {
                a.partition == "aws"
                    && a.service == "glue"
                    && a.region == self.settings.region
                    && a.account == self.settings.account_id
            })
            .ok_or_else(|| CatalogError::InvalidInput(format!("Invalid ARN: {arn}")))?
            .resource;
        // A job's, trigger's or workflow's name may hold `/`: all after the
        // kind is the name.
        let named = if let Some(name) = resource.strip_prefix("job/") {
            Some(Store::get_job(c, name)?.is_some())
        } else if let Some(name) = resource.strip_prefix("trigger/") {
            Some(Store::get_trigger(c, name)?.is_some())
        } else if let Some(name) = resource.strip_prefix("workflow/") {
            Some(Store::get_workflow(c, name)?.is_some())
        } else {
            None
        };
        if let Some(exists) = named {
            return if exists { Ok(arn.to_owned()) } else { Err(not_found()) };
        }
        let parts: Vec<&str> = resource.split('/').collect();
        let (exists, canonical) = match parts.as_slice() {
            ["database", db] => {
                let db = names::entity(db, "resourceArn")?;
                (Store::get_database(c, &db)?.is_some(), self.database_arn(&db))
            }
            ["table", db, t] => {
                let (db, t) = (names::entity(db, "resourceArn")?, names::entity(t, "resourceArn")?);
                (Store::get_table(c, &db, &t)?.is_some(), self.table_arn(&db, &t))
            }
            ["crawler", name] => (Store::get_crawler(c, name)?.is_some(), arn.to_owned()),
            _ => (false, String::new()),
        };
        if exists { Ok(canonical) } else { Err(not_found()) }
    }

    pub fn tag_resource(&self, arn: &str, tags: Vec<(String, String)>) -> Result<()> {
        for (k, v) in &tags {
            if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
                return Err(CatalogError::InvalidInput(format!(
                    "Tag key must be 1 to 128 characters and value at most 256: {k}"
                )));
            }
        }
        self.store.write(|tx| {
            let arn = self.require_resource(tx, arn)?;
            let existing = Store::tags(tx, &arn)?;
            let new_keys = tags
                .iter()
                .filter(|(k, _)| !existing.iter().any(|(e, _)| e == k))
                .count();
            if existing.len() + new_keys > MAX_TAGS {
                return Err(CatalogError::InvalidInput(format!(
                    "A resource can have at most {MAX_TAGS} tags."
                )));
            }
            for (k, v) in &tags {
                Store::set_tag(tx, &arn, k, v)?;
            }
            Ok(())
        })
    }

    pub fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<()> {
        self.store.write(|tx| {
            let arn = self.require_resource(tx, arn)?;
            for k in keys {
                Store::remove_tag(tx, &arn, k)?;
            }
            Ok(())
        })
    }

    pub fn get_tags(&self, arn: &str) -> Result<Vec<(String, String)>> {
        self.store.read(|c| {
            let arn = self.require_resource(c, arn)?;
            Store::tags(c, &arn)
        })
    }
}
