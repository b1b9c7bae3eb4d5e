//! Indexes for the ACME hot path (R-ACME-12): the registrations that could cover a requested
//! name are found by (customer, name) instead of by scanning the customer's portfolio, and the
//! portal's recent-orders list finds a customer's orders by index.

use sea_orm_migration::prelude::*;

use crate::create_indexes;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    CustomerId,
    Fqdn,
}

#[derive(DeriveIden)]
enum AcmeOrders {
    Table,
    CustomerId,
}

const INDEXES: [(&str, &str); 2] = [
    ("idx_registrations_customer_fqdn", "registrations"),
    ("idx_acme_orders_customer", "acme_orders"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_indexes(
            manager,
            vec![
                (
                    INDEXES[0].0,
                    Registrations::Table.into_iden(),
                    vec![
                        Registrations::CustomerId.into_iden(),
                        Registrations::Fqdn.into_iden(),
                    ],
                ),
                (
                    INDEXES[1].0,
                    AcmeOrders::Table.into_iden(),
                    vec![AcmeOrders::CustomerId.into_iden()],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
