"""The front page and the organisers' dashboard."""
from pyramid.view import view_config

from ..security import Permission
from ..services import dashboard, upcoming


@view_config(route_name="home", renderer="trainings/home.jinja2", permission=Permission.view)
def home(request):
    return {"upcoming": upcoming.next_published(request.dbsession, limit=6)}


@view_config(route_name="dashboard", renderer="trainings/dashboard.jinja2", permission=Permission.manage)
def organiser_dashboard(request):
    return {"summary": dashboard.trainings_by_status(request.dbsession)}
