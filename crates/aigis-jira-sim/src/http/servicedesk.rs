//! JSM `servicedeskapi`: service desks and their request types.

use serde_json::{Value, json};

use super::reply::{jsm_error, json_resp};
use super::{Ctx, Fail, HResult, Req};
use crate::store::{self, ServiceDeskRow};

/// JSM's default and largest page.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

fn not_found(message: &str) -> Fail {
    Fail::Resp(jsm_error(404, message, "sd.rest.error.notfound", &[]))
}

fn bad(message: &str) -> Fail {
    Fail::Resp(jsm_error(400, message, "sd.rest.error.badrequest", &[]))
}

/// `start` and `limit` of a JSM page.
pub(super) fn page(req: &Req) -> Result<(usize, usize), Fail> {
    let num = |k: &str, default: i64| -> Result<i64, Fail> {
        match req.query.get(k) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| bad(&format!("The '{k}' parameter must be a number."))),
        }
    };
    let start = usize::try_from(num("start", 0)?.max(0)).unwrap_or(0);
    let limit = usize::try_from(num("limit", DEFAULT_LIMIT)?.clamp(1, MAX_LIMIT)).unwrap_or(50);
    Ok((start, limit))
}

impl Ctx<'_> {
    /// A JSM `PagedDTO` of `values[start..start + limit]` of `all`.
    pub(super) fn paged(&self, path: &str, all: Vec<Value>, start: usize, limit: usize) -> Value {
        let total = all.len();
        let values: Vec<Value> = all.into_iter().skip(start).take(limit).collect();
        let is_last = start + values.len() >= total;
        let base = format!("{}/rest/servicedeskapi", self.base);
        let mut links = json!({
            "base": base,
            "context": "",
            "self": format!("{base}{path}?start={start}&limit={limit}"),
        });
        if let Some(o) = links.as_object_mut() {
            if !is_last {
                o.insert(
                    "next".into(),
                    json!(format!(
                        "{base}{path}?start={}&limit={limit}",
                        start + limit
                    )),
                );
            }
            if start > 0 {
                o.insert(
                    "prev".into(),
                    json!(format!(
                        "{base}{path}?start={}&limit={limit}",
                        start.saturating_sub(limit)
                    )),
                );
            }
        }
        json!({
            "_expands": [],
            "size": values.len(),
            "start": start,
            "limit": limit,
            "isLastPage": is_last,
            "values": values,
            "_links": links,
        })
    }

    fn service_desk_dto(&self, sd: &ServiceDeskRow) -> Result<Value, Fail> {
        let p = store::project(self.tx, sd.project_id)?
            .ok_or_else(|| crate::SimError::NotFound(format!("project {}", sd.project_id)))?;
        Ok(json!({
            "id": sd.id.to_string(),
            "projectId": p.id.to_string(),
            "projectName": p.name,
            "projectKey": p.key,
            "projectTypeKey": p.type_key,
            "_links": {"self": format!("{}/rest/servicedeskapi/servicedesk/{}", self.base, sd.id)},
        }))
    }

    /// A service desk by id or by its project's id or key.
    pub(super) fn service_desk_param(&self, id: &str) -> Result<ServiceDeskRow, Fail> {
        let by_id = match id.parse::<i64>() {
            Ok(n) => store::service_desk(self.tx, n)?,
            Err(_) => None,
        };
        let found = match by_id {
            Some(sd) => Some(sd),
            None => match store::project_by_id_or_key(self.tx, id)? {
                Some(p) => store::service_desk_of_project(self.tx, p.id)?,
                None => None,
            },
        };
        found.ok_or_else(|| not_found(&format!("The service desk '{id}' does not exist.")))
    }
}

pub fn service_desks(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let (start, limit) = page(req)?;
    let all = store::service_desks(ctx.tx)?
        .iter()
        .map(|sd| ctx.service_desk_dto(sd))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json_resp(
        200,
        &ctx.paged("/servicedesk", all, start, limit),
    ))
}

pub fn service_desk(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let sd = ctx.service_desk_param(req.param("serviceDeskId"))?;
    Ok(json_resp(200, &ctx.service_desk_dto(&sd)?))
}

pub fn request_types(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let sd = ctx.service_desk_param(req.param("serviceDeskId"))?;
    let (start, limit) = page(req)?;
    let search = req.query.get("searchQuery").map(str::to_lowercase);
    let all: Vec<Value> = store::request_types_of(ctx.tx, sd.id)?
        .iter()
        .filter(|rt| {
            search
                .as_ref()
                .is_none_or(|s| rt.name.to_lowercase().contains(s))
        })
        .map(|rt| ctx.request_type_dto(rt))
        .collect();
    let path = format!("/servicedesk/{}/requesttype", sd.id);
    Ok(json_resp(200, &ctx.paged(&path, all, start, limit)))
}

pub fn request_type(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let sd = ctx.service_desk_param(req.param("serviceDeskId"))?;
    let id = req.param("requestTypeId");
    let rt = match id.parse::<i64>() {
        Ok(n) => store::request_type(ctx.tx, n)?.filter(|rt| rt.service_desk_id == sd.id),
        Err(_) => None,
    };
    match rt {
        Some(rt) => Ok(json_resp(200, &ctx.request_type_dto(&rt))),
        None => Err(not_found(&format!(
            "The request type '{id}' does not exist in service desk '{}'.",
            sd.id
        ))),
    }
}
