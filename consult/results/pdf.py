"""The synthesis report ("documento di sintesi") as a PDF, with reportlab and the site's Titillium Web embedded.

Cover, how the results were counted in plain words, the ranking with bars, the methods compared, the zones
(their first five and the map of positions) or the categories, projects, enabling conditions and
participation. In the language of the request; page numbers in the footer.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import current_app
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from consult.i18n import dates
from consult.results import tables, texts
from consult.results.services import METHODS

FONT_DIR = Path("vendor/bootstrap-italia/dist/fonts/Titillium_Web")
FONT_FILES = {
    "TitilliumWeb": "titillium-web-v10-latin-ext_latin-regular.ttf",
    "TitilliumWeb-SemiBold": "titillium-web-v10-latin-ext_latin-600.ttf",
    "TitilliumWeb-Bold": "titillium-web-v10-latin-ext_latin-700.ttf",
    "TitilliumWeb-Italic": "titillium-web-v10-latin-ext_latin-italic.ttf",
    "TitilliumWeb-BoldItalic": "titillium-web-v10-latin-ext_latin-700italic.ttf",
}
PRIMARY = colors.HexColor("#0066cc")
DARK = colors.HexColor("#17324d")
GREY = colors.HexColor("#5c6f82")
LIGHT = colors.HexColor("#e6ecf2")
WARNING = colors.HexColor("#a65d00")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN


def register_fonts() -> None:
    """Register Titillium Web with reportlab once per process (it is embedded, subset, in every PDF)."""
    if "TitilliumWeb" in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(current_app.static_folder) / FONT_DIR
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        "TitilliumWeb",
        normal="TitilliumWeb",
        bold="TitilliumWeb-Bold",
        italic="TitilliumWeb-Italic",
        boldItalic="TitilliumWeb-BoldItalic",
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="TitilliumWeb", fontSize=10, leading=13.5, textColor=DARK)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_right": ParagraphStyle("cell_right", base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", base, fontName="TitilliumWeb-SemiBold", fontSize=8.5, leading=10.5),
        "head_right": ParagraphStyle(
            "head_right", base, fontName="TitilliumWeb-SemiBold", fontSize=8.5, leading=10.5, alignment=TA_RIGHT
        ),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName="TitilliumWeb-Bold",
            fontSize=17,
            leading=21,
            spaceBefore=4,
            spaceAfter=8,
            textColor=PRIMARY,
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName="TitilliumWeb-SemiBold", fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4
        ),
        "kicker": ParagraphStyle("kicker", base, fontName="TitilliumWeb-SemiBold", fontSize=10, textColor=GREY),
        "cover_title": ParagraphStyle(
            "cover_title", base, fontName="TitilliumWeb-Bold", fontSize=30, leading=36, textColor=PRIMARY, spaceAfter=10
        ),
        "cover_sub": ParagraphStyle(
            "cover_sub", base, fontName="TitilliumWeb-SemiBold", fontSize=16, leading=21, spaceAfter=6
        ),
        "warning": ParagraphStyle(
            "warning", base, fontName="TitilliumWeb-Bold", fontSize=13, leading=17, textColor=WARNING
        ),
    }


def _esc(text) -> str:
    """Text for a reportlab Paragraph, which reads a little markup: escape it."""
    return str(text if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _NumberedCanvas(pdf_canvas.Canvas):
    """A canvas that writes "page X of Y" once it knows Y, and the report's name in the footer."""

    footer_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:  # not on the cover
                self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        self.saveState()
        self.setStrokeColor(LIGHT)
        self.line(MARGIN, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm)
        self.setFont("TitilliumWeb", 8)
        self.setFillColor(GREY)
        self.drawString(MARGIN, 10 * mm, self.footer_text[:110])
        self.drawRightString(
            PAGE_WIDTH - MARGIN, 10 * mm, _("Pagina %(page)s di %(total)s", page=self._pageNumber, total=total)
        )
        self.restoreState()


def _table(rows, widths, *, header=True, zebra=True, extra=()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), "TitilliumWeb"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), DARK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LIGHT),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), "TitilliumWeb-SemiBold"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, DARK),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ]
    if zebra:
        style.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]))
    table.setStyle(TableStyle(style + list(extra)))
    return table


