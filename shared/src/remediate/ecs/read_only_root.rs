//! ECS.5: every container of a task definition has a read-only root filesystem.
//!
//! A task definition revision cannot be changed. The fix registers the next revision of
//! the family, the same in every field but `readonlyRootFilesystem`, on for each
//! container, and tags it `hubfix:read-only-copy-of=<revision>`. Running tasks and
//! services keep the revision they run: a person redeploys each service onto the new
//! revision and deregisters the old one, so the finding stays `NOTIFIED` with those
//! steps. A container that writes outside its volumes fails on the new revision, so the
//! rule is approval-only. Undo deregisters the revision hubfix registered.

use aws_sdk_ecs::types::{Tag, TaskDefinition, TaskDefinitionField, TaskDefinitionStatus};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "ECS.5",
    title: "ECS task definitions should configure containers to be limited to read-only access to root filesystems",
    resource_type: "AwsEcsTaskDefinition",
    fix: "Registers the family's next task definition revision, identical but with a read-only root filesystem for every container (containers that write outside their volumes then fail). Services must be redeployed onto it and the old revision deregistered by a person; the finding stays NOTIFIED until then. Undo deregisters the new revision.",
    iam_actions: &[
        "ecs:DescribeTaskDefinition",
        "ecs:ListTaskDefinitions",
        "ecs:RegisterTaskDefinition",
        "ecs:DeregisterTaskDefinition",
        "ecs:TagResource",
        "iam:PassRole",
    ],
    impact: Impact::Disruptive,
    remediation: &ReadOnlyRoot,
}];

/// The tag on the revision hubfix registers: its value is the revision it copies.
pub const COPY_TAG: &str = "hubfix:read-only-copy-of";

/// How many newer revisions of the family are read, at most, to find hubfix's copy.
const NEWER_REVISIONS_READ: usize = 5;

/// `ECS.5`: a read-only copy of the revision.
#[derive(Debug)]
pub struct ReadOnlyRoot;

/// The revision as read, and the before-state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionState {
    /// `<family>:<revision>`.
    pub task_definition: String,
    /// The containers whose root filesystem is writable.
    pub writable: Vec<String>,
    /// `<family>:<revision>` of the read-only revision hubfix registered from it, if it
    /// has.
    pub copy: Option<String>,
}

/// The plan: register a read-only copy, unless the revision passes or has one.
pub fn read_only_plan(state: &RevisionState) -> Plan {
    let changes = if state.writable.is_empty() || state.copy.is_some() {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "registered a new revision of task definition {} with a read-only root filesystem for containers {}",
                state.task_definition,
                state.writable.join(", ")
            ),
            &state.task_definition,
        )]
    };
    Plan {
        before: BeforeState::new(format!("task definition {}", state.task_definition), state),
        changes,
    }
}

/// What is left once the copy exists: redeploying and deregistering.
pub fn left_after_copy(state: &RevisionState) -> Option<String> {
    let copy = state.copy.as_deref()?;
    let old = &state.task_definition;
    Some(format!(
        "redeploy each service running {old} onto {copy} (`aws ecs update-service --cluster <cluster> --service <service> --task-definition {copy}`), then deregister {old} (`aws ecs deregister-task-definition --task-definition {old}`)"
    ))
}

fn family_and_revision(name: &str) -> (&str, u32) {
    let (family, revision) = name.rsplit_once(':').unwrap_or((name, "0"));
    (family, revision.parse().unwrap_or(0))
}

const NOT_FOUND: &[&str] = &["ClientException"];

async fn describe(
    fix: Fix<'_>,
    task_definition: &str,
) -> Result<(TaskDefinition, Vec<Tag>), FixError> {
    let out = fix
        .clients
        .ecs
        .describe_task_definition()
        .task_definition(task_definition)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ecs:DescribeTaskDefinition",
                &format!("task definition {task_definition}"),
                NOT_FOUND,
                e,
            )
        })?;
    let definition = out
        .task_definition()
        .cloned()
        .ok_or_else(|| FixError::NotFound {
            resource: format!("task definition {task_definition}"),
            code: "ClientException".into(),
        })?;
    Ok((definition, out.tags().to_vec()))
}

fn writable_containers(definition: &TaskDefinition) -> Vec<String> {
    definition
        .container_definitions()
        .iter()
        .filter(|c| c.readonly_root_filesystem() != Some(true))
        .map(|c| c.name().unwrap_or("(unnamed)").to_owned())
        .collect()
}

/// The active revision hubfix registered from `revision`, among the family's newer
/// ones.
async fn find_copy(fix: Fix<'_>, family: &str, revision: u32) -> Result<Option<String>, FixError> {
    let mut newer: Vec<(u32, String)> = Vec::new();
    let mut token = None;
    loop {
        let out = fix
            .clients
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "ecs:ListTaskDefinitions",
                    &format!("family {family}"),
                    &[],
                    e,
                )
            })?;
        newer.extend(out.task_definition_arns().iter().filter_map(|arn| {
            let (f, r) = family_and_revision(arn.rsplit_once('/')?.1);
            (f == family && r > revision).then(|| (r, arn.clone()))
        }));
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    newer.sort_unstable_by_key(|(revision, _)| std::cmp::Reverse(*revision));
    let wanted = revision.to_string();
    for (_, arn) in newer.into_iter().take(NEWER_REVISIONS_READ) {
        let (definition, tags) = describe(fix, &arn).await?;
        let copied = tags
            .iter()
            .any(|t| t.key() == Some(COPY_TAG) && t.value() == Some(wanted.as_str()));
        if copied && writable_containers(&definition).is_empty() {
            return Ok(Some(format!("{family}:{}", definition.revision())));
        }
    }
    Ok(None)
}

