"""The index on disk: updates, removals, withdrawn records, one writer at a time, readers that follow commits."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from catalogue.search import IndexBusy, SearchQuery, TantivyIndex, open_index
from catalogue.search.tantivy_index import VERSION_FILE
from catalogue.settings import Settings
from catalogue.store import OxigraphStore, RecordStore

from . import BASE, EX, dataset, iris, records

REPO = Path(__file__).resolve().parents[2]


def test_add_replaces_remove_deletes_and_clear_empties(tmp_path):
    index = open_index(Settings(data_dir=tmp_path))
    first = records(dataset("x", title={"fr": "Ancien titre"}), dataset("y"))
    for record in first:
        index.add(record, None)
    index.commit()
    assert index.count() == 2
    index.add(records(dataset("x", title={"fr": "Nouveau titre"}))[0], None)
    index.commit()
    assert index.count() == 2
    assert iris(index.search(SearchQuery(text="nouveau"))) == ["x"]
    assert iris(index.search(SearchQuery(text="ancien"))) == []
    index.remove(EX + "x")
    index.commit()
    assert index.count() == 1 and iris(index.search(SearchQuery())) == ["y"]
    index.clear()
    index.commit()
    assert index.count() == 0
    index.close()


def test_withdrawn_records_are_not_searchable(tmp_path):
    store = RecordStore(OxigraphStore(tmp_path / "store"), BASE)
    index = open_index(Settings(data_dir=tmp_path), in_memory=True)
    by_iri = {r.iri: r for r in records(dataset("kept"), dataset("gone"))}
    kept, gone = by_iri[EX + "kept"], by_iri[EX + "gone"]
    metas = {r.iri: store.replace(r, source="local", status="valid") for r in (kept, gone)}
    for record in (kept, gone):
        index.add(record, metas[record.iri])
    index.commit()
    assert index.count() == 2
    hit = index.search(SearchQuery(sort="title")).hits[0]
    assert hit.id == metas[hit.iri].id  # the id of the catalogue record, as in the store
    store.mark_withdrawn(metas[gone.iri])
    withdrawn = store.get_meta(gone.iri)
    assert withdrawn.withdrawn is not None
    index.add(gone, withdrawn)  # what the ingest path does when a record is withdrawn
    index.commit()
    assert iris(index.search(SearchQuery())) == ["kept"]


def test_the_writer_is_taken_only_to_write_and_released_at_commit(tmp_path):
    path = tmp_path / "index"
    web = TantivyIndex(path, lock_timeout=0.2)
    cli = TantivyIndex(path, lock_timeout=0.2)
    cli.add(records(dataset("one"))[0], None)
    # while the CLI holds the writer, nobody else can write...
    with pytest.raises(IndexBusy):
        web.remove(EX + "one")
    assert web.count() == 0  # ...and readers do not see uncommitted changes
    cli.commit()
    assert web.count() == 1  # the reader follows the commit
    assert iris(web.search(SearchQuery())) == ["one"]
    web.add(records(dataset("two"))[0], None)  # released: the web process may write now
    web.commit()
    assert cli.count() == 2
    web.close()
    cli.close()


def test_another_process_can_write_while_this_one_reads(tmp_path):
    path = tmp_path / "index"
    reader = TantivyIndex(path)
    assert reader.search(SearchQuery()).total == 0
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        sys.path.insert(0, {str(REPO / "tests")!r})
        from search import dataset, records
        from catalogue.search import TantivyIndex
        index = TantivyIndex({str(path)!r})
        for record in records(dataset("p1"), dataset("p2"), dataset("p3")):
            index.add(record, None)
        index.commit()
        index.close()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert reader.count() == 3
    assert sorted(iris(reader.search(SearchQuery()))) == ["p1", "p2", "p3"]
    reader.add(records(dataset("p4"))[0], None)  # the other process released the writer
    reader.commit()
    assert reader.count() == 4


def test_an_index_of_another_schema_version_is_discarded_and_flagged(tmp_path):
    path = tmp_path / "index"
    index = TantivyIndex(path)
    index.add(records(dataset("x"))[0], None)
    index.close()
    assert TantivyIndex(path).count() == 1 and not TantivyIndex(path).rebuilt
    (path / VERSION_FILE).write_text(json.dumps({"schema_version": -1}))
    reopened = TantivyIndex(path)
    assert reopened.rebuilt and reopened.count() == 0


def test_close_commits_pending_changes(tmp_path):
    index = TantivyIndex(tmp_path / "index")
    index.add(records(dataset("x"))[0], None)
    index.close()
    assert TantivyIndex(tmp_path / "index").count() == 1


def test_lookup_gives_the_indexed_summaries_of_related_records():
    from . import index_of

    index = index_of(dataset("a", title={"fr": "Base A"}), dataset("b", title={"en": "Base B"}))
    found = index.lookup([EX + "b", EX + "a", EX + "missing", EX + "a"])
    assert sorted(found) == [EX + "a", EX + "b"]
    assert found[EX + "a"].title == {"fr": "Base A"} and found[EX + "b"].title == {"en": "Base B"}
    assert index.lookup([]) == {}
