//! Tenants' push credentials: none until set, read back as written, replaced whole, and each
//! tenant's apart. Run on the local runtime's files and on Secrets Manager (moto).

use missive::adapters::aws::push_credentials::SecretsManagerPushCredentials;
use missive::adapters::local::LocalPushCredentials;
use missive::domain::*;
use missive::ports::PushCredentialStore;

fn apns(bundle: &str) -> PushCredentials {
    PushCredentials {
        fcm: None,
        apns: Some(ApnsKey {
            team_id: "TEAM123456".into(),
            key_id: "KEY1234567".into(),
            private_key: "-----BEGIN PRIVATE KEY-----\nMIG…\n-----END PRIVATE KEY-----\n".into(),
            bundle_id: bundle.into(),
            environment: ApnsEnvironment::Sandbox,
        }),
    }
}

async fn credentials_are_kept_per_tenant_and_replaced_whole<S: PushCredentialStore + ?Sized>(store: &S) {
    let (acme, brigade) = (TenantId::parse("acme").unwrap(), TenantId::parse("brigade").unwrap());
    assert!(store.get_push_credentials(&acme).await.unwrap().is_none());
    store.put_push_credentials(&acme, &apns("com.acme.app")).await.unwrap();
    let read = store.get_push_credentials(&acme).await.unwrap().unwrap();
    assert_eq!(read.view(), apns("com.acme.app").view());
    assert_eq!(read.apns.unwrap().private_key, apns("").apns.unwrap().private_key, "the key itself, whole");
    assert!(store.get_push_credentials(&brigade).await.unwrap().is_none(), "another tenant's are apart");

    store.put_push_credentials(&acme, &apns("com.acme.other")).await.unwrap();
    let replaced = store.get_push_credentials(&acme).await.unwrap().unwrap();
    assert_eq!(replaced.apns.unwrap().bundle_id, "com.acme.other");

    // An offboarded tenant's go; none to delete is no error.
    store.put_push_credentials(&brigade, &apns("com.brigade.app")).await.unwrap();
    store.delete_push_credentials(&acme).await.unwrap();
    assert!(store.get_push_credentials(&acme).await.unwrap().is_none());
    store.delete_push_credentials(&acme).await.unwrap();
    assert!(store.get_push_credentials(&brigade).await.unwrap().is_some(), "another tenant's stay");
}

mod credentials_are_kept_per_tenant_and_replaced_whole {
    use super::*;

    #[tokio::test]
    async fn on_local_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalPushCredentials::new(dir.path().join("push-credentials"));
        credentials_are_kept_per_tenant_and_replaced_whole(&store).await;
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(dir.path().join("push-credentials/brigade.json")).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }

    #[tokio::test]
    async fn on_secrets_manager() {
        let sdk = crate::aws_support::sdk_config().await;
        let stack = crate::aws_support::unique_name("stack");
        credentials_are_kept_per_tenant_and_replaced_whole(&SecretsManagerPushCredentials::from_sdk(&sdk, &stack))
            .await;
    }
}
