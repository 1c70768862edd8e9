"""hubfix's extension of moto: the AWS APIs moto lacks and hubfix needs."""

from . import s3, securityhub


def install() -> None:
    """Installs every extension; call before the moto server app is built."""
    securityhub.install()
    s3.install()
