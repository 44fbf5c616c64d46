//! The Lambda API edge: restJson1, the operation named by the route
//! (`POST /2015-03-31/functions/{FunctionName}/invocations`), inputs from
//! path labels, query strings, headers and a JSON body, PascalCase members.

mod convert;
mod dto;
mod functions;
mod invoke;
mod layers;
mod mappings;
mod policy;
mod settings;
mod versions;

use std::sync::Arc;

use async_trait::async_trait;
use http::{Method, StatusCode};
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Route, Service, ServiceError, ServiceSpec};

use crate::error::LambdaError;
use crate::service::Lambda;

lakestack_aws_protocol::operations! {
    /// The Lambda operations lakestack implements.
    pub enum LambdaOp {
        CreateFunction,
        GetFunction,
        GetFunctionConfiguration,
        UpdateFunctionCode,
        UpdateFunctionConfiguration,
        DeleteFunction,
        ListFunctions,
        Invoke,
        InvokeAsync,
        PublishVersion,
        ListVersionsByFunction,
        CreateAlias,
        GetAlias,
        UpdateAlias,
        DeleteAlias,
        ListAliases,
        PublishLayerVersion,
        GetLayerVersion,
        ListLayerVersions,
        ListLayers,
        DeleteLayerVersion,
        TagResource,
        UntagResource,
        ListTags,
        PutFunctionConcurrency,
        GetFunctionConcurrency,
        DeleteFunctionConcurrency,
        PutFunctionEventInvokeConfig,
        UpdateFunctionEventInvokeConfig,
        GetFunctionEventInvokeConfig,
        DeleteFunctionEventInvokeConfig,
        ListFunctionEventInvokeConfigs,
        GetAccountSettings,
        AddPermission,
        GetPolicy,
        RemovePermission,
        CreateEventSourceMapping,
        GetEventSourceMapping,
        UpdateEventSourceMapping,
        DeleteEventSourceMapping,
        ListEventSourceMappings,
    }
}

