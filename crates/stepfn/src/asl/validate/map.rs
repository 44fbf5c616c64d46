//! Map states: the item processor and its mode, where items come from (`ItemsPath`, `Items`,
//! `ItemReader`), how they are batched, where results go, and the concurrency and failure limits.

use serde_json::{Map, Value};

use super::checker::{Checker, IntRange, StateCtx};
use super::fields::{
    BRANCH_FIELDS, ITEM_BATCHER_FIELDS, ITEM_READER_FIELDS, MAX_READER_ITEMS, PROCESSOR_FIELDS, READER_CONFIG_FIELDS,
    RESULT_WRITER_FIELDS,
};
use super::location::Loc;
use super::syntax::is_item_reader_resource;
use super::values::PathRule;
use super::{MachineType, msg};
use crate::asl::model::{
    CommonFields, CsvHeaderLocation, ExecutionType, InputType, ItemBatcher, ItemProcessor, ItemReader, MapState,
    ProcessorConfig, ProcessorMode, QueryLanguage, ReaderConfig, ResultWriter, ValueOrPath,
};

impl Checker<'_> {
    pub(super) fn map(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<MapState> {
        let transition = self.transition(ctx);
        let processor = self.item_processor(ctx);
        let items_path = if ctx.jsonpath() {
            self.path_string(ctx.obj, "ItemsPath", PathRule::Reference { context: true }, ctx.loc)
        } else {
            None
        };
        let items = self.items(ctx);
        let item_selector = self.template(ctx.obj, "ItemSelector", ctx.language, ctx.loc);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let max_concurrency = self.int_or_path(ctx, "MaxConcurrency", "MaxConcurrencyPath", IntRange::at_least(0));
        let item_reader = self.item_reader(ctx);
        let item_batcher = self.item_batcher(ctx);
        let result_writer = self.result_writer(ctx);
        let tolerated_failure_count = self.int_or_path(
            ctx,
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            IntRange::at_least(0),
        );
        let tolerated_failure_percentage = self.tolerated_failure_percentage(ctx);
        let label = self.string(ctx.obj, "Label", ctx.loc);
        let result_selector = self.jsonpath_template(ctx, "ResultSelector");
        let result_path = self.result_path(ctx);
        let retry = self.retriers(ctx);
        let catch = self.catchers(ctx);
        Some(MapState {
            common,
            transition: transition?,
            processor: processor?,
            items_path,
            items,
            item_selector,
            parameters,
            max_concurrency,
            item_reader,
            item_batcher,
            result_writer,
            tolerated_failure_count,
            tolerated_failure_percentage,
            label,
            result_selector,
            result_path,
            retry,
            catch,
        })
    }

    fn item_processor(&mut self, ctx: StateCtx<'_, '_>) -> Option<ItemProcessor> {
        let (key, legacy, allowed) = match (ctx.has("ItemProcessor"), ctx.has("Iterator")) {
            (true, true) => {
                self.schema(ctx.loc, msg::only_one_of(&["ItemProcessor", "Iterator"]));
                return None;
            }
            (false, false) => {
                self.schema(ctx.loc, msg::exactly_one_of(&["ItemProcessor", "Iterator"]));
                return None;
            }
            (true, false) => ("ItemProcessor", false, PROCESSOR_FIELDS),
            (false, true) => ("Iterator", true, BRANCH_FIELDS),
        };
        let value = ctx.get(key)?;
        let at = ctx.loc.field(key);
        let config = match value.as_object() {
            Some(obj) if !legacy => self.processor_config(obj, &at),
            _ => Some(ProcessorConfig::default()),
        };
        let body = self.sub_machine(value, allowed, &at);
        Some(ItemProcessor {
            config: config?,
            legacy_iterator: legacy,
            body: body?,
        })
    }

    fn processor_config(&mut self, processor: &Map<String, Value>, loc: &Loc) -> Option<ProcessorConfig> {
        let Some(config) = self.object(processor, "ProcessorConfig", loc) else {
            return (!processor.contains_key("ProcessorConfig")).then(ProcessorConfig::default);
        };
        let at = loc.field("ProcessorConfig");
        self.unsupported_fields(config, &[&["Mode", "ExecutionType"]], &at);
        let mode = match self
            .enumerated(config, "Mode", &["INLINE", "DISTRIBUTED"], &at)
            .as_deref()
        {
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            _ => ProcessorMode::Inline,
        };
        let execution_type = match self
            .enumerated(config, "ExecutionType", &["STANDARD", "EXPRESS"], &at)
            .as_deref()
        {
            Some("STANDARD") => Some(ExecutionType::Standard),
            Some(_) => Some(ExecutionType::Express),
            None => None,
        };
        match mode {
            ProcessorMode::Distributed => {
                self.required(config, &["ExecutionType"], &at);
                if self.options.machine_type == MachineType::Express {
                    self.schema(&at.field("Mode"), msg::EXPRESS_DISTRIBUTED);
                }
            }
            ProcessorMode::Inline if config.contains_key("ExecutionType") => {
                self.schema(&at, msg::unsupported("ExecutionType"));
            }
            ProcessorMode::Inline => {}
        }
        Some(ProcessorConfig { mode, execution_type })
    }

    fn items(&mut self, ctx: StateCtx<'_, '_>) -> Option<Value> {
        if ctx.jsonpath() {
            return None;
        }
        let value = ctx.get("Items")?;
        if !value.is_array() && Self::jsonata_expression(value, ctx.language).is_none() {
            self.schema(&ctx.loc.field("Items"), msg::expected_type("Array"));
        }
        Some(value.clone())
    }

    fn tolerated_failure_percentage(&mut self, ctx: StateCtx<'_, '_>) -> Option<ValueOrPath<f64>> {
        let (key, path_key) = ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath");
        if !self.at_most_one(ctx.obj, &[key, path_key], ctx.loc) {
            return None;
        }
        if let Some(value) = ctx.get(key) {
            if let Some(expression) = Self::jsonata_expression(value, ctx.language) {
                return Some(ValueOrPath::Jsonata(expression));
            }
            return self
                .number_value(value, &ctx.loc.field(key), 0.0, Some(100.0))
                .map(ValueOrPath::Value);
        }
        if !ctx.jsonpath() {
            return None;
        }
        self.path_string(ctx.obj, path_key, PathRule::Reference { context: false }, ctx.loc)
            .map(ValueOrPath::Path)
    }

    fn item_reader(&mut self, ctx: StateCtx<'_, '_>) -> Option<ItemReader> {
        let reader = self.object(ctx.obj, "ItemReader", ctx.loc)?;
        let at = ctx.loc.field("ItemReader");
        self.unsupported_fields(reader, &[ITEM_READER_FIELDS], &at);
        self.required(reader, &["Resource"], &at);
        let resource = self.string(reader, "Resource", &at);
        if resource
            .as_deref()
            .is_some_and(|resource| !is_item_reader_resource(resource))
        {
            self.schema(&at.field("Resource"), msg::ITEM_READER_RESOURCE);
        }
        let reader_config = self.reader_config(reader, ctx.language, &at);
        let parameters = self.template(reader, "Parameters", QueryLanguage::JsonPath, &at);
        let arguments = reader.get("Arguments").cloned();
        Some(ItemReader {
            resource: resource?,
            reader_config,
            parameters,
            arguments,
        })
    }

    fn reader_config(
        &mut self,
        reader: &Map<String, Value>,
        language: QueryLanguage,
        loc: &Loc,
    ) -> Option<ReaderConfig> {
        let config = self.object(reader, "ReaderConfig", loc)?;
        let at = loc.field("ReaderConfig");
        self.unsupported_fields(config, &[READER_CONFIG_FIELDS], &at);
        self.nested_path_fields(config, language, &at);
        let input_type = self.input_type(config, &at);
        let csv_header_location = self.csv_header_location(config, input_type, &at);
        let csv_headers = self.string_list(config, "CSVHeaders", &at);
        let csv_delimiter = self.string(config, "CSVDelimiter", &at);
        let manifest_type = self.string(config, "ManifestType", &at);
        let max_items = self.int_or_path_in(
            config,
            "MaxItems",
            "MaxItemsPath",
            IntRange::between(0, MAX_READER_ITEMS),
            language,
            &at,
            PathRule::Reference { context: false },
        );
        Some(ReaderConfig {
            input_type,
            csv_header_location,
            csv_headers,
            csv_delimiter,
            manifest_type,
            max_items,
        })
    }

    fn input_type(&mut self, config: &Map<String, Value>, loc: &Loc) -> Option<InputType> {
        let names = ["CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"];
        Some(match self.enumerated(config, "InputType", &names, loc)?.as_str() {
            "CSV" => InputType::Csv,
            "JSON" => InputType::Json,
            "JSONL" => InputType::Jsonl,
            "MANIFEST" => InputType::Manifest,
            _ => InputType::Parquet,
        })
    }

    fn csv_header_location(
        &mut self,
        config: &Map<String, Value>,
        input_type: Option<InputType>,
        loc: &Loc,
    ) -> Option<CsvHeaderLocation> {
        let present = config.contains_key("CSVHeaderLocation");
        match input_type {
            Some(InputType::Csv) if !present => self.schema(loc, msg::CSV_HEADER_LOCATION_REQUIRED),
            Some(InputType::Json) if present => self.schema(loc, msg::unsupported("CSVHeaderLocation")),
            _ => {}
        }
        let location = match self
            .enumerated(config, "CSVHeaderLocation", &["FIRST_ROW", "GIVEN"], loc)?
            .as_str()
        {
            "GIVEN" => CsvHeaderLocation::Given,
            _ => CsvHeaderLocation::FirstRow,
        };
        if location == CsvHeaderLocation::Given {
            self.required(config, &["CSVHeaders"], loc);
        }
        Some(location)
    }

    fn item_batcher(&mut self, ctx: StateCtx<'_, '_>) -> Option<ItemBatcher> {
        let batcher = self.object(ctx.obj, "ItemBatcher", ctx.loc)?;
        let at = ctx.loc.field("ItemBatcher");
        self.unsupported_fields(batcher, &[ITEM_BATCHER_FIELDS], &at);
        self.nested_path_fields(batcher, ctx.language, &at);
        let rule = PathRule::Reference { context: false };
        let range = IntRange::at_least(0);
        let max_items_per_batch = self.int_or_path_in(
            batcher,
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            range,
            ctx.language,
            &at,
            rule,
        );
        let max_input_bytes_per_batch = self.int_or_path_in(
            batcher,
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
            range,
            ctx.language,
            &at,
            rule,
        );
        let batch_input = self.template(batcher, "BatchInput", ctx.language, &at);
        Some(ItemBatcher {
            max_items_per_batch,
            max_input_bytes_per_batch,
            batch_input,
        })
    }

    fn result_writer(&mut self, ctx: StateCtx<'_, '_>) -> Option<ResultWriter> {
        let writer = self.object(ctx.obj, "ResultWriter", ctx.loc)?;
        let at = ctx.loc.field("ResultWriter");
        self.unsupported_fields(writer, &[RESULT_WRITER_FIELDS], &at);
        Some(ResultWriter {
            resource: self.string(writer, "Resource", &at),
            parameters: self.template(writer, "Parameters", QueryLanguage::JsonPath, &at),
            arguments: writer.get("Arguments").cloned(),
            writer_config: self
                .object(writer, "WriterConfig", &at)
                .map(|config| Value::Object(config.clone())),
        })
    }
}
