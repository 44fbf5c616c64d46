//! Roles, users, groups and instance profiles: created, read, updated and
//! deleted alike (names unique regardless of case), their inline policies,
//! tags, group membership and instance profiles' roles.

use crate::checks;
use crate::error::{IamError, Result};
use crate::ids;
use crate::model::{Entity, Kind, Tag, key_of};
use crate::policy::{self, Purpose};
use crate::service::{Iam, State};

/// IAM's messages for a missing or duplicate entity.
pub fn not_found(kind: Kind, name: &str) -> IamError {
    IamError::NoSuchEntity(match kind {
        Kind::InstanceProfile => format!("Instance Profile {name} cannot be found."),
        _ => format!("The {} with name {name} cannot be found.", kind.noun()),
    })
}

fn already_exists(kind: Kind, name: &str) -> IamError {
    IamError::EntityAlreadyExists(match kind {
        Kind::InstanceProfile => format!("Instance Profile {name} already exists."),
        Kind::Role => format!("Role with name {name} already exists."),
        Kind::User => format!("User with name {name} already exists."),
        Kind::Group => format!("Group with name {name} already exists."),
    })
}

/// The camelCase member that names an entity in validation messages.
pub fn name_member(kind: Kind) -> &'static str {
    match kind {
        Kind::Role => "roleName",
        Kind::User => "userName",
        Kind::Group => "groupName",
        Kind::InstanceProfile => "instanceProfileName",
    }
}

