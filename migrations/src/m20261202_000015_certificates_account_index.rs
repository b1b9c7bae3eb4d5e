//! RFC 9773: finalize links a renewal made without `replaces` to the account's newest live
//! certificate for the same names; this index lets it walk one account's certificates newest
//! first instead of scanning the table.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    AccountId,
    Id,
}

const INDEX: &str = "idx_certificates_account_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Certificates::Table)
                    .col(Certificates::AccountId)
                    .col(Certificates::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Certificates::Table)
                    .to_owned(),
            )
            .await
    }
}
