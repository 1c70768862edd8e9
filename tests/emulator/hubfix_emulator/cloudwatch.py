"""CloudWatch over the Smithy RPC v2 CBOR protocol, which the AWS SDKs now use for
CloudWatch and moto 5.2.5 does not speak: PutMetricAlarm, DescribeAlarms and
DeleteAlarms, answered from moto's own CloudWatch backend, so alarms made either way
are the same alarms.

Protocol (Smithy RPC v2 CBOR): `POST /service/GraniteServiceVersion20100801/operation/<Op>`
with `smithy-protocol: rpc-v2-cbor`; the input and output are CBOR maps; errors are a
CBOR map with `__type` and `message` and a 4xx/5xx status.
"""

from __future__ import annotations

import re
import struct
from typing import Any, Callable, Iterable

from .accessanalyzer import account_of, scope

PATH = re.compile(r"^/service/GraniteServiceVersion20100801/operation/([A-Za-z]+)$")


class CborError(ValueError):
    """Input that is not the CBOR subset the protocol uses."""


def encode(value: Any) -> bytes:
    """Encodes None, bools, ints, floats, str, bytes, lists and dicts."""
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    if isinstance(value, (list, tuple)):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise CborError(f"cannot encode {type(value).__name__}")


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | extra]) + struct.pack(fmt, n)
    raise CborError("integer too large")


def decode(data: bytes) -> Any:
    """Decodes one CBOR item (definite and indefinite lengths, tags as their value)."""
    value, end = _item(data, 0)
    if end != len(data):
        raise CborError("trailing bytes after the CBOR item")
    return value


BREAK = object()


def _item(data: bytes, i: int) -> tuple[Any, int]:
    if i >= len(data):
        raise CborError("truncated CBOR")
    first = data[i]
    major, info = first >> 5, first & 31
    i += 1
    if first == 0xFF:
        return BREAK, i
    if major == 7:
        simple = {20: False, 21: True, 22: None, 23: None}
        if info in simple:
            return simple[info], i
        sizes = {25: (">e", 2), 26: (">f", 4), 27: (">d", 8)}
        if info in sizes:
            fmt, size = sizes[info]
            return struct.unpack(fmt, data[i:i + size])[0], i + size
        raise CborError(f"unsupported simple value {info}")
    if info == 31:
        return _indefinite(data, i, major)
    n, i = _argument(data, i, info)
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        raw = data[i:i + n]
        if len(raw) != n:
            raise CborError("truncated string")
        return (raw if major == 2 else raw.decode()), i + n
    if major == 4:
        out = []
        for _ in range(n):
            v, i = _item(data, i)
            out.append(v)
        return out, i
    if major == 5:
        obj = {}
        for _ in range(n):
            k, i = _item(data, i)
            obj[k], i = _item(data, i)
        return obj, i
    return _item(data, i)  # major 6: a tag; its value stands for itself


def _argument(data: bytes, i: int, info: int) -> tuple[int, int]:
    if info < 24:
        return info, i
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or i + size > len(data):
        raise CborError("bad CBOR length")
    return int.from_bytes(data[i:i + size], "big"), i + size


def _indefinite(data: bytes, i: int, major: int) -> tuple[Any, int]:
    items = []
    while True:
        v, i = _item(data, i)
        if v is BREAK:
            break
        items.append(v)
    if major == 2:
        return b"".join(items), i
    if major == 3:
        return "".join(items), i
    if major == 4:
        return items, i
    if major == 5:
        return dict(zip(items[::2], items[1::2])), i
    raise CborError("bad indefinite-length item")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def backend(account: str, region: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account][region]


def put_metric_alarm(cw: Any, body: dict[str, Any]) -> dict[str, Any]:
    for required in ("AlarmName", "EvaluationPeriods", "ComparisonOperator"):
        if required not in body:
            raise ApiError(400, "MissingParameter", f"The parameter {required} is required.")
    cw.put_metric_alarm(
        name=body["AlarmName"],
        namespace=body.get("Namespace"),
        metric_name=body.get("MetricName"),
        comparison_operator=body["ComparisonOperator"],
        evaluation_periods=int(body["EvaluationPeriods"]),
        period=body.get("Period"),
        threshold=body.get("Threshold"),
        statistic=body.get("Statistic"),
        description=body.get("AlarmDescription"),
        dimensions=body.get("Dimensions", []),
        alarm_actions=body.get("AlarmActions", []),
        datapoints_to_alarm=body.get("DatapointsToAlarm"),
        ok_actions=body.get("OKActions", []),
        insufficient_data_actions=body.get("InsufficientDataActions", []),
        unit=body.get("Unit"),
        actions_enabled=body.get("ActionsEnabled", True),
        treat_missing_data=body.get("TreatMissingData"),
        tags=body.get("Tags", []),
    )
    return {}


