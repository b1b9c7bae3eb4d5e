//! ACME orders, authorizations, challenges, the validation queue, certificates and CRLs
//! (R-ACME-4..7, R-VAL-3, R-CA-1..4).

use crate::{create_indexes, id_column, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcmeOrders {
    Table,
    Id,
    AccountId,
    CustomerId,
    Status,
    Identifiers,
    Error,
    CertificateId,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcmeAuthorizations {
    Table,
    Id,
    AccountId,
    Identifier,
    Wildcard,
    Status,
    ExpiresAt,
    ValidatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcmeOrderAuthorizations {
    Table,
    OrderId,
    AuthorizationId,
}

#[derive(DeriveIden)]
enum AcmeChallenges {
    Table,
    Id,
    AuthorizationId,
    Kind,
    Token,
    Status,
    Error,
    ValidationRecord,
    ValidatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ValidationJobs {
    Table,
    Id,
    ChallengeId,
    Status,
    Attempts,
    LockedBy,
    LockedUntil,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    Serial,
    CustomerId,
    AccountId,
    OrderId,
    Names,
    KeyThumbprint,
    NotBefore,
    NotAfter,
    LeafPem,
    Status,
    RevokedAt,
    RevocationReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Crls {
    Table,
    Id,
    Der,
    ThisUpdate,
    NextUpdate,
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn short(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(32).not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AcmeOrders::Table)
                    .col(id_column(AcmeOrders::Id))
                    .col(big(AcmeOrders::AccountId))
                    .col(big(AcmeOrders::CustomerId))
                    .col(short(AcmeOrders::Status))
                    .col(text(AcmeOrders::Identifiers))
                    .col(ColumnDef::new(AcmeOrders::Error).text().null())
                    .col(
                        ColumnDef::new(AcmeOrders::CertificateId)
                            .big_integer()
                            .null(),
                    )
                    .col(ts(AcmeOrders::ExpiresAt))
                    .col(ts(AcmeOrders::CreatedAt))
                    .col(ts(AcmeOrders::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcmeAuthorizations::Table)
                    .col(id_column(AcmeAuthorizations::Id))
                    .col(big(AcmeAuthorizations::AccountId))
                    .col(
                        ColumnDef::new(AcmeAuthorizations::Identifier)
                            .string_len(253)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AcmeAuthorizations::Wildcard)
                            .boolean()
                            .not_null(),
                    )
                    .col(short(AcmeAuthorizations::Status))
                    .col(ts(AcmeAuthorizations::ExpiresAt))
                    .col(ts_null(AcmeAuthorizations::ValidatedAt))
                    .col(ts(AcmeAuthorizations::CreatedAt))
                    .col(ts(AcmeAuthorizations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcmeOrderAuthorizations::Table)
                    .col(big(AcmeOrderAuthorizations::OrderId))
                    .col(big(AcmeOrderAuthorizations::AuthorizationId))
                    .primary_key(
                        Index::create()
                            .col(AcmeOrderAuthorizations::OrderId)
                            .col(AcmeOrderAuthorizations::AuthorizationId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcmeChallenges::Table)
                    .col(id_column(AcmeChallenges::Id))
                    .col(big(AcmeChallenges::AuthorizationId))
                    .col(short(AcmeChallenges::Kind))
                    .col(
                        ColumnDef::new(AcmeChallenges::Token)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(short(AcmeChallenges::Status))
                    .col(ColumnDef::new(AcmeChallenges::Error).text().null())
                    .col(
                        ColumnDef::new(AcmeChallenges::ValidationRecord)
                            .text()
                            .null(),
                    )
                    .col(ts_null(AcmeChallenges::ValidatedAt))
                    .col(ts(AcmeChallenges::CreatedAt))
                    .col(ts(AcmeChallenges::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ValidationJobs::Table)
                    .col(id_column(ValidationJobs::Id))
                    // One job per challenge: a second POST to the challenge cannot queue a second job.
                    .col(
                        ColumnDef::new(ValidationJobs::ChallengeId)
                            .big_integer()
                            .not_null()
                            .unique_key(),
                    )
                    .col(short(ValidationJobs::Status))
                    .col(
                        ColumnDef::new(ValidationJobs::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(ValidationJobs::LockedBy)
                            .string_len(64)
                            .null(),
                    )
                    .col(ts_null(ValidationJobs::LockedUntil))
                    .col(ts(ValidationJobs::CreatedAt))
                    .col(ts_null(ValidationJobs::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(id_column(Certificates::Id))
                    .col(
                        ColumnDef::new(Certificates::Serial)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(big(Certificates::CustomerId))
                    .col(big(Certificates::AccountId))
                    .col(big(Certificates::OrderId))
                    .col(text(Certificates::Names))
                    .col(
                        ColumnDef::new(Certificates::KeyThumbprint)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ts(Certificates::NotBefore))
                    .col(ts(Certificates::NotAfter))
                    .col(text(Certificates::LeafPem))
                    .col(short(Certificates::Status))
                    .col(ts_null(Certificates::RevokedAt))
                    .col(
                        ColumnDef::new(Certificates::RevocationReason)
                            .integer()
                            .null(),
                    )
                    .col(ts(Certificates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Crls::Table)
                    .col(id_column(Crls::Id))
                    .col(text(Crls::Der))
                    .col(ts(Crls::ThisUpdate))
                    .col(ts(Crls::NextUpdate))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            vec![
                (
                    "idx_acme_orders_account",
                    AcmeOrders::Table.into_iden(),
                    vec![AcmeOrders::AccountId.into_iden()],
                ),
                (
                    "idx_acme_authorizations_account_identifier",
                    AcmeAuthorizations::Table.into_iden(),
                    vec![
                        AcmeAuthorizations::AccountId.into_iden(),
                        AcmeAuthorizations::Identifier.into_iden(),
                    ],
                ),
                (
                    "idx_acme_challenges_authorization",
                    AcmeChallenges::Table.into_iden(),
                    vec![AcmeChallenges::AuthorizationId.into_iden()],
                ),
                (
                    "idx_validation_jobs_status",
                    ValidationJobs::Table.into_iden(),
                    vec![
                        ValidationJobs::Status.into_iden(),
                        ValidationJobs::LockedUntil.into_iden(),
                    ],
                ),
                (
                    "idx_certificates_customer",
                    Certificates::Table.into_iden(),
                    vec![Certificates::CustomerId.into_iden()],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Crls::Table.into_iden(),
            Certificates::Table.into_iden(),
            ValidationJobs::Table.into_iden(),
            AcmeChallenges::Table.into_iden(),
            AcmeOrderAuthorizations::Table.into_iden(),
            AcmeAuthorizations::Table.into_iden(),
            AcmeOrders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
