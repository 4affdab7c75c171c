"""Account forms. Labels and messages are lazy (``_l``): translated when the page is drawn."""

import unicodedata

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from consult.extensions import db
from consult.models import StakeholderCategory, Zone
from consult.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from consult.passwords import MIN_LENGTH as PASSWORD_MIN_LENGTH

#: Zero-width (non-)joiners are format characters that some scripts and emoji need; the other
#: format characters (bidirectional overrides and the like) only serve to disguise a name.
KEEP_FORMAT = {"\u200c", "\u200d"}

REQUIRED = _l("Questo campo è obbligatorio.")
#: Passwords longer than any account can have are refused before hashing them.
LOGIN_PASSWORD_MAX = 1024

LANGUAGES = [
    SelectChoice("it", "Italiano", render_kw={"lang": "it"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]


def clean_text(value: str | None) -> str | None:
    """Plain one-line text: runs of whitespace become one space, control characters go."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value)
    kept = (
        " " if char.isspace() else char
        for char in value
        if char.isspace() or char in KEEP_FORMAT or unicodedata.category(char) not in ("Cc", "Cf", "Cs")
    )
    return " ".join("".join(kept).split())


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def email_field(label=None):
    return EmailField(
        label or _l("Email"),
        filters=[strip],
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=254, message=_l("L'indirizzo può avere al massimo %(max)d caratteri.")),
            Email(
                message=_l("Scrivi un indirizzo email valido, per esempio nome@esempio.it."),
                check_deliverability=False,
            ),
        ],
    )


def new_password_fields(label=None):
    """A new password and its confirmation (the strength rule is checked by the service)."""
    password = PasswordField(
        label or _l("Password"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=_l("La password può avere al massimo %(max)d caratteri."),
            ),
        ],
        description=_l(
            "Almeno %(n)s caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.",
            n=PASSWORD_MIN_LENGTH,
        ),
    )
    confirm = PasswordField(
        _l("Ripeti la password"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("Le due password non coincidono.")),
        ],
    )
    return password, confirm


def display_name_field():
    return StringField(
        _l("Nome e cognome o nome visualizzato"),
        filters=[clean_text],
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=120, message=_l("Il nome può avere al massimo %(max)d caratteri.")),
        ],
        description=_l("È il nome con cui compari nella consultazione."),
    )


def organisation_field():
    return StringField(
        _l("Organizzazione o ente"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=200, message=_l("Il nome può avere al massimo %(max)d caratteri.")),
        ],
        description=_l("Facoltativo: il Comune, l'ente, l'impresa o l'associazione che rappresenti."),
    )


def category_field():
    return SelectField(
        _l("Categoria di portatore di interesse"),
        validators=[DataRequired(message=_l("Scegli una categoria."))],
        description=_l("Serve a leggere i risultati della consultazione per categoria."),
    )


def zone_field():
    return SelectField(
        _l("Zona omogenea di riferimento"),
        description=_l("Serve a leggere i risultati della consultazione per territorio."),
    )


def language_field():
    return SelectField(_l("Lingua preferita"), choices=LANGUAGES)


class ProfileFields:
    """What registration and the account page share: the profile's choices and how to read it.
    Each form declares the fields itself (``display_name_field()``...), in the order of its page."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        categories = list(
            db.session.scalars(
                select(StakeholderCategory)
                .where(StakeholderCategory.active.is_(True))
                .order_by(StakeholderCategory.position, StakeholderCategory.id)
            )
        )
        # A category retired from the list stays selectable for the people who already chose it.
        if user is not None and user.category is not None and user.category not in categories:
            categories.append(user.category)
        self.category.choices = [SelectChoice("", _l("Scegli…"))] + [
            SelectChoice(category.code, category.name(locale)) for category in categories
        ]
        zones = db.session.scalars(select(Zone).order_by(Zone.code))
        self.zone.choices = [SelectChoice("", _l("Fuori dalle Zone / non so"))] + [
            SelectChoice(str(zone.code), f"{zone.code} · {zone.name}") for zone in zones
        ]

    def fill_from(self, user) -> None:
        """Show the person's current profile."""
        self.display_name.data = user.display_name
        self.organisation.data = user.organisation
        self.category.data = user.category.code if user.category else ""
        self.zone.data = str(user.zone.code) if user.zone else ""
        self.language.data = user.language or str(get_locale())

    def chosen_category(self) -> StakeholderCategory | None:
        return db.session.scalar(select(StakeholderCategory).where(StakeholderCategory.code == self.category.data))

    def chosen_zone(self) -> Zone | None:
        if not self.zone.data:
            return None
        return db.session.scalar(select(Zone).where(Zone.code == int(self.zone.data)))

    def profile(self) -> dict:
        """The profile as the services take it."""
        return {
            "display_name": self.display_name.data,
            "organisation": self.organisation.data or None,
            "category": self.chosen_category(),
            "zone": self.chosen_zone(),
            "language": self.language.data,
        }


class RegisterForm(ProfileFields, FlaskForm):
    email = email_field()
    password, confirm = new_password_fields()
    display_name = display_name_field()
    organisation = organisation_field()
    category = category_field()
    zone = zone_field()
    language = language_field()
    privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali"),
        validators=[DataRequired(message=_l("Per registrarti devi dichiarare di aver letto l'informativa."))],
    )


class ProfileForm(ProfileFields, FlaskForm):
    display_name = display_name_field()
    organisation = organisation_field()
    category = category_field()
    zone = zone_field()
    language = language_field()


class LoginForm(FlaskForm):
    # No format check: whatever was typed gets the same answer as a wrong password.
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(message=REQUIRED), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=LOGIN_PASSWORD_MAX)]
    )
    remember = BooleanField(_l("Ricordami su questo dispositivo"))


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("Email del tuo account"))


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields(_l("Nuova password"))


class AcceptInvitationForm(FlaskForm):
    password, confirm = new_password_fields()
    privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali"),
        validators=[DataRequired(message=_l("Per entrare devi dichiarare di aver letto l'informativa."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Password attuale"),
        validators=[DataRequired(message=REQUIRED), Length(max=LOGIN_PASSWORD_MAX)],
    )
    password, confirm = new_password_fields(_l("Nuova password"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("La tua password"),
        validators=[DataRequired(message=REQUIRED), Length(max=LOGIN_PASSWORD_MAX)],
    )
    confirm = BooleanField(
        _l("Ho capito: i miei dati personali saranno cancellati e non potrò recuperare l'account"),
        validators=[DataRequired(message=_l("Spunta la casella per confermare."))],
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post (sign out, resend the email)."""
