//! IAM's spec, operations and dispatch.

use std::sync::Arc;

use async_trait::async_trait;
use lakestack_aws_protocol::{Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};

use super::{entities, keys, members, policies, signing_key};
use crate::model::Kind;
use crate::service::Iam;

lakestack_aws_protocol::operations! {
    /// The IAM operations lakestack implements.
    pub enum IamOp {
        CreateRole, GetRole, DeleteRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy,
        UpdateRoleDescription, TagRole, UntagRole, ListRoleTags,
        PutRolePermissionsBoundary, DeleteRolePermissionsBoundary,
        PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies,
        AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies,
        CreateUser, GetUser, DeleteUser, ListUsers, UpdateUser, TagUser, UntagUser, ListUserTags,
        PutUserPermissionsBoundary, DeleteUserPermissionsBoundary,
        PutUserPolicy, GetUserPolicy, DeleteUserPolicy, ListUserPolicies,
        AttachUserPolicy, DetachUserPolicy, ListAttachedUserPolicies,
        CreateAccessKey, ListAccessKeys, DeleteAccessKey, UpdateAccessKey, GetAccessKeyLastUsed,
        CreateGroup, GetGroup, DeleteGroup, ListGroups, UpdateGroup,
        AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser,
        PutGroupPolicy, GetGroupPolicy, DeleteGroupPolicy, ListGroupPolicies,
        AttachGroupPolicy, DetachGroupPolicy, ListAttachedGroupPolicies,
        CreatePolicy, GetPolicy, DeletePolicy, ListPolicies,
        CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
        SetDefaultPolicyVersion, ListEntitiesForPolicy,
        CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile, ListInstanceProfiles,
        AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole,
    }
}

