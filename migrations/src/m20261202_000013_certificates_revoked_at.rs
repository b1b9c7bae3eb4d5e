//! An index on certificates' revocation time, so the CRL schedule (R-CA-5) finds the latest
//! revocation on every housekeeping tick without scanning every certificate.

use sea_orm_migration::prelude::*;

use crate::create_indexes;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    RevokedAt,
}

const INDEX: &str = "idx_certificates_revoked_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_indexes(
            manager,
            vec![(
                INDEX,
                Certificates::Table.into_iden(),
                vec![Certificates::RevokedAt.into_iden()],
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Alias::new("certificates"))
                    .to_owned(),
            )
            .await
    }
}
