"""GuardDuty UpdateDetector's features merged by name, through boto3 over HTTP."""

from __future__ import annotations


def test_updating_one_feature_keeps_the_others(emulator):
    guardduty = emulator.client("guardduty")
    detector = guardduty.create_detector(
        Enable=True,
        Features=[
            {"Name": "S3_DATA_EVENTS", "Status": "DISABLED"},
            {"Name": "RDS_LOGIN_EVENTS", "Status": "DISABLED"},
            {"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"},
        ],
    )["DetectorId"]

    def features():
        got = guardduty.get_detector(DetectorId=detector)["Features"]
        return {f["Name"]: f["Status"] for f in got}

    guardduty.update_detector(DetectorId=detector, Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}])
    assert features() == {
        "S3_DATA_EVENTS": "ENABLED",
        "RDS_LOGIN_EVENTS": "DISABLED",
        "EBS_MALWARE_PROTECTION": "ENABLED",
    }
    guardduty.update_detector(DetectorId=detector, Features=[{"Name": "LAMBDA_NETWORK_LOGS", "Status": "ENABLED"}])
    assert features()["LAMBDA_NETWORK_LOGS"] == "ENABLED"
    assert features()["S3_DATA_EVENTS"] == "ENABLED"
    guardduty.update_detector(DetectorId=detector, Enable=True)
    assert len(features()) == 4, "an update without features leaves them"
