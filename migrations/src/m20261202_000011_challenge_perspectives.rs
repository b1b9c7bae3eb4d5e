//! R-VAL-7: what every remote validation perspective saw is recorded with the challenge it
//! corroborated (a JSON array; NULL when no perspectives were configured).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcmeChallenges {
    Table,
    Perspectives,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AcmeChallenges::Table)
                    .add_column(ColumnDef::new(AcmeChallenges::Perspectives).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AcmeChallenges::Table)
                    .drop_column(AcmeChallenges::Perspectives)
                    .to_owned(),
            )
            .await
    }
}
