"""The `catalogue` command: a thin shell over the library that turns errors into messages and exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import CatalogueError
from .settings import Settings


def _settings() -> Settings:
    return Settings.from_env()


def _open(settings: Settings | None = None):
    from .core import open_catalogue

    return open_catalogue(settings or _settings())


def _lang() -> str:
    import os

    return "fr" if os.environ.get("LANG", "").startswith("fr") else "en"


class CatalogueGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CatalogueError as exc:
            click.echo(f"Error: {exc.describe(_lang())}", err=True)
            sys.exit(2)


@click.group(cls=CatalogueGroup)
def main() -> None:
    """National health-data metadata catalogue (DCAT-AP 3 / HealthDCAT-AP)."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--source", default="local", show_default=True, help="Name of the source that owns the records.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
def load(paths: tuple[Path, ...], source: str, progress: bool) -> None:
    """Load RDF files (or folders of them) into the catalogue through the validating ingest path."""
    from tqdm import tqdm

    from .ingest import BatchResult, ingest_path, iter_rdf_files

    files = list(iter_rdf_files(paths))
    total = BatchResult(keep_all=False)
    failed_files = 0
    # One bar of records (a single file may hold 100,000 of them), the file being read as postfix.
    with _open() as catalogue, tqdm(unit=" records", disable=not progress, file=sys.stderr) as bar:
        for number, path in enumerate(files, 1):
            bar.set_postfix_str(f"{path.name} ({number}/{len(files)})")
            try:
                result = ingest_path(catalogue, path, source=source, keep_all=False,
                                     on_outcome=lambda _outcome: bar.update(1))
            except CatalogueError as exc:
                failed_files += 1
                tqdm.write(f"{path}: {exc.describe(_lang())}", file=sys.stderr)
            else:
                total.merge(result)
                for outcome in result.rejected:
                    tqdm.write(f"rejected {outcome.iri}: {outcome.error}", file=sys.stderr)
                    if outcome.report:
                        tqdm.write(_report_lines(outcome.report, _lang()), file=sys.stderr)
    counts = total.counts
    click.echo(
        f"accepted {counts['accepted']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
        f"rejected {counts['rejected']}, files refused {failed_files}"
        f" ({total.tally.get('with_warnings', 0)} with warnings)"
    )
    if counts["rejected"] or failed_files:
        sys.exit(1)


def _report_lines(report: dict, lang: str) -> str:
    """A stored report (Report.to_dict()) as text, one line per problem."""
    lines = []
    for problem in report.get("problems", []):
        label = problem.get(f"property_label_{lang}") or problem.get("path") or ""
        value = f" = {problem['value']}" if problem.get("value") else ""
        message = problem.get(f"message_{lang}") or problem.get("message_en", "")
        lines.append(f"  [{problem.get('severity')}] {problem.get('focus_node', '')} {label}{value}: {message}")
    return "\n".join(lines)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None, help="Language of the messages.")
def validate(path: Path, output: str, lang: str | None) -> None:
    """Validate the records of a file without storing anything. Exits 1 on violations."""
    from . import rdf
    from .records import split_records
    from .validation import Validator

    settings = _settings()
    data = path.read_bytes()
    rdf.check_size(len(data), settings.max_input_bytes, path.name)
    fmt = rdf.detect_format(filename=path.name, head=data[:4096])
    dataset = rdf.parse_dataset(data, fmt=fmt, base_iri=settings.base_iri + "/", where=path.name)
    validator = Validator(engine=settings.shacl_engine)
    reports = []
    for record in split_records(dataset, base_iri=settings.base_iri, max_triples=settings.max_triples_per_record,
                                max_term_length=settings.max_term_length):
        import rdflib

        reports.append((record.iri, validator.validate(record.to_rdflib(), focus=rdflib.URIRef(record.iri))))
    conforms = all(report.conforms for _, report in reports)
    if output == "json":
        click.echo(json.dumps({"conforms": conforms, "records": [
            {"iri": iri, **report.to_dict()} for iri, report in reports]}, ensure_ascii=False, indent=2))
    else:
        lang = lang or _lang()
        for iri, report in reports:
            verdict = ("conforme" if report.conforms else "NON CONFORME") if lang == "fr" else (
                "conforms" if report.conforms else "DOES NOT CONFORM")
            click.echo(f"{iri}: {verdict}")
            if report.problems:
                click.echo(report.format_text(lang))
        if not reports:
            click.echo("Aucune fiche trouvée." if lang == "fr" else "No record found.")
    sys.exit(0 if conforms and reports else 1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "rdfxml"]), default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(fmt: str, output: Path | None) -> None:
    """Export the whole catalogue as DCAT-AP (streamed)."""
    import pyoxigraph as ox

    from .export import iter_catalogue_triples
    from .rdf import format_by_name
    from .vocab import PREFIXES

    info = format_by_name(fmt)
    prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in ("ttl", "rdfxml") else None
    with _open() as catalogue:
        target = output.open("wb") if output else sys.stdout.buffer
        try:
            kwargs = {"prefixes": prefixes} if prefixes else {}
            ox.serialize(iter_catalogue_triples(catalogue), target, format=info.oxigraph, **kwargs)
        finally:
            if output:
                target.close()


@main.command()
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def stats(output: str) -> None:
    """Counts of records by type, source and validation status."""
    from collections import Counter

    from .export import iter_metas

    with _open() as catalogue:
        metas = list(iter_metas(catalogue, include_withdrawn=True))
    summary = {
        "records": len(metas),
        "by_type": dict(Counter(m.kind.rsplit("#", 1)[-1] for m in metas)),
        "by_source": dict(Counter(m.source for m in metas)),
        "by_status": dict(Counter(m.status for m in metas)),
        "withdrawn": sum(1 for m in metas if m.withdrawn),
    }
    if output == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"records: {summary['records']}")
    for key in ("by_type", "by_source", "by_status"):
        for name, count in sorted(summary[key].items()):
            click.echo(f"  {key[3:]} {name}: {count}")
    click.echo(f"withdrawn: {summary['withdrawn']}")


@main.command()
@click.argument("iri")
def delete(iri: str) -> None:
    """Delete one record (dataset, series or service IRI) from the store and the index."""
    from .ingest import delete_record

    with _open() as catalogue:
        if not delete_record(catalogue, iri):
            click.echo(f"No record for {iri}", err=True)
            sys.exit(1)
    click.echo(f"deleted {iri}")


@main.command()
def reindex() -> None:
    """Rebuild the search index from the store."""
    from .search.reindex import reindex as rebuild

    with _open() as catalogue:
        count = rebuild(catalogue)
    click.echo(f"indexed {count} records")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web UI (development server; use gunicorn in production, see README)."""
    from webapp import create_app

    app = create_app(_settings())
    click.echo(f"Serving on http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


# Feature command groups living in their own modules: (module, attribute) of a click command or group.
FEATURE_COMMANDS = [
    ("catalogue.cli_harvest", "source"),
    ("catalogue.cli_harvest", "harvest"),
    ("catalogue.cli_tokens", "token"),
]


def _register_feature_commands() -> None:
    import importlib

    for module_name, attribute in FEATURE_COMMANDS:
        main.add_command(getattr(importlib.import_module(module_name), attribute))


_register_feature_commands()

if __name__ == "__main__":
    main()