impl Iam {
    pub(crate) fn find<'a>(&self, st: &'a State, kind: Kind, name: &str) -> Result<&'a Entity> {
        st.of(kind).get(&key_of(name)).ok_or_else(|| not_found(kind, name))
    }

    /// Creates an entity; `fill` sets what only its kind has.
    pub fn create_entity(
        &self,
        kind: Kind,
        name: &str,
        path: Option<&str>,
        tags: Vec<Tag>,
        fill: impl FnOnce(&mut Entity),
    ) -> Result<Entity> {
        checks::name(name_member(kind), name, kind.max_name())?;
        let path = checks::path("path", path)?;
        checks::tags(&tags)?;
        let mut st = self.state();
        if st.of(kind).contains_key(&key_of(name)) {
            return Err(already_exists(kind, name));
        }
        let (quota, max) = kind.account_quota();
        if st.of(kind).len() >= max {
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for {quota}: {max}"
            )));
        }
        let mut e = Entity {
            kind,
            name: name.to_owned(),
            arn: format!("arn:aws:iam::{}:{}{path}{name}", self.account(), kind.word()),
            path,
            id: ids::unique_id(kind.id_prefix()),
            created_ms: self.now_ms(),
            inline: Default::default(),
            attached: Vec::new(),
            tags,
            description: None,
            trust: None,
            max_session: None,
            boundary: None,
            members: Vec::new(),
        };
        fill(&mut e);
        self.save_entity(&mut st, e.clone())?;
        Ok(e)
    }

    pub fn get_entity(&self, kind: Kind, name: &str) -> Result<Entity> {
        let st = self.state();
        self.find(&st, kind, name).cloned()
    }

    /// The entities of a kind whose path starts with `prefix`, by name.
    pub fn list_entities(&self, kind: Kind, prefix: &str) -> Vec<Entity> {
        let st = self.state();
        st.of(kind)
            .values()
            .filter(|e| e.path.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Changes an entity with `f`, which may refuse; nothing is written then.
    pub fn update_entity(&self, kind: Kind, name: &str, f: impl FnOnce(&mut Entity) -> Result<()>) -> Result<Entity> {
        let mut st = self.state();
        let mut e = self.find(&st, kind, name)?.clone();
        f(&mut e)?;
        self.save_entity(&mut st, e.clone())?;
        Ok(e)
    }

    /// Renames (UpdateUser, UpdateGroup's NewUserName/NewPath): the id stays.
    pub fn rename_entity(&self, kind: Kind, name: &str, new_name: Option<&str>, new_path: Option<&str>) -> Result<()> {
        if let Some(n) = new_name {
            checks::name(new_member(kind), n, kind.max_name())?;
        }
        let new_path = new_path.map(|p| checks::path("newPath", Some(p))).transpose()?;
        let mut st = self.state();
        let old = self.find(&st, kind, name)?.clone();
        let mut e = old.clone();
        if let Some(n) = new_name {
            if key_of(n) != key_of(name) && st.of(kind).contains_key(&key_of(n)) {
                return Err(already_exists(kind, n));
            }
            e.name = n.to_owned();
        }
        if let Some(p) = new_path {
            e.path = p;
        }
        e.arn = format!("arn:aws:iam::{}:{}{}{}", self.account(), kind.word(), e.path, e.name);
        let (old_key, new_key) = (key_of(&old.name), key_of(&e.name));
        self.save_entity(&mut st, e)?;
        if old_key != new_key {
            self.remove_entity(&mut st, kind, &old_key)?;
            // Memberships name users by key: follow the rename.
            if kind == Kind::User {
                self.rename_member(&mut st, Kind::Group, &old_key, &new_key)?;
            }
            for k in st
                .keys
                .values()
                .filter(|k| key_of(&k.user_name) == old_key)
                .cloned()
                .collect::<Vec<_>>()
            {
                let mut k = k;
                k.user_name = new_name.unwrap_or(name).to_owned();
                self.save_key(&mut st, k)?;
            }
        }
        Ok(())
    }

    fn rename_member(&self, st: &mut State, holder: Kind, old: &str, new: &str) -> Result<()> {
        let holders: Vec<Entity> = st
            .of(holder)
            .values()
            .filter(|g| g.members.iter().any(|m| m == old))
            .cloned()
            .collect();
        for mut g in holders {
            for m in &mut g.members {
                if m == old {
                    new.clone_into(m);
                }
            }
            self.save_entity(st, g)?;
        }
        Ok(())
    }

    /// Deletes an entity that nothing hangs on any more, as IAM insists.
    pub fn delete_entity(&self, kind: Kind, name: &str) -> Result<()> {
        let mut st = self.state();
        let e = self.find(&st, kind, name)?;
        let key = key_of(&e.name);
        let conflict = |m: &str| Err(IamError::DeleteConflict(format!("Cannot delete entity, {m}")));
        if kind == Kind::User && st.keys.values().any(|k| key_of(&k.user_name) == key) {
            return conflict("must delete access keys first.");
        }
        if kind == Kind::User && st.of(Kind::Group).values().any(|g| g.members.contains(&key)) {
            return conflict("must remove users from group first.");
        }
        if kind == Kind::Group && !e.members.is_empty() {
            return conflict("must remove users from group first.");
        }
        if !e.attached.is_empty() {
            return conflict("must detach all policies first.");
        }
        if !e.inline.is_empty() {
            return conflict("must delete policies first.");
        }
        let in_profile = kind == Kind::Role && st.of(Kind::InstanceProfile).values().any(|p| p.members.contains(&key));
        if in_profile || (kind == Kind::InstanceProfile && !e.members.is_empty()) {
            return conflict("must remove roles from instance profile first.");
        }
        self.remove_entity(&mut st, kind, &key)
    }

    pub fn put_inline(&self, kind: Kind, name: &str, policy_name: &str, document: &str) -> Result<()> {
        checks::name("policyName", policy_name, 128)?;
        policy::check(document, "policyDocument", Purpose::Identity)?;
        self.update_entity(kind, name, |e| {
            let others: usize = e
                .inline
                .iter()
                .filter(|(n, _)| *n != policy_name)
                .map(|(_, d)| policy::size(d))
                .sum();
            let quota = kind.inline_quota();
            if others + policy::size(document) > quota {
                return Err(IamError::LimitExceeded(format!(
                    "Maximum policy size of {quota} bytes exceeded for {} {}",
                    kind.noun(),
                    e.name
                )));
            }
            e.inline.insert(policy_name.to_owned(), document.to_owned());
            Ok(())
        })?;
        Ok(())
    }

    fn inline_not_found(kind: Kind, policy_name: &str) -> IamError {
        IamError::NoSuchEntity(format!(
            "The {} policy with name {policy_name} cannot be found.",
            kind.noun()
        ))
    }

    /// An inline policy's document, as sent.
    pub fn get_inline(&self, kind: Kind, name: &str, policy_name: &str) -> Result<(Entity, String)> {
        let e = self.get_entity(kind, name)?;
        let doc = e
            .inline
            .get(policy_name)
            .cloned()
            .ok_or_else(|| Self::inline_not_found(kind, policy_name))?;
        Ok((e, doc))
    }

    pub fn delete_inline(&self, kind: Kind, name: &str, policy_name: &str) -> Result<()> {
        self.update_entity(kind, name, |e| {
            e.inline
                .remove(policy_name)
                .map(drop)
                .ok_or_else(|| Self::inline_not_found(kind, policy_name))
        })?;
        Ok(())
    }

    /// Adds a user to a group, or a role to an instance profile.
    pub fn add_member(&self, holder: Kind, holder_name: &str, member: &str) -> Result<()> {
        let member_kind = if holder == Kind::Group { Kind::User } else { Kind::Role };
        let mut st = self.state();
        let m = key_of(&self.find(&st, member_kind, member)?.name);
        let mut h = self.find(&st, holder, holder_name)?.clone();
        if h.members.contains(&m) {
            return Ok(());
        }
        if holder == Kind::InstanceProfile && !h.members.is_empty() {
            return Err(IamError::LimitExceeded(
                "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1".into(),
            ));
        }
        h.members.push(m);
        self.save_entity(&mut st, h)
    }

    pub fn remove_member(&self, holder: Kind, holder_name: &str, member: &str) -> Result<()> {
        let member_kind = if holder == Kind::Group { Kind::User } else { Kind::Role };
        let mut st = self.state();
        self.find(&st, member_kind, member)?;
        let mut h = self.find(&st, holder, holder_name)?.clone();
        let before = h.members.len();
        h.members.retain(|x| *x != key_of(member));
        if h.members.len() == before {
            return Err(not_found(member_kind, member));
        }
        self.save_entity(&mut st, h)
    }

    /// The members of a group or profile, as entities.
    pub fn members(&self, holder: &Entity) -> Vec<Entity> {
        let kind = if holder.kind == Kind::Group {
            Kind::User
        } else {
            Kind::Role
        };
        let st = self.state();
        holder
            .members
            .iter()
            .filter_map(|m| st.of(kind).get(m).cloned())
            .collect()
    }

    /// The groups a user is in, or the instance profiles holding a role.
    pub fn holders_of(&self, holder: Kind, member_kind: Kind, member: &str) -> Result<Vec<Entity>> {
        let st = self.state();
        let key = key_of(&self.find(&st, member_kind, member)?.name);
        Ok(st
            .of(holder)
            .values()
            .filter(|h| h.members.contains(&key))
            .cloned()
            .collect())
    }

    pub fn tag_entity(&self, kind: Kind, name: &str, tags: Vec<Tag>) -> Result<()> {
        self.update_entity(kind, name, |e| checks::merge_tags(&mut e.tags, tags))?;
        Ok(())
    }

    pub fn untag_entity(&self, kind: Kind, name: &str, keys: &[String]) -> Result<()> {
        self.update_entity(kind, name, |e| {
            e.tags.retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })?;
        Ok(())
    }
}

fn new_member(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "newUserName",
        Kind::Group => "newGroupName",
        Kind::Role => "newRoleName",
        Kind::InstanceProfile => "newInstanceProfileName",
    }
}