/// IAM: awsQuery, signing name `iam`. Constraint violations and members of
/// the wrong form are ValidationError, as IAM answers them.
pub static IAM_SPEC: ServiceSpec = ServiceSpec {
    name: "iam",
    title: "IAM",
    signing_name: "iam",
    protocols: &[Protocol::AwsQuery],
    xml_namespace: Some("https://iam.amazonaws.com/doc/2010-05-08/"),
    invalid_input_code: "ValidationError",
    violation_code: "ValidationError",
    invalid_token: ("ValidationError", "Invalid Marker: {token}"),
    internal_error: (
        "ServiceFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    body_limit: 1 << 20,
    ..DEFAULT
};

/// Serves IAM.
#[derive(Clone)]
pub struct IamApi {
    iam: Arc<Iam>,
}

impl IamApi {
    pub fn new(iam: Arc<Iam>) -> Self {
        Self { iam }
    }

    pub fn iam(&self) -> &Arc<Iam> {
        &self.iam
    }
}

#[async_trait]
impl Service for IamApi {
    fn spec(&self) -> &'static ServiceSpec {
        &IAM_SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use IamOp as Op;
        use Kind::{Group, InstanceProfile as Profile, Role, User};
        let op = call.operation::<IamOp>()?;
        let key = signing_key(&call);
        let m = members(&call)?;
        let s = &*self.iam;
        match op {
            Op::CreateRole => entities::create_role(s, m),
            Op::GetRole => entities::get(s, Role, m),
            Op::DeleteRole => entities::delete(s, Role, m),
            Op::ListRoles => entities::list(s, Role, m),
            Op::UpdateRole => entities::update_role(s, m),
            Op::UpdateAssumeRolePolicy => entities::update_trust(s, m),
            Op::UpdateRoleDescription => entities::update_description(s, m),
            Op::TagRole => entities::tag(s, Role, m),
            Op::UntagRole => entities::untag(s, Role, m),
            Op::ListRoleTags => entities::list_tags(s, Role, m),
            Op::PutRolePermissionsBoundary => policies::put_boundary(s, Role, m),
            Op::DeleteRolePermissionsBoundary => policies::delete_boundary(s, Role, m),
            Op::PutRolePolicy => entities::put_inline(s, Role, m),
            Op::GetRolePolicy => entities::get_inline(s, Role, m),
            Op::DeleteRolePolicy => entities::delete_inline(s, Role, m),
            Op::ListRolePolicies => entities::list_inline(s, Role, m),
            Op::AttachRolePolicy => policies::attach(s, Role, m),
            Op::DetachRolePolicy => policies::detach(s, Role, m),
            Op::ListAttachedRolePolicies => policies::attached(s, Role, m),
            Op::CreateUser => entities::create_user(s, m),
            Op::GetUser => entities::get_user(s, m, key.as_deref()),
            Op::DeleteUser => entities::delete(s, User, m),
            Op::ListUsers => entities::list(s, User, m),
            Op::UpdateUser => entities::rename(s, User, m),
            Op::TagUser => entities::tag(s, User, m),
            Op::UntagUser => entities::untag(s, User, m),
            Op::ListUserTags => entities::list_tags(s, User, m),
            Op::PutUserPermissionsBoundary => policies::put_boundary(s, User, m),
            Op::DeleteUserPermissionsBoundary => policies::delete_boundary(s, User, m),
            Op::PutUserPolicy => entities::put_inline(s, User, m),
            Op::GetUserPolicy => entities::get_inline(s, User, m),
            Op::DeleteUserPolicy => entities::delete_inline(s, User, m),
            Op::ListUserPolicies => entities::list_inline(s, User, m),
            Op::AttachUserPolicy => policies::attach(s, User, m),
            Op::DetachUserPolicy => policies::detach(s, User, m),
            Op::ListAttachedUserPolicies => policies::attached(s, User, m),
            Op::CreateAccessKey => keys::create(s, m, key.as_deref()),
            Op::ListAccessKeys => keys::list(s, m, key.as_deref()),
            Op::DeleteAccessKey => keys::delete(s, m),
            Op::UpdateAccessKey => keys::update(s, m),
            Op::GetAccessKeyLastUsed => keys::last_used(s, m),
            Op::CreateGroup => entities::create_group(s, m),
            Op::GetGroup => entities::get_group(s, m),
            Op::DeleteGroup => entities::delete(s, Group, m),
            Op::ListGroups => entities::list(s, Group, m),
            Op::UpdateGroup => entities::rename(s, Group, m),
            Op::AddUserToGroup => entities::add_member(s, Group, m),
            Op::RemoveUserFromGroup => entities::remove_member(s, Group, m),
            Op::ListGroupsForUser => entities::holders(s, Group, m),
            Op::PutGroupPolicy => entities::put_inline(s, Group, m),
            Op::GetGroupPolicy => entities::get_inline(s, Group, m),
            Op::DeleteGroupPolicy => entities::delete_inline(s, Group, m),
            Op::ListGroupPolicies => entities::list_inline(s, Group, m),
            Op::AttachGroupPolicy => policies::attach(s, Group, m),
            Op::DetachGroupPolicy => policies::detach(s, Group, m),
            Op::ListAttachedGroupPolicies => policies::attached(s, Group, m),
            Op::CreatePolicy => policies::create(s, m),
            Op::GetPolicy => policies::get(s, m),
            Op::DeletePolicy => policies::delete(s, m),
            Op::ListPolicies => policies::list(s, m),
            Op::CreatePolicyVersion => policies::create_version(s, m),
            Op::GetPolicyVersion => policies::get_version(s, m),
            Op::ListPolicyVersions => policies::list_versions(s, m),
            Op::DeletePolicyVersion => policies::delete_version(s, m),
            Op::SetDefaultPolicyVersion => policies::set_default(s, m),
            Op::ListEntitiesForPolicy => policies::entities_for(s, m),
            Op::CreateInstanceProfile => entities::create_profile(s, m),
            Op::GetInstanceProfile => entities::get_profile(s, m),
            Op::DeleteInstanceProfile => entities::delete(s, Profile, m),
            Op::ListInstanceProfiles => entities::list(s, Profile, m),
            Op::AddRoleToInstanceProfile => entities::add_member(s, Profile, m),
            Op::RemoveRoleFromInstanceProfile => entities::remove_member(s, Profile, m),
            Op::ListInstanceProfilesForRole => entities::holders(s, Profile, m),
        }
    }
}
