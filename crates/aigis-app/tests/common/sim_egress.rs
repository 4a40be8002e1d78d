//! `SimEgress`: the egress port routed by host to in-process identity
//! provider simulators (Okta org, Entra token endpoint + Graph), with an
//! injectable timeout: an answer slower than the timeout (the simulators'
//! `Delay` fault) is a network error, after the simulator applied it.

use aigis_graph_sim::GraphSim;
use aigis_okta_sim::OktaSim;
use aigis_platform::{Egress, FetchError, FetchRequest, HttpResponse};
use std::cell::{Cell, RefCell};
use std::sync::Arc;

pub struct SimEgress {
    pub okta: RefCell<Option<Arc<OktaSim>>>,
    pub graph: RefCell<Option<Arc<GraphSim>>>,
    /// Answers slower than this (ms) time out.
    pub timeout_ms: Cell<u64>,
    /// Every request sent: (method, url, headers, body).
    pub sent: RefCell<Vec<FetchRequest>>,
}

impl Default for SimEgress {
    fn default() -> Self {
        SimEgress {
            okta: RefCell::new(None),
            graph: RefCell::new(None),
            timeout_ms: Cell::new(10_000),
            sent: RefCell::default(),
        }
    }
}

fn split(url: &str) -> Result<(&str, &str), FetchError> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| FetchError::InvalidUrl(url.into()))?;
    let i = rest.find('/').unwrap_or(rest.len());
    let path = if i == rest.len() { "/" } else { &rest[i..] };
    Ok((&rest[..i], path))
}

impl Egress for SimEgress {
    fn fetch(&self, r: &FetchRequest) -> Result<HttpResponse, FetchError> {
        self.sent.borrow_mut().push(r.clone());
        let (host, path) = split(&r.url)?;
        let okta = self.okta.borrow().clone();
        let graph = self.graph.borrow().clone();
        let resp = match (okta, graph) {
            (Some(o), _) if o.base_url().trim_start_matches("https://") == host => {
                o.handle(&r.method, path, &r.headers, r.body.as_deref())
            }
            (_, Some(g))
                if host == "login.microsoftonline.com" || host == "graph.microsoft.com" =>
            {
                g.handle(&r.method, path, &r.headers, r.body.as_deref())
            }
            _ => return Err(FetchError::HostNotAllowed(host.into())),
        };
        if resp.delay_ms > self.timeout_ms.get() {
            return Err(FetchError::Network("timed out".into()));
        }
        Ok(HttpResponse {
            status: resp.status,
            headers: resp.headers,
            body: resp.body,
        })
    }
}
