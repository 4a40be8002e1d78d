//! TypeScript declarations of every type a resolver takes or answers,
//! collected from the route table (feature `ts`, used by `aigis-codegen`).

use super::Handler;
use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use ts_rs::{Config, TS, TypeVisitor};

/// Declarations by type name, each once.
pub struct Registry {
    cfg: Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            // JSON numbers: every integer the app sends is below 2^53
            // (milliseconds, counts, sequence numbers), so `number`, not `bigint`.
            cfg: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            decls: BTreeMap::new(),
        }
    }
}

impl Registry {
    /// Registers a handler's argument and answer types.
    pub fn route<A: TS + 'static, O: TS + 'static>(
        &mut self,
        _: Handler<A, O>,
    ) -> (String, String) {
        self.add::<A>();
        self.add::<O>();
        (A::name(&self.cfg), O::name(&self.cfg))
    }

    /// Registers `T` and what it depends on.
    pub fn add<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let mut decl = String::new();
        if let Some(docs) = T::docs() {
            decl.push_str(&docs);
        }
        decl.push_str("export ");
        decl.push_str(&T::decl(&self.cfg));
        self.decls.insert(T::ident(&self.cfg), decl);
        struct Visit<'a>(&'a mut Registry);
        impl TypeVisitor for Visit<'_> {
            fn visit<T: TS + 'static + ?Sized>(&mut self) {
                self.0.add::<T>();
            }
        }
        T::visit_dependencies(&mut Visit(self));
    }

    /// The declarations, sorted by name.
    pub fn declarations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.decls.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