impl AwsError for LambdaError {
    fn code(&self) -> &'static str {
        match self {
            LambdaError::NotFound(_) => "ResourceNotFoundException",
            LambdaError::Conflict(_) => "ResourceConflictException",
            LambdaError::InvalidParameter(_) => "InvalidParameterValueException",
            LambdaError::InvalidRequestContent(_) => "InvalidRequestContentException",
            LambdaError::RequestTooLarge(_) => "RequestTooLargeException",
            LambdaError::TooManyRequests(_) => "TooManyRequestsException",
            LambdaError::PreconditionFailed(_) => "PreconditionFailedException",
            LambdaError::InUse(_) => "ResourceInUseException",
            LambdaError::Internal(_) => "ServiceException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            LambdaError::NotFound(_) => StatusCode::NOT_FOUND,
            LambdaError::Conflict(_) => StatusCode::CONFLICT,
            LambdaError::RequestTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            LambdaError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            LambdaError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            LambdaError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

macro_rules! routes {
    ($($method:ident $path:literal => $op:literal),* $(,)?) => {
        &[$(Route { method: Method::$method, path: $path, operation: $op }),*]
    };
}

/// Every route of Lambda's model, so an operation lakestack lacks is
/// answered with the error naming it rather than an unknown route.
const ROUTES: &[Route] = routes! {
    POST "/2015-03-31/functions" => "CreateFunction",
    GET "/2015-03-31/functions" => "ListFunctions",
    GET "/2015-03-31/functions/{FunctionName}" => "GetFunction",
    DELETE "/2015-03-31/functions/{FunctionName}" => "DeleteFunction",
    PUT "/2015-03-31/functions/{FunctionName}/code" => "UpdateFunctionCode",
    GET "/2015-03-31/functions/{FunctionName}/configuration" => "GetFunctionConfiguration",
    PUT "/2015-03-31/functions/{FunctionName}/configuration" => "UpdateFunctionConfiguration",
    POST "/2015-03-31/functions/{FunctionName}/invocations" => "Invoke",
    POST "/2014-11-13/functions/{FunctionName}/invoke-async" => "InvokeAsync",
    POST "/2015-03-31/functions/{FunctionName}/versions" => "PublishVersion",
    GET "/2015-03-31/functions/{FunctionName}/versions" => "ListVersionsByFunction",
    POST "/2015-03-31/functions/{FunctionName}/aliases" => "CreateAlias",
    GET "/2015-03-31/functions/{FunctionName}/aliases" => "ListAliases",
    GET "/2015-03-31/functions/{FunctionName}/aliases/{Name}" => "GetAlias",
    PUT "/2015-03-31/functions/{FunctionName}/aliases/{Name}" => "UpdateAlias",
    DELETE "/2015-03-31/functions/{FunctionName}/aliases/{Name}" => "DeleteAlias",
    POST "/2015-03-31/functions/{FunctionName}/policy" => "AddPermission",
    GET "/2015-03-31/functions/{FunctionName}/policy" => "GetPolicy",
    DELETE "/2015-03-31/functions/{FunctionName}/policy/{StatementId}" => "RemovePermission",
    POST "/2015-03-31/event-source-mappings" => "CreateEventSourceMapping",
    GET "/2015-03-31/event-source-mappings" => "ListEventSourceMappings",
    GET "/2015-03-31/event-source-mappings/{UUID}" => "GetEventSourceMapping",
    PUT "/2015-03-31/event-source-mappings/{UUID}" => "UpdateEventSourceMapping",
    DELETE "/2015-03-31/event-source-mappings/{UUID}" => "DeleteEventSourceMapping",
    GET "/2016-08-19/account-settings" => "GetAccountSettings",
    GET "/2017-03-31/tags/{Resource}" => "ListTags",
    POST "/2017-03-31/tags/{Resource}" => "TagResource",
    DELETE "/2017-03-31/tags/{Resource}" => "UntagResource",
    PUT "/2017-10-31/functions/{FunctionName}/concurrency" => "PutFunctionConcurrency",
    DELETE "/2017-10-31/functions/{FunctionName}/concurrency" => "DeleteFunctionConcurrency",
    GET "/2019-09-30/functions/{FunctionName}/concurrency" => "GetFunctionConcurrency",
    GET "/2018-10-31/layers" => "ListLayers",
    GET "/2018-10-31/layers/{LayerName}/versions" => "ListLayerVersions",
    POST "/2018-10-31/layers/{LayerName}/versions" => "PublishLayerVersion",
    GET "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}" => "GetLayerVersion",
    DELETE "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}" => "DeleteLayerVersion",
    POST "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy" => "AddLayerVersionPermission",
    GET "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy" => "GetLayerVersionPolicy",
    DELETE "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}" => "RemoveLayerVersionPermission",
    PUT "/2019-09-25/functions/{FunctionName}/event-invoke-config" => "PutFunctionEventInvokeConfig",
    POST "/2019-09-25/functions/{FunctionName}/event-invoke-config" => "UpdateFunctionEventInvokeConfig",
    GET "/2019-09-25/functions/{FunctionName}/event-invoke-config" => "GetFunctionEventInvokeConfig",
    DELETE "/2019-09-25/functions/{FunctionName}/event-invoke-config" => "DeleteFunctionEventInvokeConfig",
    GET "/2019-09-25/functions/{FunctionName}/event-invoke-config/list" => "ListFunctionEventInvokeConfigs",
    GET "/2019-09-30/functions/{FunctionName}/provisioned-concurrency" => "GetProvisionedConcurrencyConfig",
    PUT "/2019-09-30/functions/{FunctionName}/provisioned-concurrency" => "PutProvisionedConcurrencyConfig",
    DELETE "/2019-09-30/functions/{FunctionName}/provisioned-concurrency" => "DeleteProvisionedConcurrencyConfig",
    POST "/2020-04-22/code-signing-configs" => "CreateCodeSigningConfig",
    GET "/2020-04-22/code-signing-configs" => "ListCodeSigningConfigs",
    GET "/2020-06-30/functions/{FunctionName}/code-signing-config" => "GetFunctionCodeSigningConfig",
    PUT "/2020-06-30/functions/{FunctionName}/code-signing-config" => "PutFunctionCodeSigningConfig",
    DELETE "/2020-06-30/functions/{FunctionName}/code-signing-config" => "DeleteFunctionCodeSigningConfig",
    GET "/2021-07-20/functions/{FunctionName}/runtime-management-config" => "GetRuntimeManagementConfig",
    PUT "/2021-07-20/functions/{FunctionName}/runtime-management-config" => "PutRuntimeManagementConfig",
    POST "/2021-10-31/functions/{FunctionName}/url" => "CreateFunctionUrlConfig",
    GET "/2021-10-31/functions/{FunctionName}/url" => "GetFunctionUrlConfig",
    PUT "/2021-10-31/functions/{FunctionName}/url" => "UpdateFunctionUrlConfig",
    DELETE "/2021-10-31/functions/{FunctionName}/url" => "DeleteFunctionUrlConfig",
    GET "/2021-10-31/functions/{FunctionName}/urls" => "ListFunctionUrlConfigs",
    POST "/2021-11-15/functions/{FunctionName}/response-streaming-invocations" => "InvokeWithResponseStream",
    GET "/2024-08-31/functions/{FunctionName}/recursion-config" => "GetFunctionRecursionConfig",
    PUT "/2024-08-31/functions/{FunctionName}/recursion-config" => "PutFunctionRecursionConfig",
};

/// CreateFunction takes a 50 MB zip as base64 in JSON: AWS's limit on that
/// request body is 69,905,067 bytes.
pub const BODY_LIMIT: usize = 69_905_067;

/// Lambda: restJson1, signing name `lambda`. A member of the wrong type or
/// a body that is not JSON is InvalidRequestContentException, as Lambda
/// answers it; its validation messages come as ValidationException.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "lambda",
    title: "Lambda",
    signing_name: "lambda",
    protocols: &[Protocol::RestJson1],
    routes: ROUTES,
    invalid_input_code: "InvalidRequestContentException",
    violation_code: "ValidationException",
    invalid_token: ("InvalidParameterValueException", "Invalid Marker: {token}"),
    internal_error: ("ServiceException", "An internal error occurred."),
    body_limit: BODY_LIMIT,
    ..DEFAULT
};

/// Serves the Lambda API.
#[derive(Clone)]
pub struct LambdaApi {
    service: Arc<Lambda>,
}

impl LambdaApi {
    pub fn new(service: Arc<Lambda>) -> Self {
        Self { service }
    }

