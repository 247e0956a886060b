"""The front page."""
from pyramid.view import view_config

from ..security import Permission
from ..services import upcoming


@view_config(route_name="home", renderer="trainings/home.jinja2", permission=Permission.view)
def home(request):
    return {"upcoming": upcoming.next_published(request.dbsession, limit=6)}
