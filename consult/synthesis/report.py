"""The contributions part of the synthesis report (PDF): per zone and for the metropolitan area, a section per
prioritised strategy — its position, the recurring themes, answers quoted in full, the proposals with their
fields, the actor networks, the enabling conditions, the priority actions and the comments.

``consult.results.pdf`` calls ``add_sections(report)``; this module only appends flowables to its story.
"""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer
from sqlalchemy import select

from consult.extensions import db
from consult.models import SynthesisQuote
from consult.results import tables, texts
from consult.synthesis import services, similar
from consult.synthesis.services import Contribution, Kind, normalise
from consult.synthesis.themes import recurring_themes

#: Strategies given a section of their own: those ranked in the first places.
PRIORITY_PLACES = 5
#: Answers quoted in full per strategy (the ones planners chose first, then the most supported or longest).
QUOTES = 3
COMMENTS = 3


def quoted_keys() -> set[str]:
    """Contributions planners chose to quote in the synthesis."""
    return set(db.session.scalars(select(SynthesisQuote.contribution_key)))


def representative(items: list[Contribution], chosen: set[str], limit: int) -> list[tuple[Contribution, int]]:
    """The planner's choices first, then the most supported, then the longest; the same words written in several
    contributions are quoted once, with how many wrote them."""
    ordered = sorted(items, key=lambda i: (i.key not in chosen, -(i.supports or 0), -len(i.text), i.key))
    seen: dict[str, list] = {}
    for item in ordered:
        entry = seen.setdefault(normalise(item.text), [item, 0])
        entry[1] += 1
    return [(item, count) for item, count in seen.values()][:limit]


def attribution(item: Contribution, locale: str) -> str:
    parts = [item.category_name(locale) or _("categoria non indicata")]
    if item.organisation:
        parts.append(item.organisation)
    parts += [item.zone.name, str(item.channel.label)]
    return " · ".join(parts)


