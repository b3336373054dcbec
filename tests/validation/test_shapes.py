"""The shipped shape files and vocabularies are unmodified copies; fixes are separate and work."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal

from catalogue.validation import PROFILES, engine
from catalogue.validation.shapes import SHAPES_DIR, VOCABULARY_DIR, apply_fixes, load_shape_files
from catalogue.vocab import SH

from .conftest import HEALTHDCAT, REFERENCE, need_file

COPIES = {
    "dcat-ap-3.0.1/shapes.ttl": "dcat-ap/3.0.1/shacl-html/shapes.ttl",
    "dcat-ap-3.0.1/range.ttl": "dcat-ap/3.0.1/shacl-html/range.ttl",
    "dcat-ap-3.0.1/shapes_recommended.ttl": "dcat-ap/3.0.1/shacl-html/shapes_recommended.ttl",
    "healthdcat-ap-r8/non-public-shapes.ttl": "healthdcat-ap/official-release8-via-sdc/non-public-shapes.ttl",
    "healthdcat-ap-r8/range.ttl": "healthdcat-ap/official-release8-via-sdc/range.ttl",
    **{
        f"healthdcat-ap-r8/{level}-shapes.ttl": f"healthdcat-ap/official-release8-via-sdc/validator/shapes/{level}-shapes.ttl"
        for level in ("public", "restricted")
    },
    **{
        f"healthdcat-ap-r8/{level}-shapes_recommended.ttl": (
            f"healthdcat-ap/official-release8-via-sdc/validator/recommended/{level}-shapes_recommended.ttl"
        )
        for level in ("public", "restricted", "non-public")
    },
    **{
        f"health-ri-434fa34/{name}.ttl": f"healthdcat-ap/health-ri-metadata/shapes/FairDataPointShape/{name}.ttl"
        for name in ("Dataset", "Distribution", "DataService", "DatasetSeries")
    },
}


@pytest.mark.parametrize(("ours", "official"), sorted(COPIES.items()))
def test_shape_files_are_unmodified_copies(ours, official):
    assert (SHAPES_DIR / ours).read_bytes() == need_file(REFERENCE / official).read_bytes()


def test_vocabularies_are_unmodified_copies():
    shipped = sorted(p for p in VOCABULARY_DIR.iterdir() if p.suffix in (".rdf", ".ttl"))
    assert len(shipped) == 11
    for path in shipped:
        candidates = [REFERENCE / "eu-vocabularies" / path.name, HEALTHDCAT / "validator" / "catalogue" / path.name]
        original = next((c for c in candidates if c.exists()), None)
        if original is None:
            need_file(candidates[0])
        assert path.read_bytes() == original.read_bytes(), path.name


def test_every_shape_folder_says_where_it_comes_from():
    for folder in (p for p in SHAPES_DIR.iterdir() if p.is_dir()):
        text = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "Licence" in text or "licence" in text, folder
    for folder in ("dcat-ap-3.0.1", "healthdcat-ap-r8", "health-ri-434fa34"):
        assert "CC BY 4.0" in (SHAPES_DIR / folder / "LICENCE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in (VOCABULARY_DIR / "SOURCE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(n for n, p in PROFILES.items() if p.fixes))
def test_every_fix_still_changes_something(name):
    """A fix that changes nothing means the upstream defect is gone: review the fix file."""
    fixes = engine.loaded_profile(name).fixes
    assert fixes
    for fix in fixes:
        assert fix.changed > 0, fix
        assert fix.defect in (2, 3), fix


def test_fixed_sets_have_no_known_defect_left():
    for name in PROFILES:
        graph = engine.loaded_profile(name).graph
        assert not list(graph.triples((None, SH.shape, None))), name  # defect 2
        assert not list(graph.triples((None, SH.extends, None))), name  # defect 3
        for _, prop in graph.subject_objects(SH.property):  # defect 3
            assert graph.value(prop, SH.path) is not None, name


def test_unfixed_healthdcat_set_is_refused_by_both_engines():
    """Why the fixes exist: pyshacl aborts on the path-less property shape, turbo on sh:extends."""
    import pyshacl
    import pyshacl_turbo

    official = load_shape_files([SHAPES_DIR / "healthdcat-ap-r8" / "non-public-shapes.ttl"])
    data = Graph().parse(need_file(HEALTHDCAT / "example-healthdcat-dataset.ttl"))
    with pytest.raises(Exception, match="PropertyShape|path"):
        pyshacl.validate(data, shacl_graph=official)
    with pytest.raises(NotImplementedError, match="sh:extends"):
        pyshacl_turbo.compile_shapes(official)


def test_defect_2_fix_turns_on_the_date_checks():
    official = load_shape_files([SHAPES_DIR / "dcat-ap-3.0.1" / "shapes.ttl"])
    assert len(list(official.triples((None, SH.shape, None)))) == 5
    fixed = load_shape_files([SHAPES_DIR / "dcat-ap-3.0.1" / "shapes.ttl"])
    applied = apply_fixes(fixed, Graph().parse(SHAPES_DIR / "dcat-ap-3.0.1" / "fixes.ttl"))
    assert [(f.defect, f.changed) for f in applied] == [(2, 5)]


def test_national_rules_speak_french_and_english():
    graph = Graph().parse(SHAPES_DIR / "national" / "national-rules.ttl")
    shapes = {s for s in graph.subjects(SH.path, None)} | set(graph.subjects(RDF.type, SH.NodeShape))
    property_shapes = {s for s in shapes if graph.value(s, SH.path) is not None}
    assert len(property_shapes) >= 6 and len(shapes - property_shapes) >= 3
    for shape in shapes:
        langs = {m.language for m in graph.objects(shape, SH.message) if isinstance(m, Literal)}
        assert {"fr", "en"} <= langs, shape
    for shape in property_shapes:
        names = {m.language for m in graph.objects(shape, SH.name)}
        assert {"fr", "en"} <= names, shape
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
