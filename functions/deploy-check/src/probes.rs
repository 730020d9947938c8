//! What each function is asked before it takes traffic, and what a healthy answer is: a request
//! each function answers on its own (a health check, a frame without a caller, an empty batch:
//! these change nothing; and a pass of the scheduler, what it does every minute), so that the
//! new version has started, read its configuration and secrets, and run its handler —
//! `http-api`'s through DynamoDB.

use serde_json::{json, Value};

/// One function's probe: the event it is invoked with, and how its answer is judged.
pub struct Probe {
    /// The function's crate, which names the environment variable holding its deployed name
    /// (`MISSIVE_CHECK_WS_MESSAGE` for `ws-message`).
    pub function: &'static str,
    pub event: Value,
    pub expect: Expect,
}

/// A healthy answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Expect {
    /// An API Gateway proxy response with this status code.
    Status(u16),
    /// A function error with exactly this message (an authorizer's "Unauthorized": 401).
    ErrorMessage(&'static str),
    /// An SQS batch response with no failure.
    NoBatchFailures,
    /// Any answer that is not a function error.
    Answer,
}

/// The environment variable holding the deployed name of `function` (a crate).
pub fn name_variable(function: &str) -> String {
    format!("MISSIVE_CHECK_{}", function.to_ascii_uppercase().replace('-', "_"))
}

/// The probe of the function deployed as `deployed_name`, reading the names from `variable`.
pub fn for_function(deployed_name: &str, variable: impl Fn(&str) -> Option<String>) -> Option<Probe> {
    all().into_iter().find(|probe| variable(&name_variable(probe.function)).as_deref() == Some(deployed_name))
}

/// Every function's probe.
pub fn all() -> Vec<Probe> {
    // A frame with no caller: the route answers 401 without touching anything (the connect,
    // disconnect and message routes alike), after the function started and read its settings.
    let anonymous = |route: &str, event_type: &str| {
        json!({
            "requestContext": {
                "routeKey": route, "eventType": event_type, "stage": "deploy-check",
                "requestId": "deploy-check", "apiId": "deploy-check", "domainName": "deploy-check",
                "connectedAt": 0, "requestTimeEpoch": 0,
            },
            "body": "{\"action\":\"ping\"}",
            "isBase64Encoded": false,
        })
    };
    let empty_batch = json!({ "Records": [] });
    vec![
        Probe {
            function: "ws-authorizer",
            event: json!({
                "type": "REQUEST", "methodArn": "arn:aws:execute-api:deploy-check",
                "queryStringParameters": { "token": "deploy-check" },
                "requestContext": { "requestId": "deploy-check", "apiId": "deploy-check", "stage": "deploy-check" },
            }),
            expect: Expect::ErrorMessage("Unauthorized"),
        },
        Probe { function: "ws-connect", event: anonymous("$connect", "CONNECT"), expect: Expect::Status(401) },
        Probe { function: "ws-disconnect", event: anonymous("$disconnect", "DISCONNECT"), expect: Expect::Status(401) },
        Probe { function: "ws-message", event: anonymous("$default", "MESSAGE"), expect: Expect::Status(401) },
        Probe {
            function: "http-api",
            // The REST API's health: the table answers (GET /v1/health reads it).
            event: json!({
                "version": "2.0", "routeKey": "$default", "rawPath": "/v1/health", "rawQueryString": "",
                "headers": { "user-agent": "missive-deploy-check" },
                "requestContext": {
                    "accountId": "deploy-check", "apiId": "deploy-check", "domainName": "deploy-check",
                    "domainPrefix": "deploy-check", "requestId": "deploy-check", "routeKey": "$default",
                    "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0,
                    "http": {
                        "method": "GET", "path": "/v1/health", "protocol": "HTTP/1.1",
                        "sourceIp": "127.0.0.1", "userAgent": "missive-deploy-check",
                    },
                },
                "isBase64Encoded": false,
            }),
            expect: Expect::Status(200),
        },
        Probe { function: "notify-worker", event: empty_batch.clone(), expect: Expect::NoBatchFailures },
        Probe { function: "email-worker", event: empty_batch, expect: Expect::NoBatchFailures },
        // A pass of the scheduler: what it does every minute anyway.
        Probe { function: "scheduler", event: json!({ "source": "missive.deploy-check" }), expect: Expect::Answer },
    ]
}