class Section:
    """Writes the contributions of one area (a zone, or the metropolitan area) into the report."""

    def __init__(self, report, locale: str, chosen: set[str]):
        self.r = report
        self.locale = locale
        self.chosen = chosen
        self.esc = report_escape
        s = report.s
        self.quote = ParagraphStyle("quote", s["body"], fontName="TitilliumWeb-Italic", leftIndent=8 * mm)
        self.quote_by = ParagraphStyle(
            "quote_by", s["small"], leftIndent=8 * mm, spaceAfter=5, textColor=s["kicker"].textColor
        )
        self.h3 = ParagraphStyle("h3", s["body"], fontName="TitilliumWeb-SemiBold", spaceBefore=6, spaceAfter=2)
        self.project = ParagraphStyle(
            "project", s["body"], fontName="TitilliumWeb-SemiBold", spaceBefore=3, spaceAfter=1
        )

    def theme_text(self, theme, *, several_zones: bool) -> str:
        used = ngettext("in %(num)s contributo", "in %(num)s contributi", len(theme.items))
        if several_zones:
            used += " " + ngettext("di %(num)s zona", "di %(num)s zone", len(theme.zones))
        return f"«{theme.label}» {used}"

    def quotation(self, item: Contribution, count: int) -> list:
        by = attribution(item, self.locale)
        if count > 1:
            by += " · " + ngettext(
                "scritto uguale in %(num)s contributo", "scritto uguale in %(num)s contributi", count
            )
        return [self.para(f"«{item.text}»", self.quote), self.para(by, self.quote_by)]

    def para(self, text, style):
        return Paragraph(self.esc(text), style if isinstance(style, ParagraphStyle) else self.r.s[style])

    def add(self, *flowables):
        self.r.story.extend(flowables)

    def strategy(self, block: services.StrategyBlock, total: int, zones_in_top: int | None = None):
        r = self.r
        items = block.items()
        zones = sorted({item.zone.name for item in items})
        self.add(CondPageBreak(50 * mm))
        title = f"{block.rank}ª · {block.strategy.code} {block.strategy.title}" if block.rank else block.strategy.code
        self.add(self.para(title, "h2"))
        position = _(
            "%(rank)sª su %(total)s strategie con il metodo «%(method)s».",
            rank=block.rank,
            total=total,
            method=texts.method_label(r.view.method),
        )
        if zones_in_top is not None:
            position += " " + ngettext(
                "Tra le prime cinque in %(num)s zona.", "Tra le prime cinque in %(num)s zone.", zones_in_top
            )
        if len(zones) > 1:
            position += " " + ngettext(
                "%(num)s contributo, da %(zones)s.",
                "%(num)s contributi, da %(zones)s.",
                len(items),
                zones=", ".join(zones),
            )
        else:
            position += " " + ngettext("%(num)s contributo.", "%(num)s contributi.", len(items))
        self.add(self.para(position, "small"))

        themes = recurring_themes(items, limit=6)
        if themes:
            listed = "; ".join(self.theme_text(theme, several_zones=len(zones) > 1) for theme in themes)
            self.add(self.para(_("Temi ricorrenti: %(themes)s.", themes=listed), "body"))

        answers = block.by_kind.get(Kind.IMPLEMENTATION, [])
        if answers:
            self.add(self.para(_("Come attuarla sul territorio"), self.h3))
            quoted = representative(answers, self.chosen, QUOTES)
            for item, count in quoted:
                self.add(KeepTogether(self.quotation(item, count)))
            if len(answers) > sum(count for _item, count in quoted):
                self.add(
                    self.para(
                        ngettext(
                            "Altra %(num)s risposta nel file dei contributi.",
                            "Altre %(num)s risposte nel file dei contributi.",
                            len(answers) - sum(count for _item, count in quoted),
                        ),
                        "small",
                    )
                )

        proposals = block.by_kind.get(Kind.PROPOSAL, [])
        if proposals:
            self.add(self.para(_("Progetti e programmi collegati"), self.h3))
            for item in proposals:
                lines = [
                    self.para(
                        f"{item.title} — " + ngettext("%(num)s sostegno", "%(num)s sostegni", item.supports or 0),
                        r.s["h2"].clone("ptitle", fontSize=10, leading=13, spaceBefore=3, spaceAfter=1),
                    )
                ]
                if item.text:
                    lines.append(self.para(item.text, "body"))
                details = [f"{label}: {value}" for label, value in item.fields]
                details.append(attribution(item, self.locale))
                lines.append(self.para(" · ".join(details), "small"))
                self.add(KeepTogether(lines), Spacer(1, 1.5 * mm))

        actors = block.by_kind.get(Kind.ACTOR, [])
        if actors:
            self.add(self.para(_("Reti di attori"), self.h3))
            named: dict[tuple[str, str], list[Contribution]] = {}
            for item in actors:
                state = dict((str(k), v) for k, v in item.fields).get(str(_("Stato")), "")
                named.setdefault((" ".join((item.title or "").split()).casefold(), state), []).append(item)
            rows = [
                [r.cell(h, "head") for h in (_("Soggetto"), _("Tipo"), _("Stato"), _("Ruolo indicato"), _("Volte"))]
            ]
            for (_name, state), group in sorted(named.items(), key=lambda p: (-len(p[1]), p[0])):
                first = group[0]
                kind = next((v for k, v in first.fields if str(k) == str(_("Tipo di soggetto"))), "")
                roles = "; ".join(dict.fromkeys(item.text for item in group if item.text))
                rows.append(
                    [r.cell(first.title), r.cell(kind), r.cell(state), r.cell(roles), r.cell(len(group), "cell_right")]
                )
            self.add(report_table(rows, [40 * mm, 32 * mm, 20 * mm, r_width() - 106 * mm, 14 * mm]))

        conditions = block.by_kind.get(Kind.CONDITION, [])
        if conditions:
            self.add(self.para(_("Fattori abilitanti e precondizioni"), self.h3))
            by_tag: dict[str, list[Contribution]] = {}
            for item in conditions:
                by_tag.setdefault(item.title or "", []).append(item)
            for tag, group in sorted(by_tag.items(), key=lambda p: (-len(p[1]), p[0])):
                notes = [item.text for item in group if item.text]
                text = f"{tag} ({len(group)})"
                if notes:
                    text += ": " + " — ".join(f"«{note}»" for note in dict.fromkeys(notes))
                self.add(self.para("• " + text, "body"))

        actions = block.by_kind.get(Kind.ACTION, [])
        if actions:
            self.add(self.para(_("Azioni prioritarie indicate"), self.h3))
            counts = Counter(item.title for item in actions)
            for title, n in counts.most_common():
                self.add(
                    self.para(
                        "• " + ngettext("%(title)s (%(num)s scheda)", "%(title)s (%(num)s schede)", n, title=title),
                        "body",
                    )
                )

        comments = block.by_kind.get(Kind.COMMENT, [])
        if comments:
            self.add(self.para(_("Dal confronto (commenti)"), self.h3))
            quoted = representative(comments, self.chosen, COMMENTS)
            for item, count in quoted:
                self.add(KeepTogether(self.quotation(item, count)))
            if len(comments) > sum(count for _item, count in quoted):
                self.add(
                    self.para(
                        ngettext(
                            "Altro %(num)s commento nel file dei contributi.",
                            "Altri %(num)s commenti nel file dei contributi.",
                            len(comments) - sum(count for _item, count in quoted),
                        ),
                        "small",
                    )
                )


