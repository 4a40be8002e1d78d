//! The local site's identity providers: an Okta org (`aigis-okta-sim`) and a
//! Microsoft Entra tenant with Graph (`aigis-graph-sim`), reached by the
//! components' egress in place of the real hosts.
//!
//! * **State**: each simulator in its own tables of its own SQLite file in the
//!   state dir ([`OKTA_DB`], [`GRAPH_DB`]), each request one transaction, so a
//!   second `aigis` process beside `aigis up` sees the same org and tenant.
//! * **Time**: before every request the simulators' clocks are set to the
//!   host's virtual clock (`aigis clock advance` moves token expiry and rate
//!   limit windows too).
//! * **Egress** ([`SimEgress`], after the manifest's allow list): the org's
//!   host ([`OKTA_HOST`]) goes to the Okta simulator;
//!   `login.microsoftonline.com` (token endpoint, OpenID configuration) and
//!   `graph.microsoft.com` (`/v1.0/...`) to the Graph simulator. Any other
//!   allowed host (another Okta org) does not resolve, as an unknown org
//!   does not. The simulators' control paths (`/__sim/...`) are never
//!   reachable through egress. An answer an injected fault delays by more
//!   than [`EGRESS_TIMEOUT_MS`] is a network timeout (the request was
//!   applied, as a timed-out write may have been); shorter delays are slept.
//! * **Control** (tests, the README): the simulators' admin and fault
//!   endpoints on the local server at `/__sim/okta/...` and `/__sim/graph/...`
//!   (loopback only; see `server/idp.rs`). Their own clock endpoint is
//!   refused there: the site's clock is the host's.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aigis_graph_sim::GraphSim;
use aigis_okta_sim::OktaSim;
use aigis_platform as plat;
use aigis_sim_kit::SimResponse;

use crate::clock::Clock;
use crate::{EgressHandler, HostError};

/// The Okta simulator's database in the state dir.
pub const OKTA_DB: &str = "okta.db";
/// The Graph simulator's database in the state dir.
pub const GRAPH_DB: &str = "graph.db";
/// The simulated Okta org's host.
pub const OKTA_HOST: &str = "aigis-demo.okta.com";
/// The simulated Entra tenant's id.
pub const ENTRA_TENANT_ID: &str = "a1915d3e-5e00-4c1d-9a1e-00000000a161";
/// The simulated Entra tenant's verified domain.
pub const ENTRA_DOMAIN: &str = "aigisdemo.onmicrosoft.com";
/// The Microsoft identity platform's host (token endpoint).
pub const LOGIN_HOST: &str = "login.microsoftonline.com";
/// Microsoft Graph's host.
pub const GRAPH_HOST: &str = "graph.microsoft.com";
/// Longest answer delay egress waits for; longer is a timeout.
pub const EGRESS_TIMEOUT_MS: u64 = 10_000;

/// Which simulator a local-server control call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Okta,
    Graph,
}

/// The two simulators and the clock they follow.
pub struct IdpSims {
    okta: OktaSim,
    graph: GraphSim,
    clock: Clock,
}

impl IdpSims {
    /// The simulators over `state_dir` (in memory when `None`), following `clock`.
    pub fn open(state_dir: Option<&Path>, clock: Clock) -> Result<IdpSims, HostError> {
        let now = clock.now_millis();
        let base = format!("https://{OKTA_HOST}");
        let (okta, graph) = match state_dir {
            Some(dir) => (
                OktaSim::open(&dir.join(OKTA_DB), &base, now)
                    .map_err(|e| HostError::backend(OKTA_DB, e))?,
                GraphSim::open(&dir.join(GRAPH_DB), ENTRA_TENANT_ID, ENTRA_DOMAIN, now)
                    .map_err(|e| HostError::backend(GRAPH_DB, e))?,
            ),
            None => (
                OktaSim::new(&base, now),
                GraphSim::new(ENTRA_TENANT_ID, ENTRA_DOMAIN, now),
            ),
        };
        Ok(IdpSims { okta, graph, clock })
    }

    /// The Okta simulator, its clock at the host's virtual now.
    pub fn okta(&self) -> &OktaSim {
        self.okta.clock().set(self.clock.now_millis());
        &self.okta
    }

    /// The Graph simulator, its clock at the host's virtual now.
    pub fn graph(&self) -> &GraphSim {
        self.graph.clock().set(self.clock.now_millis());
        &self.graph
    }

