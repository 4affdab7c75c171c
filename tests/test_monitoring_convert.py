"""The report converter on small excerpts, one per irregularity of the PDF extraction, and on the whole report."""

from pathlib import Path

import pytest

from consult.monitoring.convert import convert
from consult.monitoring.values import parse_value

SHARED = Path(__file__).resolve().parents[2] / "shared"
COLUMNS = ["Rif linee CC", "Politica di riferimento del PdO", "Attività da conseguire", "Stato dell'obiettivo"]
HEADER = "\t".join(
    [*COLUMNS, "Azioni e attività effettuate", "Indicatori di risultato", "2022", "2023", "2024", "2025", "2026"]
)
TOP = "MISSIONE 1: SERVIZI\n\nPROGRAMMA 1: ORGANI ISTITUZIONALI\n\nUNITÀ ORGANIZZATIVE COINVOLTE: GABINETTO\n\n"


def row(*cells: str) -> str:
    return "\t".join(list(cells) + [""] * (11 - len(cells)))


def run(*lines: str):
    return convert(TOP + "\n".join([HEADER, *lines]) + "\n")


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("4.087.653,45 €", 4087653.45, "EUR"),
        ("42 gg", 42, "days"),
        ("54,4%", 54.4, "%"),
        ("1.983", 1983, None),
        ("187/455", 187, "ratio"),
        ("N.D.", None, None),
        ("€ 20.000", 20000, "EUR"),
        ("Avviato tavolo", None, None),
    ],
)
def test_values_keep_text_and_parse_quantities(text, number, unit):
    value = parse_value(text)
    assert value.text == text
    assert value.number == number
    assert value.unit == unit


def test_ratio_keeps_its_denominator_and_no_value_is_missing():
    assert parse_value("187/455").denominator == 455
    assert parse_value("N.D.").is_missing and parse_value("-").is_missing


def test_digits_split_by_a_stray_space_are_joined_and_noted():
    value = parse_value("219.54 4")
    assert value.number == 219544 and value.note
    # Several numbers in one cell stay text: never invent a value.
    assert parse_value("16 3").number is None


def test_headings_merged_on_one_line_are_read_separately():
    text = "MISSIONE 11: SOCCORSO CIVILE**PROGRAMMA 2: INTERVENTI****STAKEHOLDERS: CITTADINI**\n" + HEADER + "\n"
    result = convert(text + row("1", "Protezione", "Fare", "Avviato") + "\n")
    (programme,) = result.programmes
    assert (programme.mission, programme.number, programme.stakeholders) == (11, 2, "CITTADINI")
    assert any(note.line == 1 and "merged" in note.message for note in result.notes)


def test_wrapped_heading_joins_the_units():
    result = convert(TOP + "DIPARTIMENTO AMBIENTE\n\n" + HEADER + "\n" + row("1", "P", "Fare", "Avviato") + "\n")
    assert result.programmes[0].units == "GABINETTO DIPARTIMENTO AMBIENTE"


def test_continuation_rows_add_actions_and_indicators_to_the_activity_above():
    result = run(
        row("1", "Politica", "Fare una cosa", "In corso", "<p>2022</p> <p>Fatto</p>", "N° atti", "4", "5"),
        row("", "", "", "", "2023 Altro", "N° incontri", "1", "2"),
    )
    (activity,) = result.activities
    assert activity.actions == ["2022\nFatto", "2023 Altro"]
    assert [i.name for i in activity.indicators] == ["N° atti", "N° incontri"]
    assert activity.indicators[1].values[:2] == ["1", "2"]


def test_several_indicators_in_one_cell_take_the_value_rows_below():
    result = run(
        row("1", "P", "Fare", "In corso", "", "<p>N° moduli</p> <p>N° report</p>", "4", "0"),
        row("", "", "", "", "", "", "6", "1"),
    )
    indicators = result.activities[0].indicators
    assert [(i.name, i.values[:2]) for i in indicators] == [("N° moduli", ["4", "0"]), ("N° report", ["6", "1"])]
    assert any(note.line == 9 for note in result.notes)


def test_text_wrapped_across_a_page_break_under_a_repeated_header():
    result = run(row("1", "P", "Avviare il", "Avviato"), HEADER, row("", "", "percorso comune"))
    (activity,) = result.activities
    assert activity.text == "Avviare il percorso comune"
    assert any("wrapped" in note.message for note in result.notes)


def test_concluded_activity_text_in_the_actions_column():
    result = run(row("1", "P", "", "Concluso", "Definire un piano organico"))
    (activity,) = result.activities
    assert (activity.text, activity.status, activity.actions) == ("Definire un piano organico", "Concluso", [])
    assert "concluded" in result.notes[0].message


