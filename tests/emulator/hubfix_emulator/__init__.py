"""hubfix's extension of moto: the AWS APIs moto lacks and hubfix needs."""

from typing import Callable

from . import (
    accessanalyzer,
    admin,
    apigatewayv2,
    athena,
    autoscaling,
    automation,
    awslambda,
    cloudformation,
    cloudtrail,
    cloudwatch,
    codebuild,
    core,
    ec2,
    ecr,
    elasticache,
    elbv2,
    emr,
    guardduty,
    guardduty_tags,
    iam,
    macie2,
    organizations,
    s3,
    scp,
    securityhub,
    sns,
    sqs,
    ssm_settings,
)


def install() -> None:
    """Installs every extension; call before the moto server app is built."""
    core.install()
    iam.install()
    securityhub.install()
    s3.install()
    ec2.install()
    elbv2.install()
    autoscaling.install()
    codebuild.install()
    ecr.install()
    elasticache.install()
    emr.install()
    athena.install()
    apigatewayv2.install()
    cloudformation.install()
    macie2.install()
    guardduty.install()
    awslambda.install()
    cloudtrail.install()
    sns.install()
    sqs.install()
    organizations.install()
    scp.install()


def wsgi(moto_app: Callable) -> Callable:
    """The server app: moto, behind the services the extension adds whole and the
    extension's admin endpoints (`/_hubfix/...`); service control policies are enforced
    in front of all of them."""
    app = guardduty_tags.middleware(ssm_settings.middleware(
        automation.middleware(cloudwatch.middleware(accessanalyzer.middleware(moto_app)))
    ))
    return admin.middleware(scp.middleware(app), {**securityhub.ADMIN_ROUTES, **organizations.ROUTES})
