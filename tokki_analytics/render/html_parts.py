"""Building blocks of the HTML pages: escaped text, tables, badges, the page frame, the run.

Every data value goes through :class:`HtmlText` (escaped, person names masked unless shown);
the page sections of :mod:`.html_index` and :mod:`.html_contractor` build on these.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.history import finding_units
from tokki_analytics.masking import Masker
from tokki_analytics.render.css import CSS, SEVERITY_CLASS, STATUS_CLASS
from tokki_analytics.rules import RULES
from tokki_analytics.rules.assess import FormStates, form_states
from tokki_analytics.safetext import file_stem

if TYPE_CHECKING:
    from tokki_analytics.followup_report import RunFollowUp
    from tokki_analytics.history import History
    from tokki_analytics.pipeline import Audit

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*:|//|\\\\)")


@dataclass
class HtmlText:
    """Escaping and masking of data values for one report."""

    mask: Masker
    show_names: bool
    person_names: dict[tuple[str, str], str] = field(default_factory=dict)

    def t(self, value: object) -> str:
        """A data value as escaped HTML text, names masked unless shown."""
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
            return ""
        if isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value)
        return html.escape(self.mask.text(str(value)))

    def person(self, contractor_id: str, person_id: str) -> str:
        """The roster name of a person (masked unless shown), escaped; "" if unknown."""
        name = self.person_names.get((str(contractor_id), str(person_id)), "")
        if not name:
            return ""
        return html.escape(self.mask.name(name))


def staff_names(audit: Audit) -> dict[tuple[str, str], str]:
    """(contractor id, 従事者ID) → the name on the contractor's 従事者名簿."""
    staff = audit.submission.frames.get("staff")
    if staff is None or staff.empty:
        return {}
    frame = staff[["contractor_id", "person_id", "name"]].dropna()
    return {
        (str(c), str(p)): str(n).strip()
        for c, p, n in frame.itertuples(index=False)
        if str(n).strip()
    }


#: Columns whose cells wrap (long text); other cells stay on one line.
WRAP_HEADERS = frozenset({"ファイル", "内容", "値", "業務名", "担当課", "適用除外条項"})


def table(
    header: list[str], rows: list[list[str]], numeric: set[int] | None = None, cls: str = ""
) -> str:
    """An HTML table from escaped cell HTML.

    Args:
        header: Column headings (escaped HTML).
        rows: Cells as escaped HTML, or whole ``<td …>`` elements.
        numeric: Positions of columns to align right.
        cls: CSS class of the table.

    Returns:
        The table; cells of :data:`WRAP_HEADERS` columns wrap, others stay on one line.
    """
    numeric = numeric or set()
    kinds = [
        "num" if i in numeric else ("w" if h in WRAP_HEADERS else "") for i, h in enumerate(header)
    ]
    head = "".join(
        f'<th class="{k}">{h}</th>' if k else f"<th>{h}</th>"
        for k, h in zip(kinds, header, strict=True)
    )
    body = []
    for row in rows:
        cells = "".join(
            c if c.startswith("<td") else (f'<td class="{k}">{c}</td>' if k else f"<td>{c}</td>")
            for k, c in zip(kinds, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, body: str, generated: str, css: str = CSS) -> str:
    """A whole HTML document: ``title``, the inline style sheet ``css``, ``body``, the footer."""
    return (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n<footer>tokki-analytics が {html.escape(generated)} に作成。"
        "このページは外部への通信なしで閲覧できます (self-contained, works offline)。"
        "</footer>\n</main>\n</body>\n</html>\n"
    )


def contract_cell(h: HtmlText, contract_id: object) -> str:
    """A contract id, or a grey 受託者全体 where the unit belongs to the contractor."""
    text = h.t(contract_id)
    return text or '<span class="note">受託者全体</span>'


def severity_badge(severity: str) -> str:
    """A severity as a coloured badge."""
    cls = SEVERITY_CLASS.get(severity, "sev-obs")
    return f'<span class="sev {cls}">{html.escape(str(severity))}</span>'


def status_badge(status: str) -> str:
    """A clause status as a coloured badge."""
    return f'<span class="st {STATUS_CLASS[status]}">{html.escape(status)}</span>'


def value_rows(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[object, ...]]:
    """The values of ``columns``, row by row, for a NamedTuple's ``_make``.

    What ``itertuples`` gives, without its cost per call (it reads each column through
    ``iloc``): on every contractor's page that was half the page's time.
    """
    return zip(*(frame[c].tolist() for c in columns), strict=True)


def num(value: float | int) -> str:
    """A count with thousands separators."""
    return f"{int(value):,}"


def page_name(contractor_id: str) -> str:
    """The file name of a contractor's page (characters unsafe in a file name as ``_``)."""
    return file_stem(contractor_id) + ".html"


def safe_links(links: dict[str, str] | None) -> dict[str, str]:
    """The links to list on every page, each a path inside the report folder.

    Raises:
        ValueError: A link is an absolute URL or path.
    """
    for href in links or {}:
        if _SCHEME.match(href):
            raise ValueError(
                f"リンクは出力フォルダ内の相対パスに限ります / links must be relative: {href}"
            )
    return dict(links or {})


def cards(items: list[tuple[str, str]]) -> str:
    """Key figures as cards: (label, escaped value HTML) pairs."""
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="v">{v}</div><div class="k">{k}</div></div>'
            for k, v in items
        )
        + "</div>"
    )


