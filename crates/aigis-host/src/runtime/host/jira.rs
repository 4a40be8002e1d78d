//! `aigis:forge/jira`: `requestJira` as the app or as the invoking user,
//! answered by the Jira simulator at the invocation's virtual time.

use super::super::bindings::jira;
use super::super::ctx::ForgeCtxView;
use aigis_platform as plat;

impl jira::Host for ForgeCtxView<'_> {
    fn request_jira(&mut self, request: jira::Request) -> Result<jira::Response, plat::JiraError> {
        let request = plat::JiraRequest::from(request);
        self.ctx.stats.jira_call(&request.method, &request.path);
        if !request.path.starts_with("/rest/") {
            return Err(plat::JiraError::NotAllowed(format!(
                "`{}` is not a Jira REST path (must start with /rest/)",
                request.path
            )));
        }
        let as_account = match request.principal {
            plat::Principal::App => None,
            plat::Principal::User => match &self.ctx.account_id {
                Some(a) => Some(a.as_str()),
                None => {
                    return Err(plat::JiraError::NotAllowed(
                        "asUser() outside a user invocation".into(),
                    ));
                }
            },
        };
        let sim = &self.ctx.svc.sim;
        sim.set_clock(self.ctx.now_millis());
        let response = sim.handle_as(
            as_account,
            &request.method.to_ascii_uppercase(),
            &request.path,
            &request.headers,
            request.body.as_deref(),
        );
        Ok(response.into())
    }

    fn convert_jira_error(&mut self, err: plat::JiraError) -> wasmtime::Result<jira::JiraError> {
        Ok(err.into())
    }
}
