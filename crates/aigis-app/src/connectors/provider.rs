//! What every provider client offers: the directory calls provisioning,
//! binding, testing and drift need, in the provider's ids.

use super::http::Fail;

/// A user at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtUser {
    pub id: String,
    pub email: String,
    /// Okta ACTIVE (not SUSPENDED / DEPROVISIONED ...), Entra `accountEnabled`.
    pub active: bool,
}

/// A group at the provider, with why membership writes cannot govern it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtGroup {
    pub id: String,
    pub name: String,
    /// `Some((field, reason))` when Aigis must not manage its members.
    pub ungovernable: Option<(String, String)>,
}

/// A group member as a listing page gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtMember {
    pub id: String,
    /// Users: the e-mail the listing shows (may be empty).
    pub email: String,
    /// Users: active at the provider.
    pub active: bool,
    /// `None`: a user; else the object's type (`#microsoft.graph.group` ...).
    pub non_user: Option<String>,
}

/// One page of a group's members and the server's next link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    pub members: Vec<ExtMember>,
    pub next: Option<String>,
}

pub trait Directory {
    /// Gets a token (cached or new) so a call can be made.
    fn authenticate(&self) -> Result<(), Fail>;
    /// Users whose e-mail equals `email` (case-insensitive), all of them.
    fn users_by_email(&self, email: &str) -> Result<Vec<ExtUser>, Fail>;
    fn user(&self, id: &str) -> Result<Option<ExtUser>, Fail>;
    fn group(&self, id: &str) -> Result<Option<ExtGroup>, Fail>;
    fn create_group(&self, name: &str, description: &str) -> Result<ExtGroup, Fail>;
    /// Adds a member; already a member is success.
    fn add_member(&self, group: &str, user: &str) -> Result<(), Fail>;
    /// Removes a member; `Ok(false)` when it was not one (or the group is
    /// gone: the caller checks the group).
    fn remove_member(&self, group: &str, user: &str) -> Result<bool, Fail>;
    fn is_member(&self, group: &str, user: &str) -> Result<bool, Fail>;
    /// A page of members: the first (`next` = `None`) or the one at a link
    /// the server gave.
    fn members_page(&self, group: &str, next: Option<&str>) -> Result<MemberPage, Fail>;
}

/// Every member id of a group, following only the server's links; a link
/// seen twice is an error, as is any failed page (nothing partial).
pub fn all_members(d: &dyn Directory, group: &str) -> Result<Vec<String>, Fail> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = d.members_page(group, next.as_deref())?;
        out.extend(page.members.into_iter().map(|m| m.id));
        match page.next {
            None => return Ok(out),
            Some(link) => {
                if seen.contains(&link) {
                    return Err(Fail::Terminal(
                        "the provider gave the same page link twice: the member list is incomplete"
                            .into(),
                    ));
                }
                seen.push(link.clone());
                next = Some(link);
            }
        }
    }
}

/// The `rel="next"` URL of an RFC 8288 `Link` header.
pub fn next_link(link_header: &str) -> Option<String> {
    link_header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link() {
        let h = "<https://o.okta.com/api/v1/groups/g/users?limit=2>; rel=\"self\", \
                 <https://o.okta.com/api/v1/groups/g/users?after=00u2&limit=2>; rel=\"next\"";
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://o.okta.com/api/v1/groups/g/users?after=00u2&limit=2")
        );
        assert_eq!(next_link("<https://x>; rel=\"self\""), None);
    }
}
