//! Athena's saved resources: work groups, named queries and prepared
//! statements, kept beside the executions in `queries.sqlite`.

use lakestack_aws_protocol::validation::{Shown, Violation};
use serde::{Deserialize, Serialize};

use crate::engine::QueryEngine;
use crate::error::{QueryError, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkGroup {
    pub name: String,
    pub description: String,
    /// ENABLED or DISABLED.
    pub state: String,
    pub output_location: Option<String>,
    pub enforce: bool,
    pub created_ms: i64,
}

impl WorkGroup {
    pub fn primary() -> Self {
        Self {
            name: "primary".into(),
            state: "ENABLED".into(),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamedQuery {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub database: String,
    pub query: String,
    pub workgroup: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreparedStatement {
    pub name: String,
    pub workgroup: String,
    pub query: String,
    pub description: Option<String>,
    pub last_modified_ms: i64,
}

/// The kinds of resource rows, as stored.
pub const WORKGROUP: &str = "workgroup";
pub const NAMED_QUERY: &str = "named_query";
pub const PREPARED: &str = "prepared";

pub fn prepared_key(workgroup: &str, name: &str) -> String {
    format!("{workgroup}/{name}")
}

/// `EXECUTE name [USING v1, v2]` → (name, the USING values as SQL text).
pub fn parse_execute(sql: &str) -> Option<Result<(String, Vec<String>)>> {
    let trimmed = sql.trim().trim_end_matches(';');
    let rest = trimmed.get(..8).filter(|p| p.eq_ignore_ascii_case("execute "))?;
    let _ = rest;
    let rest = trimmed[8..].trim();
    let (name, args) = match rest.find(|c: char| c.is_whitespace()) {
        None => (rest, ""),
        Some(i) => (&rest[..i], rest[i..].trim()),
    };
    let name = name.trim_matches('"').to_lowercase();
    if args.is_empty() {
        return Some(Ok((name, Vec::new())));
    }
    let Some(using) = args.get(..6).filter(|u| u.eq_ignore_ascii_case("using ")) else {
        return Some(Err(QueryError::InvalidRequest(format!(
            "line 1:{}: mismatched input '{}'. Expecting: 'USING', <EOF>",
            sql.len() - args.len() + 1,
            args.split_whitespace().next().unwrap_or_default()
        ))));
    };
    let _ = using;
    Some(Ok((name, split_values(&args[6..]))))
}

/// Splits `1, 'a,b', date '2024-01-01'` at top-level commas.
fn split_values(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_string = false;
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth -= 1,
            ',' if !in_string && depth == 0 => {
                out.push(cur.trim().to_owned());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn check_name(name: &str, what: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(QueryError::InvalidRequest(
            Violation::pattern(what, Shown::Value(name.to_owned()), "[a-zA-Z0-9._-]{1,128}").message(),
        ))
    }
}

impl QueryEngine {
    /// A work group by name; `primary` always exists.
    pub fn workgroup(&self, name: &str) -> Result<WorkGroup> {
        match self.store.get_resource::<WorkGroup>(WORKGROUP, name)? {
            Some(w) => Ok(w),
            None if name == "primary" => Ok(WorkGroup::primary()),
            None => Err(QueryError::InvalidRequest(format!("WorkGroup {name} is not found."))),
        }
    }

    pub fn create_workgroup(&self, mut w: WorkGroup) -> Result<()> {
        check_name(&w.name, "name")?;
        w.state = "ENABLED".into();
        w.created_ms = now_ms();
        if w.name == "primary" || !self.store.insert_resource(WORKGROUP, &w.name, &w)? {
            return Err(QueryError::InvalidRequest(format!(
                "WorkGroup {} is already created",
                w.name
            )));
        }
        Ok(())
    }

    pub fn update_workgroup(&self, name: &str, f: impl FnOnce(&mut WorkGroup)) -> Result<()> {
        let mut w = self.workgroup(name)?;
        f(&mut w);
        if !matches!(w.state.as_str(), "ENABLED" | "DISABLED") {
            return Err(QueryError::InvalidRequest(format!(
                "Invalid work group state {}",
                w.state
            )));
        }
        self.store.put_resource(WORKGROUP, name, &w)
    }

    pub fn delete_workgroup(&self, name: &str) -> Result<()> {
        if name == "primary" {
            return Err(QueryError::InvalidRequest(
                "Cannot delete the primary workgroup.".into(),
            ));
        }
        if !self.store.delete_resource(WORKGROUP, name)? {
            return Err(QueryError::InvalidRequest(format!("WorkGroup {name} is not found.")));
        }
        Ok(())
    }

    pub fn list_workgroups(&self) -> Result<Vec<WorkGroup>> {
        let mut all: Vec<WorkGroup> = self.store.list_resources(WORKGROUP)?;
        if !all.iter().any(|w| w.name == "primary") {
            all.push(WorkGroup::primary());
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    pub fn create_named_query(&self, mut q: NamedQuery) -> Result<String> {
        if q.name.is_empty() || q.query.is_empty() || q.database.is_empty() {
            return Err(QueryError::InvalidRequest(
                "Name, Database and QueryString are required and must not be empty".into(),
            ));
        }
        if q.workgroup.is_empty() {
            q.workgroup = "primary".into();
        }
        self.workgroup(&q.workgroup)?;
        q.id = uuid::Uuid::new_v4().to_string();
        self.store.put_resource(NAMED_QUERY, &q.id, &q)?;
        Ok(q.id)
    }

    pub fn named_query(&self, id: &str) -> Result<NamedQuery> {
        self.store
            .get_resource(NAMED_QUERY, id)?
            .ok_or_else(|| QueryError::InvalidRequest(format!("NamedQuery {id} was not found")))
    }

    pub fn update_named_query(&self, q: NamedQuery) -> Result<()> {
        let current = self.named_query(&q.id)?;
        let updated = NamedQuery {
            workgroup: current.workgroup,
            database: current.database,
            ..q
        };
        self.store.put_resource(NAMED_QUERY, &updated.id, &updated)
    }

    pub fn delete_named_query(&self, id: &str) -> Result<()> {
        if !self.store.delete_resource(NAMED_QUERY, id)? {
            return Err(QueryError::InvalidRequest(format!("NamedQuery {id} was not found")));
        }
        Ok(())
    }

    pub fn named_queries(&self, workgroup: &str) -> Result<Vec<NamedQuery>> {
        Ok(self
            .store
            .list_resources::<NamedQuery>(NAMED_QUERY)?
            .into_iter()
            .filter(|q| q.workgroup == workgroup)
            .collect())
    }

    pub fn put_prepared(&self, p: PreparedStatement, create: bool) -> Result<()> {
        check_name(&p.name, "statementName")?;
        self.workgroup(&p.workgroup)?;
        let key = prepared_key(&p.workgroup, &p.name);
        let exists = self.store.get_resource::<PreparedStatement>(PREPARED, &key)?.is_some();
        if create && exists {
            return Err(QueryError::InvalidRequest(format!(
                "Prepared Statement {} already exists in WorkGroup {}",
                p.name, p.workgroup
            )));
        }
        if !create && !exists {
            return Err(QueryError::NotFound(format!(
                "Prepared Statement {} was not found in WorkGroup {}",
                p.name, p.workgroup
            )));
        }
        let p = PreparedStatement {
            last_modified_ms: now_ms(),
            ..p
        };
        self.store.put_resource(PREPARED, &key, &p)
    }

    pub fn prepared(&self, workgroup: &str, name: &str) -> Result<PreparedStatement> {
        self.store
            .get_resource(PREPARED, &prepared_key(workgroup, name))?
            .ok_or_else(|| {
                QueryError::NotFound(format!(
                    "Prepared Statement {name} was not found in WorkGroup {workgroup}"
                ))
            })
    }

    pub fn delete_prepared(&self, workgroup: &str, name: &str) -> Result<()> {
        if !self.store.delete_resource(PREPARED, &prepared_key(workgroup, name))? {
            return Err(QueryError::NotFound(format!(
                "Prepared Statement {name} was not found in WorkGroup {workgroup}"
            )));
        }
        Ok(())
    }

    pub fn prepared_statements(&self, workgroup: &str) -> Result<Vec<PreparedStatement>> {
        Ok(self
            .store
            .list_resources::<PreparedStatement>(PREPARED)?
            .into_iter()
            .filter(|p| p.workgroup == workgroup)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_statements() {
        let (name, args) = parse_execute("EXECUTE my_stmt USING 1, 'a,b', date '2024-01-01'")
            .unwrap()
            .unwrap();
        assert_eq!(name, "my_stmt");
        assert_eq!(args, ["1", "'a,b'", "date '2024-01-01'"]);
        assert_eq!(parse_execute("execute s").unwrap().unwrap(), ("s".to_owned(), vec![]));
        assert!(parse_execute("SELECT 1").is_none());
        assert!(parse_execute("EXECUTE s WITH 1").unwrap().is_err());
    }
}
