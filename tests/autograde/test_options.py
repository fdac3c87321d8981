"""Options (grader/autograde/options.py): declared once, read from nbgrader_config.py, overridden by flags."""
import argparse

import pytest

from grader.autograde.options import GraderOptions, add_arguments, from_arguments


def _parser():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser


def test_every_option_has_one_flag_with_its_help_and_default():
    text = _parser().format_help()
    for name, trait in GraderOptions.class_traits(config=True).items():
        assert f"--{name.replace('_', '-')}" in text and trait.help
        assert f"(default: {trait.default_value})" in " ".join(text.split())
    assert "--no-confine" in text and "--no-cache" in text


def test_config_file_then_flags(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.GraderOptions.cell_timeout = 33\n"
                                                 "c.GraderOptions.workers = 3\n")
    assert GraderOptions.load(tmp_path).cell_timeout == 33
    options = from_arguments(_parser().parse_args(["--workers", "1", "--no-confine"]), tmp_path)
    assert (options.cell_timeout, options.workers, options.confine) == (33, 1, False)
    assert GraderOptions.load(tmp_path / "no-course").cell_timeout == GraderOptions.cell_timeout.default_value


def test_a_wrong_value_is_refused_with_its_name():
    with pytest.raises(SystemExit):
        _parser().parse_args(["--device", "tpu"])
    with pytest.raises(Exception, match="cell_timeout"):
        GraderOptions(cell_timeout="soon")
