//! The manifest's signature: a DSSE envelope around an in-toto v1
//! Statement whose subjects are the pack's files.

use super::PackError;
use crate::tlog::LogSigner;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://aigis.dev/evidence-pack/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsseEnvelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Base64 of the statement.
    pub payload: String,
    pub signatures: Vec<DsseSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsseSignature {
    /// The log key's note key id (8 hex digits).
    pub keyid: String,
    /// Base64 of the Ed25519 signature over the PAE.
    pub sig: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub name: String,
    pub digest: Digest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Digest {
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predicate {
    #[serde(rename = "manifestSha256")]
    pub manifest_sha256: String,
}

/// DSSE pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

impl Statement {
    /// A statement over `files` (name, SHA-256 hex), in the order given.
    pub fn new(files: &[(&str, String)], manifest_sha256: &str) -> Statement {
        Statement {
            type_: STATEMENT_TYPE.to_owned(),
            subject: files
                .iter()
                .map(|(name, sha)| Subject {
                    name: (*name).to_owned(),
                    digest: Digest {
                        sha256: sha.clone(),
                    },
                })
                .collect(),
            predicate_type: PREDICATE_TYPE.to_owned(),
            predicate: Predicate {
                manifest_sha256: manifest_sha256.to_owned(),
            },
        }
    }
}

impl DsseEnvelope {
    /// Signs `statement` with `signer` (Ed25519 over the PAE).
    pub fn sign(statement: &Statement, signer: &LogSigner) -> Result<DsseEnvelope, PackError> {
        let body = serde_json::to_vec(statement).map_err(|e| PackError::Json {
            what: "statement",
            message: e.to_string(),
        })?;
        let sig = signer.sign_raw(&pae(PAYLOAD_TYPE, &body))?;
        Ok(DsseEnvelope {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload: B64.encode(&body),
            signatures: vec![DsseSignature {
                keyid: signer.key_id(),
                sig: B64.encode(sig),
            }],
        })
    }
}
