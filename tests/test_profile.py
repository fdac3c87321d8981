import pytest

from grader.profile import by_profile, profile


def test_full_is_the_default(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert profile() == "full"
    assert by_profile(quick=1, full=2) == 2


def test_quick(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert by_profile(quick=1, full=2) == 1


def test_unknown_profile_is_rejected(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match="'fast' is not a profile; use one of quick, full"):
        profile()


def test_profile_imported_with_by_profile_is_the_function():
    """`grader.profile` is also a submodule: importing it for `by_profile` used to leave the name bound to the
    module, so `from grader import by_profile, profile` gave a module and `profile()` raised in notebook 04."""
    import subprocess
    import sys
    code = "from grader import by_profile, profile; print(callable(profile) and profile() in ('quick', 'full'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stdout + done.stderr