@dataclass(frozen=True)
class Past:
    """What the report shows of earlier runs (only when the history store has some).

    Attributes:
        history: The run's history (:func:`tokki_analytics.history.record_run`).
        trend: :meth:`History.trend`: rates per run and contractor.
        identities: The identity of each finding of this run (on the findings' index).
        new_ids: Identities of the findings new since the previous run.
    """

    history: History
    trend: pd.DataFrame
    identities: pd.Series
    new_ids: frozenset[str]


@dataclass
class ReportRun:
    """What every page of one report shares.

    Attributes:
        audit: The run.
        h: Escaping and masking of data values.
        names: Contractor id → name (:func:`tokki_analytics.status.contractor_names`).
        ranking: :func:`tokki_analytics.status.risk_ranking`.
        status: :func:`tokki_analytics.status.clause_status`.
        history: The history store's view of the run; None when it is not recorded.
        links: Relative paths → labels listed on every page.
        generated: When the report was made (shown in the footer).
        past: Earlier runs; None without history or on its first run.
        units: The unit of each finding, read once when a page needs it.
        forms: The form states of the load, read once when a page needs them.
        split: Tables split by contractor (:meth:`rows_of`) by table name: no rows, and
            the rows of each contractor.
        followup: The run's follow-up (指摘対応); None when not given.
        coverage: The submission status (提出状況, ``intake.coverage``); None leaves it out.
    """

    audit: Audit
    h: HtmlText
    names: dict[str, str]
    ranking: pd.DataFrame
    status: pd.DataFrame
    history: History | None
    links: dict[str, str]
    generated: str
    past: Past | None = None
    units: pd.DataFrame | None = None
    forms: FormStates | None = None
    split: dict[str, tuple[pd.DataFrame, dict[str, pd.DataFrame]]] = field(default_factory=dict)
    followup: RunFollowUp | None = None
    coverage: pd.DataFrame | None = None

    def rows_of(
        self, name: str, contractor_id: str, table: Callable[[], pd.DataFrame]
    ) -> pd.DataFrame:
        """The rows of one contractor in a table of the run.

        On the first call for ``name`` the table is built (``table()``), split by
        ``contractor_id`` and the parts kept: a mask over the whole table on every
        contractor's page made the report grow with the square of the contractors.

        Args:
            name: The table's key in :attr:`split`.
            contractor_id: The contractor.
            table: Gives the table (called once per ``name``).

        Returns:
            Its rows in table order; no rows (the table's columns) when it has none.
        """
        if name not in self.split:
            frame = table()
            parts = {str(k): part for k, part in frame.groupby("contractor_id", sort=False)}
            self.split[name] = (frame.iloc[:0], parts)
        none, parts = self.split[name]
        return parts.get(str(contractor_id), none)

    def form_states(self) -> FormStates:
        """The form states of the load (:func:`tokki_analytics.rules.assess.form_states`)."""
        if self.forms is None:
            sub = self.audit.submission
            self.forms = form_states(sub.submitted, sub.defects)
        return self.forms


#: Columns of a findings table (:func:`finding_rows`).
FINDING_HEADER = ["規則", "重要度", "条項", "契約", "様式", "ファイル", "シート", "行", "内容"]


def finding_rows(run: ReportRun, findings: pd.DataFrame, with_contractor: bool) -> list[list[str]]:
    """Table rows of findings under :data:`FINDING_HEADER` (the contractor first if asked)."""
    h = run.h
    rows = []
    for f in findings.itertuples(index=False):
        row = [h.t(f.contractor_id)] if with_contractor else []
        row += [
            h.t(f.rule_id),
            severity_badge(f.severity),
            h.t(f.clause),
            contract_cell(h, f.contract_id),
            h.t(f.form),
            h.t(f.source),
            h.t(f.sheet),
            "" if pd.isna(f.row) else str(int(f.row)),
            h.t(f.detail),
        ]
        rows.append(row)
    return rows


#: Rule id → what the rule checks (RULES.md), shown beside its findings.
RULE_TEXT = {rule.id: rule.description for rule in RULES}


def unit_rows(run: ReportRun, findings: pd.DataFrame) -> pd.DataFrame:
    """The units (:func:`tokki_analytics.history.finding_units`) of some of the run's findings."""
    if run.units is None:
        run.units = finding_units(run.audit.findings)
    return run.units.loc[findings.index]