/// Whether `answer` (the payload; `function_error` set when the function failed) is healthy.
pub fn judge(expect: &Expect, function_error: bool, answer: &Value) -> Result<(), String> {
    let healthy = match expect {
        Expect::Status(status) => !function_error && answer["statusCode"].as_u64() == Some(u64::from(*status)),
        Expect::ErrorMessage(message) => function_error && answer["errorMessage"] == *message,
        Expect::NoBatchFailures => {
            !function_error && answer["batchItemFailures"].as_array().is_some_and(|failures| failures.is_empty())
        }
        Expect::Answer => !function_error,
    };
    if healthy {
        Ok(())
    } else {
        Err(format!("expected {expect:?}, got {}{answer}", if function_error { "a function error: " } else { "" }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each probe is an event its function's runtime reads (the types the functions take).
    #[test]
    fn every_probe_is_an_event_its_function_reads() {
        for probe in all() {
            let event = probe.event.clone();
            let read = match probe.function {
                "ws-authorizer" => serde_json::from_value::<
                    aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest,
                >(event)
                .map(|_| ()),
                "ws-connect" | "ws-disconnect" | "ws-message" => {
                    serde_json::from_value::<aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest>(event)
                        .map(|_| ())
                }
                "http-api" => serde_json::from_value::<lambda_http::request::LambdaRequest>(event).map(|_| ()),
                "notify-worker" | "email-worker" => {
                    serde_json::from_value::<aws_lambda_events::sqs::SqsEvent>(event).map(|_| ())
                }
                _ => Ok(()),
            };
            assert!(read.is_ok(), "{}: {read:?}", probe.function);
        }
        assert_eq!(all().len(), 8, "one probe per function");
    }

    #[test]
    fn answers_are_judged_by_what_a_healthy_function_says() {
        assert!(judge(&Expect::Status(200), false, &json!({ "statusCode": 200 })).is_ok());
        assert!(judge(&Expect::Status(200), false, &json!({ "statusCode": 503 })).is_err());
        assert!(judge(&Expect::Status(401), true, &json!({ "errorMessage": "boom" })).is_err());
        assert!(judge(&Expect::ErrorMessage("Unauthorized"), true, &json!({ "errorMessage": "Unauthorized" })).is_ok());
        assert!(judge(&Expect::ErrorMessage("Unauthorized"), true, &json!({ "errorMessage": "panic" })).is_err());
        assert!(judge(&Expect::NoBatchFailures, false, &json!({ "batchItemFailures": [] })).is_ok());
        assert!(judge(&Expect::NoBatchFailures, false, &json!({ "batchItemFailures": [{ "itemIdentifier": "1" }] }))
            .is_err());
        assert!(judge(&Expect::Answer, true, &json!({})).is_err());
        assert_eq!(name_variable("ws-message"), "MISSIVE_CHECK_WS_MESSAGE");
    }

    /// A deployment names its function as deployed; the variables say which crate that is.
    #[test]
    fn a_deployment_s_function_is_found_by_its_deployed_name() {
        let deployed = |variable: &str| match variable {
            "MISSIVE_CHECK_HTTP_API" => Some("stack-HttpApiFunction-1A2B".to_string()),
            "MISSIVE_CHECK_WS_MESSAGE" => Some("stack-WsMessageFunction-3C4D".to_string()),
            _ => None,
        };
        assert_eq!(for_function("stack-HttpApiFunction-1A2B", deployed).map(|p| p.function), Some("http-api"));
        assert_eq!(for_function("stack-WsMessageFunction-3C4D", deployed).map(|p| p.function), Some("ws-message"));
        assert!(for_function("someone-else", deployed).is_none());
    }
}
