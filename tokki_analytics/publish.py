"""Publishing a run: every output file of ``tokki run`` in one place.

``OUT/findings.csv`` and ``OUT/compliance.csv`` (the output contract), ``OUT/findings.xlsx``,
``OUT/manifest.json`` (the audit trail, :mod:`tokki_analytics.trail`),
``OUT/datadocs/`` (GX Data Docs, offline), ``OUT/index.html`` with one page per contractor,
and one more entry in the run history. Files are written only into OUT (and the history
folder), readable by their owner unless ``group_readable``.

The run is written into a temporary folder inside OUT and moved into place at the end
(:func:`tokki_analytics.outputs.folders.staged_folder`): a failed run leaves the previous report
as it was, and nothing of an earlier run stays behind. OUT must be new, empty or a folder
an earlier ``tokki run`` created; what else lies in it (the history store, a briefing
folder) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.errors import InputError
from tokki_analytics.findings import FINDING_COLUMNS
from tokki_analytics.masking import Masker
from tokki_analytics.outputs.files import write_csv, write_text
from tokki_analytics.outputs.folders import check_out, staged_folder
from tokki_analytics.pipeline import Audit

if TYPE_CHECKING:
    from tokki_analytics.followup_report import RunFollowUp
    from tokki_analytics.trail import RunTrail

#: The entries ``tokki run`` writes into OUT (and replaces on the next run).
RUN_ENTRIES = (
    "findings.csv",
    "compliance.csv",
    "findings.xlsx",
    "followup.xlsx",
    "manifest.json",
    "index.html",
    "contractors",
    "datadocs",
)


@dataclass(frozen=True)
class Options:
    """What the user asked for.

    Attributes:
        show_names: Show person names (masked by default).
        group_readable: Let the group read the outputs (a shared folder).
        history_dir: The run-history folder; None: no history.
        datadocs: Build GX Data Docs.
        trail: What the command line knows of the run (command, start, the data folder
            as it started): with it, ``manifest.json`` is written (:mod:`tokki_analytics.trail`).
    """

    show_names: bool = False
    group_readable: bool = False
    history_dir: Path | None = None
    datadocs: bool = True
    trail: RunTrail | None = None


def check_run_out(out: Path, data_dir: Path, history_dir: Path | None = None) -> None:
    """Refuse an output folder ``tokki run`` must not write, before the audit starts.

    Raises:
        tokki_analytics.outputs.folders.OutputFolderError: See
            :func:`tokki_analytics.outputs.folders.check_out`.
        InputError: The history folder lies where the next run would replace it.
    """
    check_out(Path(out), "run", data_dir=data_dir, writes=RUN_ENTRIES)
    if history_dir is None:
        return
    from tokki_analytics.history import check_store

    history, folder = Path(history_dir).expanduser().resolve(), Path(out).resolve()
    if history.is_relative_to(Path(data_dir).resolve()):
        raise InputError(
            f"実行履歴の保存先 {history_dir} はデータフォルダ {data_dir} の中です。次の監査で"
            "受託者のフォルダとして読まれてしまうため、データフォルダの外を指定してください / "
            f"the history folder {history_dir} is inside the data folder {data_dir}: the next "
            "audit would read it as a contractor's folder; give a folder outside it"
        )
    check_store(history)
    inside = history.is_relative_to(folder) and history != folder
    if inside and history.relative_to(folder).parts[0] in RUN_ENTRIES:
        raise InputError(
            f"実行履歴の保存先 {history_dir} は、次の実行で置き換えられる {out} の出力の中です / "
            f"the history folder {history_dir} lies inside an output of {out} that the "
            "next run replaces"
        )


def publish(
    audit: Audit, out: Path, options: Options = Options(), followup: RunFollowUp | None = None
) -> list[Path]:
    """Write every output of a run into ``out``; return the files written.

    ``followup`` is the run's follow-up (:func:`tokki_analytics.followup_report.run_follow_up`)
    if the caller has it already; otherwise it is read here, once for every output.
    """
    from tokki_analytics.followup_report import run_follow_up
    from tokki_analytics.intake.coverage import submission_coverage
    from tokki_analytics.render.excel import write_findings_xlsx
    from tokki_analytics.render.html import write_html

    out = Path(out)
    data_dir = audit.submission.data_dir
    check_run_out(out, data_dir, options.history_dir)
    readable = options.group_readable
    followup = run_follow_up(audit) if followup is None else followup
    findings, compliance = audit.findings[FINDING_COLUMNS], audit.compliance  # not the units
    mask = None if options.show_names else Masker.of(audit)  # built once, for every output
    if mask is not None:  # every text column: file and sheet names too
        findings, compliance = mask.frame(findings), mask.frame(compliance)
    stage = staged_folder(
        out, "run", data_dir=data_dir, writes=RUN_ENTRIES, group_readable=readable
    )
    with stage as work:
        written = [
            write_csv(findings, work / "findings.csv", group_readable=readable),
            write_csv(compliance, work / "compliance.csv", group_readable=readable),
            write_findings_xlsx(
                audit,
                work / "findings.xlsx",
                show_names=options.show_names,
                group_readable=readable,
            ),
        ]
        written.append(_followup(audit, work, options, followup, mask))
        links = {
            "findings.xlsx": "指摘一覧 (Excel)",
            "followup.xlsx": "指摘対応記録 (Excel: 記入してデータフォルダに保存 / save in DATA)",
            "findings.csv": "findings.csv",
            "compliance.csv": "compliance.csv",
        }
        fingerprint = None
        if options.trail is not None:
            path, fingerprint, summary = _manifest(audit, work, options, options.trail, mask)
            written.append(path)
            links["manifest.json"] = (
                f"監査証跡 manifest.json（{summary}; SHA-256 {fingerprint[:16]}…; "
                "tokki verify で照合 / checked by tokki verify）"
            )
        if options.datadocs:
            docs = _datadocs(audit, work, options)
            if docs is not None:
                links["datadocs/index.html"] = "GX Data Docs（検証結果の詳細）"
                written.append(docs)
        history = None
        if options.history_dir is not None:
            from tokki_analytics.history import record_run

            history = record_run(
                options.history_dir,
                audit,
                manifest_sha256=fingerprint,
                states=followup.open_items,
            )
            if history.has_earlier_runs:
                followup = _with_trend(followup, options.history_dir, audit)
        written += write_html(
            audit,
            work,
            show_names=options.show_names,
            group_readable=readable,
            history=history,
            links=links,
            followup=followup,
            coverage=submission_coverage(audit.submission),
        )
        written = [out / path.relative_to(work) for path in written]
    return written


def _with_trend(followup: RunFollowUp, store_dir: Path, audit: Audit) -> RunFollowUp:
    """``followup`` with the open and overdue items of every stored run of the folder."""
    import dataclasses

    from tokki_analytics.followup_report import followup_trend

    trend = followup_trend(store_dir, audit.submission.data_dir)
    return dataclasses.replace(followup, trend=trend)


def _manifest(
    audit: Audit, out: Path, options: Options, trail: RunTrail, mask: Masker | None
) -> tuple[Path, str, str]:
    """Write ``manifest.json``; return its path, its SHA-256 and a summary of it."""
    from tokki_analytics.trail import MANIFEST, build_manifest, manifest_sha256, manifest_text

    show = str if mask is None else mask.text
    sub = audit.submission
    manifest = build_manifest(sub.data_dir, sub.settings, sub.file_records, trail, show)
    text = manifest_text(manifest)
    path = write_text(out / MANIFEST, text, group_readable=options.group_readable)
    totals = manifest["totals"]
    summary = (
        f"入力 {totals['files']:,} ファイル、{totals['bytes'] / 1e6:,.1f} MB、"
        f"{totals['records']:,} 件 / "
        f"{totals['files']:,} input files, {totals['records']:,} records"
        if isinstance(totals, dict)
        else ""
    )
    return path, manifest_sha256(text), summary


def _followup(
    audit: Audit, out: Path, options: Options, followup: RunFollowUp, mask: Masker | None
) -> Path:
    """Write ``followup.xlsx``: the record in the data folder carried over to this run."""
    from tokki_analytics.followup import folder_key
    from tokki_analytics.render.followup_xlsx import FOLLOWUP_XLSX, Origin, write_followup_xlsx

    data_dir, as_of = audit.submission.data_dir, audit.settings.as_of
    label = str(data_dir) if mask is None else mask.text(str(data_dir))
    origin = Origin(folder_key(data_dir), label, as_of)
    return write_followup_xlsx(
        out / FOLLOWUP_XLSX,
        followup.open_items,
        followup.closed,
        list(followup.problems),
        origin,
        mask=mask,
        group_readable=options.group_readable,
    )


def _datadocs(audit: Audit, out: Path, options: Options) -> Path | None:
    from tokki_analytics.gx.datadocs import build_datadocs

    return build_datadocs(
        out, audit, show_names=options.show_names, group_readable=options.group_readable
    )
