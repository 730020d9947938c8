//! Keys of an identity provider, published as a JSON Web Key Set (`MISSIVE_JWKS_URL`): Amazon
//! Cognito, Auth0, Clerk, Keycloak, Firebase… Each key's algorithm is pinned when the set is
//! read — RS256 for an RSA key, ES256 for a P-256 key, or the key's own `alg` when it names
//! one of those — and never taken from a token. A token naming a key the set does not hold
//! makes the set be read again (a rotation), at most once per [`REFRESH_AT_MOST_EVERY`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

/// An unknown `kid` reads the set again no more often than this: a stream of tokens with made
/// up key ids cannot turn Missive into a load on the provider.
pub const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(30);
/// How long a read set is used before it is read again anyway (keys are also revoked).
const MAX_AGE: Duration = Duration::from_secs(3600);

/// A verification key and the one algorithm it verifies.
#[derive(Clone)]
pub struct PinnedKey {
    pub key: DecodingKey,
    pub algorithm: Algorithm,
}

struct Cache {
    keys: HashMap<String, PinnedKey>,
    read_at: Option<Instant>,
}

pub struct Jwks {
    url: String,
    refresh_at_most_every: Duration,
    http: reqwest::Client,
    cache: Mutex<Cache>,
    /// Held while the set is being read, so that concurrent misses read it once.
    reading: tokio::sync::Mutex<()>,
}

impl Jwks {
    pub fn new(url: impl Into<String>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(Self {
            url: url.into(),
            refresh_at_most_every: REFRESH_AT_MOST_EVERY,
            http,
            cache: Mutex::new(Cache { keys: HashMap::new(), read_at: None }),
            reading: tokio::sync::Mutex::new(()),
        })
    }

    /// Another bound on reading the set again for an unknown key (tests rotate keys at once).
    pub fn refreshing_at_most_every(mut self, every: Duration) -> Self {
        self.refresh_at_most_every = every;
        self
    }

    fn cached(&self, kid: &str) -> (Option<PinnedKey>, Option<Instant>) {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        (cache.keys.get(kid).cloned(), cache.read_at)
    }

    /// The key a token's `kid` names: from the set as last read, or from the set read again
    /// when it does not hold that key (or is old) and was not read too recently. `None` when
    /// the provider does not publish it — or could not be read (logged).
    pub async fn key(&self, kid: &str) -> Option<PinnedKey> {
        let fresh = |read_at: Option<Instant>, within: Duration| read_at.is_some_and(|at| at.elapsed() < within);
        let (found, read_at) = self.cached(kid);
        if found.is_some() && fresh(read_at, MAX_AGE) {
            return found;
        }
        if fresh(read_at, self.refresh_at_most_every) {
            return found;
        }
        let _reading = self.reading.lock().await;
        // Another request may have read the set while this one waited.
        let (found, again) = self.cached(kid);
        if again != read_at && fresh(again, self.refresh_at_most_every) {
            return found;
        }
        match self.read().await {
            Ok(keys) => {
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                cache.keys = keys;
                cache.read_at = Some(Instant::now());
                cache.keys.get(kid).cloned()
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the identity provider's keys");
                // Not again at once: the rate limit holds for failures too.
                self.cache.lock().unwrap_or_else(|p| p.into_inner()).read_at = Some(Instant::now());
                found
            }
        }
    }

    async fn read(&self) -> anyhow::Result<HashMap<String, PinnedKey>> {
        let set: JwkSet = self.http.get(&self.url).send().await?.error_for_status()?.json().await?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else { continue };
            match pin(jwk) {
                Some(pinned) => {
                    keys.insert(kid, pinned);
                }
                None => tracing::info!(kid, "a published key Missive does not verify with (only RS256 and ES256)"),
            }
        }
        Ok(keys)
    }
}

/// The key with its one algorithm: RS256 for RSA, ES256 for P-256; a key whose `alg` says
/// otherwise, or of another type, is not used.
fn pin(jwk: &Jwk) -> Option<PinnedKey> {
    let algorithm = match (&jwk.algorithm, &jwk.common.key_algorithm) {
        (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
        (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
            if ec.curve == EllipticCurve::P256 =>
        {
            Algorithm::ES256
        }
        _ => return None,
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(PinnedKey { key, algorithm })
}
