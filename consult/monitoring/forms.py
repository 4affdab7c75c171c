"""Forms of the monitoring pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

YEARS = NumberRange(min=2000, max=2100, message=_l("Un anno tra il 2000 e il 2100."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TargetForm(FlaskForm):
    """Make one of an axis' targets measurable."""

    indicator = StringField(
        _l("Indicatore"),
        validators=[DataRequired(message=_l("Scrivi che cosa si misura.")), Length(max=300)],
        description=_l("Per esempio: «Energia da fonti rinnovabili prodotta dagli enti pubblici»."),
    )
    unit = StringField(_l("Unità di misura"), validators=[Optional(), Length(max=40)], description=_l("es. MWh, %, km"))
    baseline_value = DecimalField(
        _l("Valore di partenza"), validators=[InputRequired(message=_l("Indica il valore di partenza."))]
    )
    baseline_year = IntegerField(
        _l("Anno del valore di partenza"), validators=[DataRequired(message=_l("Indica l’anno.")), YEARS]
    )
    target_value = DecimalField(
        _l("Valore obiettivo"), validators=[InputRequired(message=_l("Indica il valore obiettivo."))]
    )
    target_year = IntegerField(
        _l("Anno dell’obiettivo"), validators=[DataRequired(message=_l("Indica l’anno.")), YEARS]
    )
    indicators = MultiCheckboxField(_l("Indicatori dei rapporti che lo alimentano"), coerce=int, validate_choice=False)
