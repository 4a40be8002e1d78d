//! `aigis:forge/egress`: `fetch` to the hosts manifest.yml allows, through
//! the registered [`EgressHandler`](crate::EgressHandler) (none by default:
//! the local host has no route out).

use super::super::bindings::egress;
use super::super::ctx::ForgeCtxView;
use crate::manifest::url_host;
use aigis_platform as plat;

impl egress::Host for ForgeCtxView<'_> {
    fn fetch(&mut self, request: egress::Request) -> Result<egress::Response, plat::FetchError> {
        self.ctx.stats.egress += 1;
        let host = url_host(&request.url).map_err(plat::FetchError::InvalidUrl)?;
        let svc = &self.ctx.svc;
        if !svc.manifest.egress.allows(&host) {
            return Err(plat::FetchError::HostNotAllowed(host));
        }
        let handler = svc.egress.read().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(handler) = handler else {
            return Err(plat::FetchError::Network(format!(
                "no route to {host} in the local host"
            )));
        };
        handler
            .fetch(&host, &plat::FetchRequest::from(request))
            .map(Into::into)
    }

    fn convert_fetch_error(
        &mut self,
        err: plat::FetchError,
    ) -> wasmtime::Result<egress::FetchError> {
        Ok(err.into())
    }
}
