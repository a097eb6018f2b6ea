"""Publishing a run: every output file of ``tokki run`` in one place.

``OUT/findings.csv`` and ``OUT/compliance.csv`` (the output contract), ``OUT/findings.xlsx``,
``OUT/datadocs/`` (GX Data Docs, offline), ``OUT/index.html`` with one page per contractor,
and one more entry in the run history. Files are written only into OUT (and the history
folder), readable by their owner unless ``group_readable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tokki_analytics.export import prepare_out, restrict_tree, write_csv
from tokki_analytics.mask import mask_columns, submission_names
from tokki_analytics.pipeline import Audit


@dataclass(frozen=True)
class Options:
    """What the user asked for.

    Attributes:
        show_names: Show person names (masked by default).
        group_readable: Let the group read the outputs (a shared folder).
        history_dir: The run-history folder; None: no history.
        datadocs: Build GX Data Docs.
    """

    show_names: bool = False
    group_readable: bool = False
    history_dir: Path | None = None
    datadocs: bool = True


def publish(audit: Audit, out: Path, options: Options = Options()) -> list[Path]:
    """Write every output of a run into ``out``; return the files written."""
    from tokki_analytics.excel import write_findings_xlsx
    from tokki_analytics.report import write_html

    out = prepare_out(out, group_readable=options.group_readable)
    readable = options.group_readable
    findings, compliance = audit.findings, audit.compliance
    if not options.show_names:  # every text column: file and sheet names too
        names = submission_names(audit.submission)
        findings, compliance = mask_columns(findings, names), mask_columns(compliance, names)
    written = [
        write_csv(findings, out / "findings.csv", group_readable=readable),
        write_csv(compliance, out / "compliance.csv", group_readable=readable),
        write_findings_xlsx(
            audit, out / "findings.xlsx", show_names=options.show_names, group_readable=readable
        ),
    ]
    links = {
        "findings.xlsx": "指摘一覧 (Excel)",
        "findings.csv": "findings.csv",
        "compliance.csv": "compliance.csv",
    }
    if options.datadocs:
        docs = _datadocs(audit, out, options)
        if docs is not None:
            links["datadocs/index.html"] = "GX Data Docs（検証結果の詳細）"
            written.append(docs)
    history = None
    if options.history_dir is not None:
        from tokki_analytics.history import record_run

        history = record_run(options.history_dir, audit)
    written += write_html(
        audit,
        out,
        show_names=options.show_names,
        group_readable=readable,
        history=history,
        links=links,
    )
    restrict_tree(out, group_readable=readable)
    return written


def _datadocs(audit: Audit, out: Path, options: Options) -> Path | None:
    from tokki_analytics.datadocs import build_datadocs

    return build_datadocs(
        out, audit, show_names=options.show_names, group_readable=options.group_readable
    )
