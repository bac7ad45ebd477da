"""Packaging beyond pyproject.toml: the wheel carries templates/, static/ and fixtures/.

They sit at the top of a checkout, where Django's template DIRS, STATICFILES_DIRS
and quiz.facts find them in development. A wheel installs them inside the hhquiz
package (hhquiz/templates, hhquiz/static, hhquiz/fixtures), where hhquiz.settings
looks when it runs from an installed package. Every Python package under hhquiz/
and quiz/ (views, management commands, migrations, the leaderboard package, ...)
is found, not listed.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
DATA = {"hhquiz.templates": "templates", "hhquiz.static": "static", "hhquiz.fixtures": "fixtures"}
# Every folder of the data trees, as the package it becomes inside hhquiz.
DATA_PACKAGES = [
    ".".join([name, *folder.relative_to(HERE / top).parts])
    for name, top in DATA.items()
    for folder in [HERE / top, *sorted(p for p in (HERE / top).rglob("*") if p.is_dir())]
    if folder.name != "__pycache__"
]

setup(
    packages=[*find_packages(include=["hhquiz", "hhquiz.*", "quiz", "quiz.*"]), *DATA_PACKAGES],
    package_dir=dict(DATA),  # a copy: setuptools changes the mapping it is given
    package_data={name: ["*"] for name in DATA_PACKAGES},
    exclude_package_data={"": ["*.py[cod]"]},
)
