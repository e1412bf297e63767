"""Build and check the cambodia-hrc-statements dataset.

The pipeline, one module a step: load (YAML records, strictly) → check (schema and
cross-record rules) → tables (rows in schema order) → write (CSV and Parquet data packages).
"""

__version__ = "0.2.0"
