"""GetFindings' Filters (moto 5.2.5 ignores them), following the API reference.

String filters: EQUALS, PREFIX and CONTAINS on the same field are OR'ed; NOT_EQUALS,
PREFIX_NOT_EQUALS and NOT_CONTAINS are AND'ed; PREFIX may be combined with the negative
ones (PREFIX first, then the exclusions). The combinations the reference forbids
(CONTAINS with anything but CONTAINS, NOT_CONTAINS with anything but NOT_CONTAINS,
EQUALS with NOT_EQUALS or PREFIX_NOT_EQUALS) are refused, as Security Hub refuses them.
Different fields are AND'ed. A field with several values (a finding's resources or
types) passes a positive filter if any value matches, and a negative one only if no
value matches.

Map filters (ResourceTags, UserDefinedFields, ProductFields) follow the same rules with
EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS on the value of one key. Date filters take
Start and/or End, or a DateRange in DAYS (WITHIN, the default, or OLDER_THAN).

Not implemented, and refused with a clear InvalidInputException rather than ignored:
number, boolean, IP and keyword filters, CONTAINS_WORD (a GetFindingsV2 operator), and
any string field not listed in STRING_FIELDS. SortCriteria is accepted and ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from .errors import InvalidInput, dig, parse_time

MAX_ATTRIBUTES = 10
MAX_VALUES = 20
POSITIVE = ("EQUALS", "PREFIX", "CONTAINS")
NEGATIVE = ("NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS")
# Comparisons that may only appear with themselves, and pairs that may not meet.
EXCLUSIVE = ("CONTAINS", "NOT_CONTAINS")
CONFLICTS = (("EQUALS", "NOT_EQUALS"), ("EQUALS", "PREFIX_NOT_EQUALS"))

Finding = dict[str, Any]
Values = Callable[[Finding], Iterable[Any]]


def _top(field: str) -> Values:
    return lambda f: [f.get(field)]


def _nested(*path: str) -> Values:
    return lambda f: [dig(f, *path)]


def _each_resource(*path: str) -> Values:
    return lambda f: [dig(r, *path) for r in f.get("Resources") or []]


def _each(field: str, member: str | None = None) -> Values:
    return lambda f: [dig(x, member) if member else x for x in f.get(field) or []]


STRING_FIELDS: dict[str, Values] = {
    "Id": _top("Id"),
    "ProductArn": _top("ProductArn"),
    "AwsAccountId": _top("AwsAccountId"),
    "Region": _top("Region"),
    "GeneratorId": _top("GeneratorId"),
    "Title": _top("Title"),
    "Description": _top("Description"),
    "CompanyName": _top("CompanyName"),
    "ProductName": lambda f: [f.get("ProductName") or dig(f, "ProductFields", "aws/securityhub/ProductName")],
    "SourceUrl": _top("SourceUrl"),
    "RecordState": _top("RecordState"),
    "WorkflowStatus": _nested("Workflow", "Status"),
    "WorkflowState": _top("WorkflowState"),
    "VerificationState": _top("VerificationState"),
    "SeverityLabel": _nested("Severity", "Label"),
    "ComplianceSecurityControlId": _nested("Compliance", "SecurityControlId"),
    "ComplianceStatus": _nested("Compliance", "Status"),
    "ComplianceAssociatedStandardsId": lambda f: [
        dig(s, "StandardsId") for s in dig(f, "Compliance", "AssociatedStandards") or []],
    "Type": _each("Types"),
    "RelatedFindingsId": _each("RelatedFindings", "Id"),
    "RelatedFindingsProductArn": _each("RelatedFindings", "ProductArn"),
    "ResourceType": _each_resource("Type"),
    "ResourceId": _each_resource("Id"),
    "ResourcePartition": _each_resource("Partition"),
    "ResourceRegion": _each_resource("Region"),
    "NoteText": _nested("Note", "Text"),
    "NoteUpdatedBy": _nested("Note", "UpdatedBy"),
}

MAP_FIELDS: dict[str, Callable[[Finding], Iterable[dict[str, Any]]]] = {
    "ResourceTags": lambda f: [r.get("Tags") or {} for r in f.get("Resources") or []],
    "UserDefinedFields": lambda f: [f.get("UserDefinedFields") or {}],
    "ProductFields": lambda f: [f.get("ProductFields") or {}],
}

DATE_FIELDS: dict[str, Values] = {
    "CreatedAt": _top("CreatedAt"),
    "UpdatedAt": _top("UpdatedAt"),
    "FirstObservedAt": _top("FirstObservedAt"),
    "LastObservedAt": _top("LastObservedAt"),
    "NoteUpdatedAt": _nested("Note", "UpdatedAt"),
}


# ------------------------------------------------------------------- validation


def check_comparisons(field: str, comparisons: set[str], allowed: tuple[str, ...]) -> None:
    """Refuses unknown comparisons and the combinations the reference forbids."""
    unknown = comparisons - set(allowed)
    if unknown:
        shown = min(map(repr, unknown))
        raise InvalidInput(f"{field}: unsupported comparison {shown}; use one of {', '.join(allowed)}")
    for alone in EXCLUSIVE:
        if alone in comparisons and len(comparisons) > 1:
            raise InvalidInput(f"{field}: {alone} filters can only be combined with other {alone} filters")
    for first, second in CONFLICTS:
        if first in comparisons and second in comparisons:
            raise InvalidInput(f"{field}: {first} and {second} filters cannot be combined on the same field")


def check_string_filters(field: str, conditions: list[Any]) -> None:
    """Each condition is {Value, Comparison}; their combination is allowed."""
    for c in conditions:
        if not isinstance(c, dict) or not isinstance(c.get("Value"), str) or "Comparison" not in c:
            raise InvalidInput(f"{field}: each string filter needs a Value and a Comparison")
    check_comparisons(field, {c["Comparison"] for c in conditions}, POSITIVE + NEGATIVE)


def check_map_filters(field: str, conditions: list[Any]) -> None:
    """Each condition is {Key, Value, Comparison}; their combination is allowed."""
    for c in conditions:
        if not isinstance(c, dict) or not isinstance(c.get("Key"), str) or not isinstance(c.get("Value"), str):
            raise InvalidInput(f"{field}: each map filter needs a Key, a Value and a Comparison")
    allowed = ("EQUALS", "CONTAINS", "NOT_EQUALS", "NOT_CONTAINS")
    check_comparisons(field, {c.get("Comparison") for c in conditions}, allowed)


def check_date_filters(field: str, conditions: list[Any]) -> None:
    """Each condition has Start and/or End timestamps, or a DateRange in DAYS."""
    for c in conditions:
        if not isinstance(c, dict) or not ({"Start", "End"} & c.keys() or "DateRange" in c):
            raise InvalidInput(f"{field}: each date filter needs Start/End or a DateRange")
        for bound in ("Start", "End"):
            if bound in c:
                parse_time(c[bound], f"{field}.{bound}")
        if "DateRange" in c:
            check_date_range(field, c["DateRange"])


def check_date_range(field: str, date_range: Any) -> None:
    """A DateRange: an integer Value, Unit DAYS, Comparison WITHIN or OLDER_THAN."""
    if not isinstance(date_range, dict) or not isinstance(date_range.get("Value"), int):
        raise InvalidInput(f"{field}.DateRange needs an integer Value")
    if date_range.get("Unit", "DAYS") != "DAYS":
        raise InvalidInput(f"{field}.DateRange.Unit must be DAYS")
    if date_range.get("Comparison", "WITHIN") not in ("WITHIN", "OLDER_THAN"):
        raise InvalidInput(f"{field}.DateRange.Comparison must be WITHIN or OLDER_THAN")


def validate(filters: Any) -> dict[str, list[Any]]:
    """Checks GetFindings' Filters; returns the non-empty ones."""
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise InvalidInput("Filters must be an object")
    active = {field: conditions for field, conditions in filters.items() if conditions}
    if len(active) > MAX_ATTRIBUTES:
        raise InvalidInput(f"Filters use {len(active)} attributes; the maximum is {MAX_ATTRIBUTES}")
    for field, conditions in active.items():
        if not isinstance(conditions, list):
            raise InvalidInput(f"{field} must be a list of filters")
        if len(conditions) > MAX_VALUES:
            raise InvalidInput(f"{field} has {len(conditions)} filter values; the maximum is {MAX_VALUES}")
        checker = kind_checker(field)
        checker(field, conditions)
    return active


