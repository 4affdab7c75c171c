"""Console forms. Choices that come from the database (axes, strategies, zones) are filled in per request."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.auth.forms import REQUIRED, clean_text
from consult.models import Mode

SCOPE_CHOICES = [
    SelectChoice("all", _l("Tutte le strategie del Piano")),
    SelectChoice("axes", _l("Le strategie di alcuni Assi")),
    SelectChoice("strategies", _l("Un elenco di strategie")),
]
DEPTH_CHOICES = [
    SelectChoice("top", _l("Le più importanti: chi partecipa ne mette in ordine un numero fisso")),
    SelectChoice("all", _l("Tutte: chi partecipa le mette in ordine tutte")),
]


INVALID_CHOICE = _l("Scelta non valida: ricarica la pagina e riprova.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ConsultationForm(FlaskForm):
    title = StringField(
        _l("Titolo"),
        validators=[DataRequired(message=REQUIRED), Length(max=200)],
        filters=[clean_text],
        description=_l("Ad esempio «Dalle strategie alle azioni — dicembre 2026»."),
    )
    description = TextAreaField(
        _l("Descrizione (facoltativa)"),
        validators=[Optional(), Length(max=5000)],
        filters=[_strip],
        description=_l("Compare sulla pagina pubblica della consultazione."),
    )
    scope = RadioField(_l("Strategie in consultazione"), choices=SCOPE_CHOICES, default="all")
    axes = SelectMultipleField(_l("Assi"), coerce=str, invalid_choice_message=INVALID_CHOICE)
    strategies = SelectMultipleField(_l("Strategie"), coerce=str, invalid_choice_message=INVALID_CHOICE)
    depth_mode = RadioField(_l("Quante strategie si mettono in ordine"), choices=DEPTH_CHOICES, default="top")
    depth = IntegerField(
        _l("Posti da assegnare"),
        default=5,
        validators=[Optional(), NumberRange(min=1, max=100, message=_l("Scrivi un numero da 1 a 100."))],
        description=_l("Quante strategie ogni persona mette in ordine, dalla più importante."),
    )
    starts_on = DateField(_l("Dal giorno (facoltativo)"), validators=[Optional()])
    ends_on = DateField(_l("Al giorno (facoltativo)"), validators=[Optional()])
    allow_multiple_zones = BooleanField(
        _l("Una persona può partecipare nelle sessioni di più zone"),
        description=_l(
            "Per enti che lavorano su tutta l'area metropolitana. Altrimenti la classifica di ogni persona "
            "conta in una sola zona; il testo sul metodo dei risultati dice come sono contate."
        ),
    )

    def validate(self, extra_validators=None) -> bool:
        # The axes, the strategies and the depth are needed only for the choice that uses them.
        valid = super().validate(extra_validators)
        if self.scope.data == "axes" and not self.axes.data:
            self.axes.errors = [*self.axes.errors, _l("Scegli almeno un Asse.")]
            valid = False
        if self.scope.data == "strategies" and not self.strategies.data:
            self.strategies.errors = [*self.strategies.errors, _l("Scegli almeno una strategia.")]
            valid = False
        if self.depth_mode.data == "top" and self.depth.data is None and not self.depth.errors:
            self.depth.errors = [*self.depth.errors, _l("Scrivi quanti posti assegnare, oppure scegli «Tutte».")]
            valid = False
        return valid

    def values(self) -> dict:
        """The form as the arguments of create_consultation and update_consultation."""
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "axes": list(self.axes.data) if self.scope.data == "axes" else [],
            "strategies": list(self.strategies.data) if self.scope.data == "strategies" else [],
            "depth": self.depth.data if self.depth_mode.data == "top" else None,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "allow_multiple_zones": bool(self.allow_multiple_zones.data),
        }


MODE_CHOICES = [SelectChoice(mode.value, mode.label) for mode in Mode]


class SessionForm(FlaskForm):
    consultation = SelectField(_l("Consultazione"), coerce=int, validators=[InputRequired(message=REQUIRED)])
    zone = SelectField(_l("Zona"), coerce=int, validators=[InputRequired(message=REQUIRED)])
    title = StringField(
        _l("Titolo (facoltativo)"),
        validators=[Optional(), Length(max=200)],
        filters=[clean_text],
        description=_l("Se lo lasci vuoto: il titolo della consultazione e il nome della zona."),
    )
    mode = SelectField(_l("Modalità"), choices=MODE_CHOICES, default=Mode.HYBRID.value)
    starts_at = DateTimeLocalField(
        _l("Data e ora (facoltative)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Ora italiana."),
    )
    place = StringField(
        _l("Luogo (facoltativo)"),
        validators=[Optional(), Length(max=200)],
        filters=[clean_text],
        description=_l("Ad esempio «Sala consiliare, Comune di Pinerolo, via Cavour 1»."),
    )
    description = TextAreaField(
        _l("Descrizione (facoltativa)"), validators=[Optional(), Length(max=5000)], filters=[_strip]
    )


class GenerateCodesForm(FlaskForm):
    count = IntegerField(
        _l("Quanti codici"),
        default=20,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=1000, message=_l("Si possono generare da 1 a 1000 codici alla volta.")),
        ],
        description=_l("Uno per persona attesa in sala, più qualcuno di scorta. Si stampano dieci per foglio A4."),
    )


class PublishForm(FlaskForm):
    confirm = BooleanField(
        _l("Ho capito: la pubblicazione è definitiva e la sessione non si potrà più riaprire."),
        validators=[DataRequired(message=_l("Per pubblicare, conferma di aver capito che è definitivo."))],
    )
