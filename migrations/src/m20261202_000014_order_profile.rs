//! R-ACME-9 (ACME profiles, draft-ietf-acme-profiles): an order records the profile it was
//! created under and echoes it; a certificate records the profile it was issued under, so the
//! portal can show it. Rows from before profiles have none (they were issued as `classic`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcmeOrders {
    Table,
    Profile,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Profile,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(AcmeOrders::Table)
                    .add_column(ColumnDef::new(AcmeOrders::Profile).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(ColumnDef::new(Certificates::Profile).string().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .drop_column(Certificates::Profile)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AcmeOrders::Table)
                    .drop_column(AcmeOrders::Profile)
                    .to_owned(),
            )
            .await
    }
}
