//! Functions and their versions, aliases and layers, as operations on the
//! store: what CreateFunction, UpdateFunctionCode/Configuration,
//! PublishVersion, aliases and layers do, below the wire.

use std::sync::Arc;

use futures::StreamExt as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::code::UNZIPPED_LIMIT;
use crate::error::{LambdaError, Result};
use crate::model::{Alias, Code, Function, LATEST, LayerRef, LayerVersion};
use crate::runtime::RESERVED;
use crate::service::Lambda;

/// Where a package comes from.
#[derive(Debug, Clone)]
pub enum CodeSource {
    Zip(Vec<u8>),
    S3 {
        bucket: String,
        key: String,
        version: Option<String>,
    },
}

/// CreateFunction's input, read and checked against the model at the edge.
#[derive(Debug, Clone, Default)]
pub struct NewFunction {
    pub name: String,
    pub runtime: Option<String>,
    pub role: String,
    pub handler: Option<String>,
    pub config: FunctionConfig,
    pub code: Option<CodeSource>,
    pub publish: bool,
    pub tags: Vec<(String, String)>,
}

/// The members a configuration update may change; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct FunctionConfig {
    pub description: Option<String>,
    pub timeout: Option<u32>,
    pub memory_size: Option<u32>,
    pub environment: Option<Map<String, Value>>,
    pub layers: Option<Vec<String>>,
    pub architectures: Option<Vec<String>>,
    pub ephemeral_storage: Option<u32>,
    pub dead_letter_target: Option<Option<String>>,
    pub log_group: Option<String>,
    pub log_format: Option<String>,
    pub stored: Map<String, Value>,
}

/// AWS's answer to a RevisionId that is not the current one.
pub const STALE_REVISION: &str = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

/// AWS's limit on a function's environment variables, as it measures them.
const ENV_LIMIT: usize = 4096;

pub fn now_modified() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

