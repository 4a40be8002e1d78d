//! Forge function component: resolvers
