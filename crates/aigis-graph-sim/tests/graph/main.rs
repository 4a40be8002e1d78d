//! Behaviour and conformance of the Microsoft Graph simulator.

mod api;
mod conformance;
mod persist;
mod support;
mod token;
