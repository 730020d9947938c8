//! The pre-traffic hook of every function's canary deploy (template.yaml's
//! `DeploymentPreference.Hooks.PreTraffic`): before CodeDeploy moves any traffic to a new
//! version, this invokes the new version of each of the stack's functions with its probe
//! (`probes`), and tells CodeDeploy `Succeeded` only if every one answered as a healthy function
//! does. `Failed` stops the deploy and CloudFormation rolls the stack back: no request ever
//! reached a version that cannot start, read its secrets or reach its table.
//!
//! Each function's new version comes in `MISSIVE_CHECK_<FUNCTION>` (`!Ref Fn.Version`).

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

/// Checks every function, then reports to CodeDeploy.
async fn hook(
    lambda: &aws_sdk_lambda::Client,
    codedeploy: &aws_sdk_codedeploy::Client,
    event: Value,
) -> Result<Value, Error> {
    let text = |name: &str| event[name].as_str().map(str::to_string);
    let (Some(deployment), Some(execution)) = (text("DeploymentId"), text("LifecycleEventHookExecutionId")) else {
        return Err(Error::from("not a CodeDeploy lifecycle hook event"));
    };
    let checks = probes::all().into_iter().map(|probe| async move {
        let outcome = check(lambda, &probe).await;
        (probe.function, outcome)
    });
    let outcomes = futures_util::future::join_all(checks).await;
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|(function, outcome)| outcome.as_ref().err().map(|e| format!("{function}: {e}")))
        .collect();
    for (function, outcome) in &outcomes {
        match outcome {
            Ok(version) => tracing::info!(function, version, "healthy"),
            Err(e) => tracing::error!(function, error = %e, "unhealthy"),
        }
    }
    let status = if failures.is_empty() { LifecycleEventStatus::Succeeded } else { LifecycleEventStatus::Failed };
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
    Ok(serde_json::json!({ "status": status.as_str(), "failures": failures }))
}

/// Invokes `probe`'s function at its new version; the version checked, or what was wrong.
async fn check(lambda: &aws_sdk_lambda::Client, probe: &probes::Probe) -> Result<String, String> {
    let variable = probes::version_variable(probe.function);
    let version = std::env::var(&variable).map_err(|_| format!("{variable} is not set"))?;
    let payload = serde_json::to_vec(&probe.event).map_err(|e| e.to_string())?;
    let invoked =
        tokio::time::timeout(PROBE_TIMEOUT, lambda.invoke().function_name(&version).payload(Blob::new(payload)).send())
            .await
            .map_err(|_| format!("no answer within {} s", PROBE_TIMEOUT.as_secs()))?
            .map_err(|e| format!("invoking {version}: {}", aws_sdk_lambda::error::DisplayErrorContext(e)))?;
    let answer: Value = invoked
        .payload()
        .map(|blob| serde_json::from_slice(blob.as_ref()).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    probes::judge(&probe.expect, invoked.function_error().is_some(), &answer)?;
    Ok(version)
}
