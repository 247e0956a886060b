"""Forms of attendance."""
import colander
import deform

from trainings.forms import CSRFSchema
from trainings.i18n import _


def _trimmed(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class WalkInSchema(CSRFSchema):
    """Someone who arrives without a registration: the fewest fields that make them a person."""

    given_names = colander.SchemaNode(colander.String(), title=_("Given names"), preparer=_trimmed,
                                      validator=colander.Length(1, 150))
    family_names = colander.SchemaNode(colander.String(), title=_("Family names"), preparer=_trimmed,
                                       validator=colander.Length(1, 150))
    institution = colander.SchemaNode(colander.String(), title=_("Institution"), preparer=_trimmed,
                                      validator=colander.Length(1, 250))
    email = colander.SchemaNode(colander.String(), title=_("Email (optional)"), missing="",
                                validator=colander.All(colander.Email(), colander.Length(max=254)),
                                widget=deform.widget.TextInputWidget(attributes={"type": "email"}))
    position = colander.SchemaNode(colander.String(), title=_("Position (optional)"), missing="",
                                   preparer=_trimmed, validator=colander.Length(max=200))
