//! Behaviour and conformance of the Microsoft Graph simulator.

mod api;
mod conformance;
mod support;
mod token;
