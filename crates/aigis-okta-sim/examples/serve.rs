//! The Okta simulator alone on a loopback port, for the official SDK.
//!
//! ```text
//! cargo run -p aigis-okta-sim --example serve -- [--port N] [--clock system|MILLIS] [--tls-ca-out FILE] [--exit-on-stdin-eof]
//! ```
//! Seeds a demo org (users `ada`, `bea`, `cy` at `aigis.example`, ACTIVE;
//! `eve`, SUSPENDED; the OKTA_GROUP `aigis-demo`, the APP_GROUP
//! `AD Engineering`, the BUILT_IN `Everyone`, and `Dept Sales` targeted by an
//! active group rule; the SSWS token `demo-okta-ssws-token`), sets the org
//! URL to the address it listens on and prints `listening on URL`. OAuth
//! clients are registered by the test through `POST /__sim/clients`.

use std::sync::Arc;

use aigis_okta_sim::model::{GroupType, UserStatus};
use aigis_okta_sim::{NewUser, OktaSim};
use aigis_sim_kit::serve::{self, Args, Request};

fn seed(sim: &OktaSim) -> Result<(), aigis_okta_sim::SimError> {
    for name in ["ada", "bea", "cy"] {
        sim.add_user(NewUser::active(
            &format!("{name}@aigis.example"),
            name,
            "Demo",
        ))?;
    }
    let mut eve = NewUser::active("eve@aigis.example", "eve", "Demo");
    eve.status = UserStatus::Suspended;
    sim.add_user(eve)?;
    sim.add_group("aigis-demo", GroupType::OktaGroup)?;
    sim.add_group("AD Engineering", GroupType::AppGroup)?;
    sim.add_group("Everyone", GroupType::BuiltIn)?;
    let sales = sim.add_group("Dept Sales", GroupType::OktaGroup)?;
    sim.add_group_rule("Sales", "user.department==\"Sales\"", &[&sales], true)?;
    sim.add_api_token("demo-okta-ssws-token", "demo")?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::from_env().map_err(|e| format!("serve: {e}"))?;
    let sim = Arc::new(OktaSim::new(aigis_okta_sim::DEFAULT_BASE_URL, 0));
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