class _Bar(Flowable):
    """A horizontal bar in a table cell, as on the results page (drawn directly: no font involved)."""

    def __init__(self, fraction: float, width: float = 34 * mm, height: float = 3.2 * mm):
        super().__init__()
        self.fraction, self.width, self.height = fraction, width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.setFillColor(LIGHT)
        self.canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        if self.fraction > 0:
            self.canv.setFillColor(PRIMARY)
            self.canv.rect(0, 0, self.width * self.fraction, self.height, stroke=0, fill=1)


class Report:
    """Builds the flowables of one report."""

    def __init__(self, view, source_url: str):
        self.view = view
        self.source_url = source_url
        self.metro = tables.is_metro(view)
        self.s = _styles()
        self.titles = tables.titles(view)
        self.story: list = []

    def p(self, text, style="body"):
        self.story.append(Paragraph(_esc(text), self.s[style]))

    def cell(self, text, style="cell"):
        return Paragraph(_esc(text), self.s[style])

    def heading(self, text):
        # A heading never ends a page alone.
        self.story.append(CondPageBreak(40 * mm))
        self.story.append(Paragraph(_esc(text), self.s["h1"]))

    # --- sections ----------------------------------------------------------------------------------

    def cover(self):
        view, s = self.view, self.s
        self.story.append(Spacer(1, 30 * mm))
        self.story.append(
            Paragraph(_esc(_("Città metropolitana di Torino · Piano Strategico Metropolitano 2024–2026")), s["kicker"])
        )
        self.story.append(Spacer(1, 6 * mm))
        self.story.append(HRFlowable(width="100%", thickness=2, color=PRIMARY, spaceAfter=8 * mm))
        self.story.append(Paragraph(_esc(_("Documento di sintesi")), s["cover_title"]))
        self.story.append(Paragraph(_esc(view.consultation.title), s["cover_sub"]))
        if self.metro:
            self.p(_("Risultati metropolitani: tutte le Zone omogenee"), "body")
        else:
            session = view.session
            self.p(_("Zona omogenea %(code)s. %(name)s", code=session.zone.code, name=session.zone.name))
            if session.title != f"{view.consultation.title} — {session.zone.name}":
                self.p(_("Sessione: %(title)s", title=session.title))
        self.story.append(Spacer(1, 10 * mm))
        if view.provisional:
            warning = _("Questo documento include sessioni non ancora pubblicate: i risultati possono ancora cambiare.")
            box = Table(
                [[Paragraph(_esc(_("DATI PROVVISORI")), s["warning"])], [Paragraph(_esc(warning), s["body"])]],
                colWidths=[WIDTH],
            )
            box.setStyle(
                TableStyle(
                    [
                        ("BOX", (0, 0), (-1, -1), 1.2, WARNING),
                        ("FONTNAME", (0, 0), (-1, -1), "TitilliumWeb"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 8),
                        ("TOPPADDING", (0, 0), (-1, -1), 5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ]
                )
            )
            self.story.append(box)
            self.story.append(Spacer(1, 8 * mm))
        facts = [[self.cell(label, "head"), self.cell(value)] for label, value in self._facts()]
        self.story.append(_table(facts, [45 * mm, WIDTH - 45 * mm], header=False, zebra=False))
        self.story.append(PageBreak())

    def _facts(self) -> list[tuple[str, str]]:
        view = self.view
        facts = [(_("Metodo"), texts.method_label(view.method))]
        if self.metro:
            facts.append((_("Ponderazione"), str(texts.WEIGHTING_LABELS[view.weighting])))
            facts.append((_("Zone contate"), str(len(view.metro.zones))))
        else:
            facts.append((_("Ponderazione"), _("nessuna: una sola sessione, ogni classifica conta uno")))
            if view.category is not None:
                facts.append((_("Categoria"), tables.category_name(view.category)))
        facts += [
            (_("Classifiche contate"), format_decimal(tables.counted(view), "#,##0")),
            (_("Data"), dates.when(view.generated_at)),
            (_("Stato"), tables.state_text(view)),
            (_("Fonte"), f"{tables.SOURCE} — {self.source_url}"),
        ]
        return facts

    def method(self):
        self.heading(_("Come sono stati contati i risultati"))
        for paragraph in tables.counting_explained(self.view):
            self.p(paragraph)
            self.story.append(Spacer(1, 2 * mm))
        self.story.append(Paragraph(_esc(_("I quattro metodi")), self.s["h2"]))
        rows = [[self.cell(_("Metodo"), "head"), self.cell(_("Come funziona"), "head")]]
        rows += [[self.cell(texts.method_label(m)), self.cell(texts.method_description(m))] for m in METHODS]
        self.story.append(_table(rows, [38 * mm, WIDTH - 38 * mm]))

    def ranking(self):
        view = self.view
        self.heading(_("Classifica metropolitana") if self.metro else _("Classifica della sessione"))
        self.p(
            _(
                "%(method)s · %(ballots)s classifiche · %(figure)s",
                method=texts.method_label(view.method),
                ballots=format_decimal(tables.counted(view), "#,##0"),
                figure=texts.FIGURE_NOTES[view.method],
            ),
            "small",
        )
        self.story.append(Spacer(1, 2 * mm))
        head = [_("Pos."), _("Codice"), _("Strategia"), ""]
        rows = [[self.cell(h, "head") for h in head] + [self.cell(texts.FIGURE_LABELS[view.method], "head_right")]]
        for f in texts.figures(view.result, self.titles):
            rows.append(
                [
                    self.cell(f.rank),
                    self.cell(f.code),
                    self.cell(f.title),
                    _Bar(f.fraction),
                    self.cell(f.text, "cell_right"),
                ]
            )
        self.story.append(_table(rows, [10 * mm, 15 * mm, WIDTH - 81 * mm, 36 * mm, 20 * mm]))

    def comparison(self):
        self.heading(_("Confronto tra i metodi"))
        self.p(
            _("La posizione di ogni strategia con ciascun metodo: se i metodi concordano, la priorità è solida."),
            "small",
        )
        self.story.append(Spacer(1, 2 * mm))
        results = {m: self.view.result_for(m) for m in METHODS}
        rows = [
            [self.cell(_("Codice"), "head"), self.cell(_("Strategia"), "head")]
            + [self.cell(texts.method_label(m), "head_right") for m in METHODS]
        ]
        for row in self.view.result.rows:
            rows.append(
                [self.cell(row.code), self.cell(self.titles.get(row.code, ""))]
                + [self.cell(results[m].row(row.code).rank, "cell_right") for m in METHODS]
            )
        self.story.append(_table(rows, [15 * mm, WIDTH - 15 * mm - 4 * 22 * mm] + [22 * mm] * 4))

    def zones(self):
        view = self.view
        self.heading(_("Le prime cinque strategie di ogni zona"))
        rows = [
            [self.cell(_("Zona"), "head"), self.cell(_("Classifiche"), "head")]
            + [self.cell(_("Posto %(n)s", n=n), "head") for n in range(1, 6)]
        ]
        for zone in view.metro.zones:
            top = [
                f"{row.code}" + (f" ({row.rank})" if row.rank != i + 1 else "")
                for i, row in enumerate(zone.result.rows[:5])
            ]
            rows.append(
                [self.cell(f"{zone.zone.code}. {zone.zone.name}"), self.cell(zone.result.ballots, "cell_right")]
                + [self.cell(code) for code in top]
                + [""] * (5 - len(top))
            )
        self.story.append(_table(rows, [52 * mm, 20 * mm] + [(WIDTH - 72 * mm) / 5] * 5))
        self.p(_("Tra parentesi la posizione, quando è condivisa con altre strategie."), "small")
        everywhere, divisive = view.consensus
        self.story.append(Paragraph(_esc(_("Dove le zone concordano e dove si dividono")), self.s["h2"]))
        if everywhere:
            self.p(
                _(
                    "Tra le prime cinque in ogni zona: %(codes)s.",
                    codes=", ".join(f"{code} {self.titles.get(code, '')}" for code in everywhere),
                )
            )
        else:
            self.p(_("Nessuna strategia è tra le prime cinque in tutte le zone."))
        if divisive:
            self.p(
                _(
                    "Dividono le zone (posizione migliore e peggiore): %(items)s.",
                    items="; ".join(f"{code} ({best}–{worst})" for code, best, worst in divisive),
                )
            )

    def heatmap(self):
        view = self.view
        if not view.metro.zones:
            return
        # The map reads as a whole: start it on a new page unless all of it fits on this one.
        self.story.append(CondPageBreak(len(view.heatmap) * 5.6 * mm + 60 * mm))
        self.heading(_("Mappa delle posizioni per zona"))
        self.p(
            _("Ogni casella è la posizione della strategia nella classifica della zona; il colore ripete il numero."),
            "small",
        )
        self.story.append(Spacer(1, 2 * mm))
        zones = view.metro.zones
        head = [self.cell(_("Codice"), "head"), self.cell(_("Metro"), "head")]
        head += [self.cell(zone.zone.code, "head") for zone in zones]
        rows, extra = [head], []
        for r, (code, metro_rank, ranks) in enumerate(view.heatmap, start=1):
            rows.append([code, metro_rank, *ranks])
            for c, rank in enumerate(ranks, start=2):
                _css, background, text = texts.heat_band(rank)
                extra += [
                    ("BACKGROUND", (c, r), (c, r), colors.HexColor(background)),
                    ("TEXTCOLOR", (c, r), (c, r), colors.HexColor(text)),
                ]
        extra += [
            ("ALIGN", (1, 1), (-1, -1), "CENTER"),
            ("FONTNAME", (1, 1), (1, -1), "TitilliumWeb-SemiBold"),
            ("GRID", (2, 1), (-1, -1), 0.5, colors.white),
        ]
        width = (WIDTH - 28 * mm) / len(zones)
        self.story.append(_table(rows, [14 * mm, 14 * mm] + [width] * len(zones), zebra=False, extra=extra))
        self.story.append(Spacer(1, 3 * mm))
        legend = [
            (label, band[2], band[3]) for (_css, label), band in zip(texts.heat_legend(), texts.HEAT_BANDS, strict=True)
        ]
        cells = [
            [
                Paragraph(_esc(label), ParagraphStyle("l", self.s["cell"], textColor=colors.HexColor(text)))
                for label, _bg, text in legend
            ]
        ]
        key = Table(cells, colWidths=[WIDTH / len(legend)] * len(legend), hAlign="LEFT")
        key.setStyle(
            TableStyle(
                [("BACKGROUND", (i, 0), (i, 0), colors.HexColor(bg)) for i, (_label, bg, _text) in enumerate(legend)]
                + [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("FONTNAME", (0, 0), (-1, -1), "TitilliumWeb")]
            )
        )
        self.story.append(KeepTogether([Paragraph(_esc(_("Legenda")), self.s["h2"]), key]))
        names = "; ".join(f"{zone.zone.code}. {zone.zone.name}" for zone in zones)
        self.story.append(Spacer(1, 2 * mm))
        self.p(_("Zone: %(names)s.", names=names), "small")

    def categories(self):
        self.heading(_("Per categoria di portatori di interesse"))
        self.p(
            _("Le classifiche di ogni categoria contate a parte, con lo stesso metodo; le prime cinque strategie."),
            "small",
        )
        self.story.append(Spacer(1, 2 * mm))
        table = tables.categories_table(self.view)
        rows = [[self.cell(h, "head") for h in table.headers]]
        rows += [[self.cell(value) for value in row] for row in table.rows]
        self.story.append(_table(rows, [60 * mm, 20 * mm] + [(WIDTH - 80 * mm) / 5] * 5))

    def projects(self):
        self.heading(_("Progetti proposti"))
        if not self.view.proposals:
            self.p(_("Nessun progetto proposto."))
            return
        self.p(
            _("Raggruppati per strategia; per ciascuno il promotore indicato e quante persone lo sostengono."), "small"
        )
        for strategy, items in self.view.proposals:
            block = [Paragraph(_esc(f"{strategy.code} {strategy.title}"), self.s["h2"])]
            rows = [
                [self.cell(h, "head") for h in (_("Progetto"), _("Promotore"), _("Zona"), _("Stato"), _("Sostegni"))]
            ]
            for item in items:
                p = item.proposal
                rows.append(
                    [
                        self.cell(_with_activity(p.title, self.view.proposal_activities.get(p.id))),
                        self.cell(p.promoter),
                        self.cell(f"{item.zone.code}. {item.zone.name}"),
                        self.cell(p.status.label if p.status else ""),
                        self.cell(item.supports, "cell_right"),
                    ]
                )
            block.append(_table(rows, [WIDTH - 132 * mm, 45 * mm, 45 * mm, 25 * mm, 17 * mm]))
            # A short table stays with its heading; a long one may break across pages.
            if len(items) < 12:
                self.story.append(KeepTogether(block))
            else:
                self.story.extend(block)

    def conditions(self):
        self.heading(_("Fattori abilitanti"))
        tags, matrix = self.view.conditions
        if not matrix:
            self.p(_("Nessun fattore abilitante indicato."))
            return
        self.p(
            _(
                "Per ogni strategia, i fattori abilitanti indicati nelle schede, dal più citato; tra parentesi quante "
                "schede li citano. La tabella completa è nel file XLSX."
            ),
            "small",
        )
        self.story.append(Spacer(1, 2 * mm))
        locale = tables._locale()
        rows = [[self.cell(_("Strategia"), "head"), self.cell(_("Fattori abilitanti più citati"), "head")]]
        for strategy, counts in matrix:
            named = sorted(
                ((n, tag.name(locale)) for tag, n in zip(tags, counts, strict=True) if n), key=lambda p: -p[0]
            )
            rows.append([self.cell(strategy.code), self.cell(", ".join(f"{name} ({n})" for n, name in named))])
        self.story.append(_table(rows, [18 * mm, WIDTH - 18 * mm]))

    def participation(self):
        view = self.view
        self.heading(_("Partecipazione"))
        if self.metro:
            rows = [
                [
                    self.cell(h, "head")
                    for h in (
                        _("Zona"),
                        _("Sessioni"),
                        _("Classifiche"),
                        _("Popolazione 2011"),
                        _("Peso nel conteggio"),
                    )
                ]
            ]
            for p in view.participation:
                share = format_percent(p.share, "#,##0.0%") if p.share is not None else "—"
                rows.append(
                    [
                        self.cell(f"{p.zone.code}. {p.zone.name}"),
                        self.cell(p.sessions, "cell_right"),
                        self.cell(p.ballots, "cell_right"),
                        self.cell(format_decimal(p.zone.population_2011, "#,##0"), "cell_right"),
                        self.cell(share, "cell_right"),
                    ]
                )
            self.story.append(_table(rows, [WIDTH - 100 * mm, 20 * mm, 24 * mm, 30 * mm, 26 * mm]))
        self.story.append(Paragraph(_esc(_("Per categoria")), self.s["h2"]))
        rows = [[self.cell(_("Categoria"), "head"), self.cell(_("Classifiche"), "head")]]
        rows += [
            [self.cell(tables.category_name(e.category)), self.cell(e.ballots, "cell_right")] for e in view.categories
        ]
        self.story.append(_table(rows, [80 * mm, 24 * mm]))
        self.story.append(Paragraph(_esc(_("Per canale")), self.s["h2"]))
        rows = [[self.cell(_("Canale"), "head"), self.cell(_("Classifiche"), "head")]]
        rows += [[self.cell(channel.label), self.cell(n, "cell_right")] for channel, n in view.channels]
        self.story.append(_table(rows, [80 * mm, 24 * mm]))

    def build(self) -> list:
        self.cover()
        self.method()
        self.ranking()
        self.comparison()
        if self.metro:
            self.zones()
            self.heatmap()
        else:
            self.categories()
        # What participants wrote, per prioritised strategy, per zone and metropolitan-wide (consult.synthesis).
        from consult.synthesis.report import add_sections

        add_sections(self)
        self.projects()
        self.conditions()
        self.participation()
        return self.story


def render(view, source_url: str) -> bytes:
    """The synthesis report of a session's or a consultation's results, as PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    report = Report(view, source_url)
    title = _("Documento di sintesi — %(title)s", title=view.consultation.title)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=title,
        author="Città metropolitana di Torino — consult",
        subject=_("Risultati della consultazione"),
        creator="consult",
        initialFontName="TitilliumWeb",
        lang=tables._locale(),
    )
    footer = view.consultation.title if report.metro else f"{view.consultation.title} — {view.session.zone.name}"

    class FooterCanvas(_NumberedCanvas):
        footer_text = f"consult · {footer}"

    document.build(report.build(), canvasmaker=FooterCanvas)
    return buffer.getvalue()


def _with_activity(title: str, activity) -> str:
    """A proposal's title, and the activity already under way it builds on (consult.monitoring)."""
    if activity is None:
        return title
    text = activity.text if len(activity.text) <= 120 else activity.text[:119] + "…"
    return f"{title} — " + _("si basa su: %(activity)s", activity=text)
