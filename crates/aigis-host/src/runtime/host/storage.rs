//! `aigis:forge/storage`: the Key-Value Store, custom entities and
//! transactions, over `aigis_store` (which enforces Forge's limits).

use super::super::bindings::storage;
use super::super::ctx::ForgeCtxView;
use aigis_platform::{self as plat, Storage as _};

impl storage::Host for ForgeCtxView<'_> {
    fn get(&mut self, key: String) -> Result<Option<String>, plat::StorageError> {
        self.ctx.stats.storage_call("get");
        self.ctx.svc.store.get(&key)
    }

    fn set(
        &mut self,
        key: String,
        value: String,
        options: storage::SetOptions,
    ) -> Result<(), plat::StorageError> {
        self.ctx.stats.storage_call("set");
        self.ctx.svc.store.set(&key, &value, options.into())
    }

    fn delete(&mut self, key: String) -> Result<(), plat::StorageError> {
        self.ctx.stats.storage_call("delete");
        self.ctx.svc.store.delete(&key)
    }

    fn query_prefix(
        &mut self,
        prefix: String,
        cursor: Option<String>,
        limit: u32,
    ) -> Result<storage::QueryPage, plat::StorageError> {
        self.ctx.stats.storage_call("query");
        self.ctx
            .svc
            .store
            .query_prefix(&prefix, cursor.as_deref(), limit)
            .map(Into::into)
    }

    fn entity_get(
        &mut self,
        entity: String,
        key: String,
    ) -> Result<Option<String>, plat::StorageError> {
        self.ctx.stats.storage_call("entity-get");
        self.ctx.svc.store.entity_get(&entity, &key)
    }

    fn entity_set(
        &mut self,
        entity: String,
        key: String,
        value: String,
    ) -> Result<(), plat::StorageError> {
        self.ctx.stats.storage_call("entity-set");
        self.ctx.svc.store.entity_set(&entity, &key, &value)
    }

    fn entity_delete(&mut self, entity: String, key: String) -> Result<(), plat::StorageError> {
        self.ctx.stats.storage_call("entity-delete");
        self.ctx.svc.store.entity_delete(&entity, &key)
    }

    fn entity_query(
        &mut self,
        query: storage::IndexQuery,
    ) -> Result<storage::QueryPage, plat::StorageError> {
        self.ctx.stats.storage_call("entity-query");
        let query = plat::EntityQuery::try_from(query)?;
        self.ctx.svc.store.entity_query(&query).map(Into::into)
    }

    fn transact(&mut self, ops: Vec<storage::TxnOp>) -> Result<(), plat::StorageError> {
        self.ctx.stats.storage_call("transact");
        let ops = ops
            .into_iter()
            .map(plat::TxnOp::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        self.ctx.svc.store.transact(&ops)
    }

    fn convert_storage_error(
        &mut self,
        err: plat::StorageError,
    ) -> wasmtime::Result<storage::StorageError> {
        Ok(match err {
            plat::StorageError::Backend(detail) => {
                storage::StorageError::Backend(self.backend_failure("storage", &detail))
            }
            other => other.into(),
        })
    }
}
