//! One file per page (route).

pub mod acme;
pub mod acme_limits;
pub mod certificates;
pub mod forgot_password;
pub mod home;
pub mod invoice_print;
pub mod invoices;
pub mod login;
pub mod mypage;
pub mod not_found;
pub mod operator;
pub mod operator_billing;
pub mod operator_inquiries;
pub mod operator_mail;
pub mod operator_renewals;
pub mod operator_validations;
pub mod orders;
pub mod privacy;
pub mod register;
pub mod registrations;
pub mod reset_password;
pub mod signup;
pub mod support;
pub mod terms;
pub mod tokens;
pub mod verify_email;
