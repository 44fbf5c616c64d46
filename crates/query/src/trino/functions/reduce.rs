//! Trino's `reduce(array, initialState, inputFunction, outputFunction)`: a
//! fold whose state has the type the input function returns (the initial
//! state is cast to it), over each row's elements in order; NULL for a NULL
//! array, `outputFunction(initialState)` for an empty one.
//!
//! Lambdas run over whole columns, so the fold runs by position: step k
//! applies the input function once to every row that has a k-th element.
//! Rows are visited longest first, so the rows still folding are always a
//! prefix and the work is the number of elements, not rows × longest.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use datafusion::arrow::compute::{cast, concat, is_null, nullif, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature, HigherOrderUDF,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reduce {
    signature: HigherOrderSignature,
}

pub fn udf() -> HigherOrderUDF {
    HigherOrderUDF::new_from_impl(Reduce {
        signature: HigherOrderSignature::exact(
            vec![
                ValueOrLambda::Value(()),
                ValueOrLambda::Value(()),
                ValueOrLambda::Lambda(()),
                ValueOrLambda::Lambda(()),
            ],
            Volatility::Immutable,
        ),
    })
}

/// The element field of a list argument.
fn element(list: &FieldRef) -> Result<FieldRef> {
    match (super::lists::element_field(list.data_type()), list.data_type()) {
        (Some(f), _) => Ok(f),
        (None, DataType::Null) => Ok(Arc::new(Field::new("item", DataType::Null, true))),
        (None, other) => plan_err!(
            "Unexpected parameters ({}) for function reduce",
            crate::types::athena_type(other).0
        ),
    }
}

/// A lambda's result field, known once the planner has typed it.
fn output<V>(arg: &ValueOrLambda<V, Option<FieldRef>>) -> Option<FieldRef>
where
    V: AsRef<Field>,
{
    match arg {
        ValueOrLambda::Lambda(Some(f)) => Some(Arc::clone(f)),
        ValueOrLambda::Value(f) => Some(Arc::new(f.as_ref().clone())),
        ValueOrLambda::Lambda(None) => None,
    }
}

impl HigherOrderUDFImpl for Reduce {
    fn name(&self) -> &str {
        "reduce"
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [DataType::FixedSizeList(f, _) | DataType::LargeList(f), init] => {
                Ok(vec![DataType::List(Arc::clone(f)), init.clone()])
            }
            [list, init] => Ok(vec![list.clone(), init.clone()]),
            _ => plan_err!("reduce takes an array, an initial state and two functions"),
        }
    }

    fn coerce_values_for_lambdas(&self, fields: &[ValueOrLambda<DataType, DataType>]) -> Result<Option<Vec<DataType>>> {
        // The initial state takes the type the input function returns.
        match fields {
            [
                ValueOrLambda::Value(list),
                ValueOrLambda::Value(_),
                ValueOrLambda::Lambda(state),
                _,
            ] => Ok(Some(vec![list.clone(), state.clone()])),
            _ => Ok(None),
        }
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let [ValueOrLambda::Value(list), ValueOrLambda::Value(init), merge, _] = fields else {
            return plan_err!("reduce takes an array, an initial state and two functions");
        };
        let elem = element(list)?;
        // The state is what the input function makes of it; until that is
        // typed (the first step), the initial state's type stands in.
        Ok(match output(merge) {
            Some(state) => {
                // A decimal sum grows a digit each step it is typed again:
                // the state takes the widest precision so one type holds.
                let state = match state.data_type() {
                    DataType::Decimal128(_, s) => {
                        Arc::new(state.as_ref().clone().with_data_type(DataType::Decimal128(38, *s)))
                    }
                    _ => state,
                };
                LambdaParametersProgress::Complete(vec![vec![Arc::clone(&state), elem], vec![state]])
            }
            None => LambdaParametersProgress::Partial(vec![Some(vec![Arc::clone(init), elem]), None]),
        })
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs<'_>) -> Result<FieldRef> {
        match args.arg_fields {
            [_, _, _, ValueOrLambda::Lambda(out)] => Ok(Arc::new(Field::new("", out.data_type().clone(), true))),
            _ => plan_err!("reduce takes an array, an initial state and two functions"),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [list, init, merge, finish] = take_function_args(self.name(), &args.args)?;
        let (
            ValueOrLambda::Value(list),
            ValueOrLambda::Value(init),
            ValueOrLambda::Lambda(merge),
            ValueOrLambda::Lambda(finish),
        ) = (list, init, merge, finish)
        else {
            return exec_err!("reduce takes an array, an initial state and two functions");
        };
        let state_type = match args.arg_fields.get(2) {
            Some(ValueOrLambda::Lambda(f)) => f.data_type().clone(),
            _ => return exec_err!("reduce's input function has no type"),
        };
        let n = args.number_rows;
        let list = list.to_array(n)?;
        let init = cast(&init.to_array(n)?, &state_type)?;
        let folded = if list.data_type().is_null() {
            init
        } else {
            fold(&list, init, &state_type, merge)?
        };
        let all = |c: &[ArrayRef]| Ok(c.to_vec());
        let state = || Ok(Arc::clone(&folded));
        let out = finish.evaluate(&[&state], all)?.into_array(n)?;
        // A NULL array reduces to NULL.
        Ok(ColumnarValue::Array(nullif(&out, &is_null(&list)?)?))
    }
}

