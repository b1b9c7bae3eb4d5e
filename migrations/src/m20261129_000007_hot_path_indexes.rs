//! Indexes for the ACME hot path (R-ACME-12): the registrations that could cover a requested
//! name are found by (customer, name) instead of by scanning the customer's portfolio.

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

const INDEXES: [(&str, &str); 1] = [("idx_registrations_customer_fqdn", "registrations")];

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
