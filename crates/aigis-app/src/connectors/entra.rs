//! The Microsoft Entra client: client credentials with a client secret at
//! `login.microsoftonline.com/{tenant}/oauth2/v2.0/token` (scope
//! `https://graph.microsoft.com/.default`), and Graph v1.0 users, groups,
//! members and `$ref`.

use super::http::{Fail, Http, Provider, enc, form};
use super::provider::{Directory, ExtGroup, ExtMember, ExtUser, MemberPage};
use super::token::{self, Cached};
use super::{ConnectorRecord, credential_secret};
use aigis_platform::{HttpResponse, Platform};
use serde_json::{Value, json};
use std::sync::Mutex;

pub const LOGIN: &str = "https://login.microsoftonline.com";
pub const GRAPH: &str = "https://graph.microsoft.com/v1.0";
pub const SCOPE: &str = "https://graph.microsoft.com/.default";
const GROUP_FIELDS: &str = "id,displayName,groupTypes,membershipRule,onPremisesSyncEnabled,isAssignableToRole,mailEnabled,securityEnabled";

/// A tenant id: a GUID or a verified domain name.
pub fn valid_tenant(t: &str) -> bool {
    let guid = t.len() == 36
        && t.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let domain = t.contains('.')
        && t.len() <= 253
        && t.split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    guid || domain
}

pub struct Entra<'a> {
    http: Http<'a>,
    rec: ConnectorRecord,
    token: Mutex<Option<Cached>>,
}

impl<'a> Entra<'a> {
    pub fn new(p: &'a Platform<'a>, rec: &ConnectorRecord) -> Entra<'a> {
        Entra {
            http: Http::new(p, Provider::Graph),
            rec: rec.clone(),
            token: Mutex::new(None),
        }
    }

    pub fn request_ids(&self) -> Vec<String> {
        self.http.request_ids()
    }

    fn p(&self) -> &Platform<'a> {
        self.http.p
    }

    fn fetch_token(&self) -> Result<Cached, Fail> {
        let secret = self
            .p()
            .secrets
            .get_secret(&credential_secret(&self.rec.id))
            .map_err(|_| Fail::Retry {
                why: "secret storage is unavailable".into(),
                after: None,
            })?
            .ok_or_else(|| Fail::Terminal("the connector has no client secret set".into()))?;
        let tenant = self.rec.tenant_id.clone().unwrap_or_default();
        let url = format!("{LOGIN}/{}/oauth2/v2.0/token", enc(&tenant));
        let body = form(&[
            (
                "client_id",
                self.rec.client_id.as_deref().unwrap_or_default(),
            ),
            ("client_secret", &secret),
            ("scope", SCOPE),
            ("grant_type", "client_credentials"),
        ]);
        let headers = vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )];
        let resp = self.http.send("POST", &url, headers, Some(body))?;
        let v: Value = serde_json::from_str(&resp.body).unwrap_or_default();
        if resp.status == 200 {
            let expires_in = v["expires_in"].as_i64().unwrap_or(3600);
            return Ok(Cached {
                token: v["access_token"].as_str().unwrap_or_default().to_owned(),
                token_type: "Bearer".into(),
                expires_at: self.p().runtime.now_millis() + expires_in * 1000,
                credential_version: self.rec.credential_version,
            });
        }
        let desc = v["error_description"].as_str().unwrap_or_default();
        let code = desc.split(':').next().unwrap_or_default();
        Err(match code {
            "AADSTS7000215" | "AADSTS7000222" => Fail::Terminal(
                "Entra refused the client secret: it is wrong or expired (invalid_client)".into(),
            ),
            "AADSTS90002" | "AADSTS900023" => {
                Fail::Terminal("no Entra tenant has this tenant id".into())
            }
            "AADSTS700016" => Fail::Terminal(
                "the tenant has no application with this client id (or it is not consented)".into(),
            ),
            "AADSTS7000112" => Fail::Terminal("the application is disabled in the tenant".into()),
            _ if v["error"] == "invalid_client" => Fail::Terminal(
                "Entra does not accept the client credentials (invalid_client)".into(),
            ),
            _ => self.http.fail(&resp, "get an access token"),
        })
    }

    fn access(&self, fresh: bool) -> Result<Cached, Fail> {
        let now = self.p().runtime.now_millis();
        if !fresh {
            if let Some(t) = self.token.lock().ok().and_then(|t| t.clone()) {
                return Ok(t);
            }
            if let Some(t) = token::cached(self.p(), &self.rec.id, self.rec.credential_version, now)
            {
                return Ok(t);
            }
        }
        let t = self.fetch_token()?;
        token::store(self.p(), &self.rec.id, &t);
        if let Ok(mut slot) = self.token.lock() {
            *slot = Some(t.clone());
        }
        Ok(t)
    }

    /// One Graph call; a 401 refreshes the token once and retries.
    fn call(&self, method: &str, url: &str, body: Option<Value>) -> Result<HttpResponse, Fail> {
        let mut fresh = false;
        loop {
            let t = self.access(fresh)?;
            let mut h = vec![
                ("Authorization".to_owned(), format!("Bearer {}", t.token)),
                ("Accept".to_owned(), "application/json".to_owned()),
            ];
            if body.is_some() {
                h.push(("Content-Type".into(), "application/json".into()));
            }
            let resp = self
                .http
                .send(method, url, h, body.as_ref().map(Value::to_string))?;
            if resp.status == 401 && !fresh {
                token::forget(self.p(), &self.rec.id);
                if let Ok(mut slot) = self.token.lock() {
                    *slot = None;
                }
                fresh = true;
                continue;
            }
            if resp.status == 401 {
                return Err(Fail::Terminal(
                    "Microsoft Graph refused the token: the app lacks admin-consented \
                     permissions (GroupMember.ReadWrite.All, User.Read.All) or was disabled"
                        .into(),
                ));
            }
            if resp.status == 403 {
                return Err(Fail::Terminal(
                    "Microsoft Graph denied the call: grant and consent GroupMember.ReadWrite.All \
                     and User.Read.All (Group.Create to create groups)"
                        .into(),
                ));
            }
            return Ok(resp);
        }
    }

    fn get_json(&self, url: &str, what: &str) -> Result<Option<Value>, Fail> {
        let resp = self.call("GET", url, None)?;
        match resp.status {
            200 => Ok(Some(serde_json::from_str(&resp.body).unwrap_or_default())),
            404 => Ok(None),
            _ => Err(self.http.fail(&resp, what)),
        }
    }
}

