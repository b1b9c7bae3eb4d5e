//! ACME usage applications, EAB credentials, ACME accounts and nonces (R-EAB-1..4, R-ACME-2..3).

use crate::{create_indexes, id_column, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AcmeApplications {
    Table,
    Id,
    CustomerId,
    TermsVersion,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EabCredentials {
    Table,
    Id,
    CustomerId,
    KeyId,
    HmacCiphertext,
    HmacNonce,
    IssuedAt,
    ExpiresAt,
    RevokedAt,
    IssuedBy,
}

#[derive(DeriveIden)]
enum AcmeAccounts {
    Table,
    Id,
    CustomerId,
    EabId,
    KeyThumbprint,
    Jwk,
    Contact,
    Status,
    CreatedAt,
    UpdatedAt,
    RemoteAddr,
}

#[derive(DeriveIden)]
enum AcmeNonces {
    Table,
    Value,
    ExpiresAt,
}

fn fk(
    name: &str,
    from: impl IntoIden,
    col: impl IntoIden,
    to: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    let (from, col, to, to_col) = (
        from.into_iden(),
        col.into_iden(),
        to.into_iden(),
        to_col.into_iden(),
    );
    ForeignKey::create()
        .name(name)
        .from(from, col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AcmeApplications::Table)
                    .col(id_column(AcmeApplications::Id))
                    // One application per customer (R-EAB-1), enforced by the database too.
                    .col(
                        ColumnDef::new(AcmeApplications::CustomerId)
                            .big_integer()
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(AcmeApplications::TermsVersion)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ts(AcmeApplications::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_acme_applications_customer",
                        AcmeApplications::Table,
                        AcmeApplications::CustomerId,
                        Customers::Table,
                        Customers::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EabCredentials::Table)
                    .col(id_column(EabCredentials::Id))
                    .col(
                        ColumnDef::new(EabCredentials::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EabCredentials::KeyId)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(EabCredentials::HmacCiphertext)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EabCredentials::HmacNonce)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ts(EabCredentials::IssuedAt))
                    .col(ts(EabCredentials::ExpiresAt))
                    .col(ts_null(EabCredentials::RevokedAt))
                    .col(
                        ColumnDef::new(EabCredentials::IssuedBy)
                            .string_len(64)
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_eab_credentials_customer",
                        EabCredentials::Table,
                        EabCredentials::CustomerId,
                        Customers::Table,
                        Customers::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcmeAccounts::Table)
                    .col(id_column(AcmeAccounts::Id))
                    .col(
                        ColumnDef::new(AcmeAccounts::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AcmeAccounts::EabId).big_integer().not_null())
                    .col(
                        ColumnDef::new(AcmeAccounts::KeyThumbprint)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(AcmeAccounts::Jwk).text().not_null())
                    .col(ColumnDef::new(AcmeAccounts::Contact).text().not_null())
                    .col(
                        ColumnDef::new(AcmeAccounts::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ts(AcmeAccounts::CreatedAt))
                    .col(ts(AcmeAccounts::UpdatedAt))
                    .col(
                        ColumnDef::new(AcmeAccounts::RemoteAddr)
                            .string_len(64)
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_acme_accounts_customer",
                        AcmeAccounts::Table,
                        AcmeAccounts::CustomerId,
                        Customers::Table,
                        Customers::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_acme_accounts_eab",
                        AcmeAccounts::Table,
                        AcmeAccounts::EabId,
                        EabCredentials::Table,
                        EabCredentials::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcmeNonces::Table)
                    .col(
                        ColumnDef::new(AcmeNonces::Value)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ts(AcmeNonces::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            vec![
                (
                    "idx_eab_credentials_customer",
                    EabCredentials::Table.into_iden(),
                    vec![EabCredentials::CustomerId.into_iden()],
                ),
                (
                    "idx_acme_accounts_customer",
                    AcmeAccounts::Table.into_iden(),
                    vec![AcmeAccounts::CustomerId.into_iden()],
                ),
                (
                    "idx_acme_nonces_expires",
                    AcmeNonces::Table.into_iden(),
                    vec![AcmeNonces::ExpiresAt.into_iden()],
                ),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AcmeNonces::Table.into_iden(),
            AcmeAccounts::Table.into_iden(),
            EabCredentials::Table.into_iden(),
            AcmeApplications::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
