//! Crawlers, their runs and their schedules: CreateCrawler, UpdateCrawler,
//! GetCrawler, GetCrawlers, ListCrawlers, DeleteCrawler, StartCrawler,
//! StopCrawler, GetCrawlerMetrics, ListCrawls, StartCrawlerSchedule,
//! StopCrawlerSchedule, UpdateCrawlerSchedule.

use std::sync::Arc;

use lakestack_aws_protocol::Output;
use serde::{Deserialize, Serialize};

use super::{Answer, NameRequest, PageRequest, SPEC, convert, dto, page, tagged};
use crate::Catalog;
use crate::model::{self, now_millis};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListCrawlersRequest {
    catalog_id: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
    #[serde(default)]
    tags: dto::Params,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetCrawlerMetricsRequest {
    catalog_id: Option<String>,
    #[serde(default)]
    crawler_name_list: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListCrawlsRequest {
    catalog_id: Option<String>,
    crawler_name: Option<String>,
    max_results: Option<i64>,
}

/// StartCrawlerSchedule, StopCrawlerSchedule and UpdateCrawlerSchedule.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CrawlerScheduleRequest {
    catalog_id: Option<String>,
    crawler_name: Option<String>,
    schedule: Option<String>,
}

catalog_scoped!(
    dto::CrawlerInput,
    ListCrawlersRequest,
    GetCrawlerMetricsRequest,
    ListCrawlsRequest,
    CrawlerScheduleRequest,
);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetCrawlerResponse {
    crawler: dto::Crawler,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetCrawlersResponse {
    crawlers: Vec<dto::Crawler>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListCrawlersResponse {
    crawler_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetCrawlerMetricsResponse {
    crawler_metrics_list: Vec<dto::CrawlerMetrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListCrawlsResponse {
    crawls: Vec<dto::CrawlerHistory>,
}

pub(super) fn create(c: &Catalog, r: dto::CrawlerInput) -> Answer {
    let tags = r.tags.clone().unwrap_or_default();
    let mut crawler = model::Crawler {
        name: r.name.clone(),
        ..model::Crawler::default()
    };
    apply_crawler_input(&mut crawler, r);
    c.create_crawler(crawler, tags.into_iter().collect())?;
    Ok(Output::empty_members())
}

pub(super) fn update(c: &Catalog, r: dto::CrawlerInput) -> Answer {
    let name = r.name.clone();
    c.update_crawler(&name, move |crawler| {
        apply_crawler_input(crawler, r);
        Ok(())
    })?;
    Ok(Output::empty_members())
}

pub(super) fn get(c: &Catalog, r: NameRequest) -> Answer {
    let crawler = c.get_crawler(SPEC.required(r.name.as_deref(), "name")?)?;
    Output::of(&GetCrawlerResponse {
        crawler: convert::crawler_out(&crawler),
    })
}

pub(super) fn list(c: &Catalog, r: PageRequest) -> Answer {
    let (crawlers, next_token) = page(c.list_crawlers()?, r.next_token.as_deref(), r.max_results, |c| &c.name)?;
    Output::of(&GetCrawlersResponse {
        crawlers: crawlers.iter().map(convert::crawler_out).collect(),
        next_token,
    })
}

/// ListCrawlers: the names, of the crawlers that have every tag asked for.
pub(super) fn names(c: &Catalog, r: ListCrawlersRequest) -> Answer {
    let all = tagged(c, c.list_crawlers()?, &r.tags, |k| c.crawler_arn(&k.name))?;
    let (crawlers, next_token) = page(all, r.next_token.as_deref(), r.max_results, |c| &c.name)?;
    Output::of(&ListCrawlersResponse {
        crawler_names: crawlers.into_iter().map(|c| c.name).collect(),
        next_token,
    })
}

pub(super) fn delete(c: &Catalog, r: NameRequest) -> Answer {
    c.delete_crawler(SPEC.required(r.name.as_deref(), "name")?)?;
    Ok(Output::empty_members())
}

pub(super) fn start(c: &Arc<Catalog>, r: NameRequest) -> Answer {
    c.start_crawler(SPEC.required(r.name.as_deref(), "name")?)?;
    Ok(Output::empty_members())
}

pub(super) fn stop(c: &Catalog, r: NameRequest) -> Answer {
    c.stop_crawler(SPEC.required(r.name.as_deref(), "name")?)?;
    Ok(Output::empty_members())
}

pub(super) fn metrics(c: &Catalog, r: GetCrawlerMetricsRequest) -> Answer {
    let wanted: Vec<_> = c
        .list_crawlers()?
        .into_iter()
        .filter(|crawler| r.crawler_name_list.is_empty() || r.crawler_name_list.contains(&crawler.name))
        .collect();
    let (crawlers, next_token) = page(wanted, r.next_token.as_deref(), r.max_results, |c| &c.name)?;
    let mut list = Vec::with_capacity(crawlers.len());
    for crawler in &crawlers {
        list.push(convert::crawler_metrics_out(c.crawler_metrics(crawler)?));
    }
    Output::of(&GetCrawlerMetricsResponse {
        crawler_metrics_list: list,
        next_token,
    })
}

/// ListCrawls: the latest crawls first, as many as `MaxResults` (20 unless given).
pub(super) fn crawls(c: &Catalog, r: ListCrawlsRequest) -> Answer {
    let name = SPEC.required(r.crawler_name.as_deref(), "crawlerName")?;
    let crawls = c.list_crawls(name)?;
    let limit = crate::paging::page_size(r.max_results, 20, 1000)?;
    Output::of(&ListCrawlsResponse {
        crawls: crawls.iter().take(limit).map(|k| convert::crawl_out(name, k)).collect(),
    })
}

pub(super) fn start_schedule(c: &Catalog, r: CrawlerScheduleRequest) -> Answer {
    c.start_crawler_schedule(SPEC.required(r.crawler_name.as_deref(), "crawlerName")?)?;
    Ok(Output::empty_members())
}

pub(super) fn stop_schedule(c: &Catalog, r: CrawlerScheduleRequest) -> Answer {
    c.stop_crawler_schedule(SPEC.required(r.crawler_name.as_deref(), "crawlerName")?)?;
    Ok(Output::empty_members())
}

pub(super) fn update_schedule(c: &Catalog, r: CrawlerScheduleRequest) -> Answer {
    c.update_crawler_schedule(
        SPEC.required(r.crawler_name.as_deref(), "crawlerName")?,
        r.schedule.as_deref(),
    )?;
    Ok(Output::empty_members())
}

/// Applies the members a CreateCrawler or UpdateCrawler request carries;
/// absent ones leave the crawler as it is.
fn apply_crawler_input(c: &mut model::Crawler, i: dto::CrawlerInput) {
    if let Some(role) = i.role {
        c.role = role;
    }
    if i.database_name.is_some() {
        c.database_name = i.database_name;
    }
    if i.description.is_some() {
        c.description = i.description;
    }
    if let Some(t) = i.targets {
        c.s3_targets = t
            .s3_targets
            .into_iter()
            .map(|t| model::S3Target {
                path: t.path,
                exclusions: t.exclusions,
                sample_size: t.sample_size,
                connection_name: t.connection_name,
                event_queue_arn: t.event_queue_arn,
                dlq_event_queue_arn: t.dlq_event_queue_arn,
            })
            .collect();
        c.other_targets = t
            .other
            .into_iter()
            .filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty()))
            .collect();
    }
    if let Some(s) = i.schedule {
        c.schedule = (!s.is_empty()).then(|| model::CrawlerSchedule {
            expression: s,
            state: "SCHEDULED".into(),
        });
    }
    if let Some(cl) = i.classifiers {
        c.classifiers = cl;
    }
    if i.table_prefix.is_some() {
        c.table_prefix = i.table_prefix;
    }
    if let Some(p) = i.schema_change_policy {
        let d = model::SchemaChangePolicy::default();
        c.schema_change_policy = model::SchemaChangePolicy {
            update_behavior: p.update_behavior.unwrap_or(d.update_behavior),
            delete_behavior: p.delete_behavior.unwrap_or(d.delete_behavior),
        };
    }
    if let Some(p) = i.recrawl_policy {
        c.recrawl_behavior = p.recrawl_behavior.unwrap_or_else(|| "CRAWL_EVERYTHING".into());
    }
    if let Some(l) = i.lineage_configuration {
        c.lineage_settings = l.crawler_lineage_settings;
    }
    if let Some(lf) = i.lake_formation_configuration {
        c.opaque.insert("LakeFormationConfiguration".into(), lf);
    }
    if i.configuration.is_some() {
        c.configuration = i.configuration;
    }
    if i.crawler_security_configuration.is_some() {
        c.security_configuration = i.crawler_security_configuration;
    }
    c.last_updated = now_millis();
}
