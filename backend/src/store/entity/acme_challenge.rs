use sea_orm::entity::prelude::*;

/// A challenge of an authorization (RFC 8555 §8).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_challenges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub authorization_id: i64,
    /// `http-01`, `dns-01` or `dns-persist-01`.
    pub kind: String,
    pub token: String,
    /// `pending`, `processing`, `valid`, `invalid`.
    pub status: String,
    /// The problem document of a failed validation (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// What was fetched or looked up (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub validation_record: Option<String>,
    /// What each remote validation perspective saw (JSON array of `va::mpic::RemoteResult`,
    /// R-VAL-7); `None` when none were asked.
    #[sea_orm(column_type = "Text", nullable)]
    pub perspectives: Option<String>,
    pub validated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored problem's `type` and `detail`, when the challenge failed.
    pub fn error_parts(&self) -> (Option<String>, Option<String>) {
        let error: Option<serde_json::Value> = self
            .error
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok());
        let field = |name: &str| {
            error
                .as_ref()
                .and_then(|e| e[name].as_str())
                .map(str::to_owned)
        };
        (field("type"), field("detail"))
    }

    /// The stored status (an unknown value reads as `invalid`).
    pub fn stored_status(&self) -> shared::acme::ChallengeStatus {
        shared::acme::ChallengeStatus::parse(&self.status)
            .unwrap_or(shared::acme::ChallengeStatus::Invalid)
    }

    /// The challenge type, if it is one this CA offers.
    pub fn challenge_type(&self) -> Option<shared::acme::ChallengeType> {
        shared::acme::ChallengeType::parse(&self.kind)
    }
}
