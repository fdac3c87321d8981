"""grader/autograde/quick_exit.py: the pool's forkserver leaves without taking torch and nbgrader apart, and no
other process is touched."""
from grader.autograde import quick_exit
from grader.autograde.pool import PRELOAD, Pool


def _installed(spec: dict) -> dict:
    from grader.autograde import quick_exit as forked
    return {"installed": forked.INSTALLED}


def test_only_the_forkserver_leaves_early():
    assert PRELOAD[-1] == "grader.autograde.quick_exit"
    assert quick_exit.INSTALLED is False          # imported here, by a test: this process exits as usual
    results = {}
    pool = Pool(1)
    try:
        pool.run(_installed, {"a": {}}, lambda student, result: results.update({student: result}))
    finally:
        pool.close()
    assert results == {"a": {"installed": True}}  # the worker inherited it from the forkserver
