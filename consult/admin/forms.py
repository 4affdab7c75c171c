"""Admin forms. Zone choices come from the database, so views fill them in per request."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from consult.admin.services import STAFF_ROLES, USER_STATES, EntryValues, check_code_format
from consult.auth.forms import REQUIRED, clean_text, display_name_field, email_field, language_field, strip
from consult.errors import DomainError
from consult.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class FilterForm(FlaskForm):
    """A GET form that filters a list: read from the query string, no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    def valid(self, name: str):
        """The field's value, or None when it is empty or was refused (a bad filter is ignored, not fatal)."""
        field = self[name]
        return None if field.errors or field.data in (None, "") else field.data


class UserFilterForm(FilterForm):
    q = SearchField(_l("Cerca"), validators=[Optional(), Length(max=100)])
    role = SelectField(
        _l("Ruolo"), choices=[SelectChoice("", _l("Tutti i ruoli")), *ROLE_CHOICES], validators=[Optional()]
    )
    zone = SelectField(_l("Zona"), validators=[Optional()])
    state = SelectField(
        _l("Stato"),
        choices=[SelectChoice(value, label) for value, label in USER_STATES.items()],
        validators=[Optional()],
    )


class AuditFilterForm(FilterForm):
    action = SelectField(_l("Azione"), validators=[Optional()])
    actor = SearchField(_l("Email di chi ha agito"), validators=[Optional(), Length(max=254)])
    date_from = DateField(_l("Dal giorno"), validators=[Optional()])
    date_to = DateField(_l("Al giorno (compreso)"), validators=[Optional()])


class AccountForm(FlaskForm):
    role = SelectField(_l("Ruolo"), choices=ROLE_CHOICES, validators=[InputRequired()])
    # Checkboxes, one per zone; the template lays them out.
    zones = SelectMultipleField(_l("Zone facilitate"), coerce=int)
    submit = SubmitField(_l("Salva le modifiche"))


class InviteForm(FlaskForm):
    """An invitation to a staff account: who, with which role and, for a facilitator, which zones."""

    email = email_field()
    display_name = display_name_field()
    role = SelectField(
        _l("Ruolo"),
        choices=[SelectChoice(role.value, role.label) for role in STAFF_ROLES],
        default=Role.FACILITATOR.value,
        validators=[InputRequired()],
        invalid_choice_message=_l("Scelta non valida: ricarica la pagina e riprova."),
    )
    zones = SelectMultipleField(_l("Zone facilitate"), coerce=int)
    language = language_field()
    submit = SubmitField(_l("Invia l'invito"))


def _stop_if_not_a_number(form, field) -> None:
    """What is not a number was already pointed out: no range message on top."""
    if field.data is None:
        raise StopValidation()


def _code_format(form, field) -> None:
    try:
        check_code_format(field.data or "")
    except DomainError as error:
        raise ValidationError(error.message) from None


class ListEntryForm(FlaskForm):
    """An entry of a managed list; the rules on codes (format, unique, locked once used) are the service's."""

    code = StringField(
        _l("Codice"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=40, message=_l("Al massimo %(max)d caratteri.")),
            _code_format,
        ],
        filters=[strip],
        description=_l(
            "Lettere minuscole, cifre e trattini bassi, ad esempio terzo_settore. Compare nelle esportazioni e "
            "nell'API: quando la voce è usata non si può più cambiare."
        ),
    )
    name_it = StringField(
        _l("Nome in italiano"),
        validators=[DataRequired(message=REQUIRED), Length(max=120, message=_l("Al massimo %(max)d caratteri."))],
        filters=[clean_text],
    )
    name_en = StringField(
        _l("Nome in inglese"),
        validators=[DataRequired(message=REQUIRED), Length(max=120, message=_l("Al massimo %(max)d caratteri."))],
        filters=[clean_text],
    )
    position = IntegerField(
        _l("Posizione"),
        validators=[
            InputRequired(message=REQUIRED),
            _stop_if_not_a_number,
            NumberRange(min=0, max=9999, message=_l("Scrivi un numero intero da %(min)s a %(max)s.")),
        ],
        invalid_value_message=_l("Scrivi un numero intero, ad esempio 10."),
        description=_l("Le voci sono proposte dalla posizione più bassa alla più alta."),
    )
    active = BooleanField(
        _l("Attiva"),
        description=_l("Una voce non attiva non si può più scegliere, ma resta sui dati che già la usano."),
    )
    submit = SubmitField(_l("Salva"))

    def values(self) -> EntryValues:
        return EntryValues(
            code=self.code.data,
            name_it=self.name_it.data,
            name_en=self.name_en.data,
            position=self.position.data,
            active=self.active.data,
        )
