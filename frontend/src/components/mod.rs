//! Reusable widgets. They stay thin: logic lives in plain functions next to them or in `pages/`.

pub mod acme_profiles;
pub mod bank;
pub mod card_pay;
pub mod commands;
pub mod copy;
pub mod field;
pub mod focus;
pub mod fqdn_input;
pub mod header;
pub mod notice;
pub mod operator_gate;
pub mod persist_record;
pub mod perspectives;
pub mod require_login;
pub mod steps;
pub mod terms;
