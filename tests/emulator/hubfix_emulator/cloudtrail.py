"""CloudTrail as the API reference describes it, where moto 5.2.5 is looser.

- Event selectors: a trail never given any answers CloudTrail's default (read and write
  management events) from `GetEventSelectors`; `PutEventSelectors` takes basic or
  advanced selectors, not both (`InvalidParameterCombinationException`), 1-5 basic
  selectors with a valid `ReadWriteType` and data resource types
  (`InvalidEventSelectorsException`), and putting one kind clears the other.
  `HasCustomEventSelectors` says whether any were put.
- `CreateTrail` / `UpdateTrail`: `KmsKeyId` (key id, ARN, alias name or ARN) must name
  an existing key of the trail's region (`KmsKeyNotFoundException`) whose key policy lets
  `cloudtrail.amazonaws.com` call `kms:GenerateDataKey*`
  (`InsufficientEncryptionPolicyException`); the trail keeps the key's ARN, and an empty
  `KmsKeyId` turns encryption off. `CloudWatchLogsLogGroupArn` and
  `CloudWatchLogsRoleArn` go together: the log group must exist in the trail's region
  (`InvalidCloudWatchLogsLogGroupArnException`), the role must exist and trust
  `cloudtrail.amazonaws.com` (`InvalidCloudWatchLogsRoleArnException`); empty strings
  turn delivery off. The bucket's policy must let `cloudtrail.amazonaws.com` call
  `s3:PutObject` (`InsufficientS3BucketPolicyException`).
- Trail names are unique per region (`TrailAlreadyExistsException`).
- A multi-region trail of another region, named by ARN, can be read (`GetTrail`,
  `GetEventSelectors`) but not changed: `UpdateTrail`, `PutEventSelectors`,
  `StartLogging`, `StopLogging` and `DeleteTrail` answer `InvalidHomeRegionException`;
  `DeleteTrail` accepts an ARN.
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudtrail.exceptions import TrailNotFoundException
from moto.cloudtrail.models import CloudTrailBackend, Trail, cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.exceptions import JsonRESTError

CLOUDTRAIL = "cloudtrail.amazonaws.com"
READ_WRITE_TYPES = ("ReadOnly", "WriteOnly", "All")
DATA_RESOURCE_TYPES = ("AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table")
MAX_EVENT_SELECTORS = 5
MAX_DATA_RESOURCE_VALUES = 250


class CloudTrailError(JsonRESTError):
    """A CloudTrail error answer (400)."""

    code = 400

    def __init__(self, error: str, message: str) -> None:
        super().__init__(error, message)


def default_selectors() -> list[dict[str, Any]]:
    """The selectors of a trail that was never given any."""
    return [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
             "ExcludeManagementEventSources": []}]


def strings(value: Any) -> list[str]:
    """A policy element that is a string or a list of strings, as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def policy_allows_cloudtrail(document: str | bytes | None, actions: tuple[str, ...]) -> bool:
    """Whether a resource policy has an Allow statement for CloudTrail's service
    principal (or `*`) with one of `actions`."""
    if not document:
        return False
    try:
        policy = json.loads(document)
    except ValueError:
        return False
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for s in statements:
        principal = s.get("Principal")
        to_cloudtrail = principal == "*" or (
            isinstance(principal, dict) and CLOUDTRAIL in strings(principal.get("Service")))
        if s.get("Effect") == "Allow" and to_cloudtrail and any(a in actions for a in strings(s.get("Action"))):
            return True
    return False


