"""Random and hostile bodies: only the client's typed errors ever escape, and no URL query leaks into them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from relay.iceye.client import _parse
from relay.iceye.errors import IceyeBadResponse, Problem
from relay.iceye.models import DerivativesBody, Task, TaskPage

SECRET_QUERY = "Signature=SECRETSIG&Key-Pair-Id=K"
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.just(f"https://cdn.example/x.geojson?Expires=1&{SECRET_QUERY}"),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
derivative_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "derivativeProductType": st.sampled_from(["DC_AIRCRAFT", "DC_NEW", "", 5]) | json_values,
        "imageReference": json_values,
        "assets": st.lists(st.fixed_dictionaries({}, optional={"type": json_values, "href": json_values}), max_size=3)
        | json_values,
    },
)
bodies = json_values | st.fixed_dictionaries({"data": st.lists(derivative_like, max_size=3) | json_values})


class _Response:
    """Just enough of requests.Response for the parser: bytes and a status."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.status_code = 200


def _error_of(raw: bytes, model: type[Any]) -> str:
    """The parser's error message for `raw`, or "" when it parsed; any other exception fails the test."""
    try:
        _parse(_Response(raw), model, "test")  # type: ignore[arg-type]
    except IceyeBadResponse as error:
        return str(error)
    return ""


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_any_json_body_parses_or_raises_bad_response_without_leaking(body: Any) -> None:
    for model in (DerivativesBody, Task, TaskPage):
        assert "SECRETSIG" not in _error_of(json.dumps(body).encode(), model)


@settings(max_examples=200)
@given(raw=st.binary(max_size=200))
def test_any_bytes_parse_or_raise_bad_response(raw: bytes) -> None:
    assert "SECRETSIG" not in _error_of(raw, DerivativesBody)


@given(body=json_values)
def test_problem_details_never_raise(body: Any) -> None:
    problem = Problem.parse(body)
    assert problem is None or isinstance(problem.describe(), str)


def test_problem_accepts_the_rfc_detail_spelling() -> None:
    problem = Problem.parse({"title": "Nope", "detail": "see https://x/y?Signature=abc", "code": "C"})
    assert problem is not None
    assert problem.details is not None
    assert "Signature=abc" not in problem.describe()


def test_an_href_is_never_shown_by_repr() -> None:
    body = DerivativesBody.model_validate(
        {
            "data": [
                {
                    "id": "d",
                    "derivativeProductType": "DC_VESSELS",
                    "assets": [{"type": "geojson", "href": f"https://cdn/x.geojson?Expires=1&{SECRET_QUERY}"}],
                }
            ]
        }
    )
    assert "SECRETSIG" not in repr(body)
    assert "SECRETSIG" not in str(body)
    with pytest.raises(ValidationError) as refused:
        DerivativesBody.model_validate({"data": [{"id": "d", "derivativeProductType": "X", "assets": [{"href": 1}]}]})
    assert "href" in str(refused.value)
