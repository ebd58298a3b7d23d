"""The *Data and exports* page's parts: briefs and the roadmap, the whole bundle and each part alone, and the import
of a bundle into an empty store. The whole bundle and the briefs it carries are prepared in the background after
each change (:mod:`lessons.prepared`) and served at once when they are those of the current data version; any other
file, or one not prepared yet, is made when its button is clicked and cached by data version."""

from __future__ import annotations

import hashlib
import json
import tempfile
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st

from components import language
from components.auth import refresh_similarity
from components.loaders import TTL, data_version
from components.synthesis_views import similarity_state
from components.widgets import safe
from lessons import bundle, drawing, pilot_reads, prepared
from lessons.access import StoreUnavailable, reading, writing
from lessons.files import atomic_output
from lessons.i18n import N_, _, ngettext, number
from lessons.network_io import to_gexf, to_graphml
from lessons.permissions import PermissionDenied, can
from lessons.privacy import personal_data_export
from lessons.visibility import PUBLIC as _PUBLIC

#: The files prepared in the background are those a visitor may download: public records only.
PUBLIC = _PUBLIC.token

SUBJECT_LABELS = {"theme": N_("A theme"), "pilot": N_("A pilot"), "model": N_("A governance model")}
MIME = {
    "pdf": "application/pdf",
    "html": "text/html",
    "zip": "application/zip",
    "db": "application/vnd.sqlite3",
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_subjects(path: str, version: int, audience: str) -> dict[str, pd.DataFrame]:
    """Themes with lessons, pilots and governance models a brief can be about, as ``audience`` sees them."""
    with reading(path, audience) as db:
        return pilot_reads.brief_subjects(db)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_summary(path: str, version: int, audience: str) -> dict:
    """Counts shown next to the downloads: validated lessons, shared tables, pilots with a network."""
    with reading(path, audience) as db:
        counts = pilot_reads.export_counts(db)
        return {
            "validated": counts["validated"],
            "tables": len(bundle.shared_tables(db)),
            "networks": counts["networks"],
        }


def _similarity_stored(path: str) -> None:
    """Briefs name groups of similar lessons: after a change, start the new analysis in the background (as *What
    recurs* does) and never wait for it; until it is stored, briefs use the one stored before the change."""
    similarity_state(path, data_version(path, "lessons"))


def _prepared(path: str, version: int, name: str) -> bytes | None:
    """The file prepared in the background for data version ``version``, or None (none yet, or of another version)."""
    with reading(path) as db:
        return prepared.read(db, name, version)


def made_report(
    path: str, version: int, subject: str, key: str, file_format: str, audience: str, lang: str = "en"
) -> bytes:
    """A brief (``subject`` theme, pilot or model) or the roadmap (``subject`` roadmap) as PDF or HTML in ``lang``,
    of what ``audience`` may see: the one prepared for this data version when there is one (files are prepared in
    English for visitors: public records only), else made now."""
    ready = (
        _prepared(path, version, prepared.brief_name(subject, key, file_format))
        if audience == PUBLIC and lang == "en"
        else None
    )
    return ready if ready is not None else _made_report(path, version, subject, key, file_format, audience, lang)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def _made_report(
    path: str, version: int, subject: str, key: str, file_format: str, audience: str, lang: str = "en"
) -> bytes:
    _similarity_stored(path)
    with reading(path, audience) as db:
        return drawing.report_file(db, subject, key, file_format, lang)


#: Where finished bundles are kept, one per database (the newest data version's); each is made once per change.
BUNDLES = Path(tempfile.gettempdir()) / "cross-pilot-lessons-bundles"


def made_bundle(path: str, version: int, audience: str) -> bytes:
    """The whole bundle's bytes: the one prepared for this data version when there is one. Else it is made now,
    streamed into a file (never held whole while it is made, and written whole or not at all), kept on disk for
    this data version, and only the finished ZIP is read for the download; bundles of earlier versions of the same
    database are removed. It holds what ``audience`` may see (the prepared one: public records only)."""
    ready = _prepared(path, version, prepared.BUNDLE) if audience == PUBLIC else None
    if ready is not None:
        return ready
    stem = hashlib.sha256(f"{Path(path).resolve()}|{audience}".encode()).hexdigest()[:16]
    target = BUNDLES / f"{stem}-{version}.zip"
    if not target.exists():
        BUNDLES.mkdir(exist_ok=True)
        _similarity_stored(path)
        with reading(path, audience) as db, atomic_output(target) as out:
            prepared.write_bundle(db, out)
        for old in BUNDLES.glob(f"{stem}-*.zip"):
            if old != target:
                with suppress(OSError):
                    old.unlink()
    return target.read_bytes()


@st.cache_data(ttl=TTL, max_entries=6, show_spinner=False)
def made_part(path: str, version: int, part: str, audience: str) -> bytes:
    """One part of the bundle as bytes, of what ``audience`` may see: sqlite, package, metadata, or
    network:<slug>:<fmt>."""
    with reading(path, audience) as db:
        if part == "sqlite":
            return bundle.export_sqlite(db)
        if part == "package":
            return bundle.data_package_zip(db)
        if part == "metadata":
            return json.dumps(bundle.datasette_metadata(db), indent=2, ensure_ascii=False).encode("utf-8")
        _, slug, file_format = part.split(":")
        return (to_graphml if file_format == "graphml" else to_gexf)(db, slug)  # as the bundle writes them


BEING_PREPARED = N_(
    "Being prepared after the last change — ready in about a minute or two (longer for a large data set). "
    "Clicking now makes it straight away, as before."
)
READY = N_("Ready: prepared after the last change, so it downloads at once.")


def _prepared_running(path: str, version: int) -> bool:
    """Whether the files of ``version`` are being prepared; when they are neither ready nor being prepared (a change
    made outside the app, a restart), this starts their preparation (unless the last one here failed)."""
    with reading(path) as db:
        state = prepared.status(db, version)
    if state.ready:
        return False
    if state.running or prepared.working(path):
        return True
    if prepared.failure(path) is None and prepared.prepare_soon(path):
        with reading(path) as db:
            return not prepared.status(db, version).ready  # ``sync`` prepares before returning
    return False


def prepared_note(path: str, version: int, name: str) -> None:
    """One line under a download: ready at once, being prepared, or (nothing said) made on click as before."""
    running = _prepared_running(path, version)  # which may start the preparation (or, ``sync``, make it)
    with reading(path) as db:
        ready = prepared.has(db, name, version)
    if ready:
        st.caption(_(READY))
    elif running:
        _being_prepared(path, version, name)
    elif failed := prepared.failure(path):
        st.caption(
            _("It could not be prepared in advance ({reason}); the button makes it when clicked.").format(
                reason=safe(failed)
            )
        )


@st.fragment(run_every=5)
def _being_prepared(path: str, version: int, name: str) -> None:
    """Say the file is being prepared; look again every 5 s, and say it is ready once it is."""
    with reading(path) as db:
        ready = prepared.has(db, name, version)
        running = prepared.is_running(db) or prepared.working(path)
    if ready:
        st.caption(_(READY))
    elif running:
        st.caption(_(BEING_PREPARED))


def _download(label: str, make, file_name: str, key: str, *, primary: bool = False) -> None:
    st.download_button(
        label,
        data=make,
        file_name=file_name,
        mime=MIME[file_name.rsplit(".", 1)[1]],
        key=key,
        icon=":material/download:",
        on_click="ignore",
        type="primary" if primary else "secondary",
    )


def brief_section(path: str, version: int, audience: str) -> None:
    """Choose what the brief is about; one click gives it as PDF or as a web page."""
    st.subheader(_("Policy brief"), anchor=False)
    st.write(
        _(
            "A report to put on the table: what recurs, where pilots disagree, what validation workshops said (with "
            "n and 95% intervals) and who was involved, with charts. Every claim cites its lessons and workshops."
        )
    )
    found = load_subjects(path, version, audience)
    available = [s for s in SUBJECT_LABELS if len(found[s])]
    if not available:
        st.info(_("There is nothing to brief on yet: upload a pilot summary first."))
        return
    left, right = st.columns([1, 2])
    subject = left.radio(
        _("About"),
        available,
        format_func={s: _(label) for s, label in SUBJECT_LABELS.items()}.get,
        key="exports_subject",
    )
    options = found[subject]
    names = dict(zip(options["key"], options["name"]))
    if subject == "theme":  # built-in themes are named in the reader's language
        names = {k: _(name) for k, name in names.items()}
    key = right.selectbox(_(SUBJECT_LABELS[subject]), list(names), format_func=names.get, key=f"exports_{subject}")
    stem = f"brief-{subject}-{key}"
    lang = language.current()
    with st.container(horizontal=True):
        _download(
            _("Brief as PDF"),
            lambda: made_report(path, version, subject, key, "pdf", audience, lang),
            f"{stem}.pdf",
            "exports_brief_pdf",
            primary=True,
        )
        _download(
            _("Brief as a web page (HTML)"),
            lambda: made_report(path, version, subject, key, "html", audience, lang),
            f"{stem}.html",
            "exports_brief_html",
        )
    st.caption(
        _("About {subject}. Made from the data as it is now; it takes a few seconds.").format(subject=safe(names[key]))
    )
    if lang == "en" and (subject != "pilot" or (subject, key) == (available[0], options["key"].iloc[0])):  # prepared
        prepared_note(path, version, prepared.brief_name(subject, key, "pdf"))


def brief_button(path: str, version: int, subject: str, key: str, audience: str) -> None:
    """A one-click PDF brief on the thing a page shows (the *Governance models* page's model), in the reader's
    language."""
    lang = language.current()
    _download(
        _("Policy brief (PDF)"),
        lambda: made_report(path, version, subject, key, "pdf", audience, lang),
        f"brief-{subject}-{key}.pdf",
        f"{subject}_brief_pdf",
    )


def roadmap_section(path: str, version: int, validated: int, audience: str) -> None:
    st.subheader(_("Roadmap to co-creation"), anchor=False)
    st.write(
        ngettext(
            "A step-by-step guide for service providers: the validated lessons ordered by co-creation phase, each "
            "step with the lessons and workshop votes behind it. It draws on {n} validated, endorsed or "
            "applied-elsewhere lesson.",
            "A step-by-step guide for service providers: the validated lessons ordered by co-creation phase, each "
            "step with the lessons and workshop votes behind it. It draws on {n} validated, endorsed or "
            "applied-elsewhere lessons.",
            validated,
        ).format(n=number(validated))
    )
    if not validated:
        st.caption(_("No lesson has been validated yet, so the roadmap will say how to get there."))
    lang = language.current()
    with st.container(horizontal=True):
        _download(
            _("Roadmap as PDF"),
            lambda: made_report(path, version, "roadmap", "", "pdf", audience, lang),
            "roadmap-to-co-creation.pdf",
            "exports_roadmap_pdf",
            primary=True,
        )
        _download(
            _("Roadmap as a web page (HTML)"),
            lambda: made_report(path, version, "roadmap", "", "html", audience, lang),
            "roadmap-to-co-creation.html",
            "exports_roadmap_html",
        )
    if lang == "en":
        prepared_note(path, version, prepared.brief_name("roadmap", "", "pdf"))


def bundle_section(path: str, version: int, summary: dict, pilots: dict[str, str], audience: str) -> None:
    st.subheader(_("The whole data set"), anchor=False)
    st.write(
        _(
            "One ZIP with everything, for Datasette, Gephi, spreadsheets and a copy of this tool: the SQLite "
            "database with a Datasette metadata file, a Frictionless data package (one CSV per table, {tables} "
            "tables, with primary and foreign keys), GraphML and GEXF for each of {networks} pilot networks, the "
            "roadmap and the briefs on every theme and model. Accounts, the audit log and workshop participants' "
            "tokens are left out, and so are statements participants suggested that no facilitator approved."
        ).format(tables=number(summary["tables"]), networks=number(summary["networks"]))
    )
    _download(
        _("Download everything (ZIP)"),
        lambda: made_bundle(path, version, audience),
        "cross-pilot-lessons-bundle.zip",
        "exports_bundle",
        primary=True,
    )
    st.caption(
        _(
            "Making the bundle takes about 20 seconds on the demo data, longer for larger ones: the briefs are drawn "
            "then. The button turns into a spinner until the file is ready."
        )
    )
    prepared_note(path, version, prepared.BUNDLE)
    st.markdown(_("**Each part alone**"))
    parts = [
        (_("SQLite database"), "sqlite", "lessons.db"),
        (_("Data package (CSV + datapackage.json)"), "package", "cross-pilot-lessons-datapackage.zip"),
        (_("Datasette metadata"), "metadata", "metadata.json"),
    ]
    with st.container(horizontal=True):
        for label, part, name in parts:
            _download(label, lambda p=part: made_part(path, version, p, audience), name, f"exports_part_{part}")
    if pilots:
        left, right = st.columns([1, 1], vertical_alignment="bottom")
        slug = left.selectbox(_("Network of a pilot"), list(pilots), format_func=pilots.get, key="exports_network")
        with right.container(horizontal=True):
            for fmt, label in (("graphml", "GraphML"), ("gexf", _("GEXF (Gephi)"))):
                _download(
                    label,
                    lambda f=fmt: made_part(path, version, f"network:{slug}:{f}", audience),
                    f"{slug}.{fmt}",
                    f"exports_network_{fmt}",
                )


def personal_data_section(path: str, actor) -> None:
    """Administrators only: every participant and vote, unpooled, as a ZIP marked personal data (audited)."""
    if actor is None or not can(actor, "privacy.full_export"):
        return
    st.subheader(_("Personal data of workshop participants"), anchor=False)
    st.warning(
        _(
            "For administrators only. This file holds every participant's declared group, pilot and country and the "
            "exact time of every vote, not pooled: it is personal data. Use it to answer a request from a "
            "participant or to move the data; do not publish or share it. Everything else on this page follows the "
            "privacy rule (no figure about fewer than 5 people). Each download is recorded in the audit log."
        ),
        icon=":material/shield_person:",
    )

    def make() -> bytes:
        with writing(path) as db:
            return personal_data_export(db, actor)

    _download(_("Personal data (ZIP)"), make, "personal-data-participants.zip", "exports_personal_data")


def import_section(path: str, actor) -> None:
    """Administrators fill an empty store from a bundle; the domain checks the role and the emptiness again."""
    st.subheader(_("Import a bundle"), anchor=False)
    if not can(actor, "bundle.import"):
        st.caption(_("Administrators can import a bundle into an empty database here (sign in as an administrator)."))
        return
    st.write(
        _(
            "Fill an empty database from a bundle made here (or its data package alone). Nothing is written when "
            "anything in it is wrong, or when this database already holds pilots or lessons."
        )
    )
    upload = st.file_uploader(_("Bundle (ZIP)"), type=["zip"], key="exports_import_file")
    if upload is None or not st.button(_("Import the bundle"), key="exports_import", icon=":material/upload:"):
        return
    try:
        with writing(path) as db:
            counts = bundle.import_bundle(db, actor, upload.getvalue(), filename=upload.name)
    except bundle.BundleError as problem:
        if not problem.problems:  # a refusal of the whole import, e.g. a database that already holds data
            st.error(_("Nothing was written: {reason}").format(reason=safe(problem)), icon=":material/error:")
            return
        count = len(problem.problems)
        st.error(
            ngettext(
                "Nothing was written: {n} problem was found.", "Nothing was written: {n} problems were found.", count
            ).format(n=number(count)),
            icon=":material/error:",
        )
        st.dataframe(problem_table(problem.problems), hide_index=True)
        return
    except PermissionDenied as refused:
        st.error(_("Not allowed: {reason}").format(reason=safe(refused)), icon=":material/block:")
        return
    except StoreUnavailable as busy:
        st.error(
            _("Nothing was written: the database could not be written just now ({reason}). Try again.").format(
                reason=safe(busy)
            )
        )
        return
    refresh_similarity(path)  # the imported lessons are compared in the background
    st.cache_data.clear()
    rows = ngettext("{n} row", "{n} rows", sum(counts.values())).format(n=number(sum(counts.values())))
    tables = ngettext("{n} table", "{n} tables", len(counts)).format(n=number(len(counts)))
    st.success(_("Imported {rows} into {tables}.").format(rows=rows, tables=tables), icon=":material/check_circle:")


#: A bundle problem's fields in words, in the order shown.
PROBLEM_COLUMNS = {
    "file": N_("File"), "row": N_("Row"), "column": N_("Column"), "message": N_("What is wrong"),
    "fix": N_("How to fix it"),
}  # fmt: skip


def problem_table(problems) -> pd.DataFrame:
    """The problems found in a bundle, one a row, headed in words; a missing row or column is a dash, not "None"."""
    table = pd.DataFrame([asdict(p) for p in problems]).reindex(columns=list(PROBLEM_COLUMNS))
    return table.astype(object).where(table.notna(), "—").rename(columns={k: _(v) for k, v in PROBLEM_COLUMNS.items()})
