"""The public API others code against (catalogue.ingest, harvest reports, the web pages)."""

from __future__ import annotations

import dataclasses
import inspect

import catalogue.validation as validation
from catalogue.settings import Settings
from catalogue.validation import Problem, Report, Validator


def test_exports():
    assert {"Validator", "Report", "Problem"} <= set(validation.__all__)
    assert validation.ENGINES == ("turbo", "pyshacl")


def test_validator_signatures():
    assert list(inspect.signature(Validator).parameters)[:1] == ["engine"]
    assert inspect.signature(Validator).parameters["engine"].default == "turbo"
    params = inspect.signature(Validator.validate).parameters
    assert list(params) == ["self", "graph", "focus", "profiles"]
    assert params["focus"].default is None and params["profiles"].default is None
    assert list(inspect.signature(Validator.profiles_for).parameters) == ["self", "graph", "focus"]


def test_problem_fields():
    names = [f.name for f in dataclasses.fields(Problem)]
    assert names[:11] == [
        "dataset",
        "focus_node",
        "path",
        "property_label_fr",
        "property_label_en",
        "value",
        "severity",
        "message_fr",
        "message_en",
        "profile",
        "shape",
    ]


def test_report_members():
    for name in ("conforms", "problems", "violations", "warnings", "profiles", "to_dict", "format_text"):
        assert hasattr(Report, name) or name in {f.name for f in dataclasses.fields(Report)}


def test_engine_from_settings():
    assert Validator.from_settings(Settings(shacl_engine="pyshacl")).engine == "pyshacl"
    assert Validator.from_settings(Settings()).engine == "turbo"
    try:
        Validator("jena")
    except ValueError as error:
        assert "turbo" in str(error)
    else:  # pragma: no cover
        raise AssertionError("unknown engine accepted")
