//! Customers and operators, their sessions, one-time email tokens, API tokens and the
//! login-failure ledger behind the rate limit (R-CUS-1..3).

use crate::{create_indexes, id_column, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Customers {
    Table,
    Id,
    Email,
    EmailLower,
    PasswordHash,
    Name,
    BillingEmail,
    Locale,
    Role,
    EmailVerifiedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    Id,
    CustomerId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    CsrfHash,
    CustomerId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    CustomerId,
    Name,
    TokenHash,
    Prefix,
    Scopes,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Key,
    At,
}

fn customer_fk(from_table: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    let from_table = from_table.into_iden();
    ForeignKey::create()
        .name(name)
        .from(from_table, Alias::new("customer_id"))
        .to(Customers::Table, Customers::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(id_column(Customers::Id))
                    .col(ColumnDef::new(Customers::Email).string_len(254).not_null())
                    .col(
                        ColumnDef::new(Customers::EmailLower)
                            .string_len(254)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Customers::PasswordHash).string().not_null())
                    .col(ColumnDef::new(Customers::Name).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Customers::BillingEmail)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Customers::Locale)
                            .string_len(8)
                            .not_null()
                            .default("ja"),
                    )
                    .col(
                        ColumnDef::new(Customers::Role)
                            .string_len(16)
                            .not_null()
                            .default("customer"),
                    )
                    .col(ts_null(Customers::EmailVerifiedAt))
                    .col(ts(Customers::CreatedAt))
                    .col(ts(Customers::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .col(id_column(EmailTokens::Id))
                    .col(
                        ColumnDef::new(EmailTokens::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailTokens::Purpose)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ts(EmailTokens::ExpiresAt))
                    .col(ts_null(EmailTokens::UsedAt))
                    .col(ts(EmailTokens::CreatedAt))
                    .foreign_key(&mut customer_fk(
                        EmailTokens::Table,
                        "fk_email_tokens_customer",
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id_column(Sessions::Id))
                    .col(
                        ColumnDef::new(Sessions::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Sessions::CsrfHash).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Sessions::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::ExpiresAt))
                    .foreign_key(&mut customer_fk(Sessions::Table, "fk_sessions_customer"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id_column(ApiTokens::Id))
                    .col(
                        ColumnDef::new(ApiTokens::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ApiTokens::Name).string_len(64).not_null())
                    .col(
                        ColumnDef::new(ApiTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(ApiTokens::Prefix).string_len(16).not_null())
                    .col(ColumnDef::new(ApiTokens::Scopes).string_len(64).not_null())
                    .col(ts(ApiTokens::CreatedAt))
                    .col(ts_null(ApiTokens::LastUsedAt))
                    .col(ts_null(ApiTokens::RevokedAt))
                    .foreign_key(&mut customer_fk(ApiTokens::Table, "fk_api_tokens_customer"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(id_column(LoginFailures::Id))
                    .col(
                        ColumnDef::new(LoginFailures::Key)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(ts(LoginFailures::At))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                (
                    "idx_email_tokens_customer",
                    EmailTokens::Table.into_iden(),
                    vec![EmailTokens::CustomerId.into_iden()],
                ),
                (
                    "idx_sessions_customer",
                    Sessions::Table.into_iden(),
                    vec![Sessions::CustomerId.into_iden()],
                ),
                (
                    "idx_api_tokens_customer",
                    ApiTokens::Table.into_iden(),
                    vec![ApiTokens::CustomerId.into_iden()],
                ),
                (
                    "idx_login_failures_key_at",
                    LoginFailures::Table.into_iden(),
                    vec![
                        LoginFailures::Key.into_iden(),
                        LoginFailures::At.into_iden(),
                    ],
                ),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginFailures::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            EmailTokens::Table.into_iden(),
            Customers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
