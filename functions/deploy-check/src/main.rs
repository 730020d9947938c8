//! The pre-traffic hook of every function's canary deploy (template.yaml's
//! `DeploymentPreference.Hooks.PreTraffic`): before CodeDeploy moves any traffic to a function's
//! new version, it invokes this hook with its deployment's id; the hook reads from CodeDeploy
//! which function and version the deployment moves the alias to (`ListDeploymentTargets`,
//! `GetDeploymentTarget`), invokes that version with the function's probe (`probes`), and tells
//! CodeDeploy `Succeeded` only if it answered as a healthy function does. `Failed` stops the
//! deploy and CloudFormation rolls the stack back: no request ever reached a version that cannot
//! start, read its secrets or reach its table.
//!
//! The deployment, not the hook's own configuration, names the version: a hook whose
//! variables named versions would be republished only when its own code changed, and would
//! probe the versions already live. `MISSIVE_CHECK_<FUNCTION>` holds each function's name, to
//! know which probe a deployment's function answers.

mod probes;

use aws_sdk_codedeploy::types::LifecycleEventStatus;
use aws_sdk_lambda::primitives::Blob;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

/// A probe's invocation is given this long (the functions' own timeouts are 10 and 30 s).
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(40);

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let (lambda, codedeploy) = (aws_sdk_lambda::Client::new(&sdk), aws_sdk_codedeploy::Client::new(&sdk));
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (lambda, codedeploy) = (lambda.clone(), codedeploy.clone());
        async move { hook(&lambda, &codedeploy, event.payload).await }
    }))
    .await
}

/// Checks the deployment's function at its new version, then reports to CodeDeploy.
async fn hook(
    lambda: &aws_sdk_lambda::Client,
    codedeploy: &aws_sdk_codedeploy::Client,
    event: Value,
) -> Result<Value, Error> {
    let text = |name: &str| event[name].as_str().map(str::to_string);
    let (Some(deployment), Some(execution)) = (text("DeploymentId"), text("LifecycleEventHookExecutionId")) else {
        return Err(Error::from("not a CodeDeploy lifecycle hook event"));
    };
    let outcome = match deployment_target(codedeploy, &deployment).await {
        Ok(target) => check(lambda, &target).await.map(|()| target),
        Err(e) => Err(e),
    };
    let status = match &outcome {
        Ok(target) => {
            tracing::info!(deployment, function = target.function, version = target.version, "healthy");
            LifecycleEventStatus::Succeeded
        }
        Err(e) => {
            tracing::error!(deployment, error = %e, "unhealthy");
            LifecycleEventStatus::Failed
        }
    };
    codedeploy
        .put_lifecycle_event_hook_execution_status()
        .deployment_id(&deployment)
        .lifecycle_event_hook_execution_id(&execution)
        .status(status.clone())
        .send()
        .await
        .map_err(|e| {
            Error::from(format!("reporting to CodeDeploy: {}", aws_sdk_codedeploy::error::DisplayErrorContext(e)))
        })?;
    Ok(serde_json::json!({ "status": status.as_str(), "failure": outcome.err() }))
}

/// What a deployment moves: a function (its name) to a version.
struct Target {
    function: String,
    version: String,
}

/// The function and version `deployment` shifts its alias to. A Lambda deployment has one
/// target, named by the function.
async fn deployment_target(codedeploy: &aws_sdk_codedeploy::Client, deployment: &str) -> Result<Target, String> {
    fn described(deployment: &str, e: impl std::error::Error) -> String {
        format!("reading deployment {deployment}: {}", aws_sdk_codedeploy::error::DisplayErrorContext(e))
    }
    let listed = codedeploy
        .list_deployment_targets()
        .deployment_id(deployment)
        .send()
        .await
        .map_err(|e| described(deployment, e))?;
    let [target_id] = listed.target_ids() else {
        return Err(format!("deployment {deployment} has {} targets, not one function", listed.target_ids().len()));
    };
    let got = codedeploy
        .get_deployment_target()
        .deployment_id(deployment)
        .target_id(target_id)
        .send()
        .await
        .map_err(|e| described(deployment, e))?;
    let info = got.deployment_target().and_then(|t| t.lambda_target()).and_then(|t| t.lambda_function_info());
    match info.map(|i| (i.function_name(), i.target_version())) {
        Some((Some(function), Some(version))) => Ok(Target { function: function.into(), version: version.into() }),
        _ => Err(format!("deployment {deployment}'s target {target_id} names no function version")),
    }
}

/// Invokes `target`'s new version with its function's probe; what was wrong, if anything.
async fn check(lambda: &aws_sdk_lambda::Client, target: &Target) -> Result<(), String> {
    let probe = probes::for_function(&target.function, |name| std::env::var(name).ok())
        .ok_or_else(|| format!("{} is none of the functions this hook knows (MISSIVE_CHECK_*)", target.function))?;
    let payload = serde_json::to_vec(&probe.event).map_err(|e| e.to_string())?;
    let invoking =
        lambda.invoke().function_name(&target.function).qualifier(&target.version).payload(Blob::new(payload));
    let invoked = tokio::time::timeout(PROBE_TIMEOUT, invoking.send())
        .await
        .map_err(|_| format!("no answer within {} s", PROBE_TIMEOUT.as_secs()))?
        .map_err(|e| {
            format!(
                "invoking {}:{}: {}",
                target.function,
                target.version,
                aws_sdk_lambda::error::DisplayErrorContext(e)
            )
        })?;
    let answer: Value = invoked
        .payload()
        .map(|blob| serde_json::from_slice(blob.as_ref()).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    probes::judge(&probe.expect, invoked.function_error().is_some(), &answer)
        .map_err(|e| format!("{} ({}) version {}: {e}", probe.function, target.function, target.version))
}
