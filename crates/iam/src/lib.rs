//! IAM and STS for lakestack. IAM's roles, users, groups, instance
//! profiles, managed and inline policies and access keys are stored as
//! AWS stores them (`entities`, `managed`, `credentials`), so that deploy
//! scripts and infrastructure tools that create a role before a function
//! succeed; STS issues temporary credentials that are persisted and expire.
//! Policies are checked for their structure and kept, never enforced.
//!
//! The binary serves [`IamApi`] and [`StsApi`] (awsQuery, signing names
//! `iam` and `sts`) over one [`Iam`], and asks [`Iam::secret_for`] for the
//! secret of a key under strict SigV4.

pub mod api;
mod checks;
mod credentials;
mod entities;
pub mod error;
mod ids;
mod managed;
pub mod model;
mod policy;
mod service;
mod store;

pub use api::{IAM_SPEC, IamApi, STS_SPEC, StsApi};
pub use credentials::{AssumeRoleRequest, Assumed};
pub use error::{IamError, Result};
pub use lakestack_aws_protocol::Clock;
pub use managed::{PolicyView, Scope};
pub use service::{Iam, KeySecret, Settings};