fn revision() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Lambda {
    pub async fn create_function(self: &Arc<Self>, input: NewFunction) -> Result<(Function, Option<Function>)> {
        let runtime = input.runtime.clone().ok_or_else(|| {
            LambdaError::invalid(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
            )
        })?;
        let handler = input.handler.clone().ok_or_else(|| {
            LambdaError::invalid(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
            )
        })?;
        check_runtime(&runtime)?;
        if self.store.function(&input.name, LATEST)?.is_some() {
            return Err(LambdaError::Conflict(format!("Function already exist: {}", input.name)));
        }
        let source = input
            .code
            .clone()
            .ok_or_else(|| LambdaError::invalid("Please provide a source for function code."))?;
        let code = self.store_code(source).await?;
        let mut f = Function {
            name: input.name.clone(),
            version: LATEST.into(),
            runtime,
            role: input.role.clone(),
            handler,
            description: String::new(),
            timeout: 3,
            memory_size: 128,
            environment: Map::new(),
            layers: Vec::new(),
            code,
            architectures: vec!["x86_64".into()],
            ephemeral_storage: 512,
            last_modified: now_modified(),
            revision_id: revision(),
            dead_letter_target: None,
            log_group: format!("/aws/lambda/{}", input.name),
            log_format: "Text".into(),
            stored: Map::new(),
        };
        self.apply(&mut f, input.config)?;
        if !self.store.create_function(&f)? {
            return Err(LambdaError::Conflict(format!("Function already exist: {}", input.name)));
        }
        let arn = self.function_arn(&f.name);
        self.store.tag(&arn, &input.tags)?;
        let published = if input.publish {
            Some(self.publish_version(&f.name, None, None, None)?)
        } else {
            None
        };
        Ok((f, published))
    }

    /// Applies configuration members to a record, checking what AWS checks.
    fn apply(&self, f: &mut Function, s: FunctionConfig) -> Result<()> {
        if let Some(d) = s.description {
            f.description = d;
        }
        if let Some(t) = s.timeout {
            f.timeout = t;
        }
        if let Some(m) = s.memory_size {
            f.memory_size = m;
        }
        if let Some(env) = s.environment {
            check_environment(&env)?;
            f.environment = env;
        }
        if let Some(layers) = s.layers {
            f.layers = self.layer_refs(&layers)?;
        }
        if let Some(a) = s.architectures {
            f.architectures = a;
        }
        if let Some(e) = s.ephemeral_storage {
            f.ephemeral_storage = e;
        }
        if let Some(d) = s.dead_letter_target {
            f.dead_letter_target = d.filter(|t| !t.is_empty());
        }
        if let Some(g) = s.log_group {
            f.log_group = g;
        }
        if let Some(fmt) = s.log_format {
            f.log_format = fmt;
        }
        for (k, v) in s.stored {
            f.stored.insert(k, v);
        }
        Ok(())
    }

    /// Keeps a package from the request or from our S3.
    pub(crate) async fn store_code(&self, source: CodeSource) -> Result<Code> {
        match source {
            CodeSource::Zip(bytes) => {
                let code = self.code.clone();
                tokio::task::spawn_blocking(move || code.put(&bytes))
                    .await
                    .map_err(LambdaError::internal)?
            }
            CodeSource::S3 { bucket, key, version } => self.code_from_s3(&bucket, &key, version).await,
        }
    }

    /// Streams an S3 object into a staging file, hashing it on the way, so
    /// a package of hundreds of MB is never held in memory.
    async fn code_from_s3(&self, bucket: &str, key: &str, version: Option<String>) -> Result<Code> {
        let s3_error = |code: &str, message: &str| {
            LambdaError::invalid(format!(
                "Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}"
            ))
        };
        let path = object_store::path::Path::from(format!("{bucket}/{key}"));
        let opts = object_store::GetOptions {
            version,
            ..Default::default()
        };
        let got = self.objects.get_opts(&path, opts).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => s3_error("NoSuchKey", "The specified key does not exist."),
            other => s3_error("InternalError", &other.to_string()),
        })?;
        if got.meta.size > UNZIPPED_LIMIT {
            return Err(LambdaError::invalid(format!(
                "Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes"
            )));
        }
        let staged = self.code.staging_file()?;
        let mut file = tokio::fs::File::create(&staged).await?;
        let mut hash = Sha256::new();
        let mut size = 0u64;
        let mut stream = got.into_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tokio::fs::remove_file(&staged).await;
                    return Err(s3_error("InternalError", &e.to_string()));
                }
            };
            hash.update(&chunk);
            size += chunk.len() as u64;
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        drop(file);
        let code = self.code.clone();
        tokio::task::spawn_blocking(move || code.adopt(&staged, hash.finalize().into(), size))
            .await
            .map_err(LambdaError::internal)?
    }

    pub async fn update_code(
        &self,
        name: &str,
        source: CodeSource,
        revision_id: Option<&str>,
        dry_run: bool,
        publish: bool,
    ) -> Result<(Function, Option<Function>)> {
        let mut f = self.latest(name)?;
        check_revision(&f, revision_id)?;
        let code = self.store_code(source).await?;
        if dry_run {
            f.code = code;
            return Ok((f, None));
        }
        f.code = code;
        f.last_modified = now_modified();
        f.revision_id = revision();
        self.store.put_function(&f)?;
        self.forget_processes(name);
        let published = if publish {
            Some(self.publish_version(name, None, None, None)?)
        } else {
            None
        };
        Ok((f, published))
    }

    pub fn update_configuration(
        &self,
        name: &str,
        runtime: Option<String>,
        role: Option<String>,
        handler: Option<String>,
        settings: FunctionConfig,
        revision_id: Option<&str>,
    ) -> Result<Function> {
        let mut f = self.latest(name)?;
        check_revision(&f, revision_id)?;
        if let Some(r) = runtime {
            check_runtime(&r)?;
            f.runtime = r;
        }
        if let Some(r) = role {
            f.role = r;
        }
        if let Some(h) = handler {
            f.handler = h;
        }
        self.apply(&mut f, settings)?;
        f.last_modified = now_modified();
        f.revision_id = revision();
        self.store.put_function(&f)?;
        self.forget_processes(name);
        Ok(f)
    }

    /// Publishes `$LATEST` as a new version, unless the newest published
    /// version already has its code and configuration (AWS answers that one).
    pub fn publish_version(
        &self,
        name: &str,
        code_sha256: Option<&str>,
        description: Option<String>,
        revision_id: Option<&str>,
    ) -> Result<Function> {
        let latest = self.latest(name)?;
        check_revision(&latest, revision_id)?;
        if let Some(sha) = code_sha256
            && sha != latest.code.sha256
        {
            return Err(LambdaError::invalid(format!(
                "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.",
                latest.code.sha256
            )));
        }
        let versions = self.store.versions(name)?;
        if let Some(newest) = versions.iter().rev().find(|v| v.version != LATEST)
            && same_config(newest, &latest)
        {
            return Ok(newest.clone());
        }
        let number = self.store.next_number(&format!("version:{name}"))?;
        let mut v = latest;
        v.version = number.to_string();
        if let Some(d) = description {
            v.description = d;
        }
        v.last_modified = now_modified();
        v.revision_id = revision();
        self.store.put_function(&v)?;
        Ok(v)
    }

    pub fn delete_function(&self, name: &str, qualifier: Option<&str>) -> Result<()> {
        match qualifier {
            Some(LATEST) => Err(LambdaError::invalid(
                "$LATEST version cannot be deleted without deleting the function.",
            )),
            Some(q) => {
                if !q.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(LambdaError::invalid(
                        "Deletion of aliases is not supported. Use DeleteAlias instead.",
                    ));
                }
                let referenced = |a: &Alias| a.version == q || a.additional_weights.contains_key(q);
                if let Some(a) = self.store.aliases(name)?.into_iter().find(referenced) {
                    return Err(LambdaError::Conflict(format!(
                        "Unable to delete version because the following aliases reference it: [{}]",
                        a.name
                    )));
                }
                if !self.store.delete_function(name, Some(q))? {
                    return Err(LambdaError::NotFound(format!(
                        "Function not found: {}",
                        self.qualified_arn(name, q)
                    )));
                }
                self.forget_processes(name);
                Ok(())
            }
            None => {
                if !self.store.delete_function(name, None)? {
                    return Err(LambdaError::NotFound(format!(
                        "Function not found: {}",
                        self.function_arn(name)
                    )));
                }
                self.store.drop_tags(&self.function_arn(name))?;
                self.forget_processes(name);
                Ok(())
            }
        }
    }

    // Aliases.

    pub fn put_alias(&self, mut a: Alias, create: bool) -> Result<Alias> {
        self.latest(&a.function)?;
        let existing = self.store.alias(&a.function, &a.name)?;
        match (create, &existing) {
            (true, Some(_)) => {
                return Err(LambdaError::Conflict(format!(
                    "Alias already exists: {}",
                    self.qualified_arn(&a.function, &a.name)
                )));
            }
            (false, None) => return Err(self.alias_not_found(&a.function, &a.name)),
            _ => {}
        }
        for v in std::iter::once(&a.version).chain(a.additional_weights.keys()) {
            if v != LATEST && self.store.function(&a.function, v)?.is_none() {
                return Err(LambdaError::NotFound(format!(
                    "Function not found: {}",
                    self.qualified_arn(&a.function, v)
                )));
            }
        }
        a.revision_id = revision();
        self.store.put_alias(&a)?;
        Ok(a)
    }

    pub fn alias(&self, function: &str, name: &str) -> Result<Alias> {
        self.latest(function)?;
        self.store
            .alias(function, name)?
            .ok_or_else(|| self.alias_not_found(function, name))
    }

    fn alias_not_found(&self, function: &str, name: &str) -> LambdaError {
        LambdaError::NotFound(format!("Cannot find alias arn: {}", self.qualified_arn(function, name)))
    }

    // Layers.

    pub fn layer_arn(&self, name: &str) -> String {
        lakestack_aws_protocol::Arn::new("lambda", self.region(), self.account(), format!("layer:{name}")).to_string()
    }

    pub async fn publish_layer(
        &self,
        name: &str,
        source: CodeSource,
        description: String,
        compatible_runtimes: Vec<String>,
        compatible_architectures: Vec<String>,
        license_info: Option<String>,
    ) -> Result<LayerVersion> {
        let code = self.store_code(source).await?;
        let version = self.store.next_number(&format!("layer:{name}"))?;
        let l = LayerVersion {
            name: name.to_owned(),
            version,
            description,
            created: now_modified(),
            compatible_runtimes,
            compatible_architectures,
            license_info,
            code,
        };
        self.store.put_layer(&l)?;
        Ok(l)
    }

    /// Reads layer version ARNs of this account and region into their packages.
    fn layer_refs(&self, arns: &[String]) -> Result<Vec<LayerRef>> {
        if arns.len() > 5 {
            return Err(LambdaError::invalid("Cannot reference more than 5 layers."));
        }
        arns.iter()
            .map(|arn| {
                let missing = || LambdaError::invalid(format!("Layer version {arn} does not exist."));
                let (name, version) = self.split_layer_arn(arn).ok_or_else(missing)?;
                let l = self.store.layer(&name, version)?.ok_or_else(missing)?;
                Ok(LayerRef {
                    arn: arn.clone(),
                    code: l.code,
                })
            })
            .collect()
    }

    /// `arn:aws:lambda:<region>:<account>:layer:<name>:<version>` of ours.
    pub fn split_layer_arn(&self, arn: &str) -> Option<(String, u64)> {
        let prefix = format!("arn:aws:lambda:{}:{}:layer:", self.region(), self.account());
        let rest = arn.strip_prefix(&prefix)?;
        let (name, version) = rest.rsplit_once(':')?;
        Some((name.to_owned(), version.parse().ok()?))
    }
}