fn user_of(v: &Value) -> ExtUser {
    ExtUser {
        id: v["id"].as_str().unwrap_or_default().to_owned(),
        email: v["mail"].as_str().unwrap_or_default().to_owned(),
        active: v["accountEnabled"].as_bool().unwrap_or(false),
    }
}

fn group_of(v: &Value) -> ExtGroup {
    let dynamic = v["groupTypes"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "DynamicMembership"));
    let ungovernable = if dynamic {
        Some((
            "groupTypes",
            "the group has dynamic membership: a rule decides its members",
        ))
    } else if v["onPremisesSyncEnabled"] == true {
        Some((
            "onPremisesSyncEnabled",
            "the group is synced from on-premises Active Directory: change it there",
        ))
    } else if v["isAssignableToRole"] == true {
        Some((
            "isAssignableToRole",
            "the group can be assigned to Entra roles: its members are privileged",
        ))
    } else if v["mailEnabled"] == true {
        Some((
            "mailEnabled",
            "the group is mail-enabled (a Microsoft 365 or distribution group), not a security group",
        ))
    } else {
        None
    };
    ExtGroup {
        id: v["id"].as_str().unwrap_or_default().to_owned(),
        name: v["displayName"].as_str().unwrap_or_default().to_owned(),
        ungovernable: ungovernable.map(|(f, r)| (f.to_owned(), r.to_owned())),
    }
}

/// A mail nickname from a display name (letters and digits only).
fn nickname(name: &str) -> String {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(60)
        .collect();
    if n.is_empty() { "aigis".into() } else { n }
}

