//! Topics, queues and keys whose resource policies allow public access next to
//! statements that do not (the shapes of the SNS, SQS and KMS developer guides'
//! policy examples: the owner's default statement, a partner account, an
//! organization-wide grant, and an open one).

use aws_sdk_sqs::types::QueueAttributeName;
use hubfix::aws::Clients;
use serde_json::{json, Value};

use crate::{unique, ACCOUNT, REGION};

/// A statement that lets anyone do `action` on `resource`.
fn open(sid: &str, action: &str, resource: &str) -> Value {
    json!({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "*"},
           "Action": action, "Resource": resource})
}

/// An SNS topic whose policy keeps SNS's default statement (limited to the owner by
/// `AWS:SourceOwner`), grants an organization, and lets anyone publish: SNS.4 fails.
/// Returns its ARN and the policy as set.
pub async fn public_topic(clients: &Clients) -> (String, Value) {
    let arn = super::data::topic(clients).await;
    let policy = json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [
        {"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["SNS:GetTopicAttributes", "SNS:Subscribe", "SNS:Publish"],
         "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}},
        {"Sid": "OrgSubscribes", "Effect": "Allow", "Principal": "*", "Action": "SNS:Subscribe",
         "Resource": arn, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
        open("AnyonePublishes", "SNS:Publish", &arn),
    ]});
    clients
        .sns
        .set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("Policy")
        .attribute_value(policy.to_string())
        .send()
        .await
        .expect("set the topic policy");
    (arn, policy)
}

/// An SQS queue whose policy lets a partner account and anyone send messages: SQS.3
/// fails. Returns its ARN, URL and the policy as set.
pub async fn public_queue(clients: &Clients) -> (String, String, Value) {
    let name = unique("order-jobs");
    let arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}");
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "PartnerSends", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "sqs:SendMessage", "Resource": arn},
        open("AnyoneSends", "sqs:SendMessage", &arn),
    ]});
    let url = clients
        .sqs
        .create_queue()
        .queue_name(&name)
        .attributes(QueueAttributeName::Policy, policy.to_string())
        .tags("team", "payments")
        .send()
        .await
        .expect("create a queue")
        .queue_url()
        .expect("a queue URL")
        .to_owned();
    (arn, url, policy)
}

/// A customer managed key whose policy gives the account's root full access and lets
/// anyone decrypt: KMS.5 fails. Returns its ARN, id and the policy as set.
pub async fn public_key(clients: &Clients) -> (String, String, Value) {
    let policy = json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        open("AnyoneDecrypts", "kms:Decrypt", "*"),
    ]});
    let key = clients
        .kms
        .create_key()
        .policy(policy.to_string())
        .send()
        .await
        .expect("create a key");
    let meta = key.key_metadata().expect("key metadata");
    (
        meta.arn().expect("a key ARN").to_owned(),
        meta.key_id().to_owned(),
        policy,
    )
}

/// An SSM Command document of the account, named `prefix-<unique>`, shared with
/// `shared_with` (`["all"]`: public, SSM.4 fails; account ids: shared with those only).
/// Returns its name.
pub async fn ssm_document(clients: &Clients, prefix: &str, shared_with: &[&str]) -> String {
    let name = unique(prefix);
    let content = json!({"schemaVersion": "2.2", "description": "Patch the fleet",
        "mainSteps": [{"action": "aws:runShellScript", "name": "patch",
                       "inputs": {"runCommand": ["yum -y update --security"]}}]});
    clients
        .ssm
        .create_document()
        .name(&name)
        .content(content.to_string())
        .document_type(aws_sdk_ssm::types::DocumentType::Command)
        .document_format(aws_sdk_ssm::types::DocumentFormat::Json)
        .send()
        .await
        .expect("create a document");
    if !shared_with.is_empty() {
        clients
            .ssm
            .modify_document_permission()
            .name(&name)
            .permission_type(aws_sdk_ssm::types::DocumentPermissionType::Share)
            .set_account_ids_to_add(Some(shared_with.iter().map(|a| a.to_string()).collect()))
            .send()
            .await
            .expect("share the document");
    }
    name
}

/// The ARN of an SSM document of the test account.
pub fn ssm_document_arn(name: &str) -> String {
    format!("arn:aws:ssm:{REGION}:{ACCOUNT}:document/{name}")
}