/// Every row's state after its last element, in row order.
fn fold(
    list: &ArrayRef,
    init: ArrayRef,
    state_type: &DataType,
    merge: &datafusion::logical_expr::LambdaArgument,
) -> Result<ArrayRef> {
    let list = list.as_list_opt::<i32>().ok_or_else(|| {
        datafusion::error::DataFusionError::Execution(format!("reduce expected an array, got {}", list.data_type()))
    })?;
    let offsets = list.value_offsets();
    let len = |row: usize| {
        if list.is_null(row) {
            0
        } else {
            (offsets[row + 1] - offsets[row]) as usize
        }
    };
    let mut order: Vec<u32> = (0..list.len() as u32).collect();
    order.sort_by_key(|&r| std::cmp::Reverse(len(r as usize)));
    let values = list.values();
    let mut state = take(&init, &UInt32Array::from(order.clone()), None)?;
    // Pieces of finished rows, from the shortest rows to the longest.
    let mut done: Vec<ArrayRef> = Vec::new();
    let mut step = 0usize;
    loop {
        let active = order.partition_point(|&r| len(r as usize) > step);
        if active < state.len() {
            done.push(state.slice(active, state.len() - active));
            state = state.slice(0, active);
        }
        if active == 0 {
            break;
        }
        let rows = UInt32Array::from(order[..active].to_vec());
        let at: UInt32Array = order[..active]
            .iter()
            .map(|&r| offsets[r as usize] as u32 + step as u32)
            .collect();
        let elems = take(values.as_ref(), &at, None)?;
        let current = Arc::clone(&state);
        let (s, e) = (|| Ok(Arc::clone(&current)), || Ok(Arc::clone(&elems)));
        let next = merge
            .evaluate(&[&s, &e], |captures| {
                captures.iter().map(|c| Ok(take(c.as_ref(), &rows, None)?)).collect()
            })?
            .into_array(active)?;
        state = cast(&next, state_type)?;
        step += 1;
    }
    done.reverse();
    let pieces: Vec<&dyn Array> = done.iter().map(|a| a.as_ref()).collect();
    let sorted = if pieces.is_empty() { state } else { concat(&pieces)? };
    // Back to row order.
    let mut back = vec![0u32; order.len()];
    for (p, &r) in order.iter().enumerate() {
        back[r as usize] = p as u32;
    }
    Ok(take(sorted.as_ref(), &UInt32Array::from(back), None)?)
}
