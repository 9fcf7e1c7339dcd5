"""template.yaml as data: the one description of every resource, read by the tests and the local runner."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"

_SCALAR_FUNCTIONS = {"Ref": "Ref", "Condition": "Condition"}
_FUNCTIONS = (
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
)
_CONDITIONS = ("And", "Equals", "Not", "Or")


class _CloudFormationLoader(yaml.SafeLoader):
    """A safe YAML loader that turns CloudFormation's short tags (!Ref, !GetAtt, !Sub...) into their long form."""


def _construct(long_name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {long_name: value}

    return construct


for _short, _long in _SCALAR_FUNCTIONS.items():
    _CloudFormationLoader.add_constructor(f"!{_short}", _construct(_long))
for _name in (*_FUNCTIONS, *_CONDITIONS, "GetAtt"):
    _CloudFormationLoader.add_constructor(f"!{_name}", _construct(f"Fn::{_name}"))


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain data, intrinsic functions in their long form ({"Ref": ...}, {"Fn::GetAtt": [...]})."""
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a CloudFormation template")
    return document


@cache
def project_template() -> dict[str, Any]:
    """This project's template.yaml, read once."""
    return load_template()


def resource(logical_id: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
    """One resource of the template by logical id (KeyError when it is not there)."""
    resources: dict[str, Any] = (template or project_template())["Resources"]
    return dict(resources[logical_id])


def table_definition(logical_id: str = "TasksTable", template: dict[str, Any] | None = None) -> dict[str, Any]:
    """create_table arguments (keys, attributes, indexes, billing) exactly as the template declares the table."""
    properties = resource(logical_id, template)["Properties"]
    definition: dict[str, Any] = {
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    if "GlobalSecondaryIndexes" in properties:
        definition["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "SSESpecification" in properties:  # CloudFormation says SSEEnabled where the API says Enabled
        definition["SSESpecification"] = {"Enabled": properties["SSESpecification"]["SSEEnabled"]}
    return definition
