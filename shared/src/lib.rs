//! Types and pure rules used by both halves of CertDirect: the server (`backend`) and the
//! WebAssembly portal (`frontend`). Nothing here touches I/O, so every rule can be unit-tested
//! on the host and runs unchanged in the browser.

pub mod acme;
pub mod billing;
pub mod customer;
pub mod dto;
pub mod fqdn;
pub mod locale;
pub mod persist;
pub mod problem;
pub mod support;
pub mod validate;

pub use customer::CustomerId;
pub use problem::{FieldError, Problem};
