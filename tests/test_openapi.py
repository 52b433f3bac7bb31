"""The OpenAPI document a frontend team generates its client from."""

import json
import re
from pathlib import Path

from app.main import create_app

SNAPSHOT = Path(__file__).resolve().parents[1] / "clients" / "openapi.json"
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def test_committed_snapshot_is_the_apps_schema():
    current = json.loads(json.dumps(create_app().openapi(), sort_keys=True))
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert current == committed, (
        "the API changed: run `apologismos openapi -o clients/openapi.json` and commit it "
        "(the TypeScript client is generated from it)"
    )


def test_every_operation_is_documented_for_a_generated_client():
    schema = create_app().openapi()
    ids = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            assert CAMEL.match(op["operationId"]), where
            assert op.get("tags"), where
            assert op.get("summary"), where
            ids.append(op["operationId"])
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], where
    assert len(ids) == len(set(ids))
