//! `aigis up --demo`: after the Jira simulator seeded its demo site
//! (`JiraSim::seed_demo`), seeds the app's own data.
//!
//! TO BE FILLED IN by the app owner: invoke resolvers as the demo admin
//! (`site.users` with role `admin`) through [`Host::invoke_resolver`] to set up
//! intake (portal, request types), the tool catalog and governance defaults,
//! so the demo site is usable at once.

use crate::{DemoSite, Host, HostError};

pub fn seed_app(host: &Host, site: &DemoSite) -> Result<(), HostError> {
    let _ = (host, site);
    Ok(())
}
