//! Issue "Scale-out and failure, proven" item 6: every email is written into `mail_outbox` in the
//! transaction of the change it announces, and a mail worker sends it afterwards with a
//! compare-and-set lease (like `validation_jobs`), retries and backoff.

use sea_orm_migration::prelude::*;

use crate::{id_column, ts, ts_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    MessageId,
    Recipient,
    Subject,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    LockedBy,
    LeaseUntil,
    LastError,
    CreatedAt,
    SentAt,
}

const DUE: &str = "ix_mail_outbox_status_next_attempt_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(id_column(MailOutbox::Id))
                    .col(
                        ColumnDef::new(MailOutbox::MessageId)
                            .string_len(255)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::Recipient)
                            .string_len(320)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailOutbox::Subject).text().not_null())
                    .col(ColumnDef::new(MailOutbox::Body).text().not_null())
                    .col(ColumnDef::new(MailOutbox::Status).string_len(16).not_null())
                    .col(ColumnDef::new(MailOutbox::Attempts).integer().not_null())
                    .col(ts(MailOutbox::NextAttemptAt))
                    .col(ColumnDef::new(MailOutbox::LockedBy).string_len(128).null())
                    .col(ts_null(MailOutbox::LeaseUntil))
                    .col(ColumnDef::new(MailOutbox::LastError).text().null())
                    .col(ts(MailOutbox::CreatedAt))
                    .col(ts_null(MailOutbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DUE)
                    .table(MailOutbox::Table)
                    .col(MailOutbox::Status)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await
    }
}
