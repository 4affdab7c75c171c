"""Forms for the strategy sheet, project proposals and comments. Labels are Italian, the UI's source language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from consult.models import ActorState, Competence, Funding, ProjectStatus, RelatedPlan
from consult.participation.contributions import COMMENT_MAX, MAX_ACTORS, TEXT_MAX, is_web_link

#: Empty actor rows offered below the saved ones, and added by "Aggiungi altre righe".
EMPTY_ACTOR_ROWS = 3


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; which values are allowed is the service's decision, with its own message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class ActorForm(Form):
    """One row of question 3 (no CSRF of its own: it lives inside the sheet form)."""

    name = StringField(_l("Nome del soggetto"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Tipo di soggetto"), validators=[Optional()])
    state = RadioField(
        _l("Il soggetto è"),
        choices=[SelectChoice(state.value, state.label) for state in ActorState],
        validators=[Optional()],
    )
    role = TextAreaField(_l("Ruolo che può avere"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})

    def is_blank(self) -> bool:
        return not any((self.name.data or "").strip() or field.data for field in (self.kind, self.state, self.role))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.is_blank():
            return True
        ok = True
        if not (self.name.data or "").strip():
            self.name.errors.append(_l("Scrivi il nome del soggetto, oppure svuota la riga."))
            ok = False
        if not self.kind.data:
            self.kind.errors.append(_l("Scegli il tipo di soggetto."))
            ok = False
        if not self.state.data:
            self.state.errors.append(_l("Indica se il soggetto è già attivo o da attivare."))
            ok = False
        return ok


class ConditionForm(Form):
    """One enabling condition of question 4: ticked or not, with an optional note."""

    code = HiddenField()
    chosen = BooleanField()
    note = TextAreaField(_l("Nota (facoltativa)"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


#: Off by default: the organisation is shown beside a contribution only when its author asks, each time.
SHOW_ORGANISATION_LABEL = _l("Mostra la mia organizzazione accanto a questo contributo")


class SheetForm(FlaskForm):
    implementation = TextAreaField(
        _l("Come si può attuare questa strategia nella tua zona?"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Chi se ne può occupare, dove, con quali passi e in quali tempi."),
        render_kw={"rows": 6},
    )
    actors = FieldList(FormField(ActorForm), max_entries=MAX_ACTORS)
    conditions = FieldList(FormField(ConditionForm), max_entries=100)
    priority_actions = CheckboxesField(_l("Azioni prioritarie"))
    show_organisation = BooleanField(SHOW_ORGANISATION_LABEL, default=False)


class ProposalForm(FlaskForm):
    title = StringField(
        _l("Titolo del progetto"),
        validators=[DataRequired(message=_l("Scrivi il titolo del progetto.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Descrizione"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Che cosa prevede, a chi si rivolge, quali risultati si attende."),
        render_kw={"rows": 5},
    )
    promoter = StringField(
        _l("Promotore"),
        validators=[Optional(), Length(max=200)],
        description=_l("L'ente o l'organizzazione che lo propone o lo guida."),
    )
    municipalities = TextAreaField(
        _l("Comuni interessati"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Separa i nomi con una virgola."),
        render_kw={"rows": 2},
    )
    actions = CheckboxesField(_l("Azioni della strategia a cui si collega"))
    funding = SelectField(
        _l("Fonte di finanziamento"),
        choices=[SelectChoice("", _l("Non indicata"))] + [SelectChoice(f.value, f.label) for f in Funding],
        validators=[Optional()],
    )
    status = SelectField(
        _l("Stato"),
        choices=[SelectChoice("", _l("Non indicato"))] + [SelectChoice(s.value, s.label) for s in ProjectStatus],
        validators=[Optional()],
    )
    competence = RadioField(
        _l("Livello di competenza"),
        choices=[SelectChoice(c.value, c.label) for c in Competence],
        validators=[Optional()],
        description=_l(
            "Il position paper chiede di tenere distinta la competenza diretta della Città metropolitana "
            "da quella degli enti locali e da quella di altri livelli di governo."
        ),
    )
    related_plans = CheckboxesField(
        _l("Piani collegati"), choices=[SelectChoice(p.value, p.label) for p in RelatedPlan], validate_choice=True
    )
    related_plans_other = StringField(
        _l("Altro piano: quale?"),
        validators=[Optional(), Length(max=200)],
    )
    link = StringField(
        _l("Link (facoltativo)"),
        validators=[Optional(), Length(max=500)],
        description=_l("Una pagina web sul progetto, che inizia con https:// o http://."),
        render_kw={"inputmode": "url", "spellcheck": "false"},
    )

    show_organisation = BooleanField(SHOW_ORGANISATION_LABEL, default=False)
    #: Id of an activity already under way (a monitoring report) the project builds on; see consult.monitoring.
    monitored_activity = StringField(
        _l("Attività già in corso su cui si basa (facoltativa)"), validators=[Optional(), Length(max=12)]
    )

    def validate_link(self, field) -> None:
        if field.data and not is_web_link(field.data.strip()):
            raise ValidationError(_l("Il link deve iniziare con https:// o http://."))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Il tuo commento"),
        validators=[DataRequired(message=_l("Il commento è vuoto.")), Length(max=COMMENT_MAX)],
    )
    strategy = HiddenField()
    proposal = HiddenField()
    parent = HiddenField()
    show_organisation = BooleanField(SHOW_ORGANISATION_LABEL, default=False)


class CommentEditForm(FlaskForm):
    body = TextAreaField(
        _l("Testo del commento"),
        validators=[DataRequired(message=_l("Il commento è vuoto.")), Length(max=COMMENT_MAX)],
        render_kw={"rows": 6},
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("Motivo (facoltativo)"), validators=[Optional(), Length(max=1000)])


def error_list(form) -> list[tuple[str, str, str]]:
    """Every error of a form, nested rows included, as (field id, label, message), for the summary at the top."""
    found = []

    def walk(field, prefix: str = ""):
        if isinstance(field, FieldList):
            for n, entry in enumerate(field.entries, start=1):
                # Named as on the page: the actor rows are "Soggetto 1", "Soggetto 2", ...
                row = _("Soggetto %(n)s", n=n) if field.name == "actors" else _("Riga %(n)s", n=n)
                walk(entry, prefix=row + " · ")
        elif isinstance(field, FormField):
            for sub in field.form:
                walk(sub, prefix)
        elif field.errors and field.type != "CSRFTokenField":
            found.extend((field.id, prefix + str(field.label.text), str(error)) for error in field.errors)

    for field in form:
        walk(field)
    return found
