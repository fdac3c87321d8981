"""`grader.profiling`: the profiler's C++ log lines are silenced, and Python's stderr comes back afterwards."""
import os
import subprocess
import sys
import textwrap

import torch

from grader.profiling import quiet_profile, quiet_stderr


def test_quiet_stderr_silences_file_descriptor_2_and_restores_it():
    code = textwrap.dedent("""
        import os
        from grader.profiling import quiet_stderr
        with quiet_stderr():
            os.write(2, b"hidden\\n")
        os.write(2, b"shown\\n")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "shown\n"


def test_quiet_profile_records_operator_calls():
    x = torch.ones(8, 8)
    with quiet_profile() as prof:
        (x @ x).sum()
    names = {event.key for event in prof.key_averages()}
    assert "aten::mm" in names or "aten::matmul" in names, names
    assert os.fstat(2)                                   # the descriptor is open again
    with quiet_stderr():
        pass
