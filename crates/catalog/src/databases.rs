//! Databases: create, read, page through, update, and delete with everything in them.

use crate::error::{CatalogError, Result};
use crate::model::{Database, now_millis};
use crate::store::Store;
use crate::{Catalog, names, paging};

pub(crate) fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Database {name} not found."))
}

impl Catalog {
    pub fn create_database(&self, mut db: Database) -> Result<Database> {
        db.name = names::entity(&db.name, "databaseInput.name")?;
        db.create_time = now_millis();
        let db = self.store.write(|tx| {
            if Store::get_database(tx, &db.name)?.is_some() {
                return Err(CatalogError::AlreadyExists("Database already exists.".into()));
            }
            Store::put_database(tx, &db)?;
            Ok(db)
        })?;
        self.emit_database_change("CreateDatabase", &db.name, Vec::new());
        Ok(db)
    }

    pub fn get_database(&self, name: &str) -> Result<Database> {
        let name = names::entity(name, "name")?;
        self.store
            .read(|c| Store::get_database(c, &name))?
            .ok_or_else(|| not_found(&name))
    }

    /// One page of databases in name order, and the token of the next page.
    pub fn get_databases(&self, next_token: Option<&str>, max: Option<i64>) -> Result<(Vec<Database>, Option<String>)> {
        let after = paging::decode(next_token)?;
        let limit = paging::page_size(max, 100, 100)?;
        let mut page = self
            .store
            .read(|c| Store::list_databases(c, after.as_deref(), limit + 1))?;
        let next = (page.len() > limit).then(|| {
            page.truncate(limit);
            paging::encode(&page[limit - 1].name)
        });
        Ok((page, next))
    }

    /// Every database, in name order.
    pub fn all_databases(&self) -> Result<Vec<Database>> {
        self.store.read(|c| Store::list_databases(c, None, usize::MAX >> 1))
    }

    pub fn update_database(&self, name: &str, mut input: Database) -> Result<Database> {
        let name = names::entity(name, "name")?;
        input.name = names::entity(&input.name, "databaseInput.name")?;
        self.store.write(|tx| {
            let current = Store::get_database(tx, &name)?.ok_or_else(|| not_found(&name))?;
            if input.name != name {
                return Err(CatalogError::InvalidInput(
                    "Database name cannot be changed by UpdateDatabase.".into(),
                ));
            }
            input.create_time = current.create_time;
            Store::put_database(tx, &input)?;
            Ok(input)
        })
    }

    /// Deletes the database, its tables, their versions and partitions.
    pub fn delete_database(&self, name: &str) -> Result<()> {
        let name = names::entity(name, "name")?;
        let arn = self.arn(&format!("database/{name}"));
        let tables_arn = self.arn(&format!("table/{name}"));
        self.store.write(|tx| {
            if Store::get_database(tx, &name)?.is_none() {
                return Err(not_found(&name));
            }
            self.store.delete_database(tx, &name)?;
            Store::remove_tags_under(tx, &arn)?;
            Store::remove_tags_under(tx, &tables_arn)
        })?;
        self.emit_database_change("DeleteDatabase", &name, Vec::new());
        Ok(())
    }

    pub(crate) fn require_database(&self, c: &rusqlite::Connection, name: &str) -> Result<Database> {
        Store::get_database(c, name)?.ok_or_else(|| not_found(name))
    }
}