def find_trail(backend: CloudTrailBackend, name_or_arn: str, change: bool) -> Trail:
    """The trail of this region by name or ARN; by ARN, also another region's
    multi-region trail, which can only be read here."""
    if name_or_arn in backend.trails:
        return backend.trails[name_or_arn]
    for trail in backend.trails.values():
        if trail.arn == name_or_arn:
            return trail
    parts = name_or_arn.split(":")
    if len(parts) == 6 and parts[2] == "cloudtrail":
        home = cloudtrail_backends[backend.account_id].get(parts[3])
        for trail in (home.trails.values() if home else []):
            if trail.arn == name_or_arn and trail.is_multi_region:
                if change:
                    raise CloudTrailError(
                        "InvalidHomeRegionException",
                        f"This operation must be called from the trail's home region, {trail.region_name}.")
                return trail
    raise TrailNotFoundException(account_id=backend.account_id, name=name_or_arn)


def resolve_kms_key(trail_region: str, account: str, key_id: str) -> str:
    """The ARN of the key `key_id` names, checked as CloudTrail checks it."""
    from moto.kms.models import kms_backends

    kms = kms_backends[account][trail_region]
    try:
        key = kms.describe_key(key_id)
    except Exception:
        raise CloudTrailError("KmsKeyNotFoundException", f"KMS key {key_id} not found in {trail_region}.")
    if getattr(key, "key_state", "Enabled") != "Enabled":
        raise CloudTrailError("KmsException", f"KMS key {key.arn} is {key.key_state}.")
    if not policy_allows_cloudtrail(key.policy, ("kms:GenerateDataKey*", "kms:GenerateDataKey", "kms:*", "*")):
        raise CloudTrailError("InsufficientEncryptionPolicyException",
                              f"Insufficient permissions to access KMS key {key.arn}.")
    return key.arn


def check_log_delivery(region: str, account: str, partition: str, group_arn: str, role_arn: str) -> None:
    """A log group and role CloudTrail can deliver with."""
    from moto.iam.models import iam_backends
    from moto.logs.models import logs_backends

    if not role_arn:
        raise CloudTrailError("InvalidCloudWatchLogsRoleArnException",
                              "You must specify a role ARN with a CloudWatch Logs log group ARN.")
    if not group_arn:
        raise CloudTrailError("InvalidCloudWatchLogsLogGroupArnException",
                              "You must specify a CloudWatch Logs log group ARN with a role ARN.")
    parts = group_arn.split(":")
    name = parts[6] if len(parts) >= 7 and parts[2] == "logs" and parts[5] == "log-group" else None
    if name is None or parts[3] != region or parts[4] != account or name not in logs_backends[account][region].groups:
        raise CloudTrailError("InvalidCloudWatchLogsLogGroupArnException",
                              f"Access denied. Verify in IAM that the role has adequate permissions ({group_arn}).")
    try:
        role = iam_backends[account][partition].get_role_by_arn(role_arn)
    except Exception:
        role = None
    trust = getattr(role, "assume_role_policy_document", None)
    if role is None or not policy_allows_cloudtrail(trust, ("sts:AssumeRole", "sts:*", "*")):
        raise CloudTrailError("InvalidCloudWatchLogsRoleArnException",
                              f"Access denied. CloudTrail cannot assume the role {role_arn}.")


def check_bucket_policy(account: str, partition: str, bucket_name: str) -> None:
    """The bucket's policy lets CloudTrail write."""
    from moto.s3.models import s3_backends

    try:
        bucket = s3_backends[account][partition].get_bucket(bucket_name)
    except Exception:
        raise CloudTrailError("S3BucketDoesNotExistException", f"S3 bucket {bucket_name} does not exist!")
    if not policy_allows_cloudtrail(bucket.policy, ("s3:PutObject", "s3:Put*", "s3:*", "*")):
        raise CloudTrailError("InsufficientS3BucketPolicyException",
                              f"Incorrect S3 bucket policy is detected for bucket: {bucket_name}")


