//! One file per page (route).

pub mod acme;
pub mod forgot_password;
pub mod home;
pub mod login;
pub mod mypage;
pub mod not_found;
pub mod operator;
pub mod reset_password;
pub mod signup;
pub mod terms;
pub mod tokens;
pub mod verify_email;
