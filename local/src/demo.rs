//! The demo tenant created on first start, and the tokens printed for it.

use chrono::Utc;
use missive::auth::{mint_platform_token, Claims};
use missive::domain::*;
use missive::usecases::moderation::ModerationInput;
use missive::usecases::storefronts::NewStorefront;
use missive::usecases::tenants::NewTenant;
use missive::usecases::users::{UserAdmin, UserUpsert};
use missive::usecases::Identity;
use missive::App;

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_STOREFRONT: &str = "demo-storefront";

/// (id, name, role) of the demo users.
pub const DEMO_USERS: [(&str, &str, Role); 4] = [
    ("ada", "Ada Lovelace", Role::Admin),
    ("paul", "Paul Fleuriste", Role::Partner),
    ("alice", "Alice Martin", Role::Member),
    ("bob", "Bob Durand", Role::Member),
];

/// Creates the demo tenant, its users and storefront unless the tenant exists — through the
/// use cases the platform's operator and a partner would call, so the demo data passes the
/// same checks as any tenant's.
pub async fn seed(app: &App) -> anyhow::Result<bool> {
    let new_tenant = NewTenant {
        name: "Demo".into(),
        id: Some(DEMO_TENANT.into()),
        locale: Some(Locale::Fr),
        email_from: Some("demo@missive.localhost".into()),
        branding: Some(Branding { display_name: Some("Missive Demo".into()), ..Branding::default() }),
        allowed_origins: None,
        max_upload_bytes: None,
        upload_types: None,
        retention_days: None,
        quotas: None,
    };
    let tenant = app.tenants.create_tenant(new_tenant).await?;
    if !tenant.created {
        return Ok(false);
    }
    for (id, name, role) in DEMO_USERS {
        let user = UserUpsert {
            name: name.into(),
            email: Some(format!("{id}@demo.missive.localhost")),
            locale: Some(Locale::Fr),
            role: Some(role),
            tenant_id: Some(DEMO_TENANT.into()),
            suspended: None,
        };
        app.users.upsert_user(UserAdmin::Platform, &UserId::parse(id)?, user).await?;
    }
    let partner = Identity {
        tenant_id: tenant.value.id.clone(),
        user_id: UserId::parse("paul")?,
        role: Role::Partner,
        name: "Paul Fleuriste".into(),
        conversation_scope: None,
    };
    let storefront =
        NewStorefront { title: "Les Fleurs de Paul".into(), partner_ids: None, id: Some(DEMO_STOREFRONT.into()) };
    app.storefronts.create_storefront(&partner, storefront).await?;
    // The marketplace's rule: contact details stay masked in storefront conversations, so that
    // couples and vendors settle through the platform.
    let admin = Identity { user_id: UserId::parse("ada")?, role: Role::Admin, name: "Ada Lovelace".into(), ..partner };
    let masked = ModerationRule {
        kinds: vec![ConversationKind::Storefront],
        words: vec![],
        patterns: vec![],
        contacts: vec![ContactKind::Phone, ContactKind::Email],
        action: ModerationAction::Mask,
    };
    app.moderation.set_policy(&admin, ModerationInput { rules: vec![masked], pre_send_hook: None }).await?;
    Ok(true)
}

pub struct TokenRequest<'a> {
    pub tenant: &'a str,
    pub user: &'a str,
    pub role: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub ttl_hours: i64,
}

/// Signs a platform token, as a platform's backend would.
pub fn token(secret: &str, req: &TokenRequest<'_>) -> anyhow::Result<String> {
    let claims = Claims {
        sub: req.user.into(),
        tid: req.tenant.into(),
        role: Some(req.role.into()),
        name: req.name.map(str::to_string),
        email: req.email.map(str::to_string),
        locale: req.locale.map(str::to_string),
        exp: Utc::now().timestamp() + req.ttl_hours * 3600,
        nbf: None,
        iss: None,
        aud: None,
        cid: None,
    };
    Ok(mint_platform_token(secret.as_bytes(), &claims)?)
}

/// A token of one of the demo users, valid 24 hours.
pub fn demo_user_token(secret: &str, (id, name, role): (&str, &str, Role)) -> anyhow::Result<String> {
    let request = TokenRequest {
        tenant: DEMO_TENANT,
        user: id,
        role: role.as_str(),
        name: Some(name),
        email: None,
        locale: None,
        ttl_hours: 24,
    };
    token(secret, &request)
}

/// The lines printed after "Missive listening on …".
pub fn banner(secret: &str, base: &str) -> anyhow::Result<String> {
    let mut out = format!("Demo tenant `{DEMO_TENANT}` — tokens valid 24 hours:\n");
    for (id, name, role) in DEMO_USERS {
        let t = demo_user_token(secret, (id, name, role))?;
        out.push_str(&format!("  {id:<6} ({:<7}) {t}\n", role.as_str()));
    }
    let ws = base.replacen("http", "ws", 1);
    out.push_str(&format!(
        "Storefront `{DEMO_STOREFRONT}`; a guest opens a chat with:\n  curl -s -X POST {base}/v1/public/storefronts/{DEMO_STOREFRONT}/sessions -H 'content-type: application/json' -d '{{\"name\":\"Zoé\"}}'\n\
         Phone numbers and e-mail addresses a guest writes there are masked (moderation: GET /v1/moderation as ada).\n\
         Connect a WebSocket: {ws}/ws?token=<token>\n"
    ));
    Ok(out)
}
