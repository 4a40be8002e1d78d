//! The services behind the imports: the storage backend (`aigis_store::Store`)
//! and the Jira simulator (`aigis_jira_sim::JiraSim`).
//!
//! TEMPORARY SHIM: until `aigis-store` and `aigis-jira-sim` land, this module
//! provides stand-ins with the same API (in memory; the simulator answers 501).
//! The rest of the host only names `crate::backends::{Store, JiraSim, ...}`.

use aigis_platform::memory::{MemorySecrets, MemoryStorage};
use aigis_platform::*;
use std::path::Path;
use std::sync::Mutex;

pub struct Store {
    storage: Mutex<MemoryStorage>,
    secrets: Mutex<MemorySecrets>,
}

impl Store {
    pub fn open(_path: &Path, schemas: Vec<EntitySchema>) -> Result<Store, String> {
        Ok(Store::in_memory(schemas))
    }
    pub fn in_memory(schemas: Vec<EntitySchema>) -> Store {
        Store {
            storage: Mutex::new(MemoryStorage::new(schemas)),
            secrets: Mutex::new(MemorySecrets::default()),
        }
    }
    pub fn entities_of(&self, entity: &str) -> Vec<(String, String)> {
        self.s().entities_of(entity)
    }
    fn s(&self) -> std::sync::MutexGuard<'_, MemoryStorage> {
        self.storage.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn sec(&self) -> std::sync::MutexGuard<'_, MemorySecrets> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Storage for Store {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.s().get(key)
    }
    fn set(&self, key: &str, value: &str, options: SetOptions) -> Result<(), StorageError> {
        self.s().set(key, value, options)
    }
    fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.s().delete(key)
    }
    fn query_prefix(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<QueryPage, StorageError> {
        self.s().query_prefix(prefix, cursor, limit)
    }
    fn entity_get(&self, entity: &str, key: &str) -> Result<Option<String>, StorageError> {
        self.s().entity_get(entity, key)
    }
    fn entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StorageError> {
        self.s().entity_set(entity, key, value)
    }
    fn entity_delete(&self, entity: &str, key: &str) -> Result<(), StorageError> {
        self.s().entity_delete(entity, key)
    }
    fn entity_query(&self, query: &EntityQuery) -> Result<QueryPage, StorageError> {
        self.s().entity_query(query)
    }
    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        self.s().transact(ops)
    }
}

impl Secrets for Store {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError> {
        self.sec().get_secret(key)
    }
    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError> {
        self.sec().set_secret(key, value)
    }
    fn delete_secret(&self, key: &str) -> Result<(), SecretError> {
        self.sec().delete_secret(key)
    }
}

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
