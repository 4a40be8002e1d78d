//! `overview.forecast` (admin): what expires, needs review, or breaches the
//! approval SLA in the next 7 and 30 days, computed by
//! `aigis_core::forecast`, the rules the sweeps act on.

use crate::access::{Caller, load_intake};
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::{GRANT, REQUEST};
use crate::repo;
use crate::reviews::DEFAULT_WINDOW_DAYS;
use aigis_core::forecast::{self, Forecast};
use aigis_core::model::{Grant, Request, days};
use aigis_platform::{EntityQuery, Platform, RangeCondition};
use serde_json::json;

/// The horizons the Overview shows, in days.
pub const HORIZONS: [u32; 2] = [7, 30];

/// `overview.forecast`: reads the active grants expiring within the
/// longest horizon plus the review window, and the pending requests.
pub fn forecast(p: &Platform, _: &Caller, _: NoArgs) -> Result<Forecast, AppError> {
    let now = p.runtime.now_millis();
    let intake = load_intake(p)?;
    let window = intake
        .as_ref()
        .and_then(|i| i.review_window_days)
        .unwrap_or(DEFAULT_WINDOW_DAYS);
    let sla = intake.as_ref().and_then(|i| i.approval_sla_hours);
    let longest = HORIZONS.iter().copied().max().unwrap_or(30);
    let mut grants: Vec<Grant> = Vec::new();
    repo::scan(
        p,
        EntityQuery {
            entity: GRANT.into(),
            index: "by-status-expiry".into(),
            partition: vec![json!("active")],
            range: Some(RangeCondition::Between(
                json!(now + 1),
                json!(now + days(longest + window)),
            )),
            ..Default::default()
        },
        |_, g: Grant| {
            grants.push(g);
            Ok(true)
        },
    )?;
    let mut requests: Vec<Request> = Vec::new();
    if sla.is_some() {
        repo::scan(
            p,
            EntityQuery {
                entity: REQUEST.into(),
                index: "by-decision".into(),
                partition: vec![json!("pending")],
                ..Default::default()
            },
            |_, r: Request| {
                requests.push(r);
                Ok(true)
            },
        )?;
    }
    Ok(forecast::forecast(
        now, &HORIZONS, &grants, &requests, sla, window,
    ))
}