    /// The answer of the simulator serving `host`, or `None` when no
    /// simulator serves that host (or that path on it).
    pub fn route(
        &self,
        host: &str,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Option<SimResponse> {
        let path = path_and_query.split('?').next().unwrap_or_default();
        if path == "/__sim" || path.starts_with("/__sim/") {
            return None;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host == OKTA_HOST {
            return Some(self.okta().handle(method, path_and_query, headers, body));
        }
        let graph_path = path == "/v1.0" || path.starts_with("/v1.0/");
        if (host == GRAPH_HOST && graph_path) || (host == LOGIN_HOST && !graph_path) {
            return Some(self.graph().handle(method, path_and_query, headers, body));
        }
        None
    }

    /// A control call (`rest` after `/__sim/`) for one simulator.
    pub fn control(
        &self,
        which: Which,
        method: &str,
        rest: &str,
        body: Option<&str>,
    ) -> SimResponse {
        let name = rest.split(['/', '?']).next().unwrap_or_default();
        if name == "clock" {
            return SimResponse::json(
                409,
                &serde_json::json!({
                    "error": "the simulators follow the site's virtual clock: move it with `aigis clock`"
                }),
            );
        }
        let path = format!("/__sim/{rest}");
        match which {
            Which::Okta => self.okta().handle(method, &path, &[], body),
            Which::Graph => self.graph().handle(method, &path, &[], body),
        }
    }
}

/// The path and query of an absolute URL (`/` when it has none).
fn path_and_query(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let rest = rest.split('#').next().unwrap_or_default();
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => rest[i..].to_string(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".to_string(),
    }
}

/// The egress handler of the local site: the simulators in place of the
/// identity providers' hosts.
pub struct SimEgress {
    sims: Arc<IdpSims>,
}

impl SimEgress {
    pub fn new(sims: Arc<IdpSims>) -> SimEgress {
        SimEgress { sims }
    }
}

impl EgressHandler for SimEgress {
    fn fetch(
        &self,
        host: &str,
        request: &plat::FetchRequest,
    ) -> Result<plat::HttpResponse, plat::FetchError> {
        let pq = path_and_query(&request.url);
        let Some(resp) = self.sims.route(
            host,
            &request.method,
            &pq,
            &request.headers,
            request.body.as_deref(),
        ) else {
            return Err(plat::FetchError::Network(format!(
                "could not resolve {host}: the local site simulates only {OKTA_HOST}, {LOGIN_HOST} and {GRAPH_HOST}"
            )));
        };
        if resp.delay_ms > EGRESS_TIMEOUT_MS {
            return Err(plat::FetchError::Network(format!(
                "{host} did not answer within {} s (timed out)",
                EGRESS_TIMEOUT_MS / 1000
            )));
        }
        if resp.delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(resp.delay_ms));
        }
        Ok(plat::HttpResponse {
            status: resp.status,
            headers: resp.headers,
            body: resp.body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_urls() {
        assert_eq!(
            path_and_query("https://a.okta.com/api/v1/groups?q=x"),
            "/api/v1/groups?q=x"
        );
        assert_eq!(path_and_query("https://a.okta.com"), "/");
        assert_eq!(path_and_query("https://a.okta.com?x=1"), "/?x=1");
        assert_eq!(
            path_and_query("https://graph.microsoft.com/v1.0/users#frag"),
            "/v1.0/users"
        );
    }

    #[test]
    fn hosts_and_paths_route_to_their_simulator_only() {
        let sims = IdpSims::open(None, Clock::fixed(1_795_435_200_000)).unwrap();
        let r = sims.route(OKTA_HOST, "GET", "/api/v1/groups", &[], None);
        assert_eq!(r.map(|r| r.status), Some(401));
        assert!(
            sims.route("other.okta.com", "GET", "/api/v1/groups", &[], None)
                .is_none()
        );
        assert!(
            sims.route(OKTA_HOST, "GET", "/__sim/faults", &[], None)
                .is_none()
        );
        assert!(
            sims.route(GRAPH_HOST, "POST", "/__sim/faults", &[], None)
                .is_none()
        );
        assert!(
            sims.route(GRAPH_HOST, "GET", "/v1.0/users", &[], None)
                .is_some()
        );
        assert!(
            sims.route(
                GRAPH_HOST,
                "GET",
                &format!("/{ENTRA_TENANT_ID}/oauth2/v2.0/token"),
                &[],
                None
            )
            .is_none()
        );
        assert!(
            sims.route(LOGIN_HOST, "GET", "/v1.0/users", &[], None)
                .is_none()
        );
        let oidc = sims
            .route(
                LOGIN_HOST,
                "GET",
                &format!("/{ENTRA_TENANT_ID}/v2.0/.well-known/openid-configuration"),
                &[],
                None,
            )
            .unwrap();
        assert_eq!(oidc.status, 200, "{}", oidc.body);
    }

    #[test]
    fn simulators_follow_the_host_clock() {
        let clock = Clock::fixed(1_000_000);
        let sims = IdpSims::open(None, clock.clone()).unwrap();
        clock.set(5_000_000).unwrap();
        assert_eq!(sims.okta().clock().now_ms(), 5_000_000);
        assert_eq!(sims.graph().clock().now_ms(), 5_000_000);
        let r = sims.control(Which::Okta, "POST", "clock", Some("{\"advanceMs\":1}"));
        assert_eq!(r.status, 409);
    }
}
