"""The Python field lists against the simulator's record schema.

`edgesim list columns` prints the columns the simulator writes (src/io/record_schema.hpp);
analysis/edgesim_h5.SCHEMA must list the same columns in the same order with the same
dtypes, and the synthetic run files of conftest.py may only leave out optional columns.
"""

import os
import subprocess

import numpy as np
import pytest

import conftest
import edgesim_h5


def simulator_columns():
    binary = os.environ.get("EDGESIM_BINARY")
    if not binary:
        pytest.skip("EDGESIM_BINARY not set (ctest sets it)")
    out = subprocess.run([binary, "list", "columns"], check=True, capture_output=True, text=True).stdout
    tables = {}
    for line in out.splitlines():
        table, column, dtype = line.split()
        tables.setdefault(table, []).append((column, dtype))
    return tables


def test_schema_matches_the_simulator():
    assert simulator_columns() == edgesim_h5.SCHEMA


def test_optional_fields_are_columns():
    for table, names in edgesim_h5.OPTIONAL_FIELDS.items():
        assert names <= {name for name, _ in edgesim_h5.SCHEMA[table]}, table


@pytest.mark.parametrize("table, dtype", [
    ("/requests", conftest.REQUEST_DTYPE),
    ("/timeline", conftest.TIMELINE_DTYPE),
    ("/hosts", conftest.HOST_DTYPE),
    ("/summary", conftest.SUMMARY_DTYPE),
])
def test_fixture_layouts_follow_the_schema(table, dtype):
    schema = dict(edgesim_h5.SCHEMA[table])
    for name in dtype.names:
        assert np.dtype(schema[name]) == dtype[name], (table, name)
    missing = set(schema) - set(dtype.names)
    assert missing <= edgesim_h5.OPTIONAL_FIELDS.get(table, set()), (table, missing)