def test_html_fragments_are_cleaned():
    result = run(row("1", "P", "Fare", "Avviato", '<ul style="x"> <li>uno</li><li>due &amp; tre</li></ul>'))
    assert result.activities[0].actions == ["uno\ndue & tre"]


def test_actions_shifted_into_the_first_column_are_appended_and_noted():
    result = run(row("1", "P", "Fare", "Avviato", "2022 a"), row("2023 Prevista la rimozione neve"))
    assert result.activities[0].actions == ["2022 a", "2023 Prevista la rimozione neve"]
    assert result.notes[0].line == 9


def test_indicator_table_without_activities_belongs_to_the_programme():
    text = TOP + "\n".join(
        [
            "Politica di riferimento del PdO\tIndicatori di risultato\t2022\t2023\t2024\t2025\t2025",
            "Edilizia\tPermessi di costruire\t441\t387\t\t\t",
            "\tImporto incassato per sanzioni\t4.087.653,45 €\t4.052.419,04\t\t\t",
            "Importo per diritti di ricerca (cap. 168000/1)\t550.266,02 €\tImporto confluito\t\t\t\t",
        ]
    )
    result = convert(text + "\n")
    indicators = result.programmes[0].indicators
    assert [(i.policy, i.name, i.values[0]) for i in indicators] == [
        ("Edilizia", "Permessi di costruire", "441"),
        ("Edilizia", "Importo incassato per sanzioni", "4.087.653,45 €"),
        ("Edilizia", "Importo per diritti di ricerca (cap. 168000/1)", "550.266,02 €"),
    ]
    messages = [note.message for note in result.notes]
    assert any("repeats a year" in m for m in messages) and any("shifted left" in m for m in messages)


def test_parts_at_different_stages_keep_the_least_advanced_status():
    result = run(
        row("-", "Infrastrutture", "Avviare interventi", "Concluso (React)", "REACT fatto"),
        row("", "", "", "In corso (Pinqa)", "Pinqa in corso"),
    )
    (activity,) = result.activities
    assert activity.status == "In corso"
    assert activity.actions == ["[Concluso (React)] REACT fatto", "[In corso (Pinqa)] Pinqa in corso"]


def test_a_policy_row_without_activity_is_reported_not_dropped_silently():
    result = run(row("-", "Gestione rogiti e contratti"))
    assert result.activities == []
    assert result.notes[0].kind == "unplaced" and result.notes[0].line == 8


def test_the_whole_report_matches_independent_counts():
    source = SHARED / "seeds" / "003_7c387ce4930d930d.txt"
    text = source.read_text(encoding="utf-8")
    result = convert(text)
    lines = text.splitlines()
    toc = [line for line in lines if line.startswith("PROGRAMMA ") and "....." in line]
    assert len(result.programmes) == len(toc) == 52
    assert len({p.mission for p in result.programmes}) == 16
    numbered = [line for line in lines if line.count("\t") == 3 and line.split("\t")[0].isdigit()]
    assert sum(len(p.council_lines) for p in result.programmes) == len(numbered) == 93
    statuses = [cells[3] for line in lines if len(cells := line.split("\t")) >= 11 and cells[0] != "Rif linee CC"]
    # 350 status cells; three are further parts of the activity above (lines 547, 1250, 1251).
    given = sum(1 for status in statuses if status.startswith(("Avviato", "In corso", "Concluso", "Annullato")))
    assert sum(1 for a in result.activities if a.status) == given - 3 == 347
    report = result.report()
    assert "activities: 487" in report and "line 1315:" in report


def test_names_waiting_for_value_rows_are_kept_when_the_next_activity_names_several_too():
    result = run(
        row("1", "P", "Organizzare elezioni", "In corso", "a", "<p>N° elezioni</p> <p>N° patti</p>", "3", "2"),
        row("1", "P", "Rafforzare i tavoli", "In corso", "b", "<p>N° eventi</p> <p>N° tavoli</p>", "10", "16"),
        row("", "", "", "", "", "", "8", "12"),
    )
    first, second = result.activities
    assert [(i.name, i.values[:2]) for i in first.indicators] == [("N° elezioni", ["3", "2"]), ("N° patti", ["", ""])]
    assert [(i.name, i.values[:2]) for i in second.indicators] == [
        ("N° eventi", ["10", "16"]),
        ("N° tavoli", ["8", "12"]),
    ]
    assert any(note.line == 8 and "no value row" in note.message for note in result.notes)
