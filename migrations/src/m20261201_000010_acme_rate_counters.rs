//! Fixed-window counters for the ACME rate limits (R-ACME-10): one row per limited key and
//! window, incremented in place, so every process sharing the database counts together.

use sea_orm_migration::prelude::*;

use crate::ts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateCounters {
    Table,
    /// `<limit>:<subject>`, e.g. `new_order_per_account:42`.
    Key,
    WindowStart,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateCounters::Table)
                    .col(ColumnDef::new(RateCounters::Key).string().not_null())
                    .col(ts(RateCounters::WindowStart))
                    .col(ColumnDef::new(RateCounters::Count).integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(RateCounters::Key)
                            .col(RateCounters::WindowStart),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RateCounters::Table).to_owned())
            .await
    }
}
