//! Trino's `avg`: of a `decimal(p, s)` it is a `decimal(p, s)`, rounded half
//! up; DataFusion's is a `decimal(p + 4, s + 4)`, so `avg(price)` would show
//! `12.345000` where Athena shows `12.35`. This wraps DataFusion's `avg`
//! under the same name: its accumulators do the work at their own type (the
//! grouped one included, so nothing is slower) and each result is cast to
//! Trino's type at the end. Arrow's decimal cast rounds half away from zero,
//! which is Trino's HALF_UP; the accumulator's truncation at s + 4 digits
//! cannot change that decision. Other input types keep DataFusion's `avg`,
//! whose types already are Trino's (`double` for integers and doubles).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, ReversedUDAF, Signature,
};

#[derive(Debug, PartialEq, Eq, Hash)]
struct TrinoAvg {
    inner: AggregateUDF,
}

pub fn udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(TrinoAvg {
        inner: datafusion::functions_aggregate::average::avg_udaf().as_ref().clone(),
    })
}

/// Trino's result type for an argument type, where it differs from DataFusion's.
fn trino_type(arg: &DataType) -> Option<DataType> {
    match arg {
        DataType::Decimal128(p, s) => Some(DataType::Decimal128(*p, *s)),
        DataType::Decimal256(p, s) => Some(DataType::Decimal256(*p, *s)),
        _ => None,
    }
}

impl TrinoAvg {
    /// The arguments as DataFusion's avg wants them: its own return field.
    fn inner_field(&self, args: &AccumulatorArgs<'_>) -> Result<FieldRef> {
        let arg_types: Vec<DataType> = args.expr_fields.iter().map(|f| f.data_type().clone()).collect();
        let t = self.inner.return_type(&arg_types)?;
        Ok(Arc::new(Field::new(args.return_field.name(), t, true)))
    }

    fn inner_args<'a>(&self, args: &AccumulatorArgs<'a>) -> Result<AccumulatorArgs<'a>> {
        Ok(AccumulatorArgs {
            return_field: self.inner_field(args)?,
            ..args.clone()
        })
    }

    fn target(args: &AccumulatorArgs<'_>) -> Option<DataType> {
        args.expr_fields.first().and_then(|f| trino_type(f.data_type()))
    }
}

impl AggregateUDFImpl for TrinoAvg {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.inner().coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first().and_then(trino_type) {
            Some(t) => Ok(t),
            None => self.inner.return_type(arg_types),
        }
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner = self.inner.accumulator(self.inner_args(&args)?)?;
        Ok(match Self::target(&args) {
            Some(target) => Box::new(Rounded { inner, target }),
            None => inner,
        })
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        let arg_types: Vec<DataType> = args.input_fields.iter().map(|f| f.data_type().clone()).collect();
        let t = self.inner.return_type(&arg_types)?;
        self.inner.state_fields(StateFieldsArgs {
            return_field: Arc::new(Field::new(args.return_field.name(), t, true)),
            ..args
        })
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs<'_>) -> bool {
        self.inner_args(&args)
            .is_ok_and(|a| self.inner.groups_accumulator_supported(a))
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn GroupsAccumulator>> {
        let inner = self.inner.create_groups_accumulator(self.inner_args(&args)?)?;
        Ok(match Self::target(&args) {
            Some(target) => Box::new(RoundedGroups { inner, target }),
            None => inner,
        })
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner = self.inner.create_sliding_accumulator(self.inner_args(&args)?)?;
        Ok(match Self::target(&args) {
            Some(target) => Box::new(Rounded { inner, target }),
            None => inner,
        })
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Identical
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        ScalarValue::try_from(data_type)
    }
}

/// An accumulator whose result is cast to Trino's type.
#[derive(Debug)]
struct Rounded {
    inner: Box<dyn Accumulator>,
    target: DataType,
}

impl Accumulator for Rounded {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.inner.update_batch(values)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.inner.evaluate()?.cast_to(&self.target)
    }

    fn size(&self) -> usize {
        self.inner.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.inner.state()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.inner.merge_batch(states)
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.inner.retract_batch(values)
    }

    fn supports_retract_batch(&self) -> bool {
        self.inner.supports_retract_batch()
    }
}

/// The grouped accumulator, its results cast per emitted batch.
struct RoundedGroups {
    inner: Box<dyn GroupsAccumulator>,
    target: DataType,
}

impl GroupsAccumulator for RoundedGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.inner
            .update_batch(values, group_indices, opt_filter, total_num_groups)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(cast(&self.inner.evaluate(emit_to)?, &self.target)?)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        self.inner.state(emit_to)
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.inner.merge_batch(values, group_indices, total_num_groups)
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        self.inner.convert_to_state(values, opt_filter)
    }

    fn size(&self) -> usize {
        self.inner.size()
    }
}
