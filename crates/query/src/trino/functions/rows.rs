//! `CAST(row AS ROW(a T, b U))`: Trino casts a row to a row type field by
//! position, renaming as it goes; Arrow's struct cast matches fields by
//! name. `rewrite` turns such casts into `trino_cast_row(x, <NULL of the
//! target type>)`, the second argument carrying only the type.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StructArray, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::ScalarUDF;

use super::udf::{Arg, Fun, Returns};

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new(
            "trino_cast_row",
            &[Arg::Any, Arg::Any],
            Returns::Computed(|args| match args {
                [_, target @ DataType::Struct(_)] => Ok(target.clone()),
                _ => plan_err!("trino_cast_row casts to a row type"),
            }),
            cast_row,
        )
        .udf(),
    ]
}

fn cast_row(args: &[ArrayRef], returns: &DataType) -> Result<ArrayRef> {
    let x = &args[0];
    let DataType::Struct(target) = returns else {
        return exec_err!("trino_cast_row casts to a row type");
    };
    if x.data_type().is_null() {
        return Ok(new_null_array(returns, x.len()));
    }
    let Some(s) = x.as_struct_opt() else {
        return exec_err!("Cannot cast {} to row", crate::types::athena_type(x.data_type()).0);
    };
    if s.num_columns() != target.len() {
        return exec_err!(
            "Cannot cast {} to {}",
            crate::types::athena_type(x.data_type()).0,
            crate::types::athena_type(returns).0
        );
    }
    let columns = s
        .columns()
        .iter()
        .zip(target.iter())
        .map(|(c, f)| Ok(cast(c, f.data_type())?))
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(StructArray::try_new(
        target.clone(),
        columns,
        s.nulls().cloned(),
    )?))
}