def validate_selectors(selectors: list[dict[str, Any]]) -> None:
    """Basic event selectors as the API reference allows them."""
    if not 1 <= len(selectors) <= MAX_EVENT_SELECTORS:
        raise CloudTrailError("InvalidEventSelectorsException",
                              f"A trail can have 1 to {MAX_EVENT_SELECTORS} event selectors.")
    values = 0
    for s in selectors:
        if s.get("ReadWriteType", "All") not in READ_WRITE_TYPES:
            raise CloudTrailError("InvalidEventSelectorsException", f"Invalid ReadWriteType {s.get('ReadWriteType')!r}.")
        for d in s.get("DataResources", []) or []:
            if d.get("Type") not in DATA_RESOURCE_TYPES:
                raise CloudTrailError("InvalidEventSelectorsException", f"Invalid data resource type {d.get('Type')!r}.")
            values += len(d.get("Values", []) or [])
    if values > MAX_DATA_RESOURCE_VALUES:
        raise CloudTrailError("InvalidEventSelectorsException",
                              f"A trail can have at most {MAX_DATA_RESOURCE_VALUES} data resource values.")


def normalised(s: dict[str, Any]) -> dict[str, Any]:
    """A basic selector with CloudTrail's defaults filled in."""
    return {
        "ReadWriteType": s.get("ReadWriteType", "All"),
        "IncludeManagementEvents": s.get("IncludeManagementEvents", True),
        "DataResources": s.get("DataResources", []) or [],
        "ExcludeManagementEventSources": s.get("ExcludeManagementEventSources", []) or [],
    }


def get_trail(self: CloudTrailResponse) -> str:
    """GetTrail, shadow trails by ARN included."""
    trail = find_trail(self.cloudtrail_backend, self._get_param("Name"), change=False)
    return json.dumps({"Trail": trail.description(include_region=True)})


def get_event_selectors(self: CloudTrailResponse) -> str:
    """GetEventSelectors with CloudTrail's default for a trail never given any."""
    trail = find_trail(self.cloudtrail_backend, json.loads(self.body).get("TrailName"), change=False)
    basic, advanced = trail.get_event_selectors()
    if not getattr(trail, "hubfix_custom_selectors", False):
        basic, advanced = default_selectors(), []
    body: dict[str, Any] = {"TrailARN": trail.arn}
    if advanced:
        body["AdvancedEventSelectors"] = advanced
    else:
        body["EventSelectors"] = basic
    return json.dumps(body)


def put_event_selectors(self: CloudTrailResponse) -> str:
    """PutEventSelectors: one kind of selector, validated, replacing the other kind."""
    params = json.loads(self.body)
    trail = find_trail(self.cloudtrail_backend, params.get("TrailName"), change=True)
    basic = params.get("EventSelectors")
    advanced = params.get("AdvancedEventSelectors")
    if (basic is None) == (advanced is None):
        raise CloudTrailError("InvalidParameterCombinationException",
                              "Specify either EventSelectors or AdvancedEventSelectors, not both.")
    if basic is not None:
        validate_selectors(basic)
        trail.event_selectors = [normalised(s) for s in basic]
        trail.advanced_event_selectors = []
    else:
        if not advanced:
            raise CloudTrailError("InvalidEventSelectorsException", "AdvancedEventSelectors cannot be empty.")
        trail.advanced_event_selectors = advanced
        trail.event_selectors = []
    trail.hubfix_custom_selectors = True
    body: dict[str, Any] = {"TrailARN": trail.arn}
    if advanced is not None:
        body["AdvancedEventSelectors"] = trail.advanced_event_selectors
    else:
        body["EventSelectors"] = trail.event_selectors
    return json.dumps(body)


