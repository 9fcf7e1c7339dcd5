"""Expands template.yaml's AWS::Serverless resources locally (samtranslator, no network), printing JSON.

cfn-lint alone does not look inside SAM resources; linting the expanded template does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import boto3
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "local"))
from relay_local.template import load_template


class _NoManagedPolicies(ManagedPolicyLoader):  # type: ignore[misc]
    """The template names no AWS managed policies, so nothing needs to be looked up in IAM."""

    def __init__(self) -> None:
        super().__init__(boto3.client("iam", region_name="us-east-1"))

    def load(self) -> dict[str, str]:
        return {}


def _as_if_packaged(template: dict[str, Any]) -> None:
    """Point local code folders at placeholder S3 URIs, as `sam package` would, so the translator accepts them."""
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = f"s3://packaged-code/{properties[key].strip('/')}.zip"


def main(path: str) -> int:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the translator needs a region, never a call
    template = load_template(Path(path))
    _as_if_packaged(template)
    try:
        expanded = transform(template, {}, _NoManagedPolicies())
    except InvalidDocumentException as error:
        for cause in error.causes:
            print(f"error: {cause.message}", file=sys.stderr)
        return 1
    print(json.dumps(expanded, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml"))
