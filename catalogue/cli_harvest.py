"""`catalogue source ...` and `catalogue harvest ...`: a thin shell over catalogue.harvest."""

from __future__ import annotations

import json
import sys

import click


def _open():
    from .cli import _open as open_catalogue  # imported late: cli.py imports this module when it loads

    return open_catalogue()


def _lang() -> str:
    from .cli import _lang as lang

    return lang()


@click.group()
def source() -> None:
    """Manage harvest sources (partner and European DCAT-AP feeds, CKAN portals)."""


@source.command("add")
@click.argument("url")
@click.option("--name", required=True, help="Short name: lower-case letters, digits, '-' and '_'.")
@click.option("--schedule", type=click.Choice(["daily", "weekly", "manual"]), default="manual", show_default=True)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["dcat", "ckan"]),
    default="dcat",
    show_default=True,
    help="dcat: a DCAT-AP feed in any RDF format (Hydra paging); ckan: a CKAN portal's action API.",
)
def source_add(url: str, name: str, schedule: str, kind: str) -> None:
    """Add a harvest source."""
    from .harvest import Source, SourceRegistry

    with _open() as catalogue:
        added = SourceRegistry(catalogue.store, catalogue.settings.base_iri).add(Source(name, url, kind, schedule))
    click.echo(f"added source {added.name} ({added.type}, {added.schedule}): {added.url}")


@source.command("list")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def source_list(output: str) -> None:
    """List the harvest sources with their last run."""
    from .harvest import RunHistory, SourceRegistry

    with _open() as catalogue:
        sources = SourceRegistry(catalogue.store, catalogue.settings.base_iri).list()
        history = RunHistory(catalogue.store, catalogue.settings.base_iri)
        rows = []
        for item in sources:
            last = history.list(item.name, limit=1)
            rows.append({**item.to_dict(), "last_run": last[0] if last else None})
    if output == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("Aucune source." if _lang() == "fr" else "No source.")
    for row in rows:
        last = row["last_run"]
        when = f"{last['started']} {last['status']}" if last else "never run"
        click.echo(f"{row['name']}\t{row['type']}\t{row['schedule']}\t{row['url']}\t{when}")


@source.command("remove")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Also delete every record harvested from this source.")
def source_remove(name: str, purge: bool) -> None:
    """Remove a harvest source (its records stay, owned by harvest:NAME, unless --purge)."""
    from .harvest import SourceRegistry, owner_of
    from .harvest.paging import PageStates
    from .ingest import delete_record

    with _open() as catalogue:
        SourceRegistry(catalogue.store, catalogue.settings.base_iri).remove(name)
        PageStates(catalogue.store, catalogue.settings.base_iri, name).clear()
        deleted = 0
        if purge:
            for meta in catalogue.records.list_metas(source=owner_of(name)):
                deleted += delete_record(catalogue, meta.resource_iri, source=owner_of(name))
        kept = len(catalogue.records.list_metas(source=owner_of(name)))
    click.echo(
        f"removed source {name}"
        + (f"; deleted {deleted} records" if purge else "")
        + (f"; {kept} records of harvest:{name} kept (use --purge to delete them)" if kept else "")
    )


@click.group()
def harvest() -> None:
    """Harvest sources, see run reports and duplicates."""


def _print_report(report, output: str) -> None:
    if output == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.format_text(_lang()))


def _run_many(catalogue, sources, *, dry_run: bool, progress: bool, output: str) -> list:
    from tqdm import tqdm

    from .harvest import Harvester

    harvester = Harvester(catalogue)
    reports = []
    for item in sources:
        with tqdm(desc=item.name, unit="record", disable=not progress, file=sys.stderr) as bar:
            pages = 0

            def on_page(url, status, count, bar=bar):
                nonlocal pages
                pages += 1
                if status == 304:
                    bar.update(count)
                bar.set_postfix(pages=pages)

            report = harvester.run(item, dry_run=dry_run, on_page=on_page, on_outcome=lambda _o, bar=bar: bar.update(1))
        reports.append(report)
        if output == "json":
            continue
        _print_report(report, output)
    if output == "json":
        click.echo(json.dumps([r.to_dict() for r in reports], indent=2, ensure_ascii=False))
    return reports


