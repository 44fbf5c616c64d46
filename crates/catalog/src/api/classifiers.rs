//! Custom CSV and JSON classifiers: CreateClassifier, UpdateClassifier,
//! GetClassifier, GetClassifiers, DeleteClassifier.

use lakestack_aws_protocol::{Output, ServiceError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Answer, GlueOp, NameRequest, PageRequest, SPEC, convert, dto, page};
use crate::model::Classifier;
use crate::{Catalog, CatalogError};

/// A classifier's members as given, before they are read as its input.
type Members = Map<String, Value>;

/// CreateClassifier's request; UpdateClassifier's holds the classifier as
/// given (`Members`) until the stored one fills in what it leaves out.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ClassifierRequest<C = dto::CsvClassifierInput, J = dto::JsonClassifierInput> {
    catalog_id: Option<String>,
    csv_classifier: Option<C>,
    json_classifier: Option<J>,
    grok_classifier: Option<Value>,
    #[serde(rename = "XMLClassifier")]
    xml_classifier: Option<Value>,
}

catalog_scoped!(ClassifierRequest, ClassifierRequest<Members, Members>);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetClassifierResponse {
    classifier: dto::Classifier,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetClassifiersResponse {
    classifiers: Vec<dto::Classifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The one classifier a request defines.
fn classifier(op: GlueOp, r: ClassifierRequest) -> Result<Classifier, ServiceError> {
    match (r.csv_classifier, r.json_classifier) {
        (Some(c), None) => Ok(Classifier::Csv(convert::csv_classifier_in(c))),
        (None, Some(j)) => Ok(Classifier::Json(convert::json_classifier_in(j))),
        _ if r.grok_classifier.is_some() || r.xml_classifier.is_some() => {
            Err(SPEC.not_implemented(&format!("{op} (Grok and XML classifiers)")))
        }
        _ => Err(CatalogError::InvalidInput("Exactly one classifier must be specified.".into()).into()),
    }
}

/// An update's members of `kind` over those of the stored classifier of
/// that name and kind, read as the classifier's input.
fn over_stored<T: DeserializeOwned>(c: &Catalog, kind: &str, mut given: Members) -> Result<T, ServiceError> {
    let name = given.get("Name").and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Ok(current) = c.get_classifier(&name)
        && let Ok(Value::Object(mut stored)) = serde_json::to_value(convert::classifier_out(&current))
        && let Some(Value::Object(members)) = stored.remove(kind)
    {
        for (k, v) in members {
            given.entry(k).or_insert(v);
        }
    }
    serde_json::from_value(Value::Object(given)).map_err(|e| SPEC.invalid_input(e.to_string()))
}

pub(super) fn create(c: &Catalog, r: ClassifierRequest) -> Answer {
    c.create_classifier(classifier(GlueOp::CreateClassifier, r)?)?;
    Ok(Output::empty_members())
}

/// UpdateClassifier: an update names only the members it changes.
pub(super) fn update(c: &Catalog, r: ClassifierRequest<Members, Members>) -> Answer {
    let r = ClassifierRequest {
        catalog_id: r.catalog_id,
        csv_classifier: r
            .csv_classifier
            .map(|m| over_stored(c, "CsvClassifier", m))
            .transpose()?,
        json_classifier: r
            .json_classifier
            .map(|m| over_stored(c, "JsonClassifier", m))
            .transpose()?,
        grok_classifier: r.grok_classifier,
        xml_classifier: r.xml_classifier,
    };
    c.update_classifier(classifier(GlueOp::UpdateClassifier, r)?)?;
    Ok(Output::empty_members())
}

pub(super) fn get(c: &Catalog, r: NameRequest) -> Answer {
    let classifier = c.get_classifier(SPEC.required(r.name.as_deref(), "name")?)?;
    Output::of(&GetClassifierResponse {
        classifier: convert::classifier_out(&classifier),
    })
}

pub(super) fn list(c: &Catalog, r: PageRequest) -> Answer {
    let (classifiers, next_token) = page(c.get_classifiers()?, r.next_token.as_deref(), r.max_results, |c| {
        c.name()
    })?;
    Output::of(&GetClassifiersResponse {
        classifiers: classifiers.iter().map(convert::classifier_out).collect(),
        next_token,
    })
}

pub(super) fn delete(c: &Catalog, r: NameRequest) -> Answer {
    c.delete_classifier(SPEC.required(r.name.as_deref(), "name")?)?;
    Ok(Output::empty_members())
}
