"""Account views: register, confirm, sign in and out, passwords, profile, privacy and personal data."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from limits import parse as parse_limit

from consult import account_data, audit
from consult.auth import bp, services
from consult.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from consult.errors import DomainError
from consult.extensions import db, limiter
from consult.i18n import safe_next
from consult.permissions import can, public, signed_in

# Limits are strict per account, where guessing happens, and loose per address: a workshop room of
# 250 people reaches us through one address. Only failed attempts count towards the login limits.
FAILURES_PER_ACCOUNT = "5 per 15 minutes"
EMAILS_PER_ACCOUNT = "5 per hour"
RESENDS_PER_ACCOUNT = "3 per hour"
PER_ADDRESS = "300 per hour"


def _digest(value: str) -> str:
    # Keyed, so that the rate-limit store (Redis, say) holds nothing a dictionary could turn back.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), value.encode(), hashlib.sha256).hexdigest()


def submitted_account() -> str:
    """Rate-limit key: the account named by the submitted email, however it was typed."""
    return "account:" + _digest(services.normalise_email(request.form.get("email", "")))


def signed_in_account() -> str:
    return f"user:{current_user.id}"


def reset_link_account() -> str:
    account = services.reset_token_account(request.view_args["token"])
    if account is None:
        return "reset:" + _digest(request.view_args["token"])
    return f"user:{account}"


def failed_attempt(_response) -> bool:
    """Deduct from a failure limit only when the view said a password was wrong."""
    return g.get("failed_attempt", False)


#: For pages that ask a signed-in person for their password again (change it, delete the account).
password_check_limit = limiter.limit(
    FAILURES_PER_ACCOUNT, key_func=signed_in_account, methods=["POST"], deduct_when=failed_attempt
)


def created(response) -> bool:
    return response.status_code == 302


def form_status() -> int:
    """200 for a form shown, 400 for a form sent back because something in it was not right."""
    return 400 if request.method == "POST" else 200


def sign_in(user, remember: bool = False) -> None:
    """Start a fresh session for ``user`` (nothing from before the sign-in carries over)."""
    session.clear()
    services.start_sign_in(user)
    login_user(user, remember=remember)
    session.permanent = True


@bp.after_request
def no_store(response):
    # Account pages carry personal data and form tokens: not for the browser's or a proxy's cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- registration and email confirmation -------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(PER_ADDRESS, key_func=get_remote_address, methods=["POST"], deduct_when=created)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data, privacy_accepted=True, **form.profile())
        except DomainError as error:
            taken = services.find_by_email(form.email.data) is not None
            (form.email if taken else form.password).errors.append(error.message)
        else:
            audit.record("auth.registered", user, actor=user)
            # Committed before the e-mail leaves: a confirmation link must never name an account that failed
            # to be saved (the request's own commit would come after the sending).
            db.session.commit()
            sent = services.send_confirmation(user)
            sign_in(user)
            flash(_("Benvenuta o benvenuto! Il tuo account è pronto."), "success")
            if sent:
                flash(
                    _(
                        "Ti abbiamo inviato un'email a %(email)s: apri il link che contiene "
                        "per confermare l'indirizzo.",
                        email=user.email,
                    ),
                    "info",
                )
            else:
                flash(
                    _("Non siamo riusciti a inviarti l'email di conferma: puoi chiederne un'altra da questa pagina."),
                    "warning",
                )
            return redirect(url_for("auth.account"))
    return render_template("auth/register.html", form=form), form_status()


@bp.get("/confirm/<token>")
@public
def confirm_email(token: str):
    try:
        services.confirm_email(token)
    except DomainError as error:
        return render_template(
            "auth/link_problem.html",
            title=_("Link di conferma non valido"),
            message=error.message,
            resend=True,
        ), error.status
    flash(_("Grazie: il tuo indirizzo email è confermato."), "success")
    return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))


@bp.post("/account/confirm")
@signed_in
@limiter.limit(RESENDS_PER_ACCOUNT, key_func=signed_in_account)
def resend_confirmation():
    user = current_user._get_current_object()
    if user.confirmed:
        flash(_("Il tuo indirizzo email è già confermato."), "info")
    elif services.send_confirmation(user):
        flash(_("Ti abbiamo inviato una nuova email di conferma a %(email)s.", email=user.email), "info")
    else:
        flash(_("Non siamo riusciti a inviare l'email: riprova tra qualche minuto."), "warning")
    return redirect(url_for("auth.account"))


# --- signing in and out ------------------------------------------------------------------------


def submitted_account_from_here() -> str:
    """Rate-limit key: the account named by the submitted email, from this address."""
    return f"{submitted_account()}/{get_remote_address()}"


#: Failures against one account from all addresses together. Past it, only addresses that have already
#: failed several times for this account are refused: the owner, signing in from elsewhere, never is.
ACCOUNT_FAILURES_EVERYWHERE = parse_limit("30 per hour")
#: Failures from one address for one account that make the address a suspect for that account.
SUSPECT_AFTER = 3
_SEEN = parse_limit("1000 per hour")


def _refused_as_suspect() -> bool:
    if not (limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True)):
        return False
    seen = limiter.limiter.get_window_stats(_SEEN, "login-failures", submitted_account_from_here())
    if _SEEN.amount - seen.remaining < SUSPECT_AFTER:
        return False
    return not limiter.limiter.test(ACCOUNT_FAILURES_EVERYWHERE, "login-failures", submitted_account())


def _count_failure() -> None:
    if limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True):
        limiter.limiter.hit(_SEEN, "login-failures", submitted_account_from_here())
        limiter.limiter.hit(ACCOUNT_FAILURES_EVERYWHERE, "login-failures", submitted_account())


@bp.route("/login", methods=["GET", "POST"])
@public
# Strict per account *and* address: whoever guesses is stopped, the owner elsewhere is not locked out.
@limiter.limit(
    FAILURES_PER_ACCOUNT,
    key_func=submitted_account_from_here,
    methods=["POST"],
    deduct_when=failed_attempt,
)
@limiter.limit(PER_ADDRESS, key_func=get_remote_address, methods=["POST"], deduct_when=failed_attempt)
def login():
    next_path = safe_next(request.args.get("next"), None)
    if current_user.is_authenticated:
        return redirect(next_path or url_for("public.home"))
    form = LoginForm()
    failed = False
    if request.method == "POST" and _refused_as_suspect():
        abort(429)
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            _count_failure()
        if user is not None:
            sign_in(user, remember=form.remember.data)
            flash(_("Hai effettuato l'accesso. Benvenuta o benvenuto, %(name)s.", name=user.display_name), "success")
            return redirect(next_path or url_for("public.home"))
        g.failed_attempt = failed = True
    return render_template("auth/login.html", form=form, failed=failed, next_path=next_path), form_status()


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        audit.record("auth.logout", current_user._get_current_object())
        # Server-side: a copy of this browser's cookies taken before now opens nothing any more.
        services.end_sign_in(session.get("_user_id"))
    # logout_user also forgets the "remember me" cookie; the session is not cleared, so that it can.
    logout_user()
    flash(_("Sei uscita o uscito dal tuo account."), "info")
    return redirect(url_for("public.home"))


@bp.post("/account/sign-out-everywhere")
@signed_in
def sign_out_everywhere():
    """For a lost phone or a shared computer: every session and "remember me" cookie of the account ends."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    services.end_every_sign_in(user)
    audit.record("auth.signed_out_everywhere", user, actor=user)
    logout_user()
    flash(_("Sei uscita o uscito dal tuo account su tutti i dispositivi."), "info")
    return redirect(url_for("public.home"), 303)