def kind_checker(field: str) -> Callable[[str, list[Any]], None]:
    """The validator for a filter attribute; InvalidInput for attributes not supported."""
    if field in STRING_FIELDS:
        return check_string_filters
    if field in MAP_FIELDS:
        return check_map_filters
    if field in DATE_FIELDS:
        return check_date_filters
    raise InvalidInput(f"the emulator does not support the filter {field!r}")


# ------------------------------------------------------------------- matching


def string_matches(value: Any, comparison: str, wanted: str) -> bool:
    """Whether `value` has the property a comparison tests (ignoring its negation)."""
    if not isinstance(value, str):
        return False
    if comparison in ("EQUALS", "NOT_EQUALS"):
        return value == wanted
    if comparison in ("PREFIX", "PREFIX_NOT_EQUALS"):
        return value.startswith(wanted)
    return wanted in value


Predicate = Callable[[Finding], bool]


def values_pass(values: Iterable[Any], positive: list[tuple[str, str]], negative: list[tuple[str, str]]) -> bool:
    """Positive conditions OR'ed (any value), then negative ones AND'ed (no value)."""
    values = list(values)
    if positive and not any(string_matches(v, c, w) for c, w in positive for v in values):
        return False
    return not any(string_matches(v, c, w) for c, w in negative for v in values)