def alarm_shape(a: Any) -> dict[str, Any]:
    shape = {
        "AlarmName": a.name,
        "AlarmArn": a.alarm_arn,
        "ActionsEnabled": bool(a.actions_enabled),
        "OKActions": list(a.ok_actions),
        "AlarmActions": list(a.alarm_actions),
        "InsufficientDataActions": list(a.insufficient_data_actions),
        "StateValue": a.state_value,
        "StateReason": a.state_reason,
        "ComparisonOperator": a.comparison_operator,
        "EvaluationPeriods": int(a.evaluation_periods),
        "Dimensions": [{"Name": d.name, "Value": d.value} for d in a.dimensions],
    }
    optional = {
        "AlarmDescription": a.description,
        "MetricName": a.metric_name,
        "Namespace": a.namespace,
        "Statistic": a.statistic,
        "Period": int(a.period) if a.period is not None else None,
        "Threshold": float(a.threshold) if a.threshold is not None else None,
        "TreatMissingData": a.treat_missing_data,
        "DatapointsToAlarm": a.datapoints_to_alarm,
    }
    shape.update({k: v for k, v in optional.items() if v is not None})
    return shape


def describe_alarms(cw: Any, body: dict[str, Any]) -> dict[str, Any]:
    alarms: Iterable[Any] = cw.alarms.values()
    if body.get("AlarmNames"):
        alarms = [a for a in alarms if a.name in body["AlarmNames"]]
    if body.get("AlarmNamePrefix"):
        alarms = [a for a in alarms if a.name.startswith(body["AlarmNamePrefix"])]
    if body.get("ActionPrefix"):
        alarms = [a for a in alarms if any(x.startswith(body["ActionPrefix"]) for x in a.alarm_actions)]
    if body.get("StateValue"):
        alarms = [a for a in alarms if a.state_value == body["StateValue"]]
    return {"MetricAlarms": [alarm_shape(a) for a in sorted(alarms, key=lambda a: a.name)], "CompositeAlarms": []}


def delete_alarms(cw: Any, body: dict[str, Any]) -> dict[str, Any]:
    names = body.get("AlarmNames", [])
    missing = [n for n in names if n not in cw.alarms]
    if missing:
        raise ApiError(404, "ResourceNotFound", f"{missing[0]} does not exist")
    cw.delete_alarms(names)
    return {}


OPERATIONS: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "PutMetricAlarm": put_metric_alarm,
    "DescribeAlarms": describe_alarms,
    "DeleteAlarms": delete_alarms,
}


def respond(start_response: Callable, status: int, body: dict[str, Any]) -> list[bytes]:
    data = encode(body)
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    start_response(f"{status} {reason}", [
        ("Content-Type", "application/cbor"),
        ("smithy-protocol", "rpc-v2-cbor"),
        ("Content-Length", str(len(data))),
    ])
    return [data]


def middleware(app: Callable) -> Callable:
    """A WSGI layer that answers CloudWatch's CBOR requests and passes the rest on."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        match = PATH.match(environ.get("PATH_INFO", ""))
        if not match or environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
            return app(environ, start_response)
        signed = scope(environ)
        if signed is None:
            return respond(start_response, 403, {"__type": "MissingAuthenticationToken", "message": "unsigned request"})
        access_key, region, _ = signed
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = decode(raw) if raw else {}
            if not isinstance(body, dict):
                raise CborError("the input is not a CBOR map")
            operation = OPERATIONS.get(match.group(1))
            if operation is None:
                raise ApiError(400, "UnknownOperationException", f"{match.group(1)} is not emulated")
            return respond(start_response, 200, operation(backend(account_of(access_key), region), body))
        except CborError as e:
            return respond(start_response, 400, {"__type": "SerializationException", "message": str(e)})
        except ApiError as e:
            return respond(start_response, e.status, {"__type": e.code, "message": e.message})
        except Exception as e:  # moto's own validation errors
            code = getattr(e, "error_type", None) or getattr(e, "code", None) or "InvalidParameterValue"
            return respond(start_response, 400, {"__type": str(code), "message": str(e)})

    return wsgi