    pub fn service(&self) -> &Arc<Lambda> {
        &self.service
    }
}

#[async_trait]
impl Service for LambdaApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use LambdaOp as Op;
        let s = &self.service;
        match call.operation::<LambdaOp>()? {
            Op::CreateFunction => functions::create(s, &call).await,
            Op::GetFunction => functions::get(s, &call),
            Op::GetFunctionConfiguration => functions::get_configuration(s, &call),
            Op::UpdateFunctionCode => functions::update_code(s, &call).await,
            Op::UpdateFunctionConfiguration => functions::update_configuration(s, &call),
            Op::DeleteFunction => functions::delete(s, &call),
            Op::ListFunctions => functions::list(s, &call),
            Op::Invoke => invoke::invoke(s, &call).await,
            Op::InvokeAsync => invoke::invoke_async(s, &call),
            Op::PublishVersion => versions::publish(s, &call),
            Op::ListVersionsByFunction => versions::list(s, &call),
            Op::CreateAlias => versions::create_alias(s, &call),
            Op::GetAlias => versions::get_alias(s, &call),
            Op::UpdateAlias => versions::update_alias(s, &call),
            Op::DeleteAlias => versions::delete_alias(s, &call),
            Op::ListAliases => versions::list_aliases(s, &call),
            Op::PublishLayerVersion => layers::publish(s, &call).await,
            Op::GetLayerVersion => layers::get(s, &call),
            Op::ListLayerVersions => layers::list_versions(s, &call),
            Op::ListLayers => layers::list(s, &call),
            Op::DeleteLayerVersion => layers::delete(s, &call),
            Op::TagResource => settings::tag(s, &call),
            Op::UntagResource => settings::untag(s, &call),
            Op::ListTags => settings::list_tags(s, &call),
            Op::PutFunctionConcurrency => settings::put_concurrency(s, &call),
            Op::GetFunctionConcurrency => settings::get_concurrency(s, &call),
            Op::DeleteFunctionConcurrency => settings::delete_concurrency(s, &call),
            Op::PutFunctionEventInvokeConfig => settings::put_event_config(s, &call, true),
            Op::UpdateFunctionEventInvokeConfig => settings::put_event_config(s, &call, false),
            Op::GetFunctionEventInvokeConfig => settings::get_event_config(s, &call),
            Op::DeleteFunctionEventInvokeConfig => settings::delete_event_config(s, &call),
            Op::ListFunctionEventInvokeConfigs => settings::list_event_configs(s, &call),
            Op::GetAccountSettings => settings::account(s),
            Op::AddPermission => policy::add(s, &call),
            Op::GetPolicy => policy::get(s, &call),
            Op::RemovePermission => policy::remove(s, &call),
            Op::CreateEventSourceMapping => mappings::create(s, &call),
            Op::GetEventSourceMapping => mappings::get(s, &call),
            Op::UpdateEventSourceMapping => mappings::update(s, &call),
            Op::DeleteEventSourceMapping => mappings::delete(s, &call),
            Op::ListEventSourceMappings => mappings::list(s, &call),
        }
    }
}

/// The FunctionName label, read into a target with the `Qualifier` query.
fn target(s: &Lambda, call: &Call) -> Result<crate::service::Target, ServiceError> {
    let name = call.label("FunctionName").unwrap_or_default();
    let q = call.query_param("Qualifier");
    Ok(s.target(name, q.as_deref())?)
}

#[cfg(test)]
mod tests;
