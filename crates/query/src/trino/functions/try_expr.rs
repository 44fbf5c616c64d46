//! Trino's `TRY(expression)`: the expression's value, or NULL for each row
//! where evaluating it fails with a data error (division by zero, a bad
//! cast, an invalid function argument, a value out of range). Other
//! failures (resources, internal errors) still fail the query.
//!
//! The rewrite hands the expression over as the body of a lambda,
//! `trino_try(__try -> expression)`, so this function decides when to
//! evaluate it: once over the whole batch, and only when that fails, over
//! halves of the failing range until each failing row is found, so a batch
//! with k bad rows costs about k·log(rows) evaluations, not one per row.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, new_null_array};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature, HigherOrderUDF,
    HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda, Volatility,
};

/// The name the rewrite calls.
pub const NAME: &str = "trino_try";

/// Trino's error names that TRY turns into NULL.
const CAUGHT: &[&str] = &[
    "DIVISION_BY_ZERO",
    "INVALID_CAST_ARGUMENT",
    "INVALID_FUNCTION_ARGUMENT",
    "NUMERIC_VALUE_OUT_OF_RANGE",
];

#[derive(Debug, PartialEq, Eq, Hash)]
struct Try {
    signature: HigherOrderSignature,
}

pub fn udf() -> HigherOrderUDF {
    HigherOrderUDF::new_from_impl(Try {
        signature: HigherOrderSignature::exact(vec![ValueOrLambda::Lambda(())], Volatility::Immutable),
    })
}

/// Whether TRY answers NULL for this failure.
fn caught(e: &DataFusionError) -> bool {
    match e.find_root() {
        DataFusionError::ArrowError(..) => true,
        DataFusionError::Execution(msg) => match msg.split_once(": ") {
            Some((name, _)) if name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') => CAUGHT.contains(&name),
            // DataFusion's own functions refuse bad arguments in plain words.
            _ => true,
        },
        _ => false,
    }
}

/// The body over `rows` rows starting at `start`; the dummy parameter is a
/// column of NULLs and the captured columns are sliced alike.
fn evaluate(body: &LambdaArgument, start: usize, rows: usize) -> Result<ArrayRef> {
    let param = || Ok(new_null_array(&DataType::Null, rows));
    body.evaluate(&[&param], |captures| {
        Ok(captures.iter().map(|c| c.slice(start, rows)).collect())
    })?
    .into_array(rows)
}

impl HigherOrderUDFImpl for Try {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, _arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(vec![])
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        _fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        Ok(LambdaParametersProgress::Complete(vec![vec![Arc::new(Field::new(
            "",
            DataType::Null,
            true,
        ))]]))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs<'_>) -> Result<FieldRef> {
        match args.arg_fields {
            [ValueOrLambda::Lambda(out)] => Ok(Arc::new(Field::new("", out.data_type().clone(), true))),
            _ => plan_err!("TRY takes one expression"),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [body] = take_function_args(self.name(), &args.args)?;
        let ValueOrLambda::Lambda(body) = body else {
            return exec_err!("TRY takes one expression");
        };
        let n = args.number_rows;
        let out_type = args.return_type().clone();
        match evaluate(body, 0, n) {
            Ok(all) => return Ok(ColumnarValue::Array(all)),
            Err(e) if !caught(&e) => return Err(e),
            Err(_) => {}
        }
        // Pieces in row order; ranges still to split, the next one last.
        let mut pieces: Vec<ArrayRef> = Vec::new();
        let mut pending: Vec<(usize, usize, bool)> = vec![(0, n, true)];
        while let Some((start, rows, known_bad)) = pending.pop() {
            let result = if known_bad {
                None
            } else {
                Some(evaluate(body, start, rows))
            };
            match result {
                Some(Ok(values)) => pieces.push(values),
                Some(Err(e)) if !caught(&e) => return Err(e),
                _ if rows <= 1 => pieces.push(new_null_array(&out_type, rows)),
                _ => {
                    let half = rows / 2;
                    pending.push((start + half, rows - half, false));
                    pending.push((start, half, false));
                }
            }
        }
        let parts: Vec<&dyn Array> = pieces.iter().map(|a| a.as_ref()).collect();
        let joined = if parts.is_empty() {
            new_null_array(&out_type, 0)
        } else {
            concat(&parts)?
        };
        Ok(ColumnarValue::Array(joined))
    }
}
