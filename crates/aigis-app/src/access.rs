//! Who is calling, and what they may do.
//!
//! Identity comes only from the invocation context Forge supplies
//! (`context.accountId`), never from a payload. Rights are looked up in Jira
//! once per invocation: Jira administrators may do everything; members of
//! configured approver groups, actors of configured approver project roles
//! (users, and members of the role's groups), and their active delegates may
//! decide and fulfil. What the calling module shows (an issue, a portal
//! request type) comes from `context.extension` ([`Extension`]).

pub mod extension;

pub use extension::Extension;

use crate::error::AppError;
use crate::jira::{self, RoleActors};
use crate::{names, repo};
use aigis_core::intake::{ApproverRole, Intake};
use aigis_platform::Platform;
use serde_json::Value;
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

/// The authenticated caller of a resolver.
pub struct Caller<'p> {
    pub account_id: String,
    /// What Forge says about the calling module (`context.extension`).
    pub extension: Extension,
    platform: Platform<'p>,
    admin: OnceCell<bool>,
    groups: OnceCell<Vec<String>>,
    /// Actors of the approver roles read so far (`None`: no such role).
    /// A BTreeMap, not a HashMap: std's `RandomState` would make the wasm
    /// component import `wasi:random/insecure-seed`, which Forge lacks.
    roles: RefCell<BTreeMap<ApproverRole, Option<RoleActors>>>,
    /// The intake configuration, read once per invocation.
    intake: OnceCell<Option<Intake>>,
    /// Jira users read so far (`Null`: Jira does not know the account).
    users: RefCell<BTreeMap<String, Value>>,
}

/// The stored intake configuration, if an admin has saved one.
pub fn load_intake(p: &Platform) -> Result<Option<Intake>, AppError> {
    repo::get_kv(p, names::INTAKE)
}

impl<'p> Caller<'p> {
    /// Reads the caller from the Forge invocation context.
    pub fn from_context(p: Platform<'p>, context: &Value) -> Result<Caller<'p>, AppError> {
        let account_id = context
            .get("accountId")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                AppError::new(
                    aigis_core::ErrorCode::Unauthenticated,
                    "this function needs a signed-in user",
                )
            })?;
        let extension = Extension::from_context(context)?;
        Ok(Caller {
            account_id: account_id.to_owned(),
            extension,
            platform: p,
            admin: OnceCell::new(),
            groups: OnceCell::new(),
            roles: RefCell::default(),
            intake: OnceCell::new(),
            users: RefCell::default(),
        })
    }

    /// A Jira user this invocation already read (`Null`: unknown to Jira).
    pub fn cached_user(&self, account: &str) -> Option<Value> {
        self.users.borrow().get(account).cloned()
    }

    /// Remembers a Jira user for the rest of the invocation.
    pub fn cache_user(&self, account: &str, user: Value) {
        self.users.borrow_mut().insert(account.to_owned(), user);
    }

    /// The intake configuration as this invocation first read it.
    pub fn intake(&self) -> Result<Option<&Intake>, AppError> {
        if let Some(i) = self.intake.get() {
            return Ok(i.as_ref());
        }
        let i = load_intake(&self.platform)?;
        Ok(self.intake.get_or_init(|| i).as_ref())
    }

    pub fn is_admin(&self) -> Result<bool, AppError> {
        if let Some(a) = self.admin.get() {
            return Ok(*a);
        }
        let a = jira::invoker_is_admin(&self.platform)?;
        Ok(*self.admin.get_or_init(|| a))
    }

    fn groups(&self) -> Result<&[String], AppError> {
        if let Some(g) = self.groups.get() {
            return Ok(g);
        }
        let g = jira::user_groups(&self.platform, &self.account_id)?;
        Ok(self.groups.get_or_init(|| g))
    }

    /// Whether `account` (a member of `groups`) is an actor of `role`:
    /// as a user, or through a group. Each role is read once per invocation.
    fn role_admits(
        &self,
        role: &ApproverRole,
        account: &str,
        groups: &[String],
    ) -> Result<bool, AppError> {
        let admits = |a: &Option<RoleActors>| {
            a.as_ref().is_some_and(|a| {
                a.users.iter().any(|u| u == account) || a.groups.iter().any(|g| groups.contains(g))
            })
        };
        if let Some(a) = self.roles.borrow().get(role) {
            return Ok(admits(a));
        }
        let a = jira::project_role(&self.platform, &role.project_key, &role.role_id)?;
        let out = admits(&a);
        self.roles.borrow_mut().insert(role.clone(), a);
        Ok(out)
    }

    /// Whether `account`, a member of `groups`, approves by configuration:
    /// an approver group first, then (only if no group matched) the roles.
    fn configured_approver(
        &self,
        intake: &Intake,
        account: &str,
        groups: &[String],
    ) -> Result<bool, AppError> {
        if intake.approver_groups.iter().any(|g| groups.contains(g)) {
            return Ok(true);
        }
        for role in &intake.approver_roles {
            if self.role_admits(role, account, groups)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Jira admins, members of a configured approver group, actors of a
    /// configured approver role, and active delegates of any of those.
    pub fn is_approver(&self) -> Result<bool, AppError> {
        if self.is_admin()? {
            return Ok(true);
        }
        let Some(intake) = self.intake()? else {
            return Ok(false);
        };
        if intake.approver_groups.is_empty() && intake.approver_roles.is_empty() {
            return Ok(false);
        }
        let mine = self.groups()?;
        if self.configured_approver(intake, &self.account_id, mine)? {
            return Ok(true);
        }
        // An active delegation from an approver lets the delegate approve.
        let now = self.platform.runtime.now_millis();
        for d in intake
            .delegations
            .iter()
            .filter(|d| d.delegate == self.account_id && d.active(now))
        {
            let theirs = jira::user_groups(&self.platform, &d.delegator)?;
            if self.configured_approver(intake, &d.delegator, &theirs)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the caller is in Jira group `group` (admins always count).
    pub fn in_group(&self, group: Option<&str>) -> Result<bool, AppError> {
        if self.is_admin()? {
            return Ok(true);
        }
        Ok(group.is_some_and(|g| self.groups().is_ok_and(|mine| mine.iter().any(|m| m == g))))
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin()? {
            Ok(())
        } else {
            Err(AppError::forbidden("only Jira administrators may do this"))
        }
    }

    pub fn require_approver(&self) -> Result<(), AppError> {
        if self.is_approver()? {
            Ok(())
        } else {
            Err(AppError::forbidden("only approvers may do this"))
        }
    }
}
