"""``text/csv`` request bodies, read as text (readings imports: ``sites.views``)."""

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class CsvTextParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            return stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ParseError("The CSV body must be UTF-8 text.") from error
