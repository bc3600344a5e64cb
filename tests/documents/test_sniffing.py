"""File types recognised from their bytes (documents.sniffing), whatever the file is called."""

import pytest

from documents import sniffing


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.4\n", sniffing.PDF),
        (b"\x89PNG\r\n\x1a\n\x00", sniffing.PNG),
        (b"\xff\xd8\xff\xdb", sniffing.JPEG),
        (b" %PDF-1.4", None),  # the header must open the file
        (b"GIF89a", None),
        (b"<svg xmlns=", None),
        (b"", None),
    ],
)
def test_binary_formats_are_recognised_by_their_signature(head, expected):
    assert sniffing.sniff(head) == expected


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([b"a,b\n1,2\n"], True),
        ([b"\xef\xbb\xbfmeter,kWh\n", b"M1,12.5\n"], True),  # a byte-order mark is fine
        ([b"a;b\n"], False),  # one field per row: any text parses as a one-column CSV
        ([b"caf\xc3", b"\xa9,b\n"], True),  # a UTF-8 character split across chunks
        ([b"a,b\n\xc3\x28\n"], False),  # invalid UTF-8
        ([b"a,b\x01\n"], False),  # a control character: binary
        ([b'"a,b\n'], False),  # an unterminated quote
    ],
)
def test_csv_is_utf8_text_that_parses_strictly_with_two_fields(chunks, expected):
    assert sniffing.is_csv(chunks) is expected
