"""Every setting read from the environment is listed in .env.example and README's configuration table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_FROM_ENVIRONMENT = re.compile(r'\benv(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]+)"')


def environment_variables() -> set[str]:
    names = set(READ_FROM_ENVIRONMENT.findall((ROOT / "carboncred" / "settings.py").read_text()))
    assert len(names) > 20, "the pattern no longer finds the settings"
    return names


def test_every_environment_variable_is_in_env_example():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))

    assert environment_variables() <= listed, sorted(environment_variables() - listed)


def test_every_environment_variable_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()

    missing = sorted(name for name in environment_variables() if f"`{name}`" not in readme)
    assert not missing, missing
