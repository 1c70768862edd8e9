//! Resource ids as real findings write them, read into the id a rule's
//! [`resource_name`](super::Rule::resource_name) takes.
//!
//! Security Hub names an IAM user by its ARN, or, when the control's AWS Config rule
//! reports it so, by its unique id in place of the name
//! (`arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE`; the Automated Security
//! Response on AWS solution's `simtest/simdata/afsbp-iam.8-nodetails.json` keeps such a
//! finding). AWS Config reports roles and groups by unique id too (`AROA…`, `AGPA…`),
//! and `IAM.27` acts on all three. IAM's APIs take the name, and a name may itself look
//! like an id, so hubfix reads the name from the finding's own `Details.AwsIamUser`
//! (`AwsIamRole`, `AwsIamGroup`) when those details are about that very id, and
//! otherwise refuses with a note saying so: it never guesses which identity an id is.

use std::borrow::Cow;

use crate::error::FixError;
use crate::finding::{quoted, Resource, MAX_QUOTED_CHARS};

use crate::ids::Arn;

/// How a finding names one kind of IAM identity, and how its details describe it.
struct IdentityForm {
    /// The ASFF type, and the key of its `Details`.
    asff_type: &'static str,
    /// The ARN's resource type (`user` in `user/path/name`), and what notes call it.
    arn_type: &'static str,
    /// The prefix IAM gives its unique ids.
    id_prefix: &'static str,
    /// The `Details` fields of its unique id and its name.
    id_field: &'static str,
    name_field: &'static str,
}

const FORMS: &[IdentityForm] = &[
    IdentityForm {
        asff_type: "AwsIamUser",
        arn_type: "user",
        id_prefix: "AIDA",
        id_field: "UserId",
        name_field: "UserName",
    },
    IdentityForm {
        asff_type: "AwsIamRole",
        arn_type: "role",
        id_prefix: "AROA",
        id_field: "RoleId",
        name_field: "RoleName",
    },
    IdentityForm {
        asff_type: "AwsIamGroup",
        arn_type: "group",
        id_prefix: "AGPA",
        id_field: "GroupId",
        name_field: "GroupName",
    },
];

/// Whether `s` has the shape of an IAM user's unique id (`AIDA` and upper-case letters
/// and digits, as IAM issues them).
pub fn is_iam_user_id(s: &str) -> bool {
    is_unique_id(s, "AIDA")
}

