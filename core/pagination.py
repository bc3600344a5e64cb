from rest_framework import exceptions, pagination

MAX_PAGE_SIZE = 200


def positive_integer(request, name: str) -> int | None:
    """The query parameter ``name`` as an integer of at least 1, None when absent; anything else
    (``null``, ``0``, ``-1``, ``2.5``, an empty value) is a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        message = f"{name} must be a whole number of at least 1."
        raise exceptions.ValidationError({name: [message]})
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`; `{count, next, previous, results}`.

    ``page`` and ``page_size`` are whole numbers of at least 1 (anything else is a 400 naming the
    parameter); a ``page_size`` above 200 is read as 200; a page beyond the last is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        size = positive_integer(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        positive_integer(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number (from 1); a page beyond the last is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Results per page (default {self.page_size}); above {MAX_PAGE_SIZE} is read as {MAX_PAGE_SIZE}."
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
