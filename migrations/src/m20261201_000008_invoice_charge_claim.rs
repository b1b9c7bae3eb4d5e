//! R-BILL-6: a card payment claims its invoice before the provider is called (`charging_at`),
//! and a registration has at most one open (unpaid) invoice, so two renewals cannot be
//! bought and paid side by side (R-FQDN-8).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invoices {
    Table,
    ChargingAt,
}

const OPEN_INVOICE_INDEX: &str = "uq_invoices_open_per_registration";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Invoices::Table)
                    .add_column(
                        ColumnDef::new(Invoices::ChargingAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // A partial unique index: the same statement on SQLite and PostgreSQL. If an older
        // database already holds two unpaid invoices for one registration, this fails and
        // names the index; void the newer invoice and migrate again.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {OPEN_INVOICE_INDEX} ON invoices (registration_id) WHERE status = 'unpaid'"
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {OPEN_INVOICE_INDEX}"))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Invoices::Table)
                    .drop_column(Invoices::ChargingAt)
                    .to_owned(),
            )
            .await
    }
}
