//! Record format conversion end to end: records in, a Parquet or ORC file
//! out, read back with the formats' own Arrow readers.

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int32Type, Int64Type, TimestampMillisecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use lakestack_firehose::convert::{
    BATCH_ROWS, Column, ConvertError, Converter, DataCatalogTable, ErrorDocument, MALFORMED_DATA, MAX_RECORD_BYTES,
    MAX_RECORD_CELLS, Mismatch, Options, PARSE_ERROR, RecordError, SchemaProblem, extension,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/convert");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

fn columns(spec: &[(&str, &str)]) -> Vec<Column> {
    spec.iter().map(|(n, t)| Column::new(*n, *t)).collect()
}

fn all_columns() -> Vec<Column> {
    columns(&[
        ("s", "string"),
        ("vc", "varchar(10)"),
        ("ch", "char(3)"),
        ("ti", "tinyint"),
        ("si", "smallint"),
        ("i", "int"),
        ("bi", "bigint"),
        ("f", "float"),
        ("d", "double"),
        ("dec", "decimal(10,2)"),
        ("b", "boolean"),
        ("dt", "date"),
        ("ts", "timestamp"),
        ("bin", "binary"),
        ("arr", "array<int>"),
        ("m", "map<string,bigint>"),
        ("st", "struct<name:string,tags:array<string>,inner:struct<x:double>>"),
        ("aos", "array<struct<k:string,v:int>>"),
        ("mk", "map<int,string>"),
    ])
}

fn options(conf: Value) -> Options {
    Options::from_json(&conf).unwrap()
}

fn openx_parquet(openx: Value, parquet: Value) -> Options {
    options(json!({
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": openx}},
        "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": parquet}},
    }))
}

