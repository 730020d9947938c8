//! The functions' secrets, from one Secrets Manager secret per stack (template.yaml's
//! `Secrets`): a JSON object whose keys stand for the environment variables the local
//! runtime reads. Read once per cold start and kept in memory only; granted (IAM) only to the
//! functions that verify or sign tokens.

use std::collections::HashMap;

use crate::config::ConfigError;

/// The secret's keys and the configuration variables they stand for.
const KEYS: [(&str, &str); 4] = [
    ("jwtSecret", "MISSIVE_JWT_SECRET"),
    ("platformKey", "MISSIVE_PLATFORM_KEY"),
    ("guestSecret", "MISSIVE_GUEST_SECRET"),
    ("vapidPrivateKey", "MISSIVE_VAPID_PRIVATE_KEY"),
];

/// The secret `secret_id` (an ARN or a name) as configuration variables.
pub async fn read(sdk: &aws_config::SdkConfig, secret_id: &str) -> Result<HashMap<&'static str, String>, ConfigError> {
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    let unreadable = |detail: String| ConfigError::Invalid("MISSIVE_SECRETS_ARN", detail);
    let answer = client.get_secret_value().secret_id(secret_id).send().await.map_err(|e| {
        unreadable(format!("could not read the secret: {}", aws_sdk_secretsmanager::error::DisplayErrorContext(&e)))
    })?;
    let text = answer.secret_string().ok_or_else(|| unreadable("the secret has no string value".into()))?;
    parse(text).map_err(unreadable)
}

/// The JSON object's known keys as configuration variables; unknown keys are refused (a typo
/// would otherwise leave a default in place), and so are non-string values.
pub fn parse(text: &str) -> Result<HashMap<&'static str, String>, String> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|_| "the secret is not a JSON object".to_string())?;
    let mut variables = HashMap::new();
    for (key, value) in object {
        let Some((_, variable)) = KEYS.iter().find(|(k, _)| *k == key) else {
            let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            return Err(format!("unknown key `{key}` in the secret (known: {})", known.join(", ")));
        };
        let value = value.as_str().ok_or_else(|| format!("`{key}` is not a string"))?;
        variables.insert(*variable, value.to_string());
    }
    Ok(variables)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_secret_s_keys_become_configuration_variables_and_nothing_else_is_taken() {
        let vars = parse(r#"{"jwtSecret":"j-0123456789abcdef","platformKey":"pk"}"#).unwrap();
        assert_eq!(vars["MISSIVE_JWT_SECRET"], "j-0123456789abcdef");
        assert_eq!(vars["MISSIVE_PLATFORM_KEY"], "pk");
        assert!(!vars.contains_key("MISSIVE_GUEST_SECRET"));
        assert!(parse(r#"{"jwtsecret":"x"}"#).unwrap_err().contains("unknown key `jwtsecret`"));
        assert!(parse(r#"{"jwtSecret":1}"#).is_err());
        assert!(parse("plain text").is_err());
    }
}
