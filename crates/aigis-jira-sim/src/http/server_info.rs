//! `serverInfo`.

use serde_json::json;

use super::render::fmt_time;
use super::reply::json_resp;
use super::{Ctx, HResult, Req};

pub fn server_info(ctx: &Ctx<'_>, _req: &Req) -> HResult {
    Ok(json_resp(
        200,
        &json!({
            "baseUrl": ctx.base,
            "displayUrl": ctx.base,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100_000,
            "buildDate": fmt_time(0),
            "serverTime": fmt_time(ctx.now),
            "scmInfo": "aigis-jira-sim",
            "serverTitle": "Jira",
            "defaultLocale": {"locale": "en_US"},
            "serverTimeZone": "Etc/UTC",
        }),
    ))
}
