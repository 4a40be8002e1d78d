//! The services behind the imports: the storage backend (`aigis_store::Store`)
//! and the Jira simulator (`aigis_jira_sim::JiraSim`).
//!
//! TEMPORARY SHIM for the simulator: until `aigis-jira-sim` lands, this module
//! provides a stand-in `JiraSim` with the same API (it answers 501).
//! The rest of the host only names `crate::backends::{Store, JiraSim, ...}`.

pub use aigis_store::Store;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct SimResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct SimUser {
    pub account_id: String,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct SimEvent {
    pub id: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct DemoUser {
    pub role: String,
    pub email: String,
    pub api_token: String,
    pub account_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct DemoSite {
    pub users: Vec<DemoUser>,
    pub project_key: String,
    pub service_desk_id: String,
    pub portal_id: String,
    pub request_type_id: String,
}

pub struct JiraSim;

impl JiraSim {
    pub fn open(_path: &Path) -> Result<JiraSim, String> {
        Ok(JiraSim)
    }
    pub fn in_memory() -> Result<JiraSim, String> {
        Ok(JiraSim)
    }
    pub fn set_clock(&self, _now_millis: i64) {}
    pub fn handle_http(
        &self,
        _method: &str,
        _path_and_query: &str,
        _headers: &[(String, String)],
        _body: &[u8],
    ) -> SimResponse {
        Self::unimplemented()
    }
    pub fn handle_as(
        &self,
        _as_account: Option<&str>,
        _method: &str,
        _path_and_query: &str,
        _headers: &[(String, String)],
        _body: &[u8],
    ) -> SimResponse {
        Self::unimplemented()
    }
    fn unimplemented() -> SimResponse {
        SimResponse {
            status: 501,
            headers: vec![],
            body: "{\"errorMessages\":[\"the Jira simulator is not built in yet\"]}".into(),
        }
    }
    pub fn authenticate_basic(&self, _header: &str) -> Option<SimUser> {
        None
    }
    pub fn user_by_email(&self, _email: &str) -> Option<SimUser> {
        None
    }
    pub fn pending_events(&self) -> Result<Vec<SimEvent>, String> {
        Ok(vec![])
    }
    pub fn ack_event(&self, _id: i64) -> Result<(), String> {
        Ok(())
    }
    pub fn seed_demo(&self) -> Result<DemoSite, String> {
        Err("the Jira simulator is not built in yet".into())
    }
}
