//! The functions' secrets, read from Secrets Manager (on moto) as the Lambda functions read
//! them at cold start.

use missive::adapters::aws::secrets;

#[tokio::test]
async fn the_stack_s_secret_is_read_as_configuration_variables_and_a_missing_one_is_named() {
    let sdk = crate::aws_support::sdk_config().await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let name = crate::aws_support::unique_name("secrets");
    let created = client
        .create_secret()
        .name(&name)
        .secret_string(
            r#"{"jwtSecret":"jwt-0123456789abcdef","platformKey":"pk-123","guestSecret":"guest-0123456789"}"#,
        )
        .send()
        .await
        .unwrap();
    let vars = secrets::read(&sdk, created.arn().unwrap()).await.unwrap();
    assert_eq!(vars["MISSIVE_JWT_SECRET"], "jwt-0123456789abcdef");
    assert_eq!(vars["MISSIVE_PLATFORM_KEY"], "pk-123");
    assert_eq!(vars["MISSIVE_GUEST_SECRET"], "guest-0123456789");

    let missing = secrets::read(&sdk, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope").await.unwrap_err();
    assert!(missing.to_string().contains("MISSIVE_SECRETS_ARN"), "{missing}");
}
