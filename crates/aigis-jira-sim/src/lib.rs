//! Jira Cloud simulator: REST v3 shapes over SQLite