def split(conditions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The positive and the negative conditions."""
    return ([c for c in conditions if c["Comparison"] in POSITIVE],
            [c for c in conditions if c["Comparison"] not in POSITIVE])


def string_predicate(field: str, conditions: list[dict[str, str]]) -> Predicate:
    """A string attribute's filters. EQUALS alone (the common case) is a set lookup."""
    values = STRING_FIELDS[field]
    positive, negative = ([(c["Comparison"], c["Value"]) for c in part] for part in split(conditions))
    if positive and not negative and all(c == "EQUALS" for c, _ in positive):
        wanted = {w for _, w in positive}
        return lambda f: any(isinstance(v, str) and v in wanted for v in values(f))
    return lambda f: values_pass(values(f), positive, negative)


def map_predicate(field: str, conditions: list[dict[str, str]]) -> Predicate:
    """A map attribute's filters, each on the value of its own Key."""
    maps_of = MAP_FIELDS[field]
    positive, negative = split(conditions)

    def passes(finding: Finding) -> bool:
        maps = list(maps_of(finding))

        def hit(c: dict[str, str]) -> bool:
            return any(string_matches(m.get(c["Key"]), c["Comparison"], c["Value"]) for m in maps)

        if positive and not any(hit(c) for c in positive):
            return False
        return not any(hit(c) for c in negative)

    return passes


def date_passes(value: Any, condition: dict[str, Any], now: datetime.datetime) -> bool:
    """One date filter: within [Start, End], or within/older than a number of days."""
    if not isinstance(value, str):
        return False
    try:
        moment = parse_time(value, "date")
    except InvalidInput:
        return False
    if "Start" in condition and moment < parse_time(condition["Start"], "Start"):
        return False
    if "End" in condition and moment > parse_time(condition["End"], "End"):
        return False
    if "DateRange" in condition:
        date_range = condition["DateRange"]
        cutoff = now - datetime.timedelta(days=date_range["Value"])
        older = date_range.get("Comparison", "WITHIN") == "OLDER_THAN"
        return moment < cutoff if older else moment >= cutoff
    return True


def date_predicate(field: str, conditions: list[dict[str, Any]]) -> Predicate:
    """A date attribute's filters: every one must hold (DateRange counts from now)."""
    values = DATE_FIELDS[field]
    now = datetime.datetime.now(datetime.UTC)
    return lambda f: all(date_passes(v, c, now) for c in conditions for v in values(f))


def predicate(filters: dict[str, list[Any]]) -> Predicate:
    """Whether a finding passes validated Filters (attributes AND'ed), built once per
    request so a search does not re-read the filters for every finding."""
    tests: list[Predicate] = []
    for field, conditions in filters.items():
        if field in STRING_FIELDS:
            tests.append(string_predicate(field, conditions))
        elif field in MAP_FIELDS:
            tests.append(map_predicate(field, conditions))
        else:
            tests.append(date_predicate(field, conditions))
    return lambda f: all(test(f) for test in tests)