/// Whether `s` has the shape of an IAM unique id with `prefix`.
fn is_unique_id(s: &str, prefix: &str) -> bool {
    (16..=128).contains(&s.len())
        && s.starts_with(prefix)
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The id to read a resource's name from: the finding's own id, except for an IAM
/// user, role or group named by its unique id, which is rewritten to its ARN from the
/// finding's `Details` (`UserName`/`RoleName`/`GroupName` and `Path`) when their
/// `UserId`/`RoleId`/`GroupId` is that id, and an access key, named with the principal its
/// `Details.AwsIamAccessKey` give ([`crate::remediate::iam::quarantine::naming_id`]).
pub fn naming_id<'r>(resource: &'r Resource, account: &str) -> Result<Cow<'r, str>, FixError> {
    if resource.resource_type == "AwsIamAccessKey" {
        return Ok(Cow::Owned(crate::remediate::iam::quarantine::naming_id(
            &resource.id,
            resource.details.as_ref(),
        )));
    }
    let Some(form) = FORMS.iter().find(|f| f.asff_type == resource.resource_type) else {
        return Ok(Cow::Borrowed(&resource.id));
    };
    let Some(arn) = Arn::parse(&resource.id) else {
        return Ok(Cow::Borrowed(&resource.id));
    };
    let Some(id) = arn
        .resource
        .strip_prefix(form.arn_type)
        .and_then(|p| p.strip_prefix('/'))
        .and_then(|p| p.rsplit('/').next())
        .filter(|last| is_unique_id(last, form.id_prefix))
    else {
        return Ok(Cow::Borrowed(&resource.id));
    };
    let details = resource
        .details
        .as_ref()
        .and_then(|d| d.get(form.asff_type));
    let field = |k: &str| details.and_then(|d| d.get(k)).and_then(|v| v.as_str());
    let (noun, asff) = (form.arn_type, form.asff_type);
    match (field(form.id_field), field(form.name_field)) {
        (Some(unique), Some(name)) if unique == id => {
            let path = field("Path").unwrap_or("/");
            if !(path.starts_with('/') && path.ends_with('/')) {
                return Err(FixError::Target(format!(
                    "the finding's Details.{asff}.Path `{}` is not an IAM path",
                    quoted(path, MAX_QUOTED_CHARS)
                )));
            }
            Ok(Cow::Owned(format!(
                "arn:{}:iam::{account}:{}{path}{name}",
                arn.partition, form.arn_type
            )))
        }
        (Some(unique), _) if unique != id => Err(FixError::Target(format!(
            "the finding names IAM {noun} {id} by its unique id, and its Details.{asff} describe another {noun} ({}); hubfix acts on a {noun} only when it knows which",
            quoted(unique, MAX_QUOTED_CHARS)
        ))),
        _ => {
            let list_key = format!("{}{}s", noun[..1].to_ascii_uppercase(), &noun[1..]);
            Err(FixError::Target(format!(
                "the finding names IAM {noun} {id} by its unique id and gives no {noun} name (Details.{asff}.{}); IAM acts on {noun}s by name: find it with `aws iam list-{noun}s --query \"{list_key}[?{}=='{id}'].{}\"` and fix it by hand, or run the action again once Security Hub's finding has its details",
                form.name_field, form.id_field, form.name_field
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::parse_finding;
    use serde_json::{json, Value};

    fn user(id: &str, details: Option<Value>) -> Resource {
        let mut r =
            json!({"Type": "AwsIamUser", "Id": id, "Partition": "aws", "Region": "us-east-1"});
        if let Some(d) = details {
            r["Details"] = json!({"AwsIamUser": d});
        }
        let f = parse_finding(0, &json!({"Id": "f", "ProductArn": "p", "Resources": [r]})).unwrap();
        f.resources[0].clone()
    }

    #[test]
    fn a_user_named_by_name_is_read_as_it_is() {
        let r = user("arn:aws:iam::111122223333:user/sharrtest", None);
        assert_eq!(
            naming_id(&r, "111122223333").unwrap(),
            "arn:aws:iam::111122223333:user/sharrtest"
        );
    }

    #[test]
    fn a_user_named_by_unique_id_is_read_from_its_details() {
        let details = json!({"UserId": "AIDACKCEVSQ6C2EXAMPLE", "UserName": "sharrtest",
            "Path": "/division/", "CreateDate": "2015-05-22T14:43:16.000Z"});
        let r = user(
            "arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE",
            Some(details),
        );
        let id = naming_id(&r, "111122223333").unwrap();
        assert_eq!(id, "arn:aws:iam::111122223333:user/division/sharrtest");
        assert_eq!(super::super::iam::user_name(&id).unwrap(), "sharrtest");
    }

    #[test]
    fn a_user_id_without_matching_details_is_a_precise_refusal() {
        let bare = user("arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE", None);
        let err = naming_id(&bare, "111122223333").unwrap_err().to_string();
        assert!(
            err.contains("by its unique id and gives no user name"),
            "{err}"
        );
        assert!(err.contains("AIDACKCEVSQ6C2EXAMPLE"), "{err}");
        let other = user(
            "arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE",
            Some(json!({"UserId": "AIDAOTHERUSER0EXAMPLE", "UserName": "mallory"})),
        );
        let err = naming_id(&other, "111122223333").unwrap_err().to_string();
        assert!(err.contains("describe another user"), "{err}");
        let bad_path = user(
            "arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE",
            Some(json!({"UserId": "AIDACKCEVSQ6C2EXAMPLE", "UserName": "a", "Path": "x"})),
        );
        assert!(naming_id(&bad_path, "111122223333").is_err());
    }

    #[test]
    fn roles_and_groups_named_by_unique_id_are_read_from_their_details() {
        let resource = |asff: &str, id: &str, details: Value| {
            let r = json!({"Type": asff, "Id": id, "Region": "us-east-1",
                "Details": {asff: details}});
            let f =
                parse_finding(0, &json!({"Id": "f", "ProductArn": "p", "Resources": [r]})).unwrap();
            f.resources[0].clone()
        };
        let role = resource(
            "AwsIamRole",
            "arn:aws:iam::111122223333:role/AROACKCEVSQ6C2EXAMPLE",
            json!({"RoleId": "AROACKCEVSQ6C2EXAMPLE", "RoleName": "ops", "Path": "/service/"}),
        );
        assert_eq!(
            naming_id(&role, "111122223333").unwrap(),
            "arn:aws:iam::111122223333:role/service/ops"
        );
        let group = resource(
            "AwsIamGroup",
            "arn:aws:iam::111122223333:group/AGPACKCEVSQ6C2EXAMPLE",
            json!({"GroupId": "AGPAOTHERGROUP0EXAMPLE", "GroupName": "admins"}),
        );
        let err = naming_id(&group, "111122223333").unwrap_err().to_string();
        assert!(err.contains("describe another group"), "{err}");
        let bare = resource(
            "AwsIamGroup",
            "arn:aws:iam::111122223333:group/AGPACKCEVSQ6C2EXAMPLE",
            json!({}),
        );
        let err = naming_id(&bare, "111122223333").unwrap_err().to_string();
        assert!(err.contains("aws iam list-groups"), "{err}");
        let by_name = resource(
            "AwsIamRole",
            "arn:aws:iam::111122223333:role/AIDA-looking-but-a-role-name",
            json!({}),
        );
        assert_eq!(
            naming_id(&by_name, "111122223333").unwrap(),
            "arn:aws:iam::111122223333:role/AIDA-looking-but-a-role-name"
        );
    }

    #[test]
    fn unique_ids_have_their_shape() {
        assert!(is_iam_user_id("AIDACKCEVSQ6C2EXAMPLE"));
        for not in [
            "alice",
            "AIDA",
            "aidackcevsq6c2example",
            "AROACKCEVSQ6C2EXAMPLE",
        ] {
            assert!(!is_iam_user_id(not), "{not}");
        }
    }
}
