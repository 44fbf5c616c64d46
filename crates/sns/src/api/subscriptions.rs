//! Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions,
//! ListSubscriptionsByTopic, GetSubscriptionAttributes,
//! SetSubscriptionAttributes.

use lakestack_aws_protocol::{Output, paging};

use super::dto::{
    AttributesResponse, ConfirmSubscriptionRequest, ListRequest, ListSubscriptionsResponse, SetAttributeRequest,
    SubscribeRequest, SubscriptionArnResponse, SubscriptionMember, SubscriptionRequest, TopicRequest,
};
use super::{Answer, SPEC, after, entries};
use crate::model::{Subscription, SubscriptionState};
use crate::service::Sns;
use crate::subscriptions as domain;

pub(super) fn subscribe(s: &Sns, req: SubscribeRequest) -> Answer {
    let r = domain::SubscribeRequest {
        topic_arn: SPEC.required(req.topic_arn, "topicArn")?,
        protocol: SPEC.required(req.protocol, "protocol")?,
        endpoint: req.endpoint,
        attributes: req.attributes,
        return_arn: req.return_subscription_arn.unwrap_or(false),
    };
    Output::of(&SubscriptionArnResponse {
        subscription_arn: s.subscribe(&r)?,
    })
}

pub(super) fn confirm(s: &Sns, req: ConfirmSubscriptionRequest, signed: bool) -> Answer {
    let topic = SPEC.required(req.topic_arn, "topicArn")?;
    let token = SPEC.required(req.token, "token")?;
    Output::of(&SubscriptionArnResponse {
        subscription_arn: s.confirm_subscription(&topic, &token, signed)?,
    })
}

pub(super) fn unsubscribe(s: &Sns, req: SubscriptionRequest) -> Answer {
    s.unsubscribe(&SPEC.required(req.subscription_arn, "subscriptionArn")?)?;
    Ok(Output::empty_members())
}

fn member(s: &Sns, sub: Subscription) -> SubscriptionMember {
    SubscriptionMember {
        subscription_arn: if sub.state == SubscriptionState::Pending {
            "PendingConfirmation".into()
        } else {
            sub.arn
        },
        owner: s.account().to_owned(),
        protocol: sub.protocol.as_str().to_owned(),
        endpoint: sub.endpoint,
        topic_arn: sub.topic_arn,
    }
}

fn page(s: &Sns, topic: Option<&str>, token: Option<&str>) -> Answer {
    let (subs, more) = s.list_subscriptions(topic, after(token)?.as_deref())?;
    let next_token = if more {
        subs.last().map(|x| paging::encode(&x.arn))
    } else {
        None
    };
    Output::of(&ListSubscriptionsResponse {
        subscriptions: subs.into_iter().map(|x| member(s, x)).collect(),
        next_token,
    })
}

pub(super) fn list(s: &Sns, req: ListRequest) -> Answer {
    page(s, None, req.next_token.as_deref())
}

pub(super) fn list_by_topic(s: &Sns, req: TopicRequest) -> Answer {
    let topic = SPEC.required(req.topic_arn, "topicArn")?;
    page(s, Some(&topic), req.next_token.as_deref())
}

pub(super) fn get_attributes(s: &Sns, req: SubscriptionRequest) -> Answer {
    let attrs = s.subscription_attributes(&SPEC.required(req.subscription_arn, "subscriptionArn")?)?;
    Output::of(&AttributesResponse {
        attributes: entries(attrs),
    })
}

pub(super) fn set_attribute(s: &Sns, req: SetAttributeRequest) -> Answer {
    let arn = SPEC.required(req.subscription_arn, "subscriptionArn")?;
    let name = SPEC.required(req.attribute_name, "attributeName")?;
    s.set_subscription_attribute(&arn, &name, req.attribute_value.as_deref().unwrap_or_default())?;
    Ok(Output::empty_members())
}
