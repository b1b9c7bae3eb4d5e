pub mod api_token;
pub mod audit_log;
pub mod customer;
pub mod email_token;
pub mod login_failure;
pub mod session;
