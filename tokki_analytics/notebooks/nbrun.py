"""Running the notebooks headless: papermill → executed ``.ipynb`` + offline, masked HTML.

The notebooks are package data (``tokki_analytics/notebooks/``, shipped in the wheel and
found through importlib.resources). :func:`run_notebook` executes one with papermill on the
``python3`` kernel of the current environment, writes the executed notebook and an HTML copy
without code cells (nbconvert's ``HTMLExporter(exclude_input=True)``), removes every network
reference from the HTML (:func:`tokki_analytics.outputs.offline.make_offline`: nbconvert's template
loads MathJax and require.js from CDNs) and masks person names in both, the executed
notebook's outputs and the HTML (:func:`mask_notebook`), unless ``show_names``.
Everything is written into an owner-only folder with owner-only files; an existing
``--out`` must be empty or a folder ``tokki notebook`` created, and only the files tokki
wrote there are replaced (:func:`tokki_analytics.outputs.folders.claim_folder`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.errors import InputError, ParameterError, unknown_contractor
from tokki_analytics.forms import nfkc
from tokki_analytics.safetext import escape_controls, file_stem

if TYPE_CHECKING:  # the command's parser reads NOTEBOOKS without pandas
    from tokki_analytics.masking import Masker

#: The notebooks: package data, a real folder (pip installs a package unpacked).
NOTEBOOK_DIR = Path(str(resources.files("tokki_analytics") / "notebooks"))
#: Parameters tokki gives every notebook (each notebook's parameters cell declares them).
COMMON_PARAMETERS = ("data_dir", "as_of", "run_dir", "out_dir", "show_names")


@dataclass(frozen=True)
class Notebook:
    """A notebook that ``tokki notebook NAME`` runs (declared once, in :data:`NOTEBOOKS`).

    Attributes:
        name: The command-line name (``tokki notebook NAME``).
        stem: The file stem in :data:`NOTEBOOK_DIR` (``.ipynb`` and its paired ``.py``).
        title: The notebook's title, its first heading.
        parameters: The parameters it takes besides :data:`COMMON_PARAMETERS`:
            ``contractor_id`` (``--contractor``, required), ``clause`` (``--clause``,
            default 第3), ``history_dir`` (``--history``).
        files: Other files it writes into its output folder, as ``str.format`` patterns
            over its parameters (``briefing_{contractor_id}.xlsx``; the code made a safe
            file name, :func:`tokki_analytics.safetext.file_stem`).
    """

    name: str
    stem: str
    title: str
    parameters: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def outputs(self, contractor: str | None = None) -> list[str]:
        """The files ``tokki notebook NAME`` writes into its output folder."""
        names = [f"{self.stem}.ipynb", f"{self.stem}.html"]
        for pattern in self.files:
            if contractor or "{contractor_id}" not in pattern:
                names.append(pattern.format(contractor_id=file_stem(contractor or "")))
        return names


#: Command-line name → notebook, in the order of their numbers.
NOTEBOOKS: dict[str, Notebook] = {
    nb.name: nb
    for nb in (
        Notebook(
            "briefing",
            "01_briefing",
            "実地検査前ブリーフィング",
            parameters=("contractor_id",),
            files=("briefing_{contractor_id}.xlsx",),
        ),
        Notebook("comparison", "02_comparison", "受託者の比較"),
        Notebook("clause", "03_clause", "条項別の分析", parameters=("clause", "history_dir")),
        Notebook("incidents", "04_incidents", "事故報告の分析"),
    )
}


def taking(parameter: str) -> list[str]:
    """The names of the notebooks that take ``parameter`` (for the command's help)."""
    return [nb.name for nb in NOTEBOOKS.values() if parameter in nb.parameters]


def notebook_parameters(
    name: str,
    data_dir: Path | str,
    out: Path,
    *,
    contractor: str | None = None,
    clause: str | None = None,
    as_of: dt.date | str | None = None,
    run_dir: Path | str | None = None,
    history_dir: Path | str | None = None,
    show_names: bool = False,
) -> dict[str, str | bool | None]:
    """The papermill parameters of notebook ``name`` (paths made absolute).

    The common parameters, and those of :attr:`Notebook.parameters` the notebook takes.
    The contractor and clause are those :func:`check_parameters` returned.
    """
    params: dict[str, str | bool | None] = {
        "data_dir": str(Path(data_dir).resolve()),
        "as_of": str(as_of or ""),
        "run_dir": str(Path(run_dir).resolve()) if run_dir else "",
        "out_dir": str(out.resolve()),
        "show_names": bool(show_names),
    }
    own: dict[str, str | bool | None] = {
        "contractor_id": contractor,
        "clause": clause,
        "history_dir": str(Path(history_dir).expanduser().resolve()) if history_dir else "",
    }
    params.update({key: own[key] for key in NOTEBOOKS[name].parameters})
    return params


def check_parameters(
    name: str,
    data_dir: Path | str,
    contractor: str | None = None,
    clause: str | None = None,
    run_dir: Path | str | None = None,
) -> tuple[str | None, str | None]:
    """Check what a notebook will look up, before it runs.

    A typo then gets a plain message rather than a failure deep inside the notebook.

    Args:
        name: A notebook of :data:`NOTEBOOKS` (briefing, comparison, clause, incidents).
        data_dir: The data folder (only 委託契約一覧 is read).
        contractor: The contractor of a notebook taking ``contractor_id``; it must have a
            contract.
        clause: The clause of a notebook taking ``clause``, as typed (``3``, ``第３``,
            ``第7三``).
        run_dir: A finished run to reuse; it must hold findings.csv.

    Returns:
        The contractor and the clause in their canonical form (None where unused).

    Raises:
        KeyError: ``name`` is not a notebook.
        ParameterError: The contractor has no contract, no rule checks the clause, or
            ``run_dir`` is not a finished run.
        tokki_analytics.ingest.DataFolderError: ``data_dir`` is not a data folder.
    """
    from tokki_analytics.ingest import read_contracts
    from tokki_analytics.vocab import parse_clause

    takes = NOTEBOOKS[name].parameters
    contracts = read_contracts(data_dir)
    if "contractor_id" in takes:
        if not contractor:
            raise ParameterError(f"{name} には --contractor が必要です / {name} needs --contractor")
        known = sorted(set(contracts["contractor_id"].dropna()))
        contractor = _known_code(contractor, known)
        if contractor not in known:
            raise unknown_contractor(contractor, known)
    if "clause" in takes:
        clause = parse_clause(clause or "第3")
    if run_dir and not (Path(run_dir) / "findings.csv").is_file():
        raise ParameterError(
            f"{run_dir} に findings.csv がありません / {run_dir} is not a finished run"
        )
    return contractor, clause


def _known_code(typed: str, known: list[str]) -> str:
    """``typed`` as spelled in the data (NFKC, trimmed; case ignored when that is unique)."""
    code = nfkc(typed)
    folded = [k for k in known if k.casefold() == code.casefold()]
    return folded[0] if code not in known and len(folded) == 1 else code


def kernel_manager_class() -> type:
    """The kernel manager: over local sockets (IPC) where the OS has them, else over TCP.

    The notebook kernel receives person data; on POSIX it is reached through Unix sockets in
    the owner-only Jupyter runtime folder rather than loopback TCP ports (ipykernel also warns
    that TCP traffic is unencrypted). Windows has no IPC transport and keeps TCP.
    """
    from jupyter_client.manager import AsyncKernelManager

    if os.name != "posix":
        return AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: object) -> None:
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)

    return IPCKernelManager


