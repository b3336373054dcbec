"""SHACL validation of catalogue records (DCAT-AP 3, HealthDCAT-AP Release 8, national rules).

    from catalogue.validation import Validator
    report = Validator(engine="turbo").validate(record_graph)
    report.conforms, report.problems, report.to_dict(), report.format_text("fr")

Profiles (which shape sets apply to which record) are in `profiles`; the official shape
files live unmodified under shapes/ with their fix files next to them (`shapes`); the
engines (pyshacl-turbo, pyshacl) run in `engine`; the report and its FR/EN wording in
`report`, `messages`, `wording` and `labels`.
"""

from .engine import ENGINES
from .profiles import PROFILES, RecordError
from .report import Problem, Report
from .validator import Validator

__all__ = ["ENGINES", "PROFILES", "Problem", "RecordError", "Report", "Validator"]
