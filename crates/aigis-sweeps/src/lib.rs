//! Forge function component: sweeps
