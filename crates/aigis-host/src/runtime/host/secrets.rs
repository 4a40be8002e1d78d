//! `aigis:forge/secrets`: Forge secret storage, kept apart from ordinary
//! storage in `forge.db`. Secret values never reach a log or an error.

use super::super::bindings::secrets;
use super::super::ctx::ForgeCtxView;
use aigis_platform::{self as plat, Secrets as _};

impl secrets::Host for ForgeCtxView<'_> {
    fn get(&mut self, key: String) -> Result<Option<String>, plat::SecretError> {
        self.ctx.stats.storage_call("secrets");
        self.ctx.svc.store.get_secret(&key)
    }

    fn set(&mut self, key: String, value: String) -> Result<(), plat::SecretError> {
        self.ctx.stats.storage_call("secrets");
        self.ctx.svc.store.set_secret(&key, &value)
    }

    fn delete(&mut self, key: String) -> Result<(), plat::SecretError> {
        self.ctx.stats.storage_call("secrets");
        self.ctx.svc.store.delete_secret(&key)
    }

    fn convert_secret_error(
        &mut self,
        err: plat::SecretError,
    ) -> wasmtime::Result<secrets::SecretError> {
        Ok(match err {
            plat::SecretError::Backend(detail) => {
                secrets::SecretError::Backend(self.backend_failure("secrets", &detail))
            }
            other => other.into(),
        })
    }
}