fn read_parquet(file: Vec<u8>) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(Bytes::from(file))
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn read_orc(file: Vec<u8>) -> Vec<RecordBatch> {
    orc_rust::ArrowReaderBuilder::try_new(Bytes::from(file))
        .unwrap()
        .build()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Batches as JSON objects, one per row (arrow-json's rendering: nulls
/// left out, timestamps ISO, decimals and binaries as strings).
fn json_rows(batches: &[RecordBatch]) -> Vec<Value> {
    let mut w = arrow_json::LineDelimitedWriter::new(Vec::new());
    w.write_batches(&batches.iter().collect::<Vec<_>>()).unwrap();
    w.finish().unwrap();
    String::from_utf8(w.into_inner())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn expected_rows(name: &str) -> Vec<Value> {
    fixture(name)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn convert(columns: &[Column], options: &Options, records: &[&[u8]]) -> (Vec<u8>, Vec<Result<(), RecordError>>) {
    let mut c = Converter::new(columns, options, Vec::new()).unwrap();
    let results = records.iter().map(|r| c.push(r, 1_000)).collect();
    (c.finish().unwrap(), results)
}

fn push_lines(c: &mut Converter<Vec<u8>>, text: &str) {
    for line in text.lines() {
        c.push(line.as_bytes(), 1_700_000_000_000).unwrap();
    }
}

#[test]
fn parquet_holds_every_type_with_exact_values() {
    let mut c = Converter::new(&all_columns(), &Options::default(), Vec::new()).unwrap();
    push_lines(&mut c, &fixture("all_types.jsonl"));
    assert_eq!(c.rows(), 6);
    let batches = read_parquet(c.finish().unwrap());
    // arrow-json renders maps with string keys only: `mk` is checked below.
    let schema = batches[0].schema();
    let rendered: Vec<usize> = (0..schema.fields().len())
        .filter(|i| schema.field(*i).name() != "mk")
        .collect();
    let without_mk: Vec<RecordBatch> = batches.iter().map(|b| b.project(&rendered).unwrap()).collect();
    assert_eq!(json_rows(&without_mk), expected_rows("all_types.expected.jsonl"));

    let types: Vec<String> = schema.fields().iter().map(|f| f.data_type().to_string()).collect();
    let t = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(t("s"), DataType::Utf8);
    assert_eq!(t("vc"), DataType::Utf8);
    assert_eq!(t("ti"), DataType::Int8);
    assert_eq!(t("si"), DataType::Int16);
    assert_eq!(t("i"), DataType::Int32);
    assert_eq!(t("bi"), DataType::Int64);
    assert_eq!(t("f"), DataType::Float32);
    assert_eq!(t("d"), DataType::Float64);
    assert_eq!(t("dec"), DataType::Decimal128(10, 2));
    assert_eq!(t("b"), DataType::Boolean);
    assert_eq!(t("dt"), DataType::Date32);
    assert_eq!(t("ts"), DataType::Timestamp(TimeUnit::Millisecond, None));
    assert_eq!(t("bin"), DataType::Binary);
    assert!(matches!(t("arr"), DataType::List(_)), "{types:?}");
    assert!(matches!(t("m"), DataType::Map(_, false)));
    assert!(matches!(t("st"), DataType::Struct(f) if f.len() == 3));

    // The values behind the JSON rendering, for the types it renders loosely.
    let b = &batches[0];
    let col = |name: &str| b.column(schema.index_of(name).unwrap()).clone();
    let ts = col("ts");
    let ts = ts.as_primitive::<TimestampMillisecondType>();
    assert_eq!(ts.value(0), 1_486_480_381_392);
    assert_eq!(ts.value(2), 1_486_480_381_000);
    assert_eq!(ts.value(4), 1_486_480_381_123);
    assert_eq!(ts.value(5), 1_486_480_381_500);
    let dec = col("dec");
    let dec = dec.as_primitive::<Decimal128Type>();
    assert_eq!(dec.value(0), 1_234_567_891);
    assert_eq!(dec.value(2), 1_235);
    assert_eq!(dec.value(4), -1);
    assert_eq!(col("bin").as_binary::<i32>().value(2), &[0u8, 1, 255]);
    assert_eq!(col("bi").as_primitive::<Int64Type>().value(0), i64::MIN);
    assert_eq!(
        col("d").as_primitive::<arrow_array::types::Float64Type>().value(4),
        -0.0015
    );
    let arr = col("arr");
    let arr = arr.as_list::<i32>();
    assert!(arr.is_null(1) && arr.is_null(3) && !arr.is_null(2) && arr.value(2).is_empty());
    assert_eq!(
        arr.value(0).as_primitive::<Int32Type>().iter().collect::<Vec<_>>(),
        [Some(1), Some(2), None, Some(4)]
    );
    // A map entry whose value is null is kept (the rendering drops it).
    let m = col("m");
    let m = m.as_map();
    assert_eq!(m.value_length(0), 2);
    assert_eq!(m.keys().as_string::<i32>().value(1), "b");
    assert!(m.values().is_null(1));
    // map<int,string>: the JSON keys, read as ints.
    let mk = col("mk");
    let mk = mk.as_map();
    assert_eq!(mk.value_length(0), 2);
    assert_eq!(mk.keys().as_primitive::<Int32Type>().values().to_vec(), [1, -2]);
    assert_eq!(mk.values().as_string::<i32>().value(1), "two");
    assert!(mk.is_null(1) && mk.is_valid(2) && mk.value_length(2) == 0);
}

#[test]
fn orc_holds_every_primitive_type() {
    let cols: Vec<Column> = all_columns().into_iter().take(14).filter(|c| c.name != "dec").collect();
    let opts = options(json!({
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
        "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {"Compression": "ZLIB"}}},
    }));
    assert_eq!(extension(&opts), ".orc");
    let mut c = Converter::new(&cols, &opts, Vec::new()).unwrap();
    push_lines(&mut c, &fixture("all_types.jsonl"));
    // ORC cannot store the second before the epoch (ORC-763): that record
    // fails, not the object.
    let err = c.push(br#"{"ts": "1969-12-31 23:59:59.5"}"#, 0).unwrap_err();
    assert_eq!(err.code(), MALFORMED_DATA);
    assert_eq!(c.rows(), 6);
    let file = c.finish().unwrap();
    assert_eq!(&file[..3], b"ORC");
    let meta = orc_rust::ArrowReaderBuilder::try_new(Bytes::from(file.clone())).unwrap();
    assert_eq!(meta.file_metadata().number_of_rows(), 6);
    let compression = meta.file_metadata().compression().map(|c| c.compression_type());
    assert!(matches!(
        compression,
        Some(orc_rust::compression::CompressionType::Zlib)
    ));
    let batches = read_orc(file);
    let schema = batches[0].schema();
    let t = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(t("ti"), DataType::Int8);
    assert_eq!(t("f"), DataType::Float32);
    assert_eq!(t("dt"), DataType::Date32);
    assert_eq!(t("bin"), DataType::Binary);
    assert!(matches!(t("ts"), DataType::Timestamp(_, None)));
    // Same values as the Parquet file, for the columns ORC holds.
    let keep: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    let expected: Vec<Value> = expected_rows("all_types.expected.jsonl")
        .into_iter()
        .map(|row| {
            let Value::Object(o) = row else { panic!() };
            Value::Object(o.into_iter().filter(|(k, _)| keep.contains(&k.as_str())).collect())
        })
        .collect();
    assert_eq!(json_rows(&batches), expected);
}

#[test]
fn orc_refuses_what_its_writer_cannot_write() {
    let opts = options(json!({
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
        "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}},
    }));
    for t in ["decimal(5,1)", "array<int>", "map<string,int>", "struct<a:int>"] {
        let err = Converter::new(&columns(&[("a", "int"), ("x", t)]), &opts, Vec::new())
            .err()
            .unwrap();
        assert!(
            matches!(&err, ConvertError::InvalidSchema { column, problem: SchemaProblem::NotInOrc, .. } if column == "x"),
            "{t}: {err}"
        );
        assert_eq!(err.code(), "DataFormatConversion.InvalidSchema");
    }
}

#[test]
fn schemas_that_cannot_be_written_are_refused_up_front() {
    let opts = Options::default();
    let err = |spec: &[(&str, &str)]| Converter::new(&columns(spec), &opts, Vec::new()).err().unwrap();
    assert!(matches!(err(&[]), ConvertError::NoColumns));
    assert_eq!(err(&[]).to_string(), "The schema is invalid. The table has no columns.");
    assert!(matches!(
        err(&[("a", "geometry")]),
        ConvertError::InvalidSchema {
            problem: SchemaProblem::Unparsable { .. },
            ..
        }
    ));
    assert!(matches!(
        err(&[("a", "int"), ("A", "string")]),
        ConvertError::InvalidSchema {
            problem: SchemaProblem::DuplicateName,
            ..
        }
    ));
    assert!(matches!(
        err(&[("a", "struct<>")]),
        ConvertError::InvalidSchema {
            problem: SchemaProblem::EmptyStruct,
            ..
        }
    ));
    assert!(matches!(
        err(&[("a", "map<struct<x:int>,int>")]),
        ConvertError::InvalidSchema {
            problem: SchemaProblem::MapKey,
            ..
        }
    ));
    let deep = format!("{}int{}", "array<".repeat(500), ">".repeat(500));
    assert!(matches!(
        err(&[("a", &deep)]),
        ConvertError::InvalidSchema {
            problem: SchemaProblem::Unparsable { .. },
            ..
        }
    ));
}

#[test]
fn openx_key_rules() {
    let cols = columns(&[
        ("user_id", "bigint"),
        ("ts", "string"),
        ("a_b", "string"),
        ("camel", "string"),
    ]);
    let record = br#"{"User_ID": 1, "timestamp": "t", "a.b": "dotted", "Camel": "c"}"#;
    let row = |opts: &Options| json_rows(&read_parquet(convert(&cols, opts, &[record]).0)).remove(0);

    // Defaults: case-insensitive, no mappings, dots kept.
    assert_eq!(
        row(&openx_parquet(json!({}), json!({}))),
        json!({"user_id": 1, "camel": "c"})
    );
    assert_eq!(
        row(&openx_parquet(
            json!({"ColumnToJsonKeyMappings": {"ts": "timestamp"}, "ConvertDotsInJsonKeysToUnderscores": true}),
            json!({})
        )),
        json!({"user_id": 1, "ts": "t", "a_b": "dotted", "camel": "c"})
    );
    // Case-sensitive: only exact keys (and mapped ones) match.
    assert_eq!(
        row(&openx_parquet(
            json!({"CaseInsensitive": false, "ColumnToJsonKeyMappings": {"camel": "Camel"}}),
            json!({})
        )),
        json!({"camel": "c"})
    );
    // Keys the rules make equal are refused, as OpenX's "Duplicate key".
    let (_, results) = convert(
        &cols,
        &openx_parquet(json!({}), json!({})),
        &[br#"{"URL": 1, "Url": 2}"#],
    );
    let err = results[0].clone().unwrap_err();
    assert_eq!(err.code(), PARSE_ERROR);
    assert_eq!(err.to_string(), "Encountered malformed JSON. Duplicate key \"url\"");
}

#[test]
fn failed_records_have_aws_codes_and_do_not_stop_the_others() {
    let cols = columns(&[
        ("ticker", "string"),
        ("price", "double"),
        ("qty", "int"),
        ("tags", "array<string>"),
    ]);
    let records: [&[u8]; 9] = [
        br#"{"ticker": "AAA", "price": 1.5, "qty": 10}"#,
        b"this is not json at all\n",
        br#"{"ticker": "BAD", "price": "oops"}"#,
        b"42",
        br#"[{"ticker": "A"}, {"ticker": "B"}]"#,
        b"  \n",
        br#"{"ticker": "C", "tags": "not an array"}"#,
        br#"{"ticker": "D", "qty": 3000000000}"#,
        br#"{"ticker": "MISSING_FIELDS"}"#,
    ];
    let (file, results) = convert(&cols, &Options::default(), &records);
    let errors: Vec<(&str, String)> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.code(), e.to_string()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                PARSE_ERROR,
                "Encountered malformed JSON. expected ident at line 1 column 2".to_owned()
            ),
            (
                MALFORMED_DATA,
                "Data does not match the schema. For input string: \"oops\"".to_owned()
            ),
            (
                MALFORMED_DATA,
                "The input JSON contained a primitive at the top level. The top level must be an object or array."
                    .to_owned()
            ),
            (
                MALFORMED_DATA,
                "Data does not match the schema. An array of JSON documents is not a valid record; send the \
                 documents one after the other instead."
                    .to_owned()
            ),
            (
                MALFORMED_DATA,
                "The record was empty or contained only whitespace.".to_owned()
            ),
            (
                MALFORMED_DATA,
                "Data does not match the schema. Column tags: expected an array, found a string".to_owned()
            ),
            (
                MALFORMED_DATA,
                "Data does not match the schema. Column qty: value 3000000000 is out of range for int".to_owned()
            ),
        ]
    );
    assert_eq!(
        results[2],
        Err(RecordError::Mismatch {
            column: "price".into(),
            problem: Mismatch::InputString { text: "oops".into() }
        })
    );
    assert_eq!(
        json_rows(&read_parquet(file)),
        [
            json!({"ticker": "AAA", "price": 1.5, "qty": 10}),
            json!({"ticker": "MISSING_FIELDS"})
        ]
    );
}

#[test]
fn a_record_fails_as_a_whole() {
    let cols = columns(&[("a", "int"), ("s", "struct<inner:struct<n:int>>")]);
    let mut c = Converter::new(&cols, &Options::default(), Vec::new()).unwrap();
    // Two documents, the second bad: neither is kept.
    let err = c.push(br#"{"a": 1}{"a": "x"}"#, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Data does not match the schema. For input string: \"x\""
    );
    let err = c.push(br#"{"a": 1}{"a": 2"#, 0).unwrap_err();
    assert_eq!(err.code(), PARSE_ERROR);
    // A nested mismatch names its path.
    let err = c.push(br#"{"s": {"inner": {"n": true}}}"#, 0).unwrap_err();
    assert_eq!(
        err,
        RecordError::Mismatch {
            column: "s.inner.n".into(),
            problem: Mismatch::WrongKind {
                expected: "an integer",
                found: lakestack_firehose::convert::JsonKind::Boolean
            }
        }
    );
    assert_eq!(c.rows(), 0);
    c.push(b"{\"a\": 1}\n{\"a\": 2}\n", 0).unwrap();
    assert_eq!(c.rows(), 2);
    assert_eq!(
        json_rows(&read_parquet(c.finish().unwrap())),
        [json!({"a": 1}), json!({"a": 2})]
    );
}

#[test]
fn hive_deserializer_formats_and_strictness() {
    let opts = options(json!({
        "InputFormatConfiguration": {"Deserializer": {"HiveJsonSerDe": {"TimestampFormats": ["millis", "dd/MM/yyyy HH:mm"]}}},
        "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}},
    }));
    let cols = columns(&[
        ("id", "int"),
        ("ts", "timestamp"),
        ("name", "string"),
        ("amount", "decimal(6,2)"),
    ]);
    let (file, results) = convert(
        &cols,
        &opts,
        &[
            br#"{"ID": 1, "ts": 1486480381000, "amount": "12.5"}"#,
            br#"{"id": 2, "ts": "07/02/2017 15:13"}"#,
            br#"{"id": 3, "ts": "2017-02-07 15:13:01.5"}"#,
            br#"{"id": "4"}"#,
            br#"{"id": 5, "ts": "2017-02-07T15:13:01Z"}"#,
            br#"{"id": 6, "name": {"nested": true}}"#,
        ],
    );
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            "Data does not match the schema. Column id: expected an integer, found a string",
            "Data does not match the schema. Column ts: cannot parse \"2017-02-07T15:13:01Z\" as a timestamp",
            "Data does not match the schema. Column name: expected a string, found an object",
        ]
    );
    assert_eq!(
        json_rows(&read_parquet(file)),
        [
            json!({"id": 1, "ts": "2017-02-07T15:13:01", "amount": 12.5}),
            json!({"id": 2, "ts": "2017-02-07T15:13:00"}),
            json!({"id": 3, "ts": "2017-02-07T15:13:01.500"}),
        ]
    );
}

#[test]
fn parquet_options_are_in_the_file() {
    let cols = columns(&[("s", "string"), ("n", "bigint")]);
    let records: Vec<Vec<u8>> = (0..100)
        .map(|i| format!(r#"{{"s": "value {}", "n": {i}}}"#, i % 3).into_bytes())
        .collect();
    let records: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    for (conf, compression) in [
        (json!({}), Compression::SNAPPY),
        (json!({"Compression": "GZIP"}), Compression::GZIP(Default::default())),
        (
            json!({"Compression": "UNCOMPRESSED", "WriterVersion": "V2"}),
            Compression::UNCOMPRESSED,
        ),
    ] {
        let (file, _) = convert(&cols, &openx_parquet(json!({}), conf.clone()), &records);
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(file)).unwrap();
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 100);
        let column = meta.row_group(0).column(0);
        assert_eq!(column.compression(), compression, "{conf}");
        let v2 = conf.get("WriterVersion").is_some();
        assert_eq!(meta.file_metadata().version(), if v2 { 2 } else { 1 });
        assert!(
            column.dictionary_page_offset().is_some(),
            "dictionaries are on by default"
        );
    }
    let (file, _) = convert(
        &cols,
        &openx_parquet(json!({}), json!({"EnableDictionaryCompression": false})),
        &records,
    );
    let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(file)).unwrap();
    assert!(
        reader
            .metadata()
            .row_group(0)
            .column(0)
            .dictionary_page_offset()
            .is_none()
    );
}

#[test]
fn an_empty_converter_writes_nothing() {
    let cols = columns(&[("a", "int")]);
    for opts in [
        Options::default(),
        options(json!({
            "InputFormatConfiguration": {"Deserializer": {"HiveJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}},
        })),
    ] {
        let c = Converter::new(&cols, &opts, Vec::new()).unwrap();
        assert_eq!(c.rows(), 0);
        assert_eq!(c.oldest_arrival_ms(), None);
        assert!(c.finish().unwrap().is_empty());
        // Only failing records: still no object.
        let (file, results) = convert(&cols, &opts, &[b"nope", b"[]"]);
        assert!(results.iter().all(Result::is_err));
        assert!(file.is_empty());
    }
}

#[test]
fn large_inputs_stream_through_bounded_batches() {
    let cols = columns(&[("n", "bigint"), ("s", "string")]);
    let mut c = Converter::new(&cols, &Options::default(), Vec::new()).unwrap();
    let total = BATCH_ROWS * 2 + 17;
    for i in 0..total {
        c.push(format!(r#"{{"n": {i}, "s": "row {i}"}}"#).as_bytes(), 5_000 - i as i64)
            .unwrap();
    }
    assert_eq!(c.rows(), total);
    assert_eq!(c.oldest_arrival_ms(), Some(5_000 - (total as i64 - 1)));
    let batches = read_parquet(c.finish().unwrap());
    let n: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(n, (0..total as i64).collect::<Vec<_>>());
}

#[test]
fn a_record_cannot_expand_without_bound() {
    // A 12 KB record of empty objects for a 64-field struct: 8,000 × 65 values.
    let fields: Vec<String> = (0..64).map(|i| format!("f{i}:int")).collect();
    let cols = vec![Column::new("a", format!("array<struct<{}>>", fields.join(",")))];
    let mut c = Converter::new(&cols, &Options::default(), Vec::new()).unwrap();
    let small = format!(r#"{{"a": [{}]}}"#, vec!["{}"; 1000].join(","));
    c.push(small.as_bytes(), 0).unwrap();
    let big = format!(r#"{{"a": [{}]}}"#, vec!["{}"; 40_000].join(","));
    assert_eq!(
        c.push(big.as_bytes(), 0),
        Err(RecordError::TooLarge {
            limit: MAX_RECORD_CELLS
        })
    );
    // Deep JSON stops at the parser's recursion limit, as a parse error.
    let deep = format!("{}1{}", r#"{"a":["#.repeat(200), "]}".repeat(200));
    assert_eq!(c.push(deep.as_bytes(), 0).unwrap_err().code(), PARSE_ERROR);
    // A record is parsed whole: its length is bounded too.
    let long = vec![b' '; MAX_RECORD_BYTES + 1];
    assert_eq!(
        c.push(&long, 0),
        Err(RecordError::TooLong {
            limit: MAX_RECORD_BYTES
        })
    );
    assert_eq!(c.rows(), 1);
    let batches = read_parquet(c.finish().unwrap());
    assert_eq!(batches[0].column(0).as_list::<i32>().value(0).len(), 1000);
}

#[test]
fn error_document_has_the_documented_shape() {
    let table = DataCatalogTable {
        catalog_id: Some("123456789012".into()),
        database_name: Some("db".into()),
        table_name: Some("events".into()),
        region: Some("us-east-1".into()),
        version_id: None,
        catalog_arn: None,
    };
    let err = RecordError::Primitive;
    let message = err.to_string();
    let doc = ErrorDocument {
        attempts_made: 1,
        arrival_ms: 1_700_000_000_000,
        code: err.code(),
        message: &message,
        attempt_ending_ms: 1_700_000_000_500,
        raw: b"42",
        sequence_number: None,
        sub_sequence_number: None,
        table: &table,
    };
    let line = doc.to_line();
    assert!(line.ends_with('\n'));
    let value: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        value,
        serde_json::from_str::<Value>(&fixture("error_document.json")).unwrap()
    );
    let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "attemptsMade",
            "arrivalTimestamp",
            "lastErrorCode",
            "lastErrorMessage",
            "attemptEndingTimestamp",
            "rawData",
            "dataCatalogTable"
        ]
    );
    let with_sequence = ErrorDocument {
        sequence_number: Some("4958"),
        sub_sequence_number: Some(0),
        ..doc
    };
    let value = with_sequence.to_json();
    assert_eq!(value["sequenceNumber"], "4958");
    assert_eq!(value["subSequenceNumber"], 0);
}

#[test]
fn converters_can_live_in_async_tasks() {
    fn send<T: Send>() {}
    send::<Converter<Vec<u8>>>();
    send::<Converter<std::fs::File>>();
}

#[test]
fn a_failing_sink_fails_the_object_not_the_records() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let cols = columns(&[("a", "int")]);
    let orc = options(json!({
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
        "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}},
    }));
    for opts in [Options::default(), orc] {
        let mut c = Converter::new(&cols, &opts, Broken).unwrap();
        for i in 0..BATCH_ROWS + 1 {
            c.push(format!(r#"{{"a": {i}}}"#).as_bytes(), 0).unwrap();
        }
        assert!(c.push(b"nope", 0).is_err());
        let err = c.finish().err().unwrap();
        assert_eq!(err.code(), "DataFormatConversion.InternalError");
        assert!(err.to_string().contains("disk full"), "{err}");
    }
}
