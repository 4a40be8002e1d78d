//! `requests.*`: requests are ingested from JSM issues ([`ingest`]), decided
//! one at a time ([`decide`]) or in bulk ([`bulk`]), and read ([`reads`]).

pub mod bulk;
pub mod by_issue;
pub mod decide;
pub mod ingest;
pub mod reads;

use crate::api::{Route, route};

pub const ROUTES: &[Route] = &[
    route!("requests.get", SignedIn, requests::reads::get),
    route!("requests.mine", SignedIn, requests::reads::mine),
    route!("requests.byIssue", SignedIn, requests::by_issue::by_issue),
    route!("requests.pending", Approver, requests::reads::pending),
    route!("requests.list", Admin, requests::reads::list),
    route!("requests.approve", Approver, requests::decide::approve),
    route!("requests.deny", Approver, requests::decide::deny),
    route!("requests.decide", Approver, requests::bulk::decide),
];
