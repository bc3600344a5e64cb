import pytest


def pytest_collection_modifyitems(items):
    # Tests of the balances themselves: no buyer is topped up behind their back (tests/conftest.py).
    for item in items:
        if "tests/payments/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.unfunded)
