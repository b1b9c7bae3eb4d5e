//! The ACME usage application and its EAB credentials (R-EAB-1..4).

use chrono::{DateTime, Duration, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::dto::{AcmeApplication, EabCredentials};

use crate::jose::b64;
use crate::secretbox::SecretBox;
use crate::state::AppState;
use crate::store::entity::{acme_application, customer, eab_credential};

/// R-EAB-2: credentials are valid for 14 days from issuance.
pub const EAB_VALIDITY_DAYS: i64 = 14;
/// The version of the service terms the application agrees to.
pub const TERMS_VERSION: &str = "2026-11";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator");
    bytes
}

/// Whether the base64url form of `bytes` starts with `-` (the first six bits are 62).
fn reads_as_an_option(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| b >> 2 == 62)
}

/// Random bytes whose base64url form does not start with `-`. Customers paste the key id and the
/// HMAC key into command lines (`--eab-kid KID --eab-hmac-key KEY`), and certbot's and lego's
/// option parsers take a value that starts with `-` for an option and stop ("expected one
/// argument"). Drawing again in that 1-in-64 case costs under 0.03 bits of the key.
fn random_cli_safe<const N: usize>() -> [u8; N] {
    loop {
        let bytes = random_bytes::<N>();
        if !reads_as_an_option(&bytes) {
            return bytes;
        }
    }
}

/// Issues fresh credentials for `customer_id` on `db` (inside the caller's transaction).
/// Returns the row and the HMAC key in clear, for showing once to the caller.
pub async fn issue(
    db: &impl ConnectionTrait,
    secrets: &SecretBox,
    customer_id: i64,
    issued_by: &str,
    now: DateTime<Utc>,
) -> Result<(eab_credential::Model, Vec<u8>), sea_orm::DbErr> {
    let key_id = b64(&random_cli_safe::<16>());
    let hmac = random_cli_safe::<32>().to_vec();
    let (nonce, ciphertext) = secrets.seal(&hmac, &key_id);
    let row = eab_credential::ActiveModel {
        customer_id: Set(customer_id),
        key_id: Set(key_id),
        hmac_ciphertext: Set(ciphertext),
        hmac_nonce: Set(nonce),
        issued_at: Set(now),
        expires_at: Set(now + Duration::days(EAB_VALIDITY_DAYS)),
        revoked_at: Set(None),
        issued_by: Set(issued_by.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row, hmac))
}

/// The HMAC key of `row`, decrypted.
pub fn hmac_key(secrets: &SecretBox, row: &eab_credential::Model) -> anyhow::Result<Vec<u8>> {
    secrets.open(&row.hmac_nonce, &row.hmac_ciphertext, &row.key_id)
}

/// The customer's current (newest, not revoked) credentials.
pub async fn current(
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<Option<eab_credential::Model>, sea_orm::DbErr> {
    eab_credential::Entity::find()
        .filter(eab_credential::Column::CustomerId.eq(customer_id))
        .filter(eab_credential::Column::RevokedAt.is_null())
        .order_by_desc(eab_credential::Column::Id)
        .one(db)
        .await
}

use crate::clock::rfc3339;

/// The application as the API shows it. `hmac` is `None` when the caller may not see the key
/// (R-CUS-4): then the key and the commands that would carry it are left out, with the reason.
pub fn application_dto(
    state: &AppState,
    customer: &customer::Model,
    application: &acme_application::Model,
    eab: &eab_credential::Model,
    hmac: Option<&[u8]>,
) -> AcmeApplication {
    let directory_url = state.config.public("/acme/directory");
    let hmac_key = hmac.map(b64);
    let commands = match &hmac_key {
        Some(key) => shared::acme::client_commands(
            &directory_url,
            &eab.key_id,
            key,
            &customer.email,
            "example.jp",
        ),
        None => Vec::new(),
    };
    let hmac_key_withheld = hmac_key.is_none().then(|| {
        "the HMAC key is shown in the portal and to API tokens with the \"acme\" scope only"
            .to_owned()
    });
    AcmeApplication {
        application_number: application.number(),
        applied_at: rfc3339(application.created_at),
        eab: EabCredentials {
            key_id: eab.key_id.clone(),
            hmac_key,
            hmac_key_withheld,
            issued_at: rfc3339(eab.issued_at),
            expires_at: rfc3339(eab.expires_at),
            expired: eab.expires_at <= state.now(),
        },
        directory_url,
        issuer_domain_names: shared::persist::offered_issuers(&state.config.caa_identities)
            .to_vec(),
        commands,
        terms_version: application.terms_version.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every first byte: the check is true exactly when the base64url text starts with `-`.
    #[test]
    fn keys_never_start_with_a_dash() {
        for first in 0..=255u8 {
            let bytes = [first, 0x12, 0x34];
            assert_eq!(
                reads_as_an_option(&bytes),
                b64(&bytes).starts_with('-'),
                "{first:#04x}"
            );
        }
        for _ in 0..256 {
            assert!(!b64(&random_cli_safe::<32>()).starts_with('-'));
            assert!(!b64(&random_cli_safe::<16>()).starts_with('-'));
        }
    }
}
