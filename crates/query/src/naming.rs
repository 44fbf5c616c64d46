//! Result column names as Athena (Trino) gives them: an unaliased select
//! item that is not a plain column is `_col<position>` (`count(*)` is
//! `_col0`), a column reference keeps its name, an alias wins.

use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::{Expr, Query, SelectItem, SetExpr, Statement as SqlStatement};

/// The name of each output column, given the names DataFusion chose.
pub fn athena_names(sql: &str, df_names: &[String]) -> Vec<String> {
    let Some(items) = outer_select(sql) else {
        return df_names.to_vec();
    };
    let wildcards = items
        .iter()
        .filter(|i| matches!(i, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)))
        .count();
    if wildcards > 1 {
        return df_names.to_vec();
    }
    // A single `*` stands for however many columns the others leave.
    let star_width = df_names.len().saturating_sub(items.len() - wildcards);
    let mut out = Vec::with_capacity(df_names.len());
    for item in &items {
        let position = out.len();
        match item {
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                out.extend(df_names.iter().skip(position).take(star_width).cloned());
            }
            SelectItem::ExprWithAlias { alias, .. } => out.push(alias.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::Identifier(id)) => out.push(id.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(ids)) => {
                out.push(ids.last().map_or_else(String::new, |i| i.value.to_lowercase()));
            }
            _ => out.push(format!("_col{position}")),
        }
    }
    if out.len() == df_names.len() {
        out
    } else {
        df_names.to_vec()
    }
}

fn outer_select(sql: &str) -> Option<Vec<SelectItem>> {
    let mut statements = crate::trino::parse_statements(sql).ok()?;
    let Statement::Statement(s) = statements.pop_front()? else {
        return None;
    };
    let SqlStatement::Query(q) = *s else { return None };
    select_of(&q)
}

fn select_of(q: &Query) -> Option<Vec<SelectItem>> {
    match q.body.as_ref() {
        SetExpr::Select(s) => Some(s.projection.clone()),
        SetExpr::Query(inner) => select_of(inner),
        // A set operation takes its names from its first branch.
        SetExpr::SetOperation { left, .. } => match left.as_ref() {
            SetExpr::Select(s) => Some(s.projection.clone()),
            SetExpr::Query(inner) => select_of(inner),
            _ => None,
        },
        _ => None,
    }
}

/// Checks that `sql` parses; Err is the parser's message for SYNTAX_ERROR.
pub fn parse_error(sql: &str) -> Option<datafusion::error::DataFusionError> {
    crate::trino::parse_statements(sql).err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str, df: &[&str]) -> Vec<String> {
        athena_names(sql, &df.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn unaliased_expressions_are_col_n() {
        assert_eq!(
            names(
                "select count(*), sum(x) as total, t.y, z from t",
                &["count(*)", "total", "y", "z"]
            ),
            ["_col0", "total", "y", "z"]
        );
        assert_eq!(
            names("select *, 1 from t", &["a", "b", "Int64(1)"]),
            ["a", "b", "_col2"]
        );
        assert_eq!(
            names("select a + 1 from t union all select 2", &["t.a + Int64(1)"]),
            ["_col0"]
        );
        assert_eq!(
            names("with q as (select 1 as one) select one, 2 from q", &["one", "Int64(2)"]),
            ["one", "_col1"]
        );
    }
}
