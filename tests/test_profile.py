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
