"""nbgrader's `Execute` preprocessor, hardened: a sandboxed kernel, hard time and output limits, no cascade.

- The kernel is `grader.autograde.sandbox` (limits, recorder, privilege drop), started by `GuardedKernelManager`.
- A cell that runs past its time (or past what is left of the submission's time) kills the kernel instead of
  interrupting it (a student can ignore SIGINT); a kernel that dies (os._exit, segfault, memory or CPU limit,
  output flood) does not abort the notebook: the cells after it are marked "not run" and the cells before it
  keep their outputs, so the submission keeps the points it earned before.
- Output beyond a size limit is dropped and kills the kernel.
What happened is written to `RUN_LOG` (one grading at a time per process).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from traitlets import Float, Integer

from nbgrader.preprocessors import Execute

from grader.autograde.sandbox import EXIT_OUTPUT

RUN_LOG: dict = {}


def reset_log() -> dict:
    RUN_LOG.clear()
    RUN_LOG.update(events=[], stop=None, exit=None, cells_run=0, output_bytes=0)
    return RUN_LOG


class GuardedKernelManager(AsyncKernelManager):
    """Starts `python -m grader.autograde.sandbox` in place of `python -m ipykernel_launcher`."""

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if "ipykernel_launcher" in cmd:
            i = cmd.index("ipykernel_launcher")
            cmd = [sys.executable, "-m", "grader.autograde.sandbox", *cmd[i + 1:]]
        sandbox = json.loads(os.environ.get("GRADER_SANDBOX", "{}"))
        if os.geteuid() == 0 and sandbox.get("unshare") and sandbox.get("confine", True):
            cmd = ["unshare", "--mount", "--propagation", "private", "--", *cmd]
        return cmd


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """See the module docstring."""

    submission_timeout = Float(0, help="seconds for the whole notebook (0: no limit)").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="output a notebook may produce, all cells together").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", GuardedKernelManager)
        kwargs.setdefault("shutdown_kernel", "immediate")   # every record is on disk already; no 5 s grace wait
        super().__init__(*args, **kwargs)
        self._deadline = None

    # ---------------------------------------------------------------------------------------------- helpers
    def _kill_kernel(self, why: str, detail: str) -> None:
        if RUN_LOG.get("stop") is None:
            RUN_LOG["stop"] = {"reason": why, "detail": detail, "cell": RUN_LOG.get("current")}
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                try:
                    proc.kill()
                except OSError:
                    pass

    def _exit_code(self):
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        if proc is None:
            return None
        for _ in range(20):
            code = proc.poll()
            if code is not None:
                return code
            time.sleep(0.05)
        return None

    # ----------------------------------------------------------------------------------------- nbclient hooks
    def preprocess(self, nb, resources=None, km=None):
        if RUN_LOG.get("events") is None:
            reset_log()
        self._deadline = time.monotonic() + self.submission_timeout if self.submission_timeout else None
        return super().preprocess(nb, resources, km)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if self._deadline is not None:
            left = max(1, int(self._deadline - time.monotonic()))
            if timeout is None or left < timeout:
                RUN_LOG["timeout_kind"] = "submission"
                return left
        RUN_LOG["timeout_kind"] = "cell"
        return timeout

    async def _async_handle_timeout(self, timeout, cell=None):
        kind = RUN_LOG.get("timeout_kind", "cell")
        self._kill_kernel("timeout", f"{'the submission' if kind == 'submission' else 'a cell'} ran past "
                                     f"its time limit ({timeout} s)")
        # raising (rather than returning an error reply) skips nbclient's wait for the dead kernel's output
        raise CellTimeoutError(f"{kind} timeout ({timeout} s)")

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values()) \
            + sum(len(line) for line in content.get("traceback", []))
        RUN_LOG["output_bytes"] = RUN_LOG.get("output_bytes", 0) + size
        if RUN_LOG["output_bytes"] > self.max_output_bytes:
            if RUN_LOG.get("stop") is None:
                self._kill_kernel("output-limit", f"the notebook printed more than {self.max_output_bytes} bytes")
                outs.append(_error("OutputLimit", f"output beyond {self.max_output_bytes} bytes was dropped and "
                                                  f"the kernel stopped"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if RUN_LOG.get("stop") is not None:
            cell.outputs = [_error("NotRun", f"not run: {RUN_LOG['stop']['detail']}")]
            return cell
        RUN_LOG["current"] = cell_index
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except (DeadKernelError, CellTimeoutError, ConnectionError, RuntimeError) as err:
            if isinstance(err, RuntimeError) and self._exit_code() is None:
                raise                       # not a dead kernel: a real error of the grader
            if RUN_LOG.get("stop") is None:
                code = self._exit_code()
                RUN_LOG["exit"] = code
                if code is not None and code < 0:
                    name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(code)
                    why = {"SIGSEGV": "segfault", "SIGBUS": "segfault", "SIGXCPU": "cpu-limit"}.get(name, "kernel-died")
                    detail = f"the kernel died ({name}" + (": killed from outside, e.g. by the system's out-of-memory"
                                                           " killer)" if name == "SIGKILL" else ")")
                elif code == EXIT_OUTPUT:
                    why, detail = "output-limit", f"the notebook printed more than {self.max_output_bytes} bytes"
                else:
                    why, detail = "kernel-died", f"the kernel exited (exit code {code})"
                RUN_LOG["stop"] = {"reason": why, "detail": detail, "cell": cell_index}
            outs = list(cell.get("outputs", []))
            outs.append(_error("KernelStopped", RUN_LOG["stop"]["detail"]))
            cell.outputs = outs
            RUN_LOG["events"].append({"cell": cell_index, "error": type(err).__name__})
            return cell
        RUN_LOG["cells_run"] += 1
        if self._deadline is not None and time.monotonic() > self._deadline and RUN_LOG.get("stop") is None:
            self._kill_kernel("timeout", "the submission ran past its time limit")
        return result

    # nbclient binds the synchronous `execute_cell` to its own coroutine at class creation; rebind it to ours
    # (nbconvert's ExecutePreprocessor.preprocess_cell calls `execute_cell`, not `async_execute_cell`)
    execute_cell = run_sync(async_execute_cell)
