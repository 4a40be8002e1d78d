//! The Aigis domain core.
//!
//! Invariant: nothing here does I/O, reads a clock or draws randomness.
//! Time (`Millis`, Unix milliseconds) and identifiers come in as arguments,
//! so every rule is a pure function that runs the same natively, inside a
//! wasm component and under test.

pub mod adf;
pub mod audit;
pub mod builtins;
pub mod drift;
pub mod error;
pub mod forecast;
pub mod governance;
pub mod ids;
pub mod intake;
pub mod model;
pub mod pack;
pub mod rules;
pub mod snapshot;
pub mod time;
pub mod tlog;
pub mod workflow;

pub use error::{DomainError, ErrorCode};

/// Unix time in milliseconds.
pub type Millis = i64;
