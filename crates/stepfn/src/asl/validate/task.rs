//! Task states: the resource, what an EXPRESS machine may not call, credentials and timeouts.

use serde_json::Value;

use super::checker::{Checker, IntRange, StateCtx};
use super::fields::MAX_SECONDS;
use super::location::Loc;
use super::syntax::{is_activity_arn, is_arn};
use super::{MachineType, msg};
use crate::asl::model::{CommonFields, TaskState};

impl Checker<'_> {
    pub(super) fn task(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<TaskState> {
        let transition = self.transition(ctx);
        self.required(ctx.obj, &["Resource"], ctx.loc);
        let resource = self.resource(ctx);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let arguments = self.jsonata_template(ctx, "Arguments");
        let result_selector = self.jsonpath_template(ctx, "ResultSelector");
        let result_path = self.result_path(ctx);
        let retry = self.retriers(ctx);
        let catch = self.catchers(ctx);
        let timeout_seconds = self.int_or_path(
            ctx,
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            IntRange::between(1, MAX_SECONDS),
        );
        let heartbeat_seconds = self.int_or_path(
            ctx,
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            IntRange::between(1, MAX_SECONDS),
        );
        let credentials = self.credentials(ctx, resource.as_deref());
        Some(TaskState {
            common,
            transition: transition?,
            resource: resource?,
            parameters,
            arguments,
            result_selector,
            result_path,
            retry,
            catch,
            timeout_seconds,
            heartbeat_seconds,
            credentials,
        })
    }

    fn resource(&mut self, ctx: StateCtx<'_, '_>) -> Option<String> {
        let resource = self.string(ctx.obj, "Resource", ctx.loc)?;
        let at = ctx.loc.field("Resource");
        if !is_arn(&resource) {
            self.schema(&at, msg::INVALID_ARN);
            return None;
        }
        if self.options.machine_type == MachineType::Express {
            self.express_resource(&resource, &at);
        }
        Some(resource)
    }

    fn express_resource(&mut self, resource: &str, loc: &Loc) {
        if is_activity_arn(resource) {
            self.schema(loc, msg::EXPRESS_ACTIVITY);
        } else if resource.ends_with(".waitForTaskToken") {
            self.schema(loc, msg::express_integration(".waitForTaskToken"));
        } else if resource.ends_with(".sync") || resource.ends_with(".sync:2") {
            self.schema(loc, msg::express_integration(".sync"));
        }
    }

    fn credentials(&mut self, ctx: StateCtx<'_, '_>, resource: Option<&str>) -> Option<Value> {
        let credentials = self.object(ctx.obj, "Credentials", ctx.loc)?;
        let at = ctx.loc.field("Credentials");
        if resource.is_some_and(is_activity_arn) {
            self.schema(&at, msg::CREDENTIALS_ON_ACTIVITY);
        }
        let allowed: &[&str] = if ctx.jsonpath() {
            &["RoleArn", "RoleArn.$"]
        } else {
            &["RoleArn"]
        };
        self.unsupported_fields(credentials, &[allowed], &at);
        if !credentials.contains_key("RoleArn") && !credentials.contains_key("RoleArn.$") {
            self.schema(&at, msg::ROLE_ARN_REQUIRED);
        }
        let value = Value::Object(credentials.clone());
        if ctx.jsonpath() {
            self.dynamic_keys(&value, &at);
        }
        Some(value)
    }
}
