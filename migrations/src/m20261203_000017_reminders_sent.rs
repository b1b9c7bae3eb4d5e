//! R-SUP-3: every reminder email is sent once. A reminder is claimed by inserting its
//! (kind, subject, threshold) row in the transaction that sends it; the unique key makes a
//! second claim fail, however many worker processes race.

use sea_orm_migration::prelude::*;

use crate::{id_column, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RemindersSent {
    Table,
    Id,
    Kind,
    SubjectId,
    Threshold,
    SentAt,
}

const UNIQUE: &str = "uq_reminders_sent_kind_subject_threshold";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RemindersSent::Table)
                    .col(id_column(RemindersSent::Id))
                    .col(
                        ColumnDef::new(RemindersSent::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RemindersSent::SubjectId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RemindersSent::Threshold)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(RemindersSent::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(UNIQUE)
                    .table(RemindersSent::Table)
                    .col(RemindersSent::Kind)
                    .col(RemindersSent::SubjectId)
                    .col(RemindersSent::Threshold)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RemindersSent::Table).to_owned())
            .await
    }
}
