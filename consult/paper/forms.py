"""Forms of the paper-ballot pages. The entry form's places depend on the consultation, so they are read
from the request directly; this module holds the parts WTForms describes well."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField(
        _l("File delle schede (CSV o XLSX)"),
        validators=[
            FileRequired(message=_l("Scegli il file da caricare.")),
            FileAllowed(["csv", "txt", "xlsx"], message=_l("Il file deve essere un CSV o un XLSX.")),
        ],
        description=_l(
            "Le stesse colonne dell'importazione da riga di comando: participant, category, organisation, 1, 2, 3, …"
        ),
    )
