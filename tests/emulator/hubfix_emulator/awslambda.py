"""Lambda without Docker.

moto runs invoked Lambda functions in Docker containers; the emulator has none. It
turns on moto's documented Docker-less mode (`lambda.use_docker = False`): functions
are created, described and given policies as usual, and an invocation answers without
running the function's code. Services that invoke functions themselves use it too:
Secrets Manager's RotateSecret runs the rotation function's testSecret step.
"""

from __future__ import annotations


def install() -> None:
    """Selects moto's Docker-less Lambda backend for every account and region."""
    from moto.core.config import default_user_config

    default_user_config["lambda"]["use_docker"] = False
