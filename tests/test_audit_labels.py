"""The audit log reads in people's words: every action and every detail recorded anywhere has a label."""

import ast
from pathlib import Path

from sqlalchemy import select

from consult import audit
from consult.admin.services import ACTION_LABELS, DETAIL_LABELS, audit_table, details_text
from consult.extensions import db
from consult.models import AuditEvent

SOURCE = Path(__file__).resolve().parents[1] / "consult"


def recorded() -> list[tuple[str, set[str], str]]:
    """Every ``record("action", ..., key=...)`` call in the code: action, detail keys, where."""
    calls = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name != "record" or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            keys = {keyword.arg for keyword in node.keywords if keyword.arg not in (None, "actor")}
            for keyword in node.keywords:
                if keyword.arg is None and isinstance(keyword.value, ast.Dict):
                    keys |= {key.value for key in keyword.value.keys if isinstance(key, ast.Constant)}
            calls.append((node.args[0].value, keys, f"{path.relative_to(SOURCE.parent)}:{node.lineno}"))
    return calls


def test_the_code_records_actions():
    # The scan itself must find the calls, or the tests below would pass on nothing.
    actions = {action for action, _keys, _where in recorded()}
    assert {"auth.login", "session.state_changed", "code.revoked", "results.downloaded"} <= actions


def test_every_recorded_action_has_a_label():
    missing = [f"{action} ({where})" for action, _keys, where in recorded() if action not in ACTION_LABELS]
    assert missing == []


def test_every_recorded_detail_has_a_label():
    missing = [
        f"{key} of {action} ({where})" for action, keys, where in recorded() for key in keys if key not in DETAIL_LABELS
    ]
    assert missing == []


def test_details_read_in_words(app):
    with app.test_request_context(headers={"Accept-Language": "it"}):
        text = details_text(
            {"format": "csv", "method": "borda", "weighting": None, "provisional": False, "table": "ranking_schulze"}
        )
        assert text == (
            "formato: CSV; metodo: Conteggio di Borda; ponderazione: —; provvisori: no; "
            "tabella: classifica (Metodo Schulze)"
        )
        assert "provisional" not in text and "False" not in text and "borda" not in text
        assert details_text({"previous": "closed", "state": "published"}) == (
            "stato precedente: Chiusa; nuovo stato: Risultati pubblicati"
        )
        assert details_text({"from": "stakeholder", "to": "facilitator"}) == "da: Partecipante; a: Facilitatore"
        assert details_text({"fields": ["title", "starts_at"]}) == "campi: titolo, data e ora"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert details_text({"provisional": True, "depth": None}) == "provisional: yes; places to rank: all"


def test_the_audit_page_and_its_download_show_no_raw_key(app, client_as):
    admin = client_as("admin")
    with app.app_context():
        audit.record("results.downloaded", None, format="pdf", method="schulze", weighting="equal", provisional=False)
        audit.record("session.state_changed", None, previous="open", state="closed")
        db.session.commit()
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Risultati scaricati" in page and "provvisori: no" in page
    assert "stato precedente: Aperta; nuovo stato: Chiusa" in page
    for raw in ("results.downloaded", "provisional", "False", "state_changed"):
        assert raw not in page.split("<table", 1)[1], raw
    with app.test_request_context(headers={"Accept-Language": "it"}):
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        headers, rows = audit_table(events)
        download = rows[-2]
        assert download[headers.index("Azione")] == "Risultati scaricati"
        assert "provvisori: no" in download[headers.index("Dettagli")]
        assert download[headers.index("Codice dell'azione")] == "results.downloaded"
