//! Microsoft Graph simulator (Entra token endpoint and Graph v1.0 users, groups and members).
