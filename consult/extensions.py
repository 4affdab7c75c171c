"""Every Flask extension, unbound; create_app binds them."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
mail = Mail()
# Limits are declared per view; the default key is only a fallback for views that name none.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def limit_answered(limit_value: str, **options):
    """``limiter.limit`` counting only the requests the server could answer: during an outage people press
    again, and that must not use up their attempts. The hit is taken before the view, as for any limit, and
    given back when the answer is a server failure, 5xx (consult.web). One trip to the limits' store per
    request, where Flask-Limiter's ``deduct_when`` takes two (a test before the view, a hit after it); that
    trip was a fifth of a ranking submission's throughput. Fixed-window limits of cost 1 only (the default)."""
    limit = limiter.limit(limit_value, **options)

    def decorate(view):
        limited = limit(view)
        limited.gives_back_limits = True
        return limited

    return decorate


def give_back_limits(response):
    """The other half of ``limit_answered``, run after each request on its final answer (consult.web
    registers it): a 5xx gives back what the request took from its view's limits."""
    if response.status_code < 500:
        return response
    if getattr(current_app.view_functions.get(request.endpoint), "gives_back_limits", False):
        for taken in limiter.current_limits:
            limiter.limiter.hit(taken.limit, *taken.request_args, cost=-1)
    return response
