//! Trino functions DataFusion lacks or spells with another meaning, as
//! scalar UDFs registered on every query's session. Names DataFusion has
//! under another spelling are renamed in `rewrite` instead.

mod array_shapes;
mod arrays;
mod avg;
mod binary;
mod bitwise;
mod case_and_hash;
mod date_udfs;
pub(crate) mod datetime;
mod entries;
mod json;
mod json_cast;
mod json_path_udfs;
mod json_udfs;
mod lambdas;
mod limits;
mod lists;
pub(super) mod network;
mod reduce;
mod regex;
mod regex_search;
mod rows;
pub(super) mod sql_json_path;
mod text;
mod text_udfs;
mod timestamp_nanos;
pub(super) mod try_expr;
mod type_name;
mod udf;
mod units;
mod vectors;
pub(super) mod zones;

use std::sync::{Arc, OnceLock};

use datafusion::logical_expr::{AggregateUDF, HigherOrderUDF, ScalarUDF};
use datafusion::prelude::SessionContext;

pub use type_name::trino_name as type_name;

/// Every Trino function lakestack adds, built once: each query's session
/// registers clones (an `Arc` each) instead of building ~300 functions anew.
struct Functions {
    scalar: Vec<ScalarUDF>,
    aggregate: Vec<AggregateUDF>,
    higher_order: Vec<Arc<HigherOrderUDF>>,
}

fn functions() -> &'static Functions {
    static FUNCTIONS: OnceLock<Functions> = OnceLock::new();
    FUNCTIONS.get_or_init(|| {
        let scalar = [
            array_shapes::udfs(),
            arrays::udfs(),
            binary::udfs(),
            bitwise::udfs(),
            case_and_hash::udfs(),
            date_udfs::udfs(),
            entries::udfs(),
            json_cast::udfs(),
            json_udfs::udfs(),
            json_path_udfs::udfs(),
            network::udfs(),
            regex::udfs(),
            regex_search::udfs(),
            rows::udfs(),
            text_udfs::udfs(),
            timestamp_nanos::udfs(),
            type_name::udfs(),
            units::udfs(),
            vectors::udfs(),
            zones::udfs(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let higher_order = [reduce::udf(), try_expr::udf()]
            .into_iter()
            .chain(lambdas::udfs())
            .map(Arc::new)
            .collect();
        Functions {
            scalar,
            // Trino's avg of a decimal, in place of DataFusion's under the same name.
            aggregate: vec![avg::udaf()],
            higher_order,
        }
    })
}

pub fn register(ctx: &SessionContext) {
    let all = functions();
    for udf in &all.scalar {
        ctx.register_udf(udf.clone());
    }
    for udaf in &all.aggregate {
        ctx.register_udaf(udaf.clone());
    }
    for f in &all.higher_order {
        ctx.register_higher_order_function(Arc::clone(f));
    }
    limits::register(ctx);
}
