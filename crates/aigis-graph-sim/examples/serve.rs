//! The Microsoft Graph simulator alone on a loopback port, for the official SDK.
//!
//! ```text
//! cargo run -p aigis-graph-sim --example graph-serve -- [--port N] [--clock system|MILLIS] [--tls-ca-out FILE] [--exit-on-stdin-eof]
//! ```
//! Tenant `11111111-2222-4333-8444-555555555555` (domain `aigis.example`)
//! with users `ada`, `bea`, `cy` (enabled) and `eve` (disabled), an assigned
//! security group `aigis-demo`, a dynamic, an on-premises-synced, a
//! role-assignable and a mail-enabled security group. Apps are registered by
//! the test through `POST /__sim/apps`. With `--tls-ca-out` it serves https
//! with a test CA written there (azure-identity and kiota insist on https).

use std::sync::Arc;

use aigis_graph_sim::{GraphSim, NewGroup};
use aigis_sim_kit::serve::{self, Args, Request};

/// The demo tenant's id.
pub const TENANT: &str = "11111111-2222-4333-8444-555555555555";

fn seed(sim: &GraphSim) -> Result<(), aigis_graph_sim::SimError> {
    for (name, enabled) in [("ada", true), ("bea", true), ("cy", true), ("eve", false)] {
        let mail = format!("{name}@aigis.example");
        sim.add_user(&format!("{name} Demo"), &mail, &mail, enabled)?;
    }
    sim.add_group(NewGroup::security("aigis-demo"))?;
    let mut dynamic = NewGroup::security("All Sales (dynamic)");
    dynamic.group_types = vec!["DynamicMembership".into()];
    dynamic.membership_rule = Some("user.department -eq \"Sales\"".into());
    sim.add_group(dynamic)?;
    let mut synced = NewGroup::security("AD Engineering (synced)");
    synced.on_premises_sync_enabled = Some(true);
    sim.add_group(synced)?;
    let mut role = NewGroup::security("Helpdesk admins (role-assignable)");
    role.is_assignable_to_role = true;
    sim.add_group(role)?;
    let mut mail = NewGroup::security("Finance (mail-enabled)");
    mail.mail_enabled = true;
    sim.add_group(mail)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env().map_err(|e| format!("serve: {e}"))?;
    let sim = Arc::new(GraphSim::new(TENANT, "aigis.example", 0));
    match args.clock {
        Some(ms) => sim.clock().set(ms),
        None => sim.clock().use_system(),
    }
    seed(&sim)?;
    let on_listen = {
        let sim = sim.clone();
        move |url: &str| sim.set_base_url(url)
    };
    let handler: serve::Handler = Arc::new(move |r: Request| {
        sim.handle(&r.method, &r.path_and_query, &r.headers, r.body.as_deref())
    });
    serve::run(&args, on_listen, handler)
}
