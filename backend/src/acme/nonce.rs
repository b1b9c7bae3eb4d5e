//! Anti-replay nonces (RFC 8555 §6.5) that cost no database write to issue (R-ACME-12).
//!
//! A nonce is `base64url(issued-at ‖ 8 random octets ‖ tag)`, where the tag is an HMAC over the
//! first two parts with a key every process derives from the shared EAB encryption key. Any
//! process can therefore tell a nonce of this CA from a forgery and how old it is without a
//! lookup. Redeeming one inserts it into `acme_nonces` (primary key: the nonce), so a second use,
//! in this or any other process on the same database, is refused; a nonce older than an hour is
//! refused without a lookup, and redeemed ones are purged once they would have expired, so the
//! table holds at most an hour of redeemed nonces (R-ACME-2).

use chrono::{DateTime, Duration, Utc};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::jose::b64;
use crate::store::entity::acme_nonce;
use crate::store::is_unique_violation;

pub const NONCE_TTL_MINUTES: i64 = 60;
/// How far ahead of this process's clock a nonce's issue time may be (other processes' clocks).
const CLOCK_SKEW_SECS: i64 = 60;
const TIME_LEN: usize = 8;
const RANDOM_LEN: usize = 8;
const TAG_LEN: usize = 16;
const NONCE_LEN: usize = TIME_LEN + RANDOM_LEN + TAG_LEN;

/// Issues and checks nonces with one key.
pub struct NonceKeys {
    key: hmac::Key,
    rng: SystemRandom,
}

impl NonceKeys {
    pub fn new(secret: &[u8; 32]) -> Self {
        NonceKeys {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            rng: SystemRandom::new(),
        }
    }

    fn tag(&self, body: &[u8]) -> [u8; TAG_LEN] {
        let full = hmac::sign(&self.key, body);
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full.as_ref()[..TAG_LEN]);
        tag
    }

    /// A fresh nonce issued at `now`; nothing is stored.
    pub fn issue(&self, now: DateTime<Utc>) -> String {
        let mut raw = [0u8; NONCE_LEN];
        raw[..TIME_LEN].copy_from_slice(&now.timestamp_millis().to_be_bytes());
        if self
            .rng
            .fill(&mut raw[TIME_LEN..TIME_LEN + RANDOM_LEN])
            .is_err()
        {
            // The system generator does not fail on Linux; the tag still makes the nonce ours.
            tracing::error!("the system random generator failed while issuing a nonce");
        }
        let tag = self.tag(&raw[..TIME_LEN + RANDOM_LEN]);
        raw[TIME_LEN + RANDOM_LEN..].copy_from_slice(&tag);
        b64(&raw)
    }

    /// When `value` was issued, if it is a nonce of this CA that has not expired at `now`.
    pub fn check(&self, value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if value.len() > 64 {
            return None;
        }
        let raw = crate::jose::unb64("nonce", value).ok()?;
        if raw.len() != NONCE_LEN {
            return None;
        }
        let (body, tag) = raw.split_at(TIME_LEN + RANDOM_LEN);
        if !constant_time_eq(&self.tag(body), tag) {
            return None;
        }
        let millis = i64::from_be_bytes(body[..TIME_LEN].try_into().ok()?);
        let issued = DateTime::<Utc>::from_timestamp_millis(millis)?;
        let fresh = issued > now - Duration::minutes(NONCE_TTL_MINUTES)
            && issued <= now + Duration::seconds(CLOCK_SKEW_SECS);
        fresh.then_some(issued)
    }

    /// Redeems `value`: true exactly once, across every process on the database, for a nonce
    /// this CA issued within the last hour.
    pub async fn redeem(
        &self,
        db: &impl ConnectionTrait,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sea_orm::DbErr> {
        let Some(issued) = self.check(value, now) else {
            return Ok(false);
        };
        let row = acme_nonce::ActiveModel {
            value: Set(value.to_owned()),
            expires_at: Set(issued + Duration::minutes(NONCE_TTL_MINUTES)),
        };
        match row.insert(db).await {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Deletes the records of redeemed nonces that have expired anyway; returns how many.
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, sea_orm::DbErr> {
    Ok(acme_nonce::Entity::delete_many()
        .filter(acme_nonce::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(seed: u8) -> NonceKeys {
        NonceKeys::new(&[seed; 32])
    }

    /// R-ACME-2: a nonce checks only with the key that made it, only while it is fresh, and a
    /// changed byte anywhere makes it unknown.
    #[test]
    fn nonces_are_authenticated_and_expire() {
        let now = Utc::now();
        let k = keys(1);
        let n = k.issue(now);
        assert_eq!(
            k.check(&n, now).map(|t| t.timestamp_millis()),
            Some(now.timestamp_millis())
        );
        assert!(k.check(&n, now + Duration::minutes(59)).is_some());
        assert!(
            k.check(&n, now + Duration::minutes(60)).is_none(),
            "expired"
        );
        assert!(
            k.check(&n, now - Duration::minutes(5)).is_none(),
            "from the future"
        );
        assert!(keys(2).check(&n, now).is_none(), "another CA's key");
        let mut raw = crate::jose::unb64("n", &n).unwrap();
        for i in 0..raw.len() {
            raw[i] ^= 1;
            assert!(k.check(&b64(&raw), now).is_none(), "byte {i} changed");
            raw[i] ^= 1;
        }
        for junk in ["", "abc", "!!!!", &"A".repeat(80)] {
            assert!(k.check(junk, now).is_none(), "{junk}");
        }
        assert_ne!(
            k.issue(now),
            k.issue(now),
            "two nonces of the same instant differ"
        );
    }
}
