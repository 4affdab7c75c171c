"""Admin forms. Zone choices come from the database, so views fill them in per request."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectChoice, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from consult.admin.services import USER_STATES
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
