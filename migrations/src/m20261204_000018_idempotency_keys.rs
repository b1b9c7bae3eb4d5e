//! Issue 13 (SPEC.md §4): `Idempotency-Key` on the creating POSTs. A key is claimed by inserting
//! its (customer, method, path, key) row before the handler runs; the unique index makes a
//! second claim fail on both engines, however many server processes race. The response is
//! written into the same row once the handler has answered.

use sea_orm_migration::prelude::*;

use crate::{id_column, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    CustomerId,
    Method,
    Path,
    IdemKey,
    Fingerprint,
    CreatedAt,
    ExpiresAt,
    ResponseStatus,
    ContentType,
    Location,
    BodyNonce,
    Body,
}

const UNIQUE: &str = "uq_idempotency_keys_scope";
const EXPIRES: &str = "ix_idempotency_keys_expires_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(id_column(IdempotencyKeys::Id))
                    .col(
                        ColumnDef::new(IdempotencyKeys::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::Method)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::Path)
                            .string_len(512)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::IdemKey)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::Fingerprint)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ts(IdempotencyKeys::CreatedAt))
                    .col(ts(IdempotencyKeys::ExpiresAt))
                    .col(
                        ColumnDef::new(IdempotencyKeys::ResponseStatus)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::ContentType)
                            .string_len(255)
                            .null(),
                    )
                    .col(ColumnDef::new(IdempotencyKeys::Location).text().null())
                    .col(
                        ColumnDef::new(IdempotencyKeys::BodyNonce)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(IdempotencyKeys::Body).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(UNIQUE)
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::CustomerId)
                    .col(IdempotencyKeys::Method)
                    .col(IdempotencyKeys::Path)
                    .col(IdempotencyKeys::IdemKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(EXPIRES)
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
