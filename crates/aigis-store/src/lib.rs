//! SQLite storage and secrets backend for the local host, enforcing Forge limits
