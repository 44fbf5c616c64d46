//! Fixture-driven tests for keys (`tests/fixtures/keys_render.json`,
//! `tests/fixtures/keys_invalid.json`) and the rules the fixtures cannot hold.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::*;

const RENDER: &str = include_str!("../../tests/fixtures/keys_render.json");
const INVALID: &str = include_str!("../../tests/fixtures/keys_invalid.json");

fn cases(text: &str) -> Vec<Value> {
    match serde_json::from_str(text) {
        Ok(Value::Array(cases)) => cases,
        other => panic!("fixture is not an array: {other:?}"),
    }
}

fn text<'a>(case: &'a Value, field: &str) -> Option<&'a str> {
    case.get(field).and_then(Value::as_str)
}

fn pairs(case: &Value, field: &str) -> Vec<(String, String)> {
    match case.get(field) {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

fn strings(case: &Value, field: &str) -> Vec<String> {
    match case.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn settings_of<'a>(case: &'a Value, query_keys: &'a Option<Vec<String>>) -> PrefixSettings<'a> {
    PrefixSettings {
        prefix: text(case, "prefix"),
        error_output_prefix: text(case, "error_output_prefix"),
        dynamic_partitioning: case
            .get("dynamic_partitioning")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        metadata_query_keys: query_keys.as_deref(),
        shape: ApiShape::default(),
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn render_fixtures() {
    let all = cases(RENDER);
    assert!(all.len() >= 20);
    for case in &all {
        let name = text(case, "name").unwrap();
        let prefixes = validate(&settings_of(case, &None)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let zone = text(case, "zone").map(|z| parse_time_zone(z).unwrap().unwrap());
        let (query, lambda, random) = (pairs(case, "query"), pairs(case, "lambda"), strings(case, "random"));
        let ctx = KeyContext {
            time: utc(text(case, "time").unwrap()),
            zone,
            query_keys: &query,
            lambda_keys: &lambda,
            error_output_type: text(case, "error_output_type").map(|t| ErrorOutputType::from_name(t).unwrap()),
            random: &random,
        };
        if let Some(expected) = text(case, "data") {
            assert_eq!(prefixes.data.render(&ctx).as_deref(), Ok(expected), "{name}: data");
        }
        if let Some(expected) = text(case, "error") {
            assert_eq!(prefixes.error.render(&ctx).as_deref(), Ok(expected), "{name}: error");
        }
        if let Some(expected) = text(case, "key") {
            let object = &case["object"];
            let key = object_key(
                &prefixes.data,
                &ctx,
                object["stream"].as_str().unwrap(),
                object["version"].as_u64().unwrap(),
                object["uuid"].as_str().unwrap(),
                object["extension"].as_str().unwrap(),
            );
            assert_eq!(key.as_deref(), Ok(expected), "{name}: key");
        }
    }
}

#[test]
fn invalid_fixtures() {
    let all = cases(INVALID);
    assert!(all.len() >= 20);
    for case in &all {
        let name = text(case, "name").unwrap();
        let query_keys = case
            .get("metadata_query_keys")
            .map(|_| strings(case, "metadata_query_keys"));
        let err = validate(&settings_of(case, &query_keys)).expect_err(name);
        assert_eq!(err.code().map(ErrorCode::as_str), text(case, "code"), "{name}");
        assert_eq!(Some(err.message().as_str()), text(case, "message"), "{name}");
        assert_eq!(err.to_string(), err.message(), "{name}");
    }
}

#[test]
fn prefix_length_limits() {
    let long = "a".repeat(MAX_PREFIX_LENGTH + 1);
    let err = validate(&PrefixSettings {
        prefix: Some(&long),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Validation));
    assert_eq!(
        err.message(),
        format!(
            "1 validation error detected: Value '{long}' at 'extendedS3DestinationConfiguration.prefix' failed to satisfy constraint: Member must have length less than or equal to 1024"
        )
    );
    let err = validate(&PrefixSettings {
        error_output_prefix: Some(&long),
        shape: ApiShape::ExtendedS3DestinationUpdate,
        ..Default::default()
    })
    .unwrap_err();
    assert!(
        err.message()
            .contains("at 'extendedS3DestinationUpdate.errorOutputPrefix'")
    );

    // Java counts UTF-16 units: 600 "é" are 600 long (1200 bytes) and pass
    // the 1024 model limit, then fail the evaluated-length rule.
    let accents = "é".repeat(600);
    let err = validate(&PrefixSettings {
        prefix: Some(&accents),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.message(), "Length of evaluated prefix cannot be greater than 512");
    assert_eq!(
        err,
        KeyError::EvaluatedPrefixTooLong {
            role: PrefixRole::Data,
            min_length: 600
        }
    );

    let exactly = "a".repeat(MAX_EVALUATED_PREFIX_LENGTH);
    assert!(
        validate(&PrefixSettings {
            prefix: Some(&exactly),
            ..Default::default()
        })
        .is_ok()
    );

    // Expressions count one character each towards the create-time bound.
    let error = format!(
        "{}!{{firehose:error-output-type}}",
        "e".repeat(MAX_EVALUATED_PREFIX_LENGTH)
    );
    let err = validate(&PrefixSettings {
        error_output_prefix: Some(&error),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        err.message(),
        "Length of evaluated ErrorOutputPrefix cannot be greater than 512"
    );
}

#[test]
fn parse_alone_names_the_default_shape_and_is_retargetable() {
    let long = "x".repeat(1025);
    let err = Prefix::parse(&long, PrefixRole::Error, false).unwrap_err();
    assert!(
        err.message()
            .contains("'extendedS3DestinationConfiguration.errorOutputPrefix'")
    );
    let err = err.in_shape(ApiShape::S3DestinationConfiguration);
    assert!(err.message().contains("'s3DestinationConfiguration.errorOutputPrefix'"));
    assert_eq!(
        KeyError::ErrorOutputTypeInPrefix.in_shape(ApiShape::S3DestinationUpdate),
        KeyError::ErrorOutputTypeInPrefix
    );
}

#[test]
fn pattern_refusals_keep_javas_reason() {
    let err = Prefix::parse("!{timestamp:yyyy-tt}", PrefixRole::Data, false).unwrap_err();
    assert_eq!(
        err,
        KeyError::InvalidTimestampPattern {
            role: PrefixRole::Data,
            pattern: "yyyy-tt".to_owned(),
            problem: PatternProblem::UnknownLetter('t'),
        }
    );
    assert_eq!(
        err.detail().as_deref(),
        Some("!{timestamp:yyyy-tt}: Unknown pattern letter: t")
    );
}

#[test]
fn partition_keys_in_order_of_first_use() {
    let text =
        "!{partitionKeyFromQuery:a}/!{partitionKeyFromLambda:z}/!{partitionKeyFromQuery:b}/!{partitionKeyFromQuery:a}/";
    let prefix = Prefix::parse(text, PrefixRole::Data, true).unwrap();
    assert_eq!(prefix.partition_keys(), (vec!["a", "b"], vec!["z"]));
    assert!(prefix.has_expressions());
    assert_eq!(prefix.random_strings_needed(), 0);
    assert_eq!(prefix.as_str(), text);
    assert_eq!(prefix.role(), PrefixRole::Data);
    let static_prefix = Prefix::parse("logs/", PrefixRole::Data, true).unwrap();
    assert!(!static_prefix.has_expressions());
    assert_eq!(static_prefix.partition_keys(), (vec![], vec![]));
}

#[test]
fn metadata_query_keys_all_used_is_fine() {
    let keys = vec!["customer_id".to_owned()];
    let settings = PrefixSettings {
        prefix: Some("c=!{partitionKeyFromQuery:customer_id}/d=!{partitionKeyFromQuery:device}/"),
        error_output_prefix: Some("e/!{firehose:error-output-type}/"),
        dynamic_partitioning: true,
        metadata_query_keys: Some(&keys),
        shape: ApiShape::default(),
    };
    assert!(validate(&settings).is_ok());
}

#[test]
fn delivery_failures() {
    let time = Utc.with_ymd_and_hms(2018, 8, 27, 10, 30, 0).unwrap();
    let prefix = Prefix::parse("c=!{partitionKeyFromQuery:customer}/", PrefixRole::Data, true).unwrap();
    let err = prefix.render(&KeyContext::at(time)).unwrap_err();
    assert_eq!(
        err,
        KeyError::MissingPartitionKey {
            source: KeySource::Query,
            name: "customer".to_owned()
        }
    );
    assert_eq!(err.code(), None);
    assert_eq!(err.error_output_type(), Some(ErrorOutputType::PartitioningFailed));

    // A key from the other source does not stand in.
    let lambda = vec![("customer".to_owned(), "acme".to_owned())];
    let ctx = KeyContext {
        lambda_keys: &lambda,
        ..KeyContext::at(time)
    };
    assert!(matches!(prefix.render(&ctx), Err(KeyError::MissingPartitionKey { .. })));

    let long = vec![("customer".to_owned(), "v".repeat(600))];
    let ctx = KeyContext {
        query_keys: &long,
        ..KeyContext::at(time)
    };
    let err = prefix.render(&ctx).unwrap_err();
    assert_eq!(
        err,
        KeyError::RenderedPrefixTooLong {
            role: PrefixRole::Data,
            length: 603
        }
    );
    assert_eq!(err.error_output_type(), Some(ErrorOutputType::PartitioningFailed));

    let random = Prefix::parse(
        "!{firehose:random-string}/!{firehose:random-string}/",
        PrefixRole::Data,
        false,
    )
    .unwrap();
    let one = vec!["abcdefghijk".to_owned()];
    let ctx = KeyContext {
        random: &one,
        ..KeyContext::at(time)
    };
    assert_eq!(
        random.render(&ctx),
        Err(KeyError::MissingRandomString { needed: 2, given: 1 })
    );

    let error = Prefix::parse("e/!{firehose:error-output-type}/", PrefixRole::Error, false).unwrap();
    assert_eq!(
        error.render(&KeyContext::at(time)),
        Err(KeyError::MissingErrorOutputType)
    );
    let static_error = Prefix::parse("logs/", PrefixRole::Error, false).unwrap();
    assert_eq!(
        static_error.render(&KeyContext::at(time)),
        Err(KeyError::MissingErrorOutputType)
    );

    let padded = Prefix::parse("!{timestamp:pH}/", PrefixRole::Data, false).unwrap();
    let err = padded.render(&KeyContext::at(time)).unwrap_err();
    assert_eq!(
        err,
        KeyError::UnprintableTimestamp {
            pattern: "pH".to_owned(),
            problem: PrintProblem::PadExceeded { width: 1, printed: 2 },
        }
    );
    assert_eq!(err.code(), None);
    assert_eq!(err.error_output_type(), None);
}

#[test]
fn object_keys_stay_within_s3s_limit() {
    let time = Utc.with_ymd_and_hms(2018, 8, 27, 10, 30, 0).unwrap();
    // 498 two-byte characters and the 14 of the time folders: 512
    // characters, but 1010 bytes before the object name.
    let wide = "é".repeat(498);
    let prefix = Prefix::parse(&wide, PrefixRole::Data, false).unwrap();
    let name = "stream-1-2018-08-27-10-30-00-uuid";
    let err = object_key(&prefix, &KeyContext::at(time), "stream", 1, "uuid", "").unwrap_err();
    assert_eq!(
        err,
        KeyError::ObjectKeyTooLong {
            length: 996 + 14 + name.len()
        }
    );
    assert_eq!(err.code(), None);
}

#[test]
fn object_name_layout() {
    let time = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).unwrap();
    assert_eq!(
        object_name("s", 12, time, None, "u", ".gz"),
        "s-12-2024-02-29-23-59-58-u.gz"
    );
    let tokyo = parse_time_zone("Asia/Tokyo").unwrap();
    assert_eq!(object_name("s", 1, time, tokyo, "u", ""), "s-1-2024-03-01-08-59-58-u");
}

#[test]
fn extensions() {
    use crate::compress::Compression as C;
    assert_eq!(default_extension(C::Uncompressed, None), "");
    assert_eq!(default_extension(C::Gzip, None), ".gz");
    assert_eq!(default_extension(C::Zip, None), ".zip");
    assert_eq!(default_extension(C::Snappy, None), ".snappy");
    assert_eq!(default_extension(C::HadoopSnappy, None), ".snappy");
    assert_eq!(
        default_extension(C::Uncompressed, Some(OutputFormat::Parquet)),
        ".parquet"
    );
    assert_eq!(default_extension(C::Uncompressed, Some(OutputFormat::Orc)), ".orc");
    assert_eq!(file_extension(Some(".json"), C::Gzip, None), ".json");
    assert_eq!(file_extension(Some(""), C::Gzip, None), ".gz");
    assert_eq!(
        file_extension(None, C::Uncompressed, Some(OutputFormat::Parquet)),
        ".parquet"
    );

    for ok in [
        "",
        ".json",
        ".json.gz",
        ".tar-1_b!*'()",
        "..",
        &format!(".{}", "a".repeat(127)),
    ] {
        assert_eq!(check_file_extension(ok), Ok(()), "{ok}");
    }
    for bad in ["json", ".", ".JSON", ".a b", ".é", "./x", ".a?"] {
        let err = check_file_extension(bad).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Validation), "{bad}");
        assert_eq!(
            err.message(),
            format!(
                "1 validation error detected: Value '{bad}' at 'extendedS3DestinationConfiguration.fileExtension' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(|\\.[0-9a-z!\\-_.*'()]+)$"
            )
        );
    }
    let long = format!(".{}", "a".repeat(128));
    assert!(
        check_file_extension(&long)
            .unwrap_err()
            .message()
            .ends_with("Member must have length less than or equal to 128")
    );

    assert_eq!(check_compression_for_conversion(C::Uncompressed, true), Ok(()));
    assert_eq!(check_compression_for_conversion(C::Gzip, false), Ok(()));
    let err = check_compression_for_conversion(C::Gzip, true).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidArgument));
    assert_eq!(
        err.message(),
        "The S3 destination's compression format must be set to UNCOMPRESSED when data format conversion is enabled"
    );
}

#[test]
fn time_zones() {
    assert_eq!(parse_time_zone(""), Ok(None));
    assert_eq!(parse_time_zone("Asia/Tokyo"), Ok(Some(chrono_tz::Asia::Tokyo)));
    assert_eq!(parse_time_zone("UTC"), Ok(Some(chrono_tz::UTC)));
    assert_eq!(
        parse_time_zone("America/Argentina/Buenos_Aires"),
        Ok(Some(chrono_tz::America::Argentina::Buenos_Aires))
    );
    let err = parse_time_zone("Etc/GMT+9").unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value 'Etc/GMT+9' at 'extendedS3DestinationConfiguration.customTimeZone' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|[a-zA-Z/_]+"
    );
    let long = "A".repeat(51);
    assert!(
        parse_time_zone(&long)
            .unwrap_err()
            .message()
            .ends_with("less than or equal to 50")
    );
    let err = parse_time_zone("Mars/Olympus_Mons").unwrap_err();
    assert_eq!(
        err,
        KeyError::UnknownTimeZone {
            value: "Mars/Olympus_Mons".to_owned()
        }
    );
    assert_eq!(err.code(), Some(ErrorCode::InvalidArgument));
}

#[test]
fn random_strings_look_like_the_guides() {
    let a = random_string();
    let b = random_string();
    assert_eq!(a.len(), RANDOM_STRING_LENGTH);
    assert_ne!(a, b);
    assert_eq!(a.as_bytes()[8], b'-');
    assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
}

#[test]
fn error_output_type_names() {
    for t in ErrorOutputType::ALL {
        assert_eq!(ErrorOutputType::from_name(t.as_str()), Some(t));
    }
    assert_eq!(ErrorOutputType::from_name("nope"), None);
    assert_eq!(ErrorOutputType::PartitioningFailed.as_str(), "partitioning-failed");
}

#[test]
fn the_length_cap_bounds_the_expression_count() {
    // `!{timestamp:}` is the shortest valid expression: 78 fit in 1024
    // characters, 79 do not, far below MAX_EXPRESSIONS.
    let fits = "!{timestamp:}".repeat(78);
    assert_eq!(
        Prefix::parse(&fits, PrefixRole::Data, false).map(|p| p.has_expressions()),
        Ok(true)
    );
    let over = "!{timestamp:}".repeat(79);
    let err = Prefix::parse(&over, PrefixRole::Data, false).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Validation));
    const { assert!(MAX_PREFIX_LENGTH / 13 < MAX_EXPRESSIONS) };
}
