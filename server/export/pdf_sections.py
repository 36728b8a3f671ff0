"""The sections of the PDF protocol around the parts: cover (roster, agenda), vote ranking,
and the log with the group's decisions first.
"""

from __future__ import annotations

from .logwords import log_sentence
from .pdf_blocks import esc, para, rtl_attr, table
from .report import Report
from .wording import (
    RANKING_TOP,
    agenda_table,
    groups_text,
    role_label,
    roster_label,
    vote_ranking,
)


def cover_html(report: Report) -> list[str]:
    """Title, export facts and notices, who took part, and the agenda."""
    out = [
        '<section class="cover">',
        para("kicker", f"{report.canvas_title} · {report.t('doc.kind')}"),
        f"<h1{rtl_attr(report.title)}>{esc(report.title)}</h1>",
        '<div class="meta">',
        para("", f"{report.t('doc.exported')}: {report.when(int(report.exported_at * 1000))}"),
    ]
    if report.created_at is not None:
        out.append(para("", f"{report.t('doc.created')}: {report.when(report.created_at)}"))
    source = report.source_label or report.t("doc.source.live")
    out += [para("", f"{report.t('doc.source')}: {source}"), "</div>"]
    if report.anonymize:
        out.append(para("notice", report.t("doc.anonymized")))
    if report.voting.shown:
        out.append(para("notice", report.t("voting.closed")))
    elif report.voting.state == "open":
        out.append(para("notice", report.t("voting.open")))

    out.append(f"<h2>{esc(report.t('roster.title'))}</h2>")
    if report.roster:
        rows = [[roster_label(e), str(e.count)] for e in report.roster]
        rows.append([report.t("roster.total"), str(sum(e.count for e in report.roster))])
        out.append(table([report.t("roster.group"), report.t("roster.count")], rows, {1}))
    else:
        out.append(para("empty", report.t("roster.none")))

    out.append(f"<h2>{esc(report.t('agenda.title'))}</h2>")
    if report.agenda:
        header, rows, total = agenda_table(report)
        out.append(table(header, [*rows, total], {1, 2, 3}))
    else:
        out.append(para("empty", report.t("agenda.none")))
    out.append("</section>")
    return out


def ranking_html(report: Report) -> list[str]:
    """Per voted field its top notes, with their dots by the voters' groups."""
    ranking = vote_ranking(report)
    if not ranking:
        return []
    out = [
        f'<section class="part"><h2>{esc(report.t("ranking.title"))}</h2>',
        para("prompt", report.t("ranking.intro", n=RANKING_TOP)),
    ]
    header = [
        report.t("ranking.rank"),
        report.t("ranking.note"),
        report.t("ranking.dots"),
        report.t("ranking.by_group"),
    ]
    for field, notes in ranking:
        out.append(f"<h3>{esc(f'{field.id} {field.label}')}</h3>")
        if not notes:
            out.append(para("empty", report.t("ranking.none")))
            continue
        rows = [
            [str(i), n.text.strip() or "…", str(n.votes or 0), groups_text(report, n)]
            for i, n in enumerate(notes, 1)
        ]
        out.append(table(header, rows, {0, 2}, widths=[8, 52, 10, 30]))
    out.append("</section>")
    return out


def _decisions(report: Report) -> list[str]:
    """The group's decisions, first in the decision section (P232)."""
    if not report.decisions:
        return []
    out = [f"<h3>{esc(report.t('decisions.title'))}</h3>", '<ol class="decisions">']
    for d in report.decisions:
        said = [report.when(d.at)] if d.at is not None else []
        if d.link:
            said.insert(0, d.link)
        if d.edited_at is not None:
            said.append(report.t("decisions.edited", when=report.when(d.edited_at)))
        out.append(
            f"<li><strong>{esc(report.t('decisions.label'))}:</strong> {esc(d.text)}"
            + (f'<br><span class="decision-link">{esc(" · ".join(said))}</span>' if said else "")
            + "</li>"
        )
    out += ["</ol>", f"<h3>{esc(report.t('decisions.history'))}</h3>"]
    return out


def log_html(report: Report) -> list[str]:
    """The decisions, then every logged moderator step with time and person."""
    out = [f'<section class="part"><h2>{esc(report.t("log.title"))}</h2>', *_decisions(report)]
    if not report.log:
        out.append(para("empty", report.t("log.none")))
    else:
        rows = []
        for entry in report.log:
            by = role_label(report.locale, entry.role)
            if entry.name:
                by = f"{by} ({entry.name})"
            rows.append([report.when(entry.at) or "–", by, log_sentence(report, entry)])
        header = [report.t("log.time"), report.t("log.by"), report.t("log.what")]
        out.append(table(header, rows, widths=[20, 25, 55]))
    out.append("</section>")
    return out
