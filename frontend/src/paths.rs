//! The portal's page paths that pages link to each other by (one place, so pages need not import
//! each other for a path).

pub const ORDERS_PAGE: &str = "/mypage/orders";
/// Where the ACME application, the EAB and the ACME accounts are handled.
pub const ACME_PAGE: &str = "/mypage/acme";
/// The customer's certificates (STEP 7).
pub const CERTIFICATES_PAGE: &str = "/mypage/certificates";
pub const REGISTRATIONS_PAGE: &str = "/mypage/registrations";
pub const INVOICES_PAGE: &str = "/mypage/invoices";
pub const REGISTER_PAGE: &str = "/mypage/registrations/new";
