"""Form schemas of the trainings package (accounts; the schedule's forms join them)."""
import colander
import deform

from .forms import CSRFSchema
from .i18n import _


class LoginSchema(CSRFSchema):
    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.Length(max=254),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username", "type": "email"}),
    )
    password = colander.SchemaNode(
        colander.String(), title=_("Password"), validator=colander.Length(max=200),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )
