//! Usage FQDN registrations (利用FQDN), invoices and bank statement imports (R-FQDN-4..8, R-BILL-1..5).

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
enum Registrations {
    Table,
    Id,
    CustomerId,
    Fqdn,
    /// `fqdn` while the registration is live, NULL otherwise: its unique index allows one live
    /// registration per name across all customers (R-FQDN-4).
    LiveFqdn,
    CertType,
    State,
    /// Years of contract bought so far (first purchase plus paid renewals).
    ContractYears,
    CreatedAt,
    RegisteredAt,
    Deadline,
    ActivatedAt,
    ContractEnd,
    EndedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Invoices {
    Table,
    Id,
    Number,
    CustomerId,
    RegistrationId,
    Kind,
    CertType,
    Fqdn,
    PeriodYears,
    AmountExclTax,
    Tax,
    AmountInclTax,
    PaymentMethod,
    Status,
    IssuedAt,
    DueAt,
    PaidAt,
    PaidAmount,
    PaidVia,
    PaymentReference,
    VoidedAt,
    RefundedAt,
}

#[derive(DeriveIden)]
enum RegistrationEvents {
    Table,
    Id,
    RegistrationId,
    FromState,
    ToState,
    At,
    Actor,
    Reason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(id_column(Registrations::Id))
                    .col(
                        ColumnDef::new(Registrations::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::Fqdn)
                            .string_len(253)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::LiveFqdn)
                            .string_len(253)
                            .null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Registrations::CertType)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::State)
                            .string_len(24)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::ContractYears)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(Registrations::CreatedAt))
                    .col(ts_null(Registrations::RegisteredAt))
                    .col(ts_null(Registrations::Deadline))
                    .col(ts_null(Registrations::ActivatedAt))
                    .col(ts_null(Registrations::ContractEnd))
                    .col(ts_null(Registrations::EndedAt))
                    .col(ts(Registrations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_customer")
                            .from(Registrations::Table, Registrations::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invoices::Table)
                    .col(id_column(Invoices::Id))
                    .col(
                        ColumnDef::new(Invoices::Number)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Invoices::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Invoices::RegistrationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Invoices::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Invoices::CertType).string_len(16).not_null())
                    .col(ColumnDef::new(Invoices::Fqdn).string_len(253).not_null())
                    .col(ColumnDef::new(Invoices::PeriodYears).integer().not_null())
                    .col(
                        ColumnDef::new(Invoices::AmountExclTax)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Invoices::Tax).big_integer().not_null())
                    .col(
                        ColumnDef::new(Invoices::AmountInclTax)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Invoices::PaymentMethod)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Invoices::Status).string_len(16).not_null())
                    .col(ts(Invoices::IssuedAt))
                    .col(ts(Invoices::DueAt))
                    .col(ts_null(Invoices::PaidAt))
                    .col(ColumnDef::new(Invoices::PaidAmount).big_integer().null())
                    .col(ColumnDef::new(Invoices::PaidVia).string_len(32).null())
                    .col(
                        ColumnDef::new(Invoices::PaymentReference)
                            .string_len(128)
                            .null(),
                    )
                    .col(ts_null(Invoices::VoidedAt))
                    .col(ts_null(Invoices::RefundedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoices_customer")
                            .from(Invoices::Table, Invoices::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoices_registration")
                            .from(Invoices::Table, Invoices::RegistrationId)
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RegistrationEvents::Table)
                    .col(id_column(RegistrationEvents::Id))
                    .col(
                        ColumnDef::new(RegistrationEvents::RegistrationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RegistrationEvents::FromState)
                            .string_len(24)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(RegistrationEvents::ToState)
                            .string_len(24)
                            .not_null(),
                    )
                    .col(ts(RegistrationEvents::At))
                    .col(
                        ColumnDef::new(RegistrationEvents::Actor)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RegistrationEvents::Reason)
                            .string_len(300)
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registration_events_registration")
                            .from(
                                RegistrationEvents::Table,
                                RegistrationEvents::RegistrationId,
                            )
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            vec![
                (
                    "idx_registrations_customer",
                    Registrations::Table.into_iden(),
                    vec![Registrations::CustomerId.into_iden()],
                ),
                (
                    "idx_registrations_state",
                    Registrations::Table.into_iden(),
                    vec![Registrations::State.into_iden()],
                ),
                (
                    "idx_invoices_customer",
                    Invoices::Table.into_iden(),
                    vec![Invoices::CustomerId.into_iden()],
                ),
                (
                    "idx_invoices_status_due",
                    Invoices::Table.into_iden(),
                    vec![Invoices::Status.into_iden(), Invoices::DueAt.into_iden()],
                ),
                (
                    "idx_registration_events_registration",
                    RegistrationEvents::Table.into_iden(),
                    vec![RegistrationEvents::RegistrationId.into_iden()],
                ),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RegistrationEvents::Table.into_iden(),
            Invoices::Table.into_iden(),
            Registrations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
