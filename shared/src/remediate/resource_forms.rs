//! Resource ids as real findings write them, read into the id a rule's
//! [`resource_name`](super::Rule::resource_name) takes.
//!
//! Security Hub names an IAM user by its ARN, or, when the control's AWS Config rule
//! reports it so, by its unique id in place of the name
//! (`arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE`; the Automated Security
//! Response on AWS solution's `simtest/simdata/afsbp-iam.8-nodetails.json` keeps such a
//! finding). IAM's APIs take the user's name, and a name may itself look like an id, so
//! hubfix reads the name from the finding's own `Details.AwsIamUser` when those details
//! are about that very id, and otherwise refuses with a note saying so: it never
//! guesses which user an id is.

use std::borrow::Cow;

use crate::error::FixError;
use crate::finding::{quoted, Resource, MAX_QUOTED_CHARS};

use crate::ids::Arn;

/// The ASFF type of IAM users.
const IAM_USER: &str = "AwsIamUser";

/// Whether `s` has the shape of an IAM user's unique id (`AIDA` and upper-case letters
/// and digits, as IAM issues them).
pub fn is_iam_user_id(s: &str) -> bool {
    (16..=128).contains(&s.len())
        && s.starts_with("AIDA")
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The id to read a resource's name from: the finding's own id, except for an IAM
/// user named by its unique id, which is rewritten to the user's ARN from
/// `Details.AwsIamUser` (`UserName`, `Path`) when `Details.AwsIamUser.UserId` is that id.
pub fn naming_id<'r>(resource: &'r Resource, account: &str) -> Result<Cow<'r, str>, FixError> {
    if resource.resource_type != IAM_USER {
        return Ok(Cow::Borrowed(&resource.id));
    }
    let Some(arn) = Arn::parse(&resource.id) else {
        return Ok(Cow::Borrowed(&resource.id));
    };
    let Some(id) = arn
        .resource
        .strip_prefix("user/")
        .and_then(|p| p.rsplit('/').next())
        .filter(|last| is_iam_user_id(last))
    else {
        return Ok(Cow::Borrowed(&resource.id));
    };
    let details = resource.details.as_ref().and_then(|d| d.get(IAM_USER));
    let field = |k: &str| details.and_then(|d| d.get(k)).and_then(|v| v.as_str());
    match (field("UserId"), field("UserName")) {
        (Some(user_id), Some(name)) if user_id == id => {
            let path = field("Path").unwrap_or("/");
            if !(path.starts_with('/') && path.ends_with('/')) {
                return Err(FixError::Target(format!(
                    "the finding's Details.AwsIamUser.Path `{}` is not an IAM path",
                    quoted(path, MAX_QUOTED_CHARS)
                )));
            }
            Ok(Cow::Owned(format!(
                "arn:{}:iam::{account}:user{path}{name}",
                arn.partition
            )))
        }
        (Some(user_id), _) if user_id != id => Err(FixError::Target(format!(
            "the finding names IAM user {id} by its unique id, and its Details.AwsIamUser describe another user ({}); hubfix acts on a user only when it knows which",
            quoted(user_id, MAX_QUOTED_CHARS)
        ))),
        _ => Err(FixError::Target(format!(
            "the finding names IAM user {id} by its unique id and gives no user name (Details.AwsIamUser.UserName); IAM acts on users by name: find it with `aws iam list-users --query \"Users[?UserId=='{id}'].UserName\"` and fix it by hand, or run the action again once Security Hub's finding has its details"
        ))),
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
