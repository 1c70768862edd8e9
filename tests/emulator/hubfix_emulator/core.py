"""Costs moto 5.2.5's server pays on every request, whatever the service.

To find a request's service, moto's dispatcher lists moto's package directory (about
170 entries, each checked with a stat call) on every request, about 2 ms; the
directory does not change while the server runs, so the list is read once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from moto import backends

moto_list_of_moto_modules = backends.list_of_moto_modules


@functools.cache
def moto_modules() -> tuple[str, ...]:
    """moto's service modules, listed once."""
    return tuple(moto_list_of_moto_modules())


def list_of_moto_modules() -> Iterable[str]:
    """What moto's dispatcher asks for on every request."""
    return moto_modules()


def install() -> None:
    """Lists moto's modules once."""
    backends.list_of_moto_modules = list_of_moto_modules
