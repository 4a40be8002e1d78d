//! `config.*`: the intake configuration ([`intake`]).

pub mod intake;

use crate::api::{Route, route};

pub const ROUTES: &[Route] = &[
    route!("config.getIntake", Admin, config::intake::get),
    route!("config.setIntake", Admin, config::intake::set),
];