fn check_revision(f: &Function, revision_id: Option<&str>) -> Result<()> {
    match revision_id {
        Some(r) if r != f.revision_id => Err(LambdaError::PreconditionFailed(STALE_REVISION.into())),
        _ => Ok(()),
    }
}

/// Whether two records differ only in what publishing changes.
fn same_config(a: &Function, b: &Function) -> bool {
    let strip = |f: &Function| {
        let mut f = f.clone();
        f.version = String::new();
        f.last_modified = String::new();
        f.revision_id = String::new();
        f.description = String::new();
        f
    };
    strip(a) == strip(b)
}

/// Runtimes AWS no longer accepts for new or updated functions, with the
/// one AWS recommends instead.
const DEPRECATED: &[(&str, &str)] = &[
    ("python2.7", "python3.13"),
    ("python3.6", "python3.13"),
    ("python3.7", "python3.13"),
    ("python3.8", "python3.13"),
    ("nodejs", "nodejs22.x"),
    ("nodejs4.3", "nodejs22.x"),
    ("nodejs4.3-edge", "nodejs22.x"),
    ("nodejs6.10", "nodejs22.x"),
    ("nodejs8.10", "nodejs22.x"),
    ("nodejs10.x", "nodejs22.x"),
    ("nodejs12.x", "nodejs22.x"),
    ("nodejs14.x", "nodejs22.x"),
    ("nodejs16.x", "nodejs22.x"),
    ("java8", "java21"),
    ("dotnetcore1.0", "dotnet8"),
    ("dotnetcore2.0", "dotnet8"),
    ("dotnetcore2.1", "dotnet8"),
    ("dotnetcore3.1", "dotnet8"),
    ("dotnet6", "dotnet8"),
    ("go1.x", "provided.al2023"),
    ("ruby2.5", "ruby3.3"),
    ("ruby2.7", "ruby3.3"),
    ("provided", "provided.al2023"),
];

fn check_runtime(runtime: &str) -> Result<()> {
    if let Some((_, instead)) = DEPRECATED.iter().find(|(r, _)| *r == runtime) {
        return Err(LambdaError::invalid(format!(
            "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime ({instead}) while creating or updating functions."
        )));
    }
    Ok(())
}

fn check_environment(env: &Map<String, Value>) -> Result<()> {
    let reserved: Vec<&str> = env
        .keys()
        .map(String::as_str)
        .filter(|k| RESERVED.contains(k))
        .collect();
    if !reserved.is_empty() {
        return Err(LambdaError::invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
            reserved.join(", ")
        )));
    }
    let measured = Value::Object(env.clone()).to_string();
    if measured.len() > ENV_LIMIT {
        return Err(LambdaError::invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {measured}"
        )));
    }
    Ok(())
}
