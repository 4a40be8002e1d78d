//! JSM customer requests: `POST /rest/servicedeskapi/request` and
//! `GET /rest/servicedeskapi/request/{issueIdOrKey}`.
//!
//! A request is created exactly as `POST /rest/api/3/issue` creates an issue
//! (same key sequence, same `avi:jira:created:issue` event), with the
//! service desk's project, the request type's issue type and
//! `customfield_10010` set. Besides the documented body the simulator takes
//! `properties: [{key, value}]`, set on the issue in the same transaction,
//! before the event: that is what Jira does with the data a Forge
//! `jiraServiceManagement:portalRequestCreatePropertyPanel` submits through
//! `view.submit()`, so a portal flow can be replayed over REST.

use serde_json::{Map, Value, json};

use super::properties::property_items;
use super::render::{adf_to_text, is_adf_doc, text_to_adf};
use super::reply::{jsm_error, json_resp};
use super::{Ctx, Fail, HResult, Req, id_value};
use crate::store::{self, IssueRow, NewIssue, RequestTypeRow};
use crate::{APP_ACCOUNT_ID, APP_DISPLAY_NAME, SimError};

fn invalid(message: &str, key: &str, params: &[&str]) -> Fail {
    Fail::Resp(jsm_error(400, message, key, params))
}

fn forbidden(message: &str) -> Fail {
    Fail::Resp(jsm_error(403, message, "sd.rest.error.forbidden", &[]))
}

const NOT_CREATED: &str =
    "Your request could not be created. Please check the fields have been correctly filled in.";

impl Ctx<'_> {
    /// JSM `UserDTO`.
    fn jsm_user(&self, account_id: &str) -> Result<Value, Fail> {
        let link = format!("{}/rest/api/2/user?accountId={account_id}", self.base);
        let links = json!({
            "jiraRest": link,
            "avatarUrls": self.avatars("user", account_id),
            "self": link,
        });
        if account_id == APP_ACCOUNT_ID {
            return Ok(json!({
                "accountId": account_id,
                "displayName": APP_DISPLAY_NAME,
                "active": true,
                "timeZone": "Etc/UTC",
                "_links": links,
            }));
        }
        Ok(match store::user(self.tx, account_id)? {
            Some(u) => json!({
                "accountId": u.account_id,
                "emailAddress": u.email,
                "displayName": u.display_name,
                "active": true,
                "timeZone": u.time_zone,
                "_links": links,
            }),
            None => json!({
                "accountId": account_id,
                "displayName": "Former user",
                "active": false,
                "_links": links,
            }),
        })
    }

    /// JSM `CustomerRequestDTO`.
    fn customer_request_dto(
        &self,
        i: &IssueRow,
        rt: &RequestTypeRow,
        expand: &[String],
    ) -> Result<Value, Fail> {
        let mut values =
            vec![json!({"fieldId": "summary", "label": "Summary", "value": i.summary})];
        if let Some(d) = &i.description {
            let doc: Value = serde_json::from_str(d)?;
            let text = adf_to_text(&doc);
            let html: String = text
                .lines()
                .map(|l| {
                    format!(
                        "<p>{}</p>",
                        l.replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace('>', "&gt;")
                    )
                })
                .collect();
            values.push(json!({
                "fieldId": "description",
                "label": "Description",
                "value": text,
                "renderedValue": {"html": html},
            }));
        }
        let mut out = json!({
            "_expands": ["participant", "status", "sla", "requestType", "serviceDesk", "attachment", "action", "comment"],
            "issueId": i.id.to_string(),
            "issueKey": i.key,
            "summary": i.summary,
            "requestTypeId": rt.id.to_string(),
            "serviceDeskId": rt.service_desk_id.to_string(),
            "createdDate": self.date_dto(i.created),
            "reporter": self.jsm_user(&i.reporter)?,
            "requestFieldValues": values,
            "currentStatus": self.current_status_dto(i)?,
            "_links": self.request_links(i, rt.portal_id),
        });
        if let Some(o) = out.as_object_mut() {
            if expand.iter().any(|e| e == "requestType") {
                o.insert("requestType".into(), self.request_type_dto(rt));
            }
            if expand.iter().any(|e| e == "serviceDesk") {
                let sd = self.service_desk_param(&rt.service_desk_id.to_string())?;
                let p = store::project(self.tx, sd.project_id)?
                    .ok_or_else(|| SimError::NotFound(format!("project {}", sd.project_id)))?;
                o.insert(
                    "serviceDesk".into(),
                    json!({
                        "id": sd.id.to_string(),
                        "projectId": p.id.to_string(),
                        "projectName": p.name,
                        "projectKey": p.key,
                        "_links": {"self": format!("{}/rest/servicedeskapi/servicedesk/{}", self.base, sd.id)},
                    }),
                );
            }
        }
        Ok(out)
    }

    /// An account id given as an account id or an e-mail address.
    fn account_param(&self, v: &str) -> Result<Option<String>, Fail> {
        if store::user(self.tx, v)?.is_some() {
            return Ok(Some(v.to_string()));
        }
        Ok(store::user_by_email(self.tx, v)?.map(|u| u.account_id))
    }
}