async fn read(fix: Fix<'_>) -> Result<(RevisionState, Vec<(String, String)>), FixError> {
    let name = &fix.target.name;
    let (definition, tags) = describe(fix, name).await?;
    let writable = writable_containers(&definition);
    let copy = if writable.is_empty() {
        None
    } else {
        let (family, revision) = family_and_revision(name);
        find_copy(fix, family, revision).await?
    };
    let tags = tags
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    Ok((
        RevisionState {
            task_definition: name.clone(),
            writable,
            copy,
        },
        tags,
    ))
}

/// A list as a request takes it: `None` when empty.
fn nonempty<T: Clone>(items: &[T]) -> Option<Vec<T>> {
    (!items.is_empty()).then(|| items.to_vec())
}

/// Registers the copy: every field of the original, each container read-only
/// (inference accelerators, which ECS no longer offers, are not copied).
async fn register_copy(fix: Fix<'_>, task_definition: &str) -> Result<(), FixError> {
    let (original, mut tags) = describe(fix, task_definition).await?;
    let (_, revision) = family_and_revision(task_definition);
    tags.retain(|t| t.key() != Some(COPY_TAG));
    tags.push(
        Tag::builder()
            .key(COPY_TAG)
            .value(revision.to_string())
            .build(),
    );
    let containers = original
        .container_definitions()
        .iter()
        .cloned()
        .map(|mut c| {
            c.readonly_root_filesystem = Some(true);
            c
        })
        .collect();
    fix.clients
        .ecs
        .register_task_definition()
        .set_family(original.family().map(str::to_owned))
        .set_container_definitions(Some(containers))
        .set_task_role_arn(original.task_role_arn().map(str::to_owned))
        .set_execution_role_arn(original.execution_role_arn().map(str::to_owned))
        .set_network_mode(original.network_mode().cloned())
        .set_volumes(nonempty(original.volumes()))
        .set_placement_constraints(nonempty(original.placement_constraints()))
        .set_requires_compatibilities(nonempty(original.requires_compatibilities()))
        .set_cpu(original.cpu().map(str::to_owned))
        .set_memory(original.memory().map(str::to_owned))
        .set_pid_mode(original.pid_mode().cloned())
        .set_ipc_mode(original.ipc_mode().cloned())
        .set_proxy_configuration(original.proxy_configuration().cloned())
        .set_ephemeral_storage(original.ephemeral_storage().cloned())
        .set_runtime_platform(original.runtime_platform().cloned())
        .set_enable_fault_injection(original.enable_fault_injection())
        .set_tags(Some(tags))
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "ecs:RegisterTaskDefinition",
                &format!("task definition {task_definition}"),
                &[],
                e,
            )
        })
}

impl Remediation for ReadOnlyRoot {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (state, tags) = read(fix).await?;
            Ok(Inspection {
                tags: Some(tags),
                plan: read_only_plan(&state),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let task_definition: String = change.detail()?;
            register_copy(fix, &task_definition).await
        })
    }

    fn left_for_a_person(&self, read: &BeforeState) -> Option<String> {
        left_after_copy(&read.recorded().ok()?)
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: RevisionState = before.recorded()?;
            let (family, revision) = family_and_revision(&recorded.task_definition);
            let Some(copy) = find_copy(fix, family, revision).await? else {
                return Ok(vec![format!(
                    "no active revision hubfix registered from {} is left; nothing to deregister",
                    recorded.task_definition
                )]);
            };
            fix.clients
                .ecs
                .deregister_task_definition()
                .task_definition(&copy)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ecs:DeregisterTaskDefinition",
                        &format!("task definition {copy}"),
                        NOT_FOUND,
                        e,
                    )
                })?;
            Ok(vec![format!(
                "deregistered {copy}, the read-only revision hubfix registered from {} (services moved onto it keep running it until redeployed)",
                recorded.task_definition
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(writable: &[&str], copy: Option<&str>) -> RevisionState {
        RevisionState {
            task_definition: "web:3".into(),
            writable: writable.iter().map(|s| s.to_string()).collect(),
            copy: copy.map(str::to_owned),
        }
    }

    #[test]
    fn a_writable_revision_gets_one_copy_and_then_steps_for_a_person() {
        let plan = read_only_plan(&state(&["app", "sidecar"], None));
        assert_eq!(plan.changes.len(), 1);
        assert!(plan.changes[0]
            .description
            .contains("containers app, sidecar"));
        assert_eq!(plan.changes[0].detail::<String>().unwrap(), "web:3");

        let copied = state(
            &["app"],
            Some("arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"),
        );
        assert!(read_only_plan(&copied).is_compliant());
        let left = left_after_copy(&copied).unwrap();
        assert!(left.contains(
            "--task-definition arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"
        ));
        assert!(left.contains("deregister-task-definition --task-definition web:3"));

        assert!(read_only_plan(&state(&[], None)).is_compliant());
        assert!(left_after_copy(&state(&[], None)).is_none());
    }

    #[test]
    fn revisions_are_read_from_names_and_arns() {
        assert_eq!(family_and_revision("web-app:12"), ("web-app", 12));
        assert_eq!(family_and_revision("web"), ("web", 0));
    }
}
