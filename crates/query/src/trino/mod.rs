//! The Trino (Athena engine v3) dialect over DataFusion: statements parse
//! with lambdas, Trino spellings are rewritten into DataFusion's, and the
//! Trino functions DataFusion lacks are registered on the session.

mod dialect;
mod functions;
mod rewrite;
mod tokens;
mod types;
mod unnest;

use datafusion::dataframe::DataFrame;
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement;

pub use dialect::TrinoDialect;
pub(crate) use functions::datetime;
pub use functions::{register, type_name};
pub use tokens::parse_statements;

/// A query's session: DataFusion's, with Trino's types known to its planner.
pub fn session(
    config: datafusion::prelude::SessionConfig,
    runtime: std::sync::Arc<datafusion::execution::runtime_env::RuntimeEnv>,
) -> SessionContext {
    let state = datafusion::execution::session_state::SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .with_type_planner(std::sync::Arc::new(types::TrinoTypes))
        .build();
    SessionContext::new_with_state(state)
}

/// Parses one statement as Athena users write it, rewritten for DataFusion.
pub fn parse(sql: &str) -> Result<Statement> {
    crate::sandbox::check_chains(sql)?;
    let mut statements = tokens::parse_statements(sql)?;
    let mut statement = match (statements.pop_front(), statements.is_empty()) {
        (Some(s), true) => s,
        (None, _) => {
            return Err(DataFusionError::Plan(
                "No SQL statements were provided in the query string".into(),
            ));
        }
        (Some(_), false) => {
            return Err(DataFusionError::Plan("Only one sql statement must be executed".into()));
        }
    };
    if let Statement::Statement(s) = &mut statement {
        rewrite::rewrite(s.as_mut()).map_err(|e| DataFusionError::SQL(Box::new(e), None))?;
    }
    Ok(statement)
}

/// Plans a query on `ctx`, whose session has the Trino functions registered.
/// Only a query (or EXPLAIN of one) is planned: see [`crate::sandbox`].
pub async fn plan(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
    let statement = parse(sql)?;
    crate::sandbox::check_statement(&statement)?;
    let plan = ctx.state().statement_to_plan(statement).await?;
    crate::sandbox::check_plan(&plan)?;
    ctx.execute_logical_plan(plan).await
}

/// The SQL/JSON path language on one input, for the fuzz target: parse
/// `path`, evaluate it over `input` when both parse.
#[doc(hidden)]
pub fn fuzz_json_path(path: &str, input: &str) {
    if let (Ok(p), Ok(json)) = (
        functions::sql_json_path::JsonPath::parse(path),
        serde_json::from_str::<serde_json::Value>(input),
    ) {
        let _ = p.evaluate(&json, &std::collections::HashMap::new());
    }
}
