"""socialbench: benchmarking and provider incentives for the specialised social area."""
from setuptools import find_packages, setup

setup(
    name="socialbench",
    version="0.1.0",
    description=(
        "Superset plugin suite for steering the specialised social area in Danish "
        "municipalities: benchmarks, provider incentive settlements, dashboards."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11,<3.12",
    packages=find_packages(
        include=["socialbench*", "benchmarks*", "incentive_models*", "superset_plugins*"]
    )
    + ["socialbench.sql"],
    # The warehouse SQL lives at the top level in sql/ and ships inside the package.
    package_dir={"socialbench.sql": "sql"},
    package_data={
        "socialbench.data": ["*.csv"],
        "socialbench.sql": ["schema/*.sql", "views/*.sql", "views/*.yml", "tables/*.yml"],
        "superset_plugins": ["assets/*/*.yaml", "assets/*.yml"],
        # Superset's interface in Danish: .po source, frontend language pack, backend catalogue.
        "superset_plugins.translations": ["*/LC_MESSAGES/messages.po", "*/LC_MESSAGES/messages.json", "*/LC_MESSAGES/messages.mo"],
        "incentive_models": ["models/*.yml"],
    },
    install_requires=[
        "apache-superset==6.1.0",
        # Superset 6.1.0 needs these but does not declare them (or declares too loosely).
        "rich",
        "cachetools",
        "flask-caching<2.4",
        "SQLAlchemy>=1.4,<2",
        "pandas>=2.1",
        "numpy",
        "marshmallow>=3.20,<4",
        "PyYAML",
        "requests",
        "duckdb>=1.1",
        "duckdb-engine>=0.13",
        "psycopg2-binary",
        "openpyxl",
        "fpdf2",
    ],
    extras_require={"test": ["pytest", "pytest-timeout", "hypothesis", "selenium", "responses"]},
    entry_points={
        "console_scripts": ["socialbench = socialbench.cli:main"],
        # Lets engines made elsewhere (Superset's) wait for a busy DuckDB file.
        "sqlalchemy.plugins": ["socialbench_wait = socialbench.warehouse:WaitForBusyDuckDB"],
    },
)
