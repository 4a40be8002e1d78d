//! Custom-entity declarations, as `manifest.yml` states them under
//! `app.storage.entities`.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AttributeSchema {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexSchema {
    pub name: String,
    /// Exactly one attribute: results are ordered by it.
    pub range: Vec<String>,
    #[serde(default)]
    pub partition: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EntitySchema {
    pub name: String,
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    pub indexes: Vec<IndexSchema>,
}

impl EntitySchema {
    pub fn index(&self, name: &str) -> Option<&IndexSchema> {
        self.indexes.iter().find(|i| i.name == name)
    }
}
