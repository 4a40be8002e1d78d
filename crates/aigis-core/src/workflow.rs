//! Choosing the Jira workflow transition that matches a decision, by name,
//! case-insensitively.

/// Transition names that mean "approve".
pub const APPROVE_NAMES: &[&str] = &["approve", "approved", "accept", "accepted"];
/// Transition names that mean "deny".
pub const DENY_NAMES: &[&str] = &[
    "deny",
    "denied",
    "decline",
    "declined",
    "reject",
    "rejected",
    "cancel",
    "cancelled",
];

/// The id of the first transition whose name (trimmed, any case) is one of
/// `names`; `transitions` are (id, name) pairs as Jira lists them.
pub fn pick_transition<'a>(transitions: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    transitions
        .iter()
        .find(|(_, name)| {
            let n = name.trim().to_lowercase();
            names.iter().any(|want| *want == n)
        })
        .map(|(id, _)| id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_names_case_insensitively() {
        let t = vec![
            ("11".to_owned(), "Start progress".to_owned()),
            ("21".to_owned(), " DECLINE ".to_owned()),
            ("31".to_owned(), "Approve".to_owned()),
        ];
        assert_eq!(pick_transition(&t, APPROVE_NAMES), Some("31"));
        assert_eq!(pick_transition(&t, DENY_NAMES), Some("21"));
        assert_eq!(pick_transition(&t[..1], APPROVE_NAMES), None);
    }
}
