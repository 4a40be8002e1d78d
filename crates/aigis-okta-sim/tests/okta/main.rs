//! Behaviour and conformance of the Okta simulator.

mod api;
mod auth;
mod conformance;
mod persist;
mod support;
