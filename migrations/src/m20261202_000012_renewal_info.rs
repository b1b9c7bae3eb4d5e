//! R-ACME-8 (ACME Renewal Information, RFC 9773): a certificate knows the certificate that
//! replaced it and may carry an operator's early renewal window (set by an early-renewal
//! campaign); an order knows which certificate it replaces.

use sea_orm_migration::prelude::*;

use crate::{id_column, ts, ts_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    RenewalCampaignId,
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

#[derive(DeriveIden)]
enum RenewalCampaigns {
    Table,
    Id,
    Reason,
    Selection,
    RenewBy,
    CertificateCount,
    CustomerCount,
    CreatedBy,
    CreatedAt,
}

const CAMPAIGN_INDEX: &str = "idx_certificates_renewal_campaign_id";
const REPLACES_INDEX: &str = "idx_acme_orders_replaces_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RenewalCampaigns::Table)
                    .col(id_column(RenewalCampaigns::Id))
                    .col(ColumnDef::new(RenewalCampaigns::Reason).text().not_null())
                    .col(
                        ColumnDef::new(RenewalCampaigns::Selection)
                            .text()
                            .not_null(),
                    )
                    .col(ts(RenewalCampaigns::RenewBy))
                    .col(
                        ColumnDef::new(RenewalCampaigns::CertificateCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RenewalCampaigns::CustomerCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RenewalCampaigns::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ts(RenewalCampaigns::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite alters one column per statement.
        for column in [
            ColumnDef::new(Certificates::RenewalCampaignId)
                .big_integer()
                .null()
                .to_owned(),
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
        manager
            .create_index(
                Index::create()
                    .name(CAMPAIGN_INDEX)
                    .table(Certificates::Table)
                    .col(Certificates::RenewalCampaignId)
                    .to_owned(),
            )
            .await?;
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
        manager
            .drop_index(
                Index::drop()
                    .name(CAMPAIGN_INDEX)
                    .table(Certificates::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Certificates::RenewalCampaignId,
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
        manager
            .drop_table(Table::drop().table(RenewalCampaigns::Table).to_owned())
            .await
    }
}
