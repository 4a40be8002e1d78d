//! Every storage name the app uses, in one place: the custom entities
//! (declared with their indexes in `manifest.yml`; a test checks that the
//! two lists agree) and the KVS keys and prefixes.

/// Catalog entries, by tool id.
pub const TOOL: &str = "tool";
/// Requests, by Jira issue id.
pub const REQUEST: &str = "request";
/// Grants, by `g-<request id>`.
pub const GRANT: &str = "grant";
/// Provisioning jobs, by `j-<seq>`.
pub const JOB: &str = "job";
/// A person's open grant of a tool, by `<account>#<tool>`.
pub const SLOT: &str = "slot";
/// Governance versions, by zero-padded version.
pub const GOVERNANCE: &str = "governance";
/// Audit events, by zero-padded sequence number.
pub const AUDIT: &str = "audit";
/// Pruned audit events: their Merkle nodes only.
pub const AUDIT_NODE: &str = "auditnode";
/// Signed checkpoints, by zero-padded tree size.
pub const CHECKPOINT: &str = "checkpoint";
/// Jira side effects waiting to be delivered.
pub const OUTBOX: &str = "outbox";
/// The audit log's head (one item, key [`HEAD_KEY`]).
pub const AUDIT_HEAD: &str = "audithead";
/// Where the retained log starts (one item, key [`ANCHOR_KEY`]).
pub const AUDIT_ANCHOR: &str = "auditanchor";

/// Drift findings of connected tools, by `<tool>:<kind>:<member>`.
pub const RECONCILIATION: &str = "reconciliation";

/// Every custom entity: must equal `app.storage.entities` in `manifest.yml`.
pub const ENTITIES: &[&str] = &[
    TOOL,
    REQUEST,
    GRANT,
    JOB,
    SLOT,
    GOVERNANCE,
    AUDIT,
    AUDIT_NODE,
    CHECKPOINT,
    OUTBOX,
    AUDIT_HEAD,
    AUDIT_ANCHOR,
    RECONCILIATION,
];

pub const HEAD_KEY: &str = "head";
pub const ANCHOR_KEY: &str = "anchor";

/// KVS: the intake configuration.
pub const INTAKE: &str = "config:intake";
/// KVS: the governance version in force.
pub const GOVERNANCE_POINTER: &str = "config:governance";
/// KVS: the id of the site's audit MAC key (the key is a secret).
pub const MAC_KEY_ID: &str = "audit:mac-key-id";
/// KVS: the log origin and the public halves of its signing keys.
pub const LOG_KEYS: &str = "audit:log-keys";
/// KVS: what the last evidence export committed to.
pub const LAST_EXPORT: &str = "audit:last-export";
/// KVS: the `audit.state` events written so far (`audit::state`), oldest first.
pub const AUDIT_STATES: &str = "audit:states";
/// KVS prefix: the chunks of one committed state, `audit:state:<digest>:<n>`.
pub const AUDIT_STATE_PREFIX: &str = "audit:state:";
/// KVS prefix: the record of one request's escalation, `escalation:<request>`.
pub const ESCALATION_PREFIX: &str = "escalation:";
/// KVS: the escalation sweep's watermark.
pub const ESCALATION_WATERMARK: &str = "escalation:watermark";
/// KVS: the analytics sweep's watermark (an audit sequence number).
pub const INSIGHTS_WATERMARK: &str = "insights:watermark";
/// KVS prefix: one rollup per month, `insights:month:YYYY-MM`.
pub const INSIGHTS_MONTH_PREFIX: &str = "insights:month:";
/// KVS: running totals of the analytics sweep.
pub const INSIGHTS_TOTALS: &str = "insights:totals";
/// KVS prefix: rate-limit slots, `rate:<account>:<minute>:<n>`.
pub const RATE_PREFIX: &str = "rate:";
/// KVS prefix: a tool's drift status, `drift:<tool>`.
pub const DRIFT_PREFIX: &str = "drift:";
/// KVS prefix: the pages of a drift scan in progress, `driftscan:<tool>:<n>`.
pub const DRIFT_SCAN_PREFIX: &str = "driftscan:";
/// KVS prefix: a drift run's lease on its tool, `driftlease:<tool>`.
pub const DRIFT_LEASE_PREFIX: &str = "driftlease:";
/// KVS prefix: review claims, `review:<grant>:<window>`.
pub const REVIEW_CLAIM_PREFIX: &str = "review:";

/// Secret name of the audit MAC key `id`.
pub fn mac_key_secret(id: &str) -> String {
    format!("audit-mac-key-{id}")
}

/// Secret name of the log signing seed of key `id`.
pub fn log_key_secret(id: &str) -> String {
    format!("audit-log-key-{id}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn entities_are_those_the_manifest_declares() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../manifest.yml");
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_json::Value = serde_norway::from_str(&text).unwrap();
        let mut declared: Vec<String> = doc["app"]["storage"]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect();
        declared.sort();
        let mut ours: Vec<String> = super::ENTITIES.iter().map(|s| s.to_string()).collect();
        ours.sort();
        assert_eq!(ours, declared);
    }
}
