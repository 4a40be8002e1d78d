//! Forge function component: triggers
