//! R-ACME-8 (ACME Renewal Information, RFC 9773): a certificate knows the certificate that
//! replaced it and may carry an operator's early renewal window; an order knows which
//! certificate it replaces.

use sea_orm_migration::prelude::*;

use crate::ts_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    ReplacedById,
    RenewalStart,
    RenewalEnd,
    RenewalReason,
}

#[derive(DeriveIden)]
enum AcmeOrders {
    Table,
    ReplacesId,
    Replaces,
}

const REPLACES_INDEX: &str = "idx_acme_orders_replaces_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            ColumnDef::new(Certificates::ReplacedById)
                .big_integer()
                .null()
                .to_owned(),
            ts_null(Certificates::RenewalStart),
            ts_null(Certificates::RenewalEnd),
            ColumnDef::new(Certificates::RenewalReason)
                .text()
                .null()
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Certificates::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for mut column in [
            ColumnDef::new(AcmeOrders::ReplacesId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(AcmeOrders::Replaces)
                .text()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AcmeOrders::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(REPLACES_INDEX)
                    .table(AcmeOrders::Table)
                    .col(AcmeOrders::ReplacesId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(REPLACES_INDEX)
                    .table(AcmeOrders::Table)
                    .to_owned(),
            )
            .await?;
        for column in [AcmeOrders::ReplacesId, AcmeOrders::Replaces] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AcmeOrders::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Certificates::ReplacedById,
            Certificates::RenewalStart,
            Certificates::RenewalEnd,
            Certificates::RenewalReason,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Certificates::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