impl Directory for Entra<'_> {
    fn authenticate(&self) -> Result<(), Fail> {
        self.access(false).map(|_| ())
    }

    fn users_by_email(&self, email: &str) -> Result<Vec<ExtUser>, Fail> {
        let filter = format!("mail eq '{}'", email.replace('\'', "''"));
        let url = format!(
            "{GRAPH}/users?$filter={}&$select=id,mail,accountEnabled",
            enc(&filter)
        );
        let v = self.get_json(&url, "search users")?.unwrap_or_default();
        Ok(v["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(user_of)
            .filter(|u| u.email.eq_ignore_ascii_case(email))
            .collect())
    }

    fn user(&self, id: &str) -> Result<Option<ExtUser>, Fail> {
        let url = format!("{GRAPH}/users/{}?$select=id,mail,accountEnabled", enc(id));
        Ok(self.get_json(&url, "read a user")?.map(|v| user_of(&v)))
    }

    fn group(&self, id: &str) -> Result<Option<ExtGroup>, Fail> {
        let url = format!("{GRAPH}/groups/{}?$select={GROUP_FIELDS}", enc(id));
        Ok(self.get_json(&url, "read a group")?.map(|v| group_of(&v)))
    }

    fn create_group(&self, name: &str, description: &str) -> Result<ExtGroup, Fail> {
        let body = json!({"displayName": name, "description": description,
            "mailEnabled": false, "mailNickname": nickname(name), "securityEnabled": true});
        let resp = self.call("POST", &format!("{GRAPH}/groups"), Some(body))?;
        if resp.status != 201 {
            return Err(self.http.fail(&resp, "create a group"));
        }
        let v: Value = serde_json::from_str(&resp.body).unwrap_or_default();
        Ok(group_of(&v))
    }

    fn add_member(&self, group: &str, user: &str) -> Result<(), Fail> {
        let url = format!("{GRAPH}/groups/{}/members/$ref", enc(group));
        let body = json!({"@odata.id": format!("{GRAPH}/directoryObjects/{user}")});
        let resp = self.call("POST", &url, Some(body))?;
        match resp.status {
            204 => Ok(()),
            // "One or more added object references already exist".
            400 if resp.body.contains("already exist") => Ok(()),
            _ => Err(self.http.fail(&resp, "add a group member")),
        }
    }

    fn remove_member(&self, group: &str, user: &str) -> Result<bool, Fail> {
        let url = format!("{GRAPH}/groups/{}/members/{}/$ref", enc(group), enc(user));
        let resp = self.call("DELETE", &url, None)?;
        match resp.status {
            204 => Ok(true),
            404 => Ok(false),
            _ => Err(self.http.fail(&resp, "remove a group member")),
        }
    }

    fn is_member(&self, group: &str, user: &str) -> Result<bool, Fail> {
        let url = format!("{GRAPH}/users/{}/checkMemberGroups", enc(user));
        let resp = self.call("POST", &url, Some(json!({"groupIds": [group]})))?;
        match resp.status {
            200 => {
                let v: Value = serde_json::from_str(&resp.body).unwrap_or_default();
                Ok(v["value"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|g| g == group)))
            }
            404 => Ok(false),
            _ => Err(self.http.fail(&resp, "check a membership")),
        }
    }

    fn members_page(&self, group: &str, next: Option<&str>) -> Result<MemberPage, Fail> {
        let url = match next {
            Some(n) => n.to_owned(),
            None => format!(
                "{GRAPH}/groups/{}/members?$select=id,mail,accountEnabled&$top=100",
                enc(group)
            ),
        };
        let resp = self.call("GET", &url, None)?;
        if resp.status != 200 {
            return Err(self.http.fail(&resp, "list group members"));
        }
        let unreadable = || Fail::Retry {
            why: "Microsoft Graph sent an unreadable page".into(),
            after: None,
        };
        let v: Value = serde_json::from_str(&resp.body).map_err(|_| unreadable())?;
        let members = v["value"]
            .as_array()
            .ok_or_else(unreadable)?
            .iter()
            .filter(|m| m["id"].is_string())
            .map(|m| {
                let kind = m["@odata.type"].as_str().unwrap_or("#microsoft.graph.user");
                let user = user_of(m);
                ExtMember {
                    id: user.id,
                    email: user.email,
                    active: user.active,
                    non_user: (kind != "#microsoft.graph.user").then(|| kind.to_owned()),
                }
            })
            .collect();
        Ok(MemberPage {
            members,
            next: v["@odata.nextLink"].as_str().map(str::to_owned),
        })
    }
}
