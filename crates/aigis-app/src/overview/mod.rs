//! `overview.*`: the admin Overview's forecast (readiness lives in
//! `readiness`).

pub mod forecast;

use crate::api::{Route, route};

pub const ROUTES: &[Route] = &[route!(
    "overview.forecast",
    Admin,
    overview::forecast::forecast
)];