def report_escape(text) -> str:
    from consult.results.pdf import _esc

    return _esc(text)


def report_table(rows, widths):
    from consult.results.pdf import _table

    return _table(rows, widths)


def r_width() -> float:
    from consult.results.pdf import WIDTH

    return WIDTH


def _blocks(items: list[Contribution], ranks: dict[str, int]) -> list[services.StrategyBlock]:
    blocks: dict[str, services.StrategyBlock] = {}
    for item in items:
        code = item.strategy.code
        blocks.setdefault(code, services.StrategyBlock(item.strategy, ranks.get(code))).by_kind.setdefault(
            item.kind, []
        ).append(item)
    for block in blocks.values():
        if Kind.PROPOSAL in block.by_kind:
            block.by_kind[Kind.PROPOSAL].sort(key=lambda i: -(i.supports or 0))
    return sorted(blocks.values(), key=lambda b: (b.rank is None, b.rank or 0, b.strategy.code))


def _area(section: Section, items, ranks: dict[str, int], total: int, zones_in_top=None) -> None:
    blocks = _blocks(items, ranks)
    prioritised = [b for b in blocks if b.rank is not None and b.rank <= PRIORITY_PLACES]
    if not blocks:
        section.add(section.para(_("Nessun contributo scritto."), "body"))
        return
    for block in prioritised:
        section.strategy(block, total, zones_in_top(block.strategy.code) if zones_in_top else None)
    others = [b for b in blocks if b not in prioritised]
    if others:
        listed = ", ".join(f"{b.strategy.code} ({b.count})" for b in others)
        section.add(
            Spacer(1, 2 * mm),
            section.para(
                _(
                    "Contributi anche su altre strategie, non tra le prime cinque: %(list)s. Sono tutti nel file dei "
                    "contributi (CSV o XLSX).",
                    list=listed,
                ),
                "small",
            ),
        )


def add_sections(report) -> None:
    """Append the contributions part to ``report`` (a ``consult.results.pdf.Report``)."""
    view = report.view
    locale = tables._locale()
    items = services.gather(view.sessions, locale)
    section = Section(report, locale, quoted_keys())
    total = len(view.result.rows)
    report.heading(_("Dalle strategie alle azioni: i contributi"))
    report.p(
        _(
            "Per ogni strategia tra le prime cinque, ciò che i partecipanti hanno scritto: come attuarla sul "
            "territorio, i progetti collegati, le reti di soggetti già attivi o da attivare, i fattori abilitanti "
            "e le azioni prioritarie. Le risposte citate per intero sono quelle scelte dai pianificatori, altrimenti "
            "le più sostenute o le più ampie. Ogni contributo è attribuito alla categoria, alla zona e al canale; "
            "l'organizzazione solo dove chi scriveva ha acconsentito. Tutti i contributi sono nel file dei contributi."
        ),
        "small",
    )
    if not report.metro:
        ranks = {row.code: row.rank for row in view.result.rows}
        _area(section, items, ranks, total)
        return

    metro = view.metro
    ranks = {row.code: row.rank for row in view.result.rows}
    by_zone_rank = {zone.zone.code: {row.code: row.rank for row in zone.result.rows} for zone in metro.zones}

    def zones_in_top(code: str) -> int:
        return sum(1 for zone_ranks in by_zone_rank.values() if zone_ranks.get(code, 99) <= PRIORITY_PLACES)

    report.story.append(Paragraph(report_escape(_("Sintesi per l’area metropolitana")), report.s["h1"]))
    groups = similar.confirmed_groups(view.consultation, items)
    if groups:
        section.add(section.para(_("Progetti comuni a più zone"), section.h3))
        for group in groups:
            text = _(
                "%(title)s — %(zones)s; %(supports)s sostegni in tutto.",
                title=group.title,
                zones=", ".join(zone.name for zone in group.zones),
                supports=group.supports,
            )
            section.add(section.para("• " + text, "body"))
    _area(section, items, ranks, total, zones_in_top)
    for zone in metro.zones:
        zone_items = [item for item in items if item.zone.code == zone.zone.code]
        report.heading(_("Zona %(code)s. %(name)s", code=zone.zone.code, name=zone.zone.name))
        report.p(
            ngettext(
                "%(num)s classifica contata in questa zona.",
                "%(num)s classifiche contate in questa zona.",
                zone.result.ballots,
            ),
            "small",
        )
        _area(section, zone_items, by_zone_rank[zone.zone.code], total)
