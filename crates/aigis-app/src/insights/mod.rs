//! Insights: monthly rollups of requests, decisions and grants, kept up to
//! date by the daily `analytics` sweep.
//!
//! The sweep reads only the audit events appended since its last run (the
//! saved watermark is an audit sequence number, read through the `by-seq`
//! index), folds them into per-month rollups, and writes the touched
//! rollups together with the new watermark in one transaction, page by
//! page. A rerun starts from the watermark, so running it twice gives the
//! same rollups.

pub mod sweep;
pub mod view;

use crate::api::{Route, route};

pub use sweep::sweep;

pub const ROUTES: &[Route] = &[route!("insights", Admin, insights::view::insights)];
