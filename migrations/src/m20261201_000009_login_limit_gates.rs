//! R-CUS-4: one row per login rate-limit key (account or client address) that an attempt locks
//! while it counts the failures in the window and records itself, so parallel attempts for one
//! key are counted one after the other and cannot pass the limit together.

use sea_orm_migration::prelude::*;

use crate::ts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginLimitGates {
    Table,
    Key,
    TouchedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginLimitGates::Table)
                    .col(
                        ColumnDef::new(LoginLimitGates::Key)
                            .string_len(300)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ts(LoginLimitGates::TouchedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginLimitGates::Table).to_owned())
            .await
    }
}