def checked_settings(self: CloudTrailResponse, trail: Trail | None) -> dict[str, Any]:
    """The KMS, CloudWatch Logs and bucket parameters of a create or update, checked;
    `None` values were not given."""
    region, account = self.region, self.current_account
    partition = trail.partition if trail else ("aws-cn" if region.startswith("cn-") else
                                               "aws-us-gov" if region.startswith("us-gov-") else "aws")
    settings: dict[str, Any] = {}
    kms = self._get_param("KmsKeyId")
    if kms is not None:
        settings["kms_key_id"] = resolve_kms_key(region, account, kms) if kms else None
    group, role = self._get_param("CloudWatchLogsLogGroupArn"), self._get_param("CloudWatchLogsRoleArn")
    if group is not None or role is not None:
        group = group if group is not None else (trail.cw_log_group_arn if trail else None) or ""
        role = role if role is not None else (trail.cw_role_arn if trail else None) or ""
        if group or role:
            check_log_delivery(region, account, partition, group, role)
        settings["cw_log_group_arn"] = group or None
        settings["cw_role_arn"] = role or None
    bucket = self._get_param("S3BucketName")
    if bucket:
        check_bucket_policy(account, partition, bucket)
    return settings


ORIGINAL_CREATE_TRAIL = CloudTrailResponse.create_trail


def create_trail(self: CloudTrailResponse) -> str:
    """CreateTrail with the key, log delivery and bucket policy checked; names are
    unique per region."""
    name = self._get_param("Name")
    if name in self.cloudtrail_backend.trails:
        raise CloudTrailError("TrailAlreadyExistsException", f"Trail {name} already exists for customer: {self.current_account}")
    settings = checked_settings(self, None)
    ORIGINAL_CREATE_TRAIL(self)
    trail = self.cloudtrail_backend.trails[self._get_param("Name")]
    for attribute, value in settings.items():
        setattr(trail, attribute, value)
    return json.dumps(trail.description())


def update_trail(self: CloudTrailResponse) -> str:
    """UpdateTrail in the trail's home region, checked; empty strings turn KMS
    encryption and CloudWatch Logs delivery off."""
    trail = find_trail(self.cloudtrail_backend, self._get_param("Name"), change=True)
    settings = checked_settings(self, trail)
    trail.update(
        s3_bucket_name=self._get_param("S3BucketName"),
        s3_key_prefix=self._get_param("S3KeyPrefix"),
        sns_topic_name=self._get_param("SnsTopicName"),
        include_global_service_events=self._get_param("IncludeGlobalServiceEvents"),
        is_multi_region_trail=self._get_param("IsMultiRegionTrail"),
        enable_log_file_validation=self._get_param("EnableLogFileValidation"),
        is_organization_trail=self._get_param("IsOrganizationTrail"),
        cw_log_group_arn=None,
        cw_role_arn=None,
        kms_key_id=None,
    )
    for attribute, value in settings.items():
        setattr(trail, attribute, value)
    return json.dumps(trail.description())


def home_region_call(method: str):
    """StartLogging, StopLogging, DeleteTrail: only in the trail's home region; by name
    or ARN."""

    def handler(self: CloudTrailResponse) -> str:
        trail = find_trail(self.cloudtrail_backend, self._get_param("Name"), change=True)
        if method == "delete":
            del self.cloudtrail_backend.trails[trail.trail_name]
        elif method == "start":
            trail.start_logging()
        else:
            trail.stop_logging()
        return json.dumps({})

    return handler


ORIGINAL_DESCRIPTION = Trail.description


def description(self: Trail, include_region: bool = False) -> dict[str, Any]:
    """A trail's description, with `HasCustomEventSelectors`."""
    desc = ORIGINAL_DESCRIPTION(self, include_region=include_region)
    desc["HasCustomEventSelectors"] = bool(getattr(self, "hubfix_custom_selectors", False))
    return desc


def install() -> None:
    """Registers the CloudTrail fixes with moto."""
    CloudTrailResponse.get_trail = get_trail
    CloudTrailResponse.get_event_selectors = get_event_selectors
    CloudTrailResponse.put_event_selectors = put_event_selectors
    CloudTrailResponse.create_trail = create_trail
    CloudTrailResponse.update_trail = update_trail
    CloudTrailResponse.start_logging = home_region_call("start")
    CloudTrailResponse.stop_logging = home_region_call("stop")
    CloudTrailResponse.delete_trail = home_region_call("delete")
    Trail.description = description
