"""The hostile batch (`hostile.py`), graded once per test session for every test of the grader that reads it."""
import pytest

import hostile


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory):
    """(course root, summary) of the hostile batch."""
    root = tmp_path_factory.mktemp("hostile")
    return root, hostile.grade(root)
