"""Query-string filters of list endpoints, validated by an input serializer."""

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def query_filters(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request's query filters as ``serializer_class`` validates them: an empty parameter
    (``?country=``) means no filter, a bad one is a 400 naming it. Parameters the serializer does
    not declare (``page``, ``page_size``, ``format``) are left to their readers."""
    present = {key: value for key, value in request.query_params.items() if value != ""}
    filters = serializer_class(data=present)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)
