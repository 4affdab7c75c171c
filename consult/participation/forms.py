"""Forms for joining a session and ranking its strategies."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class CodeForm(FlaskForm):
    code = StringField(
        _l("Codice di partecipazione"),
        validators=[DataRequired(message=_l("Scrivi il codice che trovi sul foglio.")), Length(max=20)],
        description=_l("Otto lettere e cifre, ad esempio ACDE-4679."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    category = SelectField(
        _l("Categoria"),
        # Required for a fresh code only (redeem_code says so): someone coming back with their code has chosen.
        validators=[Optional()],
        description=_l(
            "Da scegliere la prima volta che usi il codice: serve a leggere i risultati per categoria di "
            "portatori di interesse."
        ),
    )
    organisation = StringField(_l("Ente od organizzazione (facoltativo)"), validators=[Optional(), Length(max=200)])
    name = StringField(
        _l("Nome (facoltativo)"),
        validators=[Optional(), Length(max=120)],
        description=_l("Se lo lasci vuoto, i tuoi contributi appaiono come «partecipante»."),
        render_kw={"autocomplete": "name"},
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


class JoinForm(FlaskForm):
    """Joining with an account; asks for the person's zone when the profile has none."""

    zone = SelectField(
        _l("La tua Zona omogenea"),
        default="",
        description=_l("La salviamo nel tuo profilo: ti mostreremo le sessioni della tua zona."),
    )
