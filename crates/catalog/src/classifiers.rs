//! Custom CSV and JSON classifiers that crawlers can name.

use lakestack_aws_protocol::validation::{Shown, Violation};

use crate::error::{CatalogError, Result};
use crate::model::{Classifier, now_millis};
use crate::store::Store;
use crate::{Catalog, names};

fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Classifier with name {name} not found"))
}

fn validate(c: &Classifier) -> Result<()> {
    names::check(c.name(), "name")?;
    match c {
        Classifier::Csv(csv) => {
            for (field, v) in [("delimiter", &csv.delimiter), ("quoteSymbol", &csv.quote_symbol)] {
                if v.as_ref().is_some_and(|s| s.chars().count() != 1) {
                    let member = format!("csvClassifier.{field}");
                    return Err(CatalogError::invalid(Violation::len_eq(&member, Shown::Hidden, 1)));
                }
            }
            if csv.delimiter.is_some() && csv.delimiter == csv.quote_symbol {
                return Err(CatalogError::InvalidInput(
                    "Delimiter and quote symbol must be different.".into(),
                ));
            }
            if let Some(h) = csv.contains_header.as_deref()
                && !matches!(h, "PRESENT" | "ABSENT" | "UNKNOWN")
            {
                return Err(CatalogError::invalid(Violation::one_of(
                    "csvClassifier.containsHeader",
                    h,
                    &["UNKNOWN", "PRESENT", "ABSENT"],
                )));
            }
        }
        Classifier::Json(j) => {
            if !(j.json_path.starts_with('$')) {
                return Err(CatalogError::InvalidInput(format!(
                    "Invalid JsonPath {:?}: it must start with $",
                    j.json_path
                )));
            }
        }
    }
    Ok(())
}

fn stamp(c: &mut Classifier, created: i64, version: i64) {
    let now = now_millis();
    match c {
        Classifier::Csv(x) => {
            x.creation_time = created;
            x.last_updated = now;
            x.version = version;
        }
        Classifier::Json(x) => {
            x.creation_time = created;
            x.last_updated = now;
            x.version = version;
        }
    }
}

fn version_of(c: &Classifier) -> (i64, i64) {
    match c {
        Classifier::Csv(x) => (x.creation_time, x.version),
        Classifier::Json(x) => (x.creation_time, x.version),
    }
}

impl Catalog {
    pub fn create_classifier(&self, mut c: Classifier) -> Result<()> {
        validate(&c)?;
        stamp(&mut c, now_millis(), 1);
        self.store.write(|tx| {
            if Store::get_classifier(tx, c.name())?.is_some() {
                return Err(CatalogError::AlreadyExists(format!(
                    "Classifier with name {} already exists",
                    c.name()
                )));
            }
            Store::put_classifier(tx, &c)
        })
    }

    pub fn update_classifier(&self, mut c: Classifier) -> Result<()> {
        validate(&c)?;
        self.store.write(|tx| {
            let current = Store::get_classifier(tx, c.name())?.ok_or_else(|| not_found(c.name()))?;
            if std::mem::discriminant(&current) != std::mem::discriminant(&c) {
                return Err(CatalogError::InvalidInput(format!(
                    "Classifier {} is of another type.",
                    c.name()
                )));
            }
            let (created, version) = version_of(&current);
            stamp(&mut c, created, version + 1);
            Store::put_classifier(tx, &c)
        })
    }

    pub fn get_classifier(&self, name: &str) -> Result<Classifier> {
        self.store
            .read(|c| Store::get_classifier(c, name))?
            .ok_or_else(|| not_found(name))
    }

    pub fn get_classifiers(&self) -> Result<Vec<Classifier>> {
        self.store.read(Store::list_classifiers)
    }

    pub fn delete_classifier(&self, name: &str) -> Result<()> {
        if self.store.write(|tx| Store::delete_classifier(tx, name))? {
            Ok(())
        } else {
            Err(not_found(name))
        }
    }
}
