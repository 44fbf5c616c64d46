//! SearchTables: tables across databases by text and property filters.

use serde::Deserialize;

use super::Answer;
use super::tables::table_list;
use crate::Catalog;
use crate::tables::SearchFilter;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SearchTablesRequest {
    catalog_id: Option<String>,
    search_text: Option<String>,
    #[serde(default)]
    filters: Vec<PropertyPredicate>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PropertyPredicate {
    key: String,
    value: String,
    comparator: Option<String>,
}

catalog_scoped!(SearchTablesRequest);

pub(super) fn tables(c: &Catalog, r: SearchTablesRequest) -> Answer {
    let filters: Vec<SearchFilter> = r
        .filters
        .into_iter()
        .map(|f| SearchFilter {
            key: f.key,
            value: f.value,
            comparator: f.comparator.unwrap_or_else(|| "EQUALS".into()),
        })
        .collect();
    let (tables, next_token) = c.search_tables(
        r.search_text.as_deref(),
        &filters,
        r.next_token.as_deref(),
        r.max_results,
    )?;
    table_list(c, &tables, next_token)
}