def html_without_code(notebook_path: Path) -> str:
    """The executed notebook as HTML without input cells or prompts."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4))
    return body


def mask_notebook(path: Path, mask: Masker) -> None:
    """Mask person names in every output of an executed notebook, in place.

    Streams, errors and every text representation (HTML, Markdown, plain text, SVG, JSON)
    are masked (:meth:`tokki_analytics.masking.Masker.json`); the code cells and base64
    images are left as they are.

    Args:
        path: The ``.ipynb`` file.
        mask: The masker of the data folder's names
            (:func:`tokki_analytics.ingest.read_person_names`).
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "outputs" in cell:
            cell["outputs"] = mask.json(cell["outputs"])
    nbformat.write(nb, path)


def _mask_or_remove(path: Path, mask: Masker) -> None:
    """Mask a notebook that failed half-way; remove it when it cannot be read."""
    try:
        mask_notebook(path, mask)
    except Exception:  # noqa: BLE001 - an unreadable half-written notebook: keep no names
        path.unlink(missing_ok=True)


def _check_utf8_paths(**paths: Path | str | None) -> None:
    """Refuse a path that is not UTF-8: a notebook (JSON) cannot carry it as a parameter.

    ``tokki run`` audits such a folder (its name is shown escaped); a notebook needs the
    path itself, so the user is asked to rename the folder.
    """
    for option, path in paths.items():
        if path is None:
            continue
        text = os.fspath(path)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            shown = escape_controls(text)
            raise InputError(
                f"--{option} のパス {shown} に UTF-8 でない文字が含まれています。ノートブックには"
                f"渡せないため、フォルダ名を変更してください / the --{option} path {shown} is not "
                "UTF-8, which a notebook cannot take as a parameter: rename the folder"
            ) from None


