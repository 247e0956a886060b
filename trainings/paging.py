"""Long lists shown a page at a time: the page asked for, and what a pager needs to know."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .resources import parse_id

LIST_PAGE_SIZE = 100  # organisers' long lists: registrations, attendance, certificates, people


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def requested_page(params) -> int:
    """The `page` of a query string; anything that is not a page number means the first."""
    return parse_id((params.get("page") or "1").strip()) or 1


def clamp_page(number: int, total: int, size: int = LIST_PAGE_SIZE) -> int:
    """A page past the end shows the last one."""
    return min(number, max(math.ceil(total / size), 1))


ROW_MARKER = "918273645"


def row_path(request, route: str, field: str, *, in_query: bool = False, **arguments):
    """The path of `route` for each row of a long list, from one `route_path` call: each row only
    fills in its own id (a route_path per row and link is most of a long table's time). The id
    goes in the path's `field`, or in the query string's with `in_query`."""
    marked = {"_query": {field: ROW_MARKER}} if in_query else {field: ROW_MARKER}
    head, tail = request.route_path(route, **marked, **arguments).split(ROW_MARKER, 1)
    return lambda value: f"{head}{value}{tail}"