# --- passwords ---------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(EMAILS_PER_ACCOUNT, key_func=submitted_account, methods=["POST"])
@limiter.limit(PER_ADDRESS, key_func=get_remote_address, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # The same answer whether or not the account exists.
        flash(
            _(
                "Se esiste un account con l'indirizzo %(email)s, ti abbiamo inviato un'email "
                "con un link per scegliere una nuova password.",
                email=services.normalise_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), form_status()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(EMAILS_PER_ACCOUNT, key_func=reset_link_account, methods=["POST"])
@limiter.limit(PER_ADDRESS, key_func=get_remote_address, methods=["POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset(token)
    except DomainError as error:
        return render_template(
            "auth/link_problem.html",
            title=_("Link per reimpostare la password non valido"),
            message=error.message,
            forgot=True,
        ), error.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            sign_in(user)
            flash(_("La tua password è cambiata e hai effettuato l'accesso."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/reset_password.html", form=form, token=token), form_status()


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(PER_ADDRESS, key_func=get_remote_address, methods=["POST"])
def accept_invitation(token: str):
    """An invited member of staff chooses a password and is signed in."""
    try:
        user = services.user_for_invitation(token)
    except DomainError as error:
        return render_template(
            "auth/link_problem.html", title=_("Invito non valido"), message=error.message, forgot=True
        ), error.status
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(user, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            sign_in(user)
            flash(_("Benvenuta/o! La tua password è salvata e hai effettuato l'accesso."), "success")
            return redirect(url_for("facilitate.index") if can(user, "console.home") else url_for("auth.account"), 303)
    return render_template("auth/accept_invitation.html", form=form, token=token, user=user), form_status()


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@password_check_limit
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.check_password(user, form.current_password.data):
            g.failed_attempt = True
            form.current_password.errors.append(_("La password attuale non è corretta."))
        else:
            try:
                services.set_password(user, form.password.data)
            except DomainError as error:
                form.password.errors.append(error.message)
            else:
                # The session id changed with the password: every other session and "remember me"
                # cookie is now signed out; this one starts again with the new id.
                remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
                services.start_sign_in(user)
                login_user(user, remember=remember)
                session.permanent = True
                flash(_("La tua password è cambiata: sugli altri dispositivi dovrai accedere di nuovo."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), form_status()


# --- the account -------------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    user = current_user._get_current_object()
    form = ProfileForm(user=user)
    if request.method == "GET":
        form.fill_from(user)
    if form.validate_on_submit():
        changed = services.update_profile(user, **form.profile())
        if changed:
            flash(_("Il tuo profilo è aggiornato."), "success")
        else:
            flash(_("Nessuna modifica da salvare."), "info")
        response = redirect(url_for("auth.account"))
        if "language" in changed:
            # The language cookie would win over the new preference; the preference decides now.
            response.delete_cookie(current_app.config["LANGUAGE_COOKIE"])
        return response
    return render_template("auth/account.html", form=form, user=user), form_status()


@bp.get("/account/data.json")
@signed_in
def export_data():
    user = current_user._get_current_object()
    data = account_data.collect(user)
    audit.record("user.data_exported", user)
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    filename = f"consult-account-{user.id}-{datetime.now(UTC):%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@signed_in
@password_check_limit
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    refusal = None
    if form.validate_on_submit():
        if not services.check_password(user, form.password.data):
            g.failed_attempt = True
            form.password.errors.append(_("La password non è corretta."))
        else:
            try:
                services.delete_account(user)
            except DomainError as error:
                refusal = error.message
            else:
                logout_user()
                flash(
                    _("Il tuo account è stato cancellato insieme ai tuoi dati personali. Grazie per aver partecipato."),
                    "success",
                )
                return redirect(url_for("public.home"))
    return render_template(
        "auth/delete_account.html", form=form, refusal=refusal, last_admin=services.is_last_admin(user)
    ), form_status()


@bp.get("/privacy")
@public
def privacy():
    return render_template("auth/privacy.html")