def run_notebook(
    name: str,
    data_dir: Path | str,
    out: Path | str,
    *,
    contractor: str | None = None,
    clause: str | None = None,
    as_of: dt.date | str | None = None,
    run_dir: Path | str | None = None,
    history_dir: Path | str | None = None,
    show_names: bool = False,
) -> tuple[Path, Path]:
    """Execute a notebook and write ``OUT/<stem>.ipynb`` and ``OUT/<stem>.html``.

    Args:
        name: A notebook of :data:`NOTEBOOKS` (briefing, comparison, clause, incidents).
        data_dir: The data folder.
        out: The output folder (created owner-only).
        contractor: The contractor of a notebook taking ``contractor_id`` (briefing).
        clause: The clause of a notebook taking ``clause`` (default 第3).
        as_of: Audit reference date.
        run_dir: A finished run whose findings.csv/compliance.csv are reused.
        history_dir: The history store for the clause trend.
        show_names: Leave person names unmasked.

    Returns:
        The executed notebook and the HTML copy.

    Raises:
        KeyError: ``name`` is not a notebook.
        ParameterError: A parameter is missing or names nothing in the data.
        tokki_analytics.ingest.DataFolderError: ``data_dir`` is not a data folder.
    """
    from tokki_analytics.ingest import read_person_names
    from tokki_analytics.masking import Masker
    from tokki_analytics.outputs.files import new_private_file, write_text
    from tokki_analytics.outputs.folders import add_entries, claim_folder
    from tokki_analytics.outputs.offline import make_offline

    notebook = NOTEBOOKS[name]
    source = NOTEBOOK_DIR / f"{notebook.stem}.ipynb"
    if not source.is_file():
        raise InputError(
            f"ノートブック {source} がありません（インストールが不完全です。再インストールして"
            f"ください） / notebook {source} is missing: the installation is incomplete"
        )
    _check_utf8_paths(data=data_dir, out=out, run=run_dir, history=history_dir)
    contractor, clause = check_parameters(name, data_dir, contractor, clause, run_dir)
    folder = claim_folder(
        Path(out), "notebook", notebook.outputs(contractor), data_dir=Path(data_dir)
    )
    before = set(os.listdir(folder))
    params = notebook_parameters(
        name,
        data_dir,
        folder,
        contractor=contractor,
        clause=clause,
        as_of=as_of,
        run_dir=run_dir,
        history_dir=history_dir,
        show_names=show_names,
    )
    executed = new_private_file(folder / f"{notebook.stem}.ipynb")  # papermill writes into it
    mask = Masker(() if show_names else read_person_names(data_dir), show=show_names)
    _execute(source, executed, params, mask)
    text = escape_controls(html_without_code(executed))  # control characters as \x1b
    html = write_text(folder / f"{notebook.stem}.html", mask.text(text))
    make_offline(html)
    add_entries(folder, set(os.listdir(folder)) - before)
    return executed, html


def _execute(
    source: Path, executed: Path, params: dict[str, str | bool | None], mask: Masker
) -> None:
    """Run ``source`` with papermill into ``executed`` and mask its outputs.

    A notebook that failed half-way is written too, and masked (or removed).
    """
    import papermill

    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=params,
            kernel_name="python3",
            kernel_manager_class=kernel_manager_class(),
            progress_bar=False,
            cwd=str(executed.parent),
        )
    except BaseException:
        if mask.active:
            _mask_or_remove(executed, mask)
        raise
    if mask.active:
        mask_notebook(executed, mask)
