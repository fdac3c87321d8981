"""GuardedExecute's output limit (grader/autograde/execute.py), driven with synthetic kernel messages: every part
of every message counts, whichever path nbclient routes it through, and nothing past the limit stays."""
import json

import nbformat
import pytest

from grader.autograde.execute import GuardedExecute

LIMIT = 10_000
HUGE = "x" * (5 * LIMIT)


def _msg(msg_type: str, content: dict, buffers=()) -> dict:
    return {"msg_type": msg_type, "header": {"msg_type": msg_type}, "parent_header": {"msg_id": "m"},
            "metadata": {}, "content": content, "buffers": list(buffers)}


def _run(*msgs):
    """A GuardedExecute with no kernel, fed `msgs` for one code cell; (executor, cell)."""
    ex = GuardedExecute(limits={"max_output_bytes": LIMIT})
    cell = nbformat.v4.new_code_cell("pass", metadata={"execution": {}})
    ex.nb, ex.clear_before_next_output = nbformat.v4.new_notebook(cells=[cell]), False
    for msg in msgs:
        ex.process_message(msg, cell, 0)
    return ex, cell


def _size(cell) -> int:
    return len(json.dumps(cell.outputs)) + len(json.dumps(cell.metadata))


@pytest.mark.parametrize("msg", [
    _msg("display_data", {"data": {"text/plain": "hi"}, "metadata": {"junk": HUGE}}),
    _msg("execute_result", {"data": {"text/plain": "hi"}, "metadata": {}, "execution_count": 1, "extra": HUGE}),
    _msg("display_data", {"data": {"text/plain": "hi"}, "metadata": {}, "transient": {"junk": HUGE}}),
    _msg("comm_msg", {"comm_id": "c", "data": {"method": "update", "state": {"value": HUGE}}}),
    _msg("comm_msg", {"comm_id": "c", "data": {"method": "update", "state": {}, "buffer_paths": [["v"]]}},
         [HUGE.encode()]),
    _msg("clear_output", {"wait": False, "junk": HUGE}),
], ids=["display-metadata", "result-extra-key", "transient", "widget-state", "widget-buffers", "clear-output"])
def test_every_part_of_every_message_counts(msg):
    ex, cell = _run(msg)
    assert ex.run_log["output_bytes"] > LIMIT
    assert ex.run_log["stop"]["reason"] == "output-limit"
    assert _size(cell) < LIMIT and not ex.widget_state.get("c", {}).get("value")


def test_display_updates_count_and_are_dropped_past_the_limit():
    shown = _msg("display_data", {"data": {"text/plain": "small"}, "metadata": {},
                                  "transient": {"display_id": "d"}})
    update = _msg("update_display_data", {"data": {"text/plain": "small"}, "metadata": {"junk": HUGE},
                                          "transient": {"display_id": "d"}})
    ex, cell = _run(shown, update)
    assert ex.run_log["stop"]["reason"] == "output-limit"
    assert cell.outputs[0]["data"]["text/plain"] == "small" and HUGE not in json.dumps(cell.outputs)


def test_output_under_the_limit_is_kept_and_bookkeeping_is_free():
    ex, cell = _run(_msg("execute_input", {"code": HUGE, "execution_count": 1}),
                    _msg("stream", {"name": "stdout", "text": "hello\n"}))
    assert ex.run_log["stop"] is None and [o["text"] for o in cell.outputs] == ["hello\n"]
    assert ex.run_log["output_bytes"] < 100
