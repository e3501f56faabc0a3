"""The schema as generated clients and strict validators read it (the contract; make api-contract)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from httpapi.schema import enum_varname
from tests import contract

#: Properties of output schemas that a response may leave out, each for a reason the API documents.
SOMETIMES_ABSENT = {
    ("ClaimReviewArticleOutput", "headline"),  # an article without a title has no headline
    ("ClaimReviewItemOutput", "author"),  # a quotation's speaker is not known
    *(
        ("ProviderDataOutput", name)  # the keys the provider gave, and only those
        for name in (
            "verdict",
            "claim",
            "article",
            "overlap",
            "score",
            "title",
            "snippet",
            "rating",
            "publisher",
        )
    ),
}


def components() -> dict:
    return contract.schema()["components"]["schemas"]


def output_schemas() -> dict:
    return {
        name: schema
        for name, schema in components().items()
        if name.endswith(("Output", "Data", "Payload")) or name.startswith("Paginated")
    }


def test_every_property_of_an_output_is_required_unless_documented_otherwise():
    optional = {
        (name, prop)
        for name, schema in output_schemas().items()
        for prop in schema.get("properties", {})
        if prop not in schema.get("required", [])
    }
    assert optional == SOMETIMES_ABSENT
    assert len(output_schemas()) > 40


def test_output_properties_are_read_only():
    writable = [
        (name, prop)
        for name, schema in output_schemas().items()
        if not name.startswith("Paginated")
        for prop, value in schema.get("properties", {}).items()
        if (name, prop) not in SOMETIMES_ABSENT and not value.get("readOnly")
    ]
    assert writable == []


def test_nullable_always_stands_beside_a_type():
    """OpenAPI 3.0 ignores nullable without a type (Redocly: nullable-type-sibling)."""
    untyped = [node for node in contract_nodes() if node.get("nullable") and "type" not in node]
    assert untyped == []


def contract_nodes():
    stack = [contract.schema()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def test_every_enum_is_a_named_component_with_readable_names():
    enums = {name: schema for name, schema in components().items() if "enum" in schema}
    assert {"ClaimStatusEnum", "ErrorCodeEnum", "AttributionFlagKindEnum", "FlagSeverityEnum",
            "AuditActionEnum", "ClaimOrderingEnum", "ArticleOrderingEnum"} <= set(enums)  # fmt: skip
    for name, schema in enums.items():
        if schema["enum"] == [None]:
            continue
        names = schema["x-enum-varnames"]
        assert len(names) == len(set(names)) == len(schema["enum"]), name
    ordering = enums["ClaimOrderingEnum"]
    assert dict(zip(ordering["enum"], ordering["x-enum-varnames"], strict=True))["-checkworthiness"] == (
        "CHECKWORTHINESS_DESC"
    )
    inline = [node["enum"] for node in contract_nodes() if "enum" in node and node not in enums.values()]
    assert inline == []  # parameters and properties refer to the components


@pytest.mark.parametrize(
    ("value", "name"),
    [("-updated_at", "UPDATED_AT_DESC"), ("claim.status_changed", "CLAIM_STATUS_CHANGED"), ("", "BLANK")],
)
def test_enum_varnames(value, name):
    assert enum_varname(value) == name


def test_filters_take_the_same_enum_as_the_objects():
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in contract.schema()["paths"]["/api/v1/claims"]["get"]["parameters"]
    }
    assert parameters["status"] == {"$ref": "#/components/schemas/ClaimStatusEnum"}
    assert parameters["flag_kind"] == {"$ref": "#/components/schemas/AttributionFlagKindEnum"}
    assert parameters["ordering"] == {"$ref": "#/components/schemas/ClaimOrderingEnum"}


def test_the_error_code_is_an_enum_and_webhook_payloads_are_typed_per_event():
    assert components()["ErrorOutput"]["properties"]["code"]["allOf"] == [
        {"$ref": "#/components/schemas/ErrorCodeEnum"}
    ]
    assert {"conflict", "idempotency_key_in_use"} <= set(components()["ErrorCodeEnum"]["enum"])
    payload = components()["WebhookPayload"]
    assert payload["discriminator"]["propertyName"] == "type"
    assert set(payload["discriminator"]["mapping"]) == {
        "article.analyzed", "claim.flagged", "claim.status_changed", "source.fetched", "ping",
    }  # fmt: skip


def test_the_server_is_site_url_and_both_key_schemes_are_modelled():
    schema = contract.schema()
    assert schema["servers"][0]["url"] == settings.SITE_URL
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerKey"] == {**schemes["BearerKey"], "type": "http", "scheme": "bearer"}
    assert schemes["ApiKey"]["name"] == "Authorization"


def test_no_operation_publishes_a_python_docstring():
    """Descriptions are for integrators (Markdown); a docstring's ``double backticks`` are not."""
    leaked = [
        f"{method} {path}"
        for path, operations in contract.schema()["paths"].items()
        for method, operation in operations.items()
        if "``" in operation.get("description", "") + operation.get("summary", "")
    ]
    assert leaked == []


def test_a_response_the_schema_does_not_allow_fails(api, newsroom):
    """The validator every test's responses go through refuses an undocumented field and a wrong type."""
    with contract.unchecked():
        response = api.get("/api/v1/desks")
    contract.validate(response.wsgi_request, response)  # as it is, it passes

    body = json.loads(response.content)
    for broken in (
        {**body, "extra": 1},
        {**body, "next_cursor": 5},
        {k: v for k, v in body.items() if k != "next"},
    ):
        response.content = json.dumps(broken).encode()
        with pytest.raises(contract.ContractViolation):
            contract.validate(response.wsgi_request, response)


def test_an_undocumented_status_fails(api):
    with contract.unchecked():
        response = api.get("/api/v1/desks")
    response.status_code = 418
    with pytest.raises(contract.ContractViolation, match="418"):
        contract.validate(response.wsgi_request, response)


def test_an_article_without_a_url_is_valid(api, newsroom):
    """'' was valid under both branches of the article url's oneOf, which a strict validator refuses."""
    submitted = api.post("/api/v1/articles", {"external_id": "x", "body": "The council met."}, format="json")
    assert submitted.status_code == 202
    article = api.get(f"/api/v1/articles/{submitted.json()['id']}")  # validated on the way (url "")
    assert article.json()["url"] == ""
