//! Forge secret storage over the same SQLite file.

use super::*;

impl Secrets for Store {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError> {
        validate_key(key).map_err(|e| SecretError::InvalidKey(e.to_string()))?;
        self.conn()
            .prepare_cached("SELECT value FROM secrets WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(secret_backend)
    }

    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError> {
        validate_key(key).map_err(|e| SecretError::InvalidKey(e.to_string()))?;
        self.conn()
            .prepare_cached(
                "INSERT INTO secrets (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| s.execute(params![key, value]))
            .map(|_| ())
            .map_err(secret_backend)
    }

    fn delete_secret(&self, key: &str) -> Result<(), SecretError> {
        // Like the in-memory backend: deleting never fails on the key.
        self.conn()
            .prepare_cached("DELETE FROM secrets WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map(|_| ())
            .map_err(secret_backend)
    }
}
