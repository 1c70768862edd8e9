"""Product integrations, which moto 5.2.5 lacks: EnableImportFindingsForProduct,
DisableImportFindingsForProduct and ListEnabledProductsForImport, following the
Security Hub API reference.

A product ARN is `arn:aws:securityhub:<region>::product/<company>/<product>` of the
caller's region; its subscription ARN
`arn:aws:securityhub:<region>:<account>:product-subscription/<company>/<product>`.
Subscriptions are per account and region; Security Hub must be enabled. Enabling an
enabled product is a ResourceConflictException, disabling an unknown subscription a
ResourceNotFoundException.
"""

from __future__ import annotations

import re
from typing import Any

from moto.securityhub.models import SecurityHubBackend

from .errors import InvalidInput, ResourceConflict, ResourceNotFound
from .organization import page, require_enabled

PRODUCT = re.compile(r"^arn:aws[a-z-]*:securityhub:([a-z0-9-]+)::product/([A-Za-z0-9._-]+/[A-Za-z0-9._-]+)$")


def products_of(backend: SecurityHubBackend) -> dict[str, str]:
    """`<company>/<product>` -> subscription ARN, in the order enabled."""
    if not getattr(backend, "hubfix_products", None):
        backend.hubfix_products = {}
    return backend.hubfix_products


def enable_import_findings_for_product(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    require_enabled(backend)
    arn = body.get("ProductArn")
    match = PRODUCT.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise InvalidInput(f"ProductArn {arn!r} is not a product ARN (arn:aws:securityhub:<region>::product/<company>/<product>)")
    if match.group(1) != backend.region_name:
        raise InvalidInput(f"ProductArn {arn} is not a product of {backend.region_name}")
    path = match.group(2)
    products = products_of(backend)
    if path in products:
        raise ResourceConflict(f"{backend.account_id} already imports findings from {path}")
    products[path] = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:product-subscription/{path}"
    return {"ProductSubscriptionArn": products[path]}


def disable_import_findings_for_product(backend: SecurityHubBackend, arn: str) -> dict[str, Any]:
    require_enabled(backend)
    products = products_of(backend)
    path = next((p for p, sub in products.items() if sub == arn), None)
    if path is None:
        raise ResourceNotFound(f"No product subscription {arn}")
    del products[path]
    return {}


def list_enabled_products_for_import(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    require_enabled(backend)
    return page(list(products_of(backend).values()), query, "ProductSubscriptions", max_size=100)
