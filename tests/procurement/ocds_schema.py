"""The official OCDS 1.1 release package schema, read from disk (never fetched), as a validator."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(os.environ.get("OCDS_SCHEMA_DIR") or Path(__file__).resolve().parents[3] / "shared/data/ocds")


def package_validator() -> Draft4Validator:
    """A validator of release packages; skips the test when the schemas are not on disk."""
    package_path, release_path = SCHEMA_DIR / "release-package-schema.json", SCHEMA_DIR / "release-schema.json"
    if not (package_path.is_file() and release_path.is_file()):
        pytest.skip(f"OCDS schemas not found in {SCHEMA_DIR} (set OCDS_SCHEMA_DIR to the folder holding "
                    "release-package-schema.json and release-schema.json)")
    package, release = (json.loads(p.read_text()) for p in (package_path, release_path))
    # The package schema refers to the release schema by its URL: serve that URL from the file.
    registry = Registry().with_resources([(schema["id"], DRAFT4.create_resource(schema))
                                          for schema in (package, release)])
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(validator: Draft4Validator, package: dict) -> list[str]:
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors]
