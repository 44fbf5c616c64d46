//! CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes,
//! SetTopicAttributes.

use lakestack_aws_protocol::{Output, paging};

use super::dto::{
    AttributesResponse, CreateTopicRequest, ListRequest, ListTopicsResponse, SetAttributeRequest, TopicArnResponse,
    TopicMember, TopicRequest,
};
use super::{Answer, SPEC, after, entries, tags};
use crate::service::Sns;

pub(super) fn create(s: &Sns, req: CreateTopicRequest) -> Answer {
    let name = SPEC.required(req.name, "name")?;
    let tags = tags::read(req.tags.unwrap_or_default())?;
    let mut attributes = req.attributes;
    if let Some(p) = req.data_protection_policy {
        attributes.insert("DataProtectionPolicy".into(), p);
    }
    let topic_arn = s.create_topic(&name, &attributes, &tags)?;
    Output::of(&TopicArnResponse { topic_arn })
}

pub(super) fn delete(s: &Sns, req: TopicRequest) -> Answer {
    s.delete_topic(&SPEC.required(req.topic_arn, "topicArn")?)?;
    Ok(Output::empty_members())
}

pub(super) fn list(s: &Sns, req: ListRequest) -> Answer {
    let (arns, more) = s.list_topics(after(req.next_token.as_deref())?.as_deref())?;
    let next_token = if more {
        arns.last().map(|a| paging::encode(a))
    } else {
        None
    };
    Output::of(&ListTopicsResponse {
        topics: arns.into_iter().map(|topic_arn| TopicMember { topic_arn }).collect(),
        next_token,
    })
}

pub(super) fn get_attributes(s: &Sns, req: TopicRequest) -> Answer {
    let attrs = s.topic_attributes(&SPEC.required(req.topic_arn, "topicArn")?)?;
    Output::of(&AttributesResponse {
        attributes: entries(attrs),
    })
}

pub(super) fn set_attribute(s: &Sns, req: SetAttributeRequest) -> Answer {
    let arn = SPEC.required(req.topic_arn, "topicArn")?;
    let name = SPEC.required(req.attribute_name, "attributeName")?;
    s.set_topic_attribute(&arn, &name, req.attribute_value.as_deref().unwrap_or_default())?;
    Ok(Output::empty_members())
}
