"""The local runner builds each function's environment from template.yaml, as a deploy would."""

from __future__ import annotations

import pytest

from relay.settings import FanoutSettings, IceyeSettings, PollSettings, RegisterSettings
from relay_local.aws import LocalStack, UnresolvedReference, function_environment, template_parameters

STACK = LocalStack(
    endpoint="http://127.0.0.1:1",
    refs={
        "TasksTable": "table",
        "CopyQueue": "https://queue",
        "NotificationsTopic": "arn:aws:sns:us-east-1:123456789012:topic",
        "DerivativesBucket": "bucket",
    },
)
PARAMETERS = template_parameters(
    {"IceyeTokenUrl": "https://token", "IceyeCredentialsSecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:x"}
)


@pytest.mark.parametrize(
    ("function", "settings"),
    [("PollFunction", PollSettings), ("FanoutFunction", FanoutSettings), ("RegisterFunction", RegisterSettings)],
)
def test_every_variable_resolves_and_the_settings_validate(function: str, settings: type[PollSettings]) -> None:
    environment = function_environment(function, STACK, PARAMETERS)
    assert environment["TABLE_NAME"] == "table"
    assert environment["ICEYE_API_BASE_URL"] == "https://platform.iceye.com"
    settings.from_env(environment)
    IceyeSettings.from_env(environment)


def test_an_unknown_reference_fails_loudly() -> None:
    with pytest.raises(UnresolvedReference):
        STACK.resolve({"Ref": "NoSuchThing"}, PARAMETERS)
