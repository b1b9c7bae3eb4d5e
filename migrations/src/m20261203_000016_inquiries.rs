//! The customer center (R-SUP-1, R-SUP-2): inquiries (`Q…`) about a domain name or an invoice,
//! and their conversation between the customer and the operators.

use sea_orm_migration::prelude::*;

use crate::{create_indexes, id_column, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Inquiries {
    Table,
    Id,
    Number,
    CustomerId,
    Subject,
    Domain,
    InvoiceNumber,
    Status,
    AssigneeId,
    ReceivedInHours,
    AnswerBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InquiryMessages {
    Table,
    Id,
    InquiryId,
    Author,
    OperatorId,
    Body,
    At,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Inquiries::Table)
                    .col(id_column(Inquiries::Id))
                    .col(
                        ColumnDef::new(Inquiries::Number)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Inquiries::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Inquiries::Subject)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Inquiries::Domain).string_len(255).null())
                    .col(
                        ColumnDef::new(Inquiries::InvoiceNumber)
                            .string_len(32)
                            .null(),
                    )
                    .col(ColumnDef::new(Inquiries::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Inquiries::AssigneeId).big_integer().null())
                    .col(
                        ColumnDef::new(Inquiries::ReceivedInHours)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Inquiries::AnswerBy)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(ts(Inquiries::CreatedAt))
                    .col(ts(Inquiries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiries_customer")
                            .from(Inquiries::Table, Inquiries::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiries_assignee")
                            .from(Inquiries::Table, Inquiries::AssigneeId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InquiryMessages::Table)
                    .col(id_column(InquiryMessages::Id))
                    .col(
                        ColumnDef::new(InquiryMessages::InquiryId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InquiryMessages::Author)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InquiryMessages::OperatorId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(InquiryMessages::Body).text().not_null())
                    .col(ts(InquiryMessages::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiry_messages_inquiry")
                            .from(InquiryMessages::Table, InquiryMessages::InquiryId)
                            .to(Inquiries::Table, Inquiries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiry_messages_operator")
                            .from(InquiryMessages::Table, InquiryMessages::OperatorId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            vec![
                (
                    "idx_inquiries_customer",
                    Inquiries::Table.into_iden(),
                    vec![Inquiries::CustomerId.into_iden(), Inquiries::Id.into_iden()],
                ),
                (
                    "idx_inquiries_status",
                    Inquiries::Table.into_iden(),
                    vec![Inquiries::Status.into_iden(), Inquiries::Id.into_iden()],
                ),
                (
                    "idx_inquiry_messages_inquiry",
                    InquiryMessages::Table.into_iden(),
                    vec![
                        InquiryMessages::InquiryId.into_iden(),
                        InquiryMessages::Id.into_iden(),
                    ],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InquiryMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Inquiries::Table).to_owned())
            .await
    }
}
