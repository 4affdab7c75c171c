"""The OpenAPI 3.1 description of the v1 API, served at /api/v1/openapi.json.

Built from Python so that the enumerations come from the code that checks them (methods, weightings, states,
kinds, statuses); tests/test_api_openapi.py keeps it in step with the routes and with the real answers."""

from consult.models.ballots import Channel
from consult.models.monitoring import ACTIVITY_STATUSES
from consult.models.sessions import Mode, Scope, SessionState
from consult.results.services import METHODS, WEIGHTINGS
from consult.synthesis.services import Kind

INT32_MAX = 2**31 - 1


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    """A closed object whose keys are all required except ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1}
ZONE_CODE = {"type": "integer", "minimum": 1}
STRATEGY_CODE = {"type": "string", "pattern": r"^\d+\.\d+$"}
#: A consultation as listed; its detail adds to these.
CONSULTATION = {
    "id": ID,
    "title": STRING,
    "plan": STRING,
    "scope": {"enum": [scope.value for scope in Scope]},
    "depth": _nullable({"type": "integer", "minimum": 1}),
    "strategy_count": COUNT,
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {"type": "string", "description": "The HTTP reason phrase, or what was wrong."},
            "status": INTEGER,
            "message": {"type": "string", "description": "What was wrong with the request, in the caller's language."},
        },
        "required": ["error", "status"],
    },
    "ZoneRef": _object({"code": ZONE_CODE, "name": STRING}),
    "Plan": _object(
        {
            "code": STRING,
            "title": STRING,
            "source": STRING,
            "language": {"const": "it"},
            "counts": _object({"axes": COUNT, "strategies": COUNT, "actions": COUNT}),
            "axes": {
                "type": "array",
                "items": _object(
                    {
                        "code": STRING,
                        "title": STRING,
                        "motto": STRING,
                        "needs": {"type": "array", "items": STRING},
                        "targets": {"type": "array", "items": STRING},
                        "strategies": {
                            "type": "array",
                            "items": _object(
                                {
                                    "code": STRATEGY_CODE,
                                    "title": STRING,
                                    "actions": {
                                        "type": "array",
                                        "items": _object(
                                            {"code": STRING, "text": STRING, "printed_code": STRING},
                                            optional=("printed_code",),
                                        ),
                                    },
                                }
                            ),
                        },
                    }
                ),
            },
        }
    ),
    "Zones": _object(
        {
            "zones": {
                "type": "array",
                "items": _object(
                    {"code": ZONE_CODE, "name": STRING, "municipalities": COUNT, "population_2011": COUNT}
                ),
            },
            "source": STRING,
        }
    ),
    "Session": _object(
        {
            "id": ID,
            "title": STRING,
            "zone": _ref("ZoneRef"),
            "state": {"enum": [state.value for state in SessionState if state != SessionState.DRAFT]},
            "mode": {"enum": [mode.value for mode in Mode]},
            "starts_at": _nullable(DATETIME),
            "place": _nullable(STRING),
        }
    ),
    "Consultation": _object(CONSULTATION),
    "ConsultationDetail": _object(
        {
            **CONSULTATION,
            "description": STRING,
            "scope_axes": {"type": "array", "items": STRING},
            "strategies": {"type": "array", "items": _object({"code": STRATEGY_CODE, "title": STRING})},
            "sessions": {"type": "array", "items": _ref("Session")},
        }
    ),
    "Consultations": _object({"consultations": {"type": "array", "items": _ref("Consultation")}}),
    "Ranking": {
        "type": "array",
        "items": _object(
            {"code": STRATEGY_CODE, "title": STRING, "rank": {"type": "integer", "minimum": 1}, "score": NUMBER}
        ),
    },
    "SessionResults": _object(
        {
            "method": {"enum": list(METHODS)},
            "label": STRING,
            "description": STRING,
            "ballots": COUNT,
            "generated_at": DATETIME,
            "provisional": {"type": "boolean"},
            "ranking": _ref("Ranking"),
            "category": _nullable(STRING),
            "session": _object(
                {
                    "id": ID,
                    "title": STRING,
                    "state": {"enum": [state.value for state in SessionState]},
                    "zone": _ref("ZoneRef"),
                    "consultation": _object({"id": ID, "title": STRING}),
                }
            ),
        }
    ),
    "ConsultationResults": _object(
        {
            "method": {"enum": list(METHODS)},
            "label": STRING,
            "description": STRING,
            "weighting": {"enum": list(WEIGHTINGS)},
            "weighting_description": STRING,
            "ballots": COUNT,
            "generated_at": DATETIME,
            "provisional": {"type": "boolean"},
            "ranking": _ref("Ranking"),
            "consultation": _object({"id": ID, "title": STRING}),
            "published_only": {"type": "boolean"},
            "zones": {
                "type": "array",
                "items": _object(
                    {
                        "code": ZONE_CODE,
                        "name": STRING,
                        "ballots": COUNT,
                        "weight": _nullable({"type": "number", "minimum": 0}),
                        "ranking": _ref("Ranking"),
                    }
                ),
            },
        }
    ),
    "Contribution": _object(
        {
            "id": STRING,
            "strategy": STRATEGY_CODE,
            "kind": {"enum": [kind.value for kind in Kind]},
            "title": _nullable(STRING),
            "text": STRING,
            "fields": {"type": "array", "items": _object({"label": STRING, "value": STRING})},
            "category": _nullable(STRING),
            "category_name": _nullable(STRING),
            "organisation": _nullable(STRING),
            "zone": _ref("ZoneRef"),
            "session": _object({"id": ID, "title": STRING}),
            "channel": {"enum": [channel.value for channel in Channel]},
            "supports": _nullable(COUNT),
            "date": {"type": "string", "description": "ISO 8601 date and time, or empty when unknown."},
        }
    ),
    "SessionContributions": _object(
        {
            "session": _ref("Session"),
            "count": COUNT,
            "contributions": {"type": "array", "items": _ref("Contribution")},
        }
    ),
    "ConsultationContributions": _object(
        {
            "consultation": _ref("Consultation"),
            "count": COUNT,
            "contributions": {"type": "array", "items": _ref("Contribution")},
        }
    ),
    "MonitoringSummary": _object(
        {
            "sources": {
                "type": "array",
                "items": _object({"id": ID, "name": STRING, "zone": _nullable(ZONE_CODE)}),
            },
            "activities": COUNT,
            "indicators": COUNT,
            "by_status": _ref("ByStatus"),
            "missions": {
                "type": "array",
                "items": _object(
                    {
                        "number": INTEGER,
                        "title": STRING,
                        "programmes": {
                            "type": "array",
                            "items": _object(
                                {"number": INTEGER, "title": STRING, "activities": COUNT, "by_status": _ref("ByStatus")}
                            ),
                        },
                    }
                ),
            },
        }
    ),
    "ByStatus": _object(dict.fromkeys(ACTIVITY_STATUSES, COUNT)),
    "MonitoringActivities": _object(
        {
            "strategy": STRATEGY_CODE,
            "activities": {
                "type": "array",
                "items": _object(
                    {
                        "id": ID,
                        "source": STRING,
                        "mission": INTEGER,
                        "programme": INTEGER,
                        "programme_title": STRING,
                        "policy": _nullable(STRING),
                        "text": STRING,
                        "status": _nullable(STRING),
                        "strategies": {"type": "array", "items": STRATEGY_CODE},
                        "indicators": {
                            "type": "array",
                            "items": _object(
                                {
                                    "name": STRING,
                                    "values": {
                                        "type": "array",
                                        "items": _object(
                                            {
                                                "year": _nullable(INTEGER),
                                                "text": _nullable(STRING),
                                                "number": _nullable(NUMBER),
                                                "unit": _nullable(STRING),
                                                "denominator": _nullable(NUMBER),
                                            }
                                        ),
                                    },
                                }
                            ),
                        },
                    }
                ),
            },
        }
    ),
}


def _id_parameter(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 0, "maximum": INT32_MAX},
    }


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


ERROR_400 = _json("Error", "A query parameter has a value the API does not know.")
ERROR_404 = _json("Error", "Not found, or not published yet.")
ERROR_503 = _json("Error", "The database is unavailable; retry later.")

METHOD = {
    "name": "method",
    "in": "query",
    "description": "The counting method (Borda count by default).",
    "schema": {"type": "string", "enum": list(METHODS), "default": "borda"},
}


def _get(summary: str, ok: dict, *, parameters=(), errors=("404",), description: str = "") -> dict:
    responses = {"200": ok}
    if "400" in errors:
        responses["400"] = ERROR_400
    if "404" in errors:
        responses["404"] = ERROR_404
    responses["503"] = ERROR_503
    operation = {"summary": summary, "parameters": list(parameters), "responses": responses}
    if description:
        operation["description"] = description
    return {"get": operation}


PATHS = {
    "/plan": _get("The plan's catalogue: axes, strategies and actions.", _json("Plan", "The catalogue."), errors=()),
    "/zones": _get("The Zone omogenee with municipalities and population.", _json("Zones", "The zones."), errors=()),
    "/consultations": _get(
        "Every consultation.", _json("Consultations", "The consultations, oldest first."), errors=()
    ),
    "/consultations/{consultation_id}": _get(
        "One consultation with its strategies and its sessions (drafts left out).",
        _json("ConsultationDetail", "The consultation."),
        parameters=[_id_parameter("consultation_id", "consultation")],
    ),
    "/sessions/{session_id}/results": _get(
        "A session's ranking.",
        _json("SessionResults", "The ranking."),
        parameters=[
            _id_parameter("session_id", "session"),
            METHOD,
            {
                "name": "category",
                "in": "query",
                "description": "Count only the ballots of one stakeholder category (its code).",
                "schema": {"type": "string"},
                "example": "comune",
            },
        ],
        errors=("400", "404"),
        description="Before publication, only planners, admins and the zone's facilitators see it; others get 404.",
    ),
    "/consultations/{consultation_id}/results": _get(
        "The metropolitan ranking and each zone's.",
        _json("ConsultationResults", "The rankings."),
        parameters=[
            _id_parameter("consultation_id", "consultation"),
            METHOD,
            {
                "name": "weighting",
                "in": "query",
                "description": "How the zones weigh in the metropolitan ranking.",
                "schema": {"type": "string", "enum": list(WEIGHTINGS), "default": "equal"},
            },
        ],
        errors=("400", "404"),
        description="The public's ranking counts published sessions only.",
    ),
    "/sessions/{session_id}/contributions": _get(
        "Every contribution to a session (hidden ones left out).",
        _json("SessionContributions", "The contributions."),
        parameters=[_id_parameter("session_id", "session")],
        description="Visible as the session's results are: before publication, 404 for the public.",
    ),
    "/consultations/{consultation_id}/contributions": _get(
        "Every contribution to the consultation's sessions the caller may see.",
        _json("ConsultationContributions", "The contributions."),
        parameters=[_id_parameter("consultation_id", "consultation")],
    ),
    "/monitoring/summary": _get(
        "Monitored activities counted per mission and programme, by status.",
        _json("MonitoringSummary", "The counts."),
        errors=(),
    ),
    "/monitoring/activities": _get(
        "The monitored activities linked to a strategy, with their indicators.",
        _json("MonitoringActivities", "The activities."),
        parameters=[
            {
                "name": "strategy",
                "in": "query",
                "required": True,
                "description": "A strategy's code, e.g. 2.3.",
                "schema": {"type": "string"},
                "example": "2.3",
            }
        ],
        errors=("400", "404"),
    ),
    "/openapi.json": {
        "get": {
            "summary": "This document.",
            "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {}}}},
        }
    },
}


def document(server_url: str) -> dict:
    """The OpenAPI document, with the server the caller reached."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "consult open data API",
            "version": "1",
            "description": (
                "Read-only open data of the participatory consultations: the plan, the zones, the consultations, "
                "their rankings and contributions, and the monitoring of the plan's activities. No personal data. "
                'Errors answer {"error", "status"} JSON.'
            ),
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
