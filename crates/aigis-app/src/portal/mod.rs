//! `portal.*`: what the JSM portal's request-create panel needs. Called by
//! portal customers and unlicensed users as much as by agents: everything
//! here is read with the app's own rights, and nothing beyond the
//! requestable catalog and the form's rules is shown.

pub mod form;

use crate::api::{Route, route};

pub const ROUTES: &[Route] = &[route!("portal.form", SignedIn, portal::form::form)];