@harvest.command("run")
@click.argument("name", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every source.")
@click.option("--dry-run", is_flag=True, help="Show what would change without writing anything.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def harvest_run(name: str | None, run_all: bool, dry_run: bool, progress: bool, output: str) -> None:
    """Harvest one source (NAME) or all of them (--all). Exits 1 when a run had errors."""
    from .harvest import SourceRegistry

    if bool(name) == run_all:
        raise click.UsageError("give a source name or --all (not both)")
    with _open() as catalogue:
        registry = SourceRegistry(catalogue.store, catalogue.settings.base_iri)
        sources = registry.list() if run_all else [registry.get(name)]
        reports = _run_many(catalogue, sources, dry_run=dry_run, progress=progress, output=output)
    sys.exit(0 if all(r.status == "success" for r in reports) else 1)


@harvest.command("schedule")
@click.option("--dry-run", is_flag=True, help="Show what would change without writing anything.")
@click.option("--progress/--no-progress", default=False, help="Show a progress bar.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def harvest_schedule(dry_run: bool, progress: bool, output: str) -> None:
    """Run the sources that are due (daily / weekly since their last successful run). For cron or a timer."""
    from .harvest import Harvester

    with _open() as catalogue:
        due = Harvester(catalogue).due_sources()
        if not due and output == "text":
            click.echo("Aucune source à collecter." if _lang() == "fr" else "No source is due.")
        reports = _run_many(catalogue, due, dry_run=dry_run, progress=progress, output=output)
    sys.exit(0 if all(r.status == "success" for r in reports) else 1)


@harvest.command("report")
@click.argument("name", required=False)
@click.option("--run", "run_id", default=None, help="One run's full report (ids are listed without --run).")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def harvest_report(name: str | None, run_id: str | None, limit: int, output: str) -> None:
    """List the runs (of source NAME), or show one run with --run ID."""
    from .errors import NotFound
    from .harvest import RunHistory

    with _open() as catalogue:
        history = RunHistory(catalogue.store, catalogue.settings.base_iri)
        if run_id:
            report = history.get(run_id)
            if report is None or (name and report.source != name):
                raise NotFound(f"No harvest run {run_id!r}.", f"Aucune collecte {run_id!r}.")
            _print_report(report, output)
            return
        runs = history.list(name, limit=limit)
    if output == "json":
        click.echo(json.dumps(runs, indent=2, ensure_ascii=False))
        return
    if not runs:
        click.echo("Aucune collecte." if _lang() == "fr" else "No run.")
    for run in runs:
        c = run["counts"]
        click.echo(
            f"{run['id']}\t{run['source']}\t{run['status']}\tpages {run['pages']}\t+{c['added']} "
            f"~{c['updated']} ={c['unchanged']} !{c['rejected']} -{c['withdrawn']} x{c['deleted']}"
            f"\terrors {run['errors']}\tduplicates {run['duplicates']}"
        )


@harvest.command("duplicates")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def harvest_duplicates(output: str) -> None:
    """Records of different sources sharing a dct:identifier or adms:identifier (shown, never merged)."""
    from .harvest import find_duplicates

    with _open() as catalogue:
        groups = find_duplicates(catalogue)
    if output == "json":
        click.echo(json.dumps(groups, indent=2, ensure_ascii=False))
        return
    if not groups:
        click.echo("Aucun doublon." if _lang() == "fr" else "No duplicate.")
    for group in groups:
        click.echo(group["identifier"])
        for record in group["records"]:
            click.echo(f"  {record['iri']}\t{record['source']}")
