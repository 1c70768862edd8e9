"""hubfix's extension of moto: the AWS APIs moto lacks and hubfix needs."""

from . import ec2, s3, securityhub


def install() -> None:
    """Installs every extension; call before the moto server app is built."""
    securityhub.install()
    s3.install()
    ec2.install()
