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

use datafusion::prelude::SessionContext;

pub use type_name::trino_name as type_name;

pub fn register(ctx: &SessionContext) {
    let all = [
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
    ];
    for udf in all.into_iter().flatten() {
        ctx.register_udf(udf);
    }
    // Trino's avg of a decimal, in place of DataFusion's under the same name.
    ctx.register_udaf(avg::udaf());
    ctx.register_higher_order_function(std::sync::Arc::new(reduce::udf()));
    ctx.register_higher_order_function(std::sync::Arc::new(try_expr::udf()));
    for f in lambdas::udfs() {
        ctx.register_higher_order_function(std::sync::Arc::new(f));
    }
    limits::register(ctx);
}