pub fn create_request(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
        return Err(invalid(
            "The request body must be a JSON object.",
            "sd.rest.error.badrequest",
            &[],
        ));
    };
    let Some(sd_id) = body.get("serviceDeskId").and_then(id_value) else {
        return Err(invalid(
            "The serviceDeskId is required.",
            "sd.rest.error.servicedesk.id.required",
            &[],
        ));
    };
    let Some(sd) = store::service_desk(ctx.tx, sd_id)? else {
        return Err(invalid(
            &format!("The service desk '{sd_id}' does not exist."),
            "sd.rest.error.servicedesk.notfound",
            &[],
        ));
    };
    let rt = body
        .get("requestTypeId")
        .and_then(id_value)
        .map(|id| store::request_type(ctx.tx, id))
        .transpose()?
        .flatten()
        .filter(|rt| rt.service_desk_id == sd.id);
    let Some(rt) = rt else {
        return Err(invalid(
            "The request type does not exist or does not belong to this service desk.",
            "sd.rest.error.requesttype.notfound",
            &[],
        ));
    };
    let adf = body.get("isAdfRequest").and_then(Value::as_bool) == Some(true);
    let empty = Map::new();
    let values = match body.get("requestFieldValues") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(invalid(
                "requestFieldValues must be a JSON object of field ids and values.",
                "sd.rest.error.badrequest",
                &[],
            ));
        }
    };
    for k in values.keys() {
        if k != "summary" && k != "description" {
            return Err(invalid(
                &format!("{NOT_CREATED} The field '{k}' is not valid for this request type."),
                "sd.validation.request.creation.failure.field.not.found",
                &[k],
            ));
        }
    }
    let summary = match values.get("summary") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 255 => s.clone(),
        Some(Value::String(s)) if !s.trim().is_empty() => {
            return Err(invalid(
                &format!("{NOT_CREATED} Summary: Summary must be less than 255 characters."),
                "sd.validation.request.creation.failure.field.invalid",
                &["summary"],
            ));
        }
        _ => {
            return Err(invalid(
                &format!("{NOT_CREATED} Summary: You must specify a summary of the issue."),
                "sd.validation.request.creation.failure.required.field",
                &["summary"],
            ));
        }
    };
    let description = match values.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !adf => Some(text_to_adf(s).to_string()),
        Some(d) if adf && is_adf_doc(d) => Some(d.to_string()),
        Some(_) => {
            let want = if adf {
                "an Atlassian Document Format document"
            } else {
                "text"
            };
            return Err(invalid(
                &format!("{NOT_CREATED} Description: the value must be {want}."),
                "sd.validation.request.creation.failure.field.invalid",
                &["description"],
            ));
        }
    };
    let me = ctx.actor_id();
    let agent = ctx.is_agent()?;
    let reporter = match body.get("raiseOnBehalfOf") {
        None | Some(Value::Null) => me.clone(),
        Some(Value::String(who)) => {
            let Some(id) = ctx.account_param(who)? else {
                return Err(invalid(
                    &format!("The user '{who}' does not exist."),
                    "sd.rest.error.user.notfound",
                    &[who],
                ));
            };
            if id != me && !agent {
                return Err(forbidden(
                    "You do not have permission to raise a request on behalf of another customer.",
                ));
            }
            id
        }
        Some(_) => {
            return Err(invalid(
                "raiseOnBehalfOf must be an accountId.",
                "sd.rest.error.badrequest",
                &[],
            ));
        }
    };
    match body.get("requestParticipants") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            if !ids.is_empty() && !agent {
                return Err(forbidden(
                    "You do not have permission to add participants to this request.",
                ));
            }
            for v in ids {
                let known = match v.as_str() {
                    Some(s) => ctx.account_param(s)?.is_some(),
                    None => false,
                };
                if !known {
                    return Err(invalid(
                        &format!("The participant {v} does not exist."),
                        "sd.rest.error.user.notfound",
                        &[],
                    ));
                }
            }
        }
        Some(_) => {
            return Err(invalid(
                "requestParticipants must be a list of accountIds.",
                "sd.rest.error.badrequest",
                &[],
            ));
        }
    }
    let properties = property_items(body.get("properties"))
        .map_err(|m| invalid(&m, "sd.rest.error.badrequest", &[]))?;
    let row = ctx.insert_issue_with_event(&NewIssue {
        project_id: sd.project_id,
        issue_type_id: rt.issue_type_id,
        summary,
        description,
        reporter,
        creator: me,
        request_type_id: Some(rt.id),
        labels: "[]".into(),
        properties,
    })?;
    Ok(json_resp(201, &ctx.customer_request_dto(&row, &rt, &[])?))
}

/// `GET /request`: the caller's own customer requests (those they
/// reported or raised), newest first, as a `PagedDTOCustomerRequestDTO`;
/// `requestOwnership` and the other filters are not modelled.
pub fn list_requests(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let (start, limit) = super::servicedesk::page(req)?;
    let mut all = Vec::new();
    for issue in store::requests_of(ctx.tx, &ctx.actor_id())? {
        if let Some(rt) = issue
            .request_type_id
            .map(|rt| store::request_type(ctx.tx, rt))
            .transpose()?
            .flatten()
        {
            all.push(ctx.customer_request_dto(&issue, &rt, &[])?);
        }
    }
    Ok(json_resp(200, &ctx.paged("/request", all, start, limit)))
}

pub fn get_request(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let id = req.param("issueIdOrKey");
    let missing = || {
        Fail::Resp(jsm_error(
            404,
            &format!("The request '{id}' does not exist or you do not have permission to see it."),
            "sd.rest.error.request.notfound",
            &[id],
        ))
    };
    let Some(issue) = store::issue_by_id_or_key(ctx.tx, id)? else {
        return Err(missing());
    };
    if !ctx.can_see(&issue)? {
        return Err(missing());
    }
    let Some(rt) = issue
        .request_type_id
        .map(|rt| store::request_type(ctx.tx, rt))
        .transpose()?
        .flatten()
    else {
        return Err(missing());
    };
    let dto = ctx.customer_request_dto(&issue, &rt, &req.query.list("expand"))?;
    Ok(json_resp(200, &dto))
}
