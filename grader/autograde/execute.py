"""nbgrader's `Execute` preprocessor, hardened: a sandboxed kernel, hard time and output limits, no cascade.

- The kernel is `grader.autograde.sandbox` (limits, recorder, confinement), started by `GuardedKernelManager`.
- A cell that runs past its time (or past what is left of the submission's time, through nbclient's public
  `timeout_func`) kills the kernel instead of interrupting it (a student can ignore SIGINT); a kernel that dies
  (os._exit, segfault, memory or CPU limit, output flood) does not abort the notebook: the cells after it are
  marked "not run" and the cells before it keep their outputs, so the submission keeps the points it earned.
- Output beyond a size limit is dropped and kills the kernel.
What happened is kept on the preprocessor (`run_log`) and written as JSON to `log_path` for the job to read.
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
from traitlets import Bool, Dict, Type, Unicode

from nbgrader.preprocessors import Execute

from grader.autograde.client import GuardedKernelClient
from grader.autograde.mounts import JOB
from grader.autograde.sandbox import BOOT, EXIT_OUTPUT


class GuardedKernelManager(AsyncKernelManager):
    """Starts the sandbox (`python -I -c grader.autograde.sandbox.BOOT ...`) in place of `ipykernel_launcher`.

    Its settings are a file in the job's private folder (`sandbox_file`), named on the first stage's command line
    only. A confined kernel (namespaces of its own, no network) is reached through Unix sockets in its own tmpfs:
    the grader connects through `/proc/<pid>/root/tmp/job` of the process that made its namespaces, a place only
    this kernel's mounts decide, where a link the kernel planted is never followed (the tmpfs is `nosymfollow`)."""

    sandbox_file = Unicode("", help="the job's sandbox settings (JSON in its private folder)").tag(config=True)
    client_factory = Type(GuardedKernelClient, help="the client: ready without fixed waits").tag(config=True)
    forked = False        # whether the kernel was forked from the worker's template (else started cold)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sandbox = {}
        if self.sandbox_file:
            with open(self.sandbox_file) as fh:
                self.sandbox = json.load(fh)
        if self.confined:
            self.transport = "ipc"
            self.ip = os.path.join(self.sandbox["private"], "k")    # until the kernel's own folder exists

    @property
    def confined(self) -> bool:
        return bool(self.sandbox.get("unshare") and self.sandbox.get("confine", True))

    def kernel_folder(self) -> str | None:
        """The kernel's own folder as this process reaches it (None before the kernel started)."""
        proc = getattr(self.provisioner, "process", None) if self.provisioner else None
        if self.confined:
            return f"/proc/{proc.pid}/root{JOB}" if proc is not None else None
        return self.sandbox.get("work")

    def _fork(self, kernel_cmd: list[str], env) -> "ForkedProcess | None":
        """The kernel forked from this worker's template (`grader.autograde.template`), when the settings ask for
        it; None: start it cold."""
        settings = f"file:{self.sandbox_file}"
        if not (self.sandbox.get("fork") and settings in kernel_cmd):
            return None
        from grader.autograde import template
        argv = kernel_cmd[kernel_cmd.index(settings) + 1:]
        return template.spawn(self.sandbox_file, argv, self.sandbox["pythonpath"], dict(env))

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox_file:
            return cmd
        if "ipykernel_launcher" in cmd:
            i = cmd.index("ipykernel_launcher")
            cmd = [sys.executable, "-I", "-c", BOOT, self.sandbox["pythonpath"], f"file:{self.sandbox_file}",
                   *cmd[i + 1:]]
        if self.confined:
            cmd = [*self.sandbox["unshare"], "--", *cmd]      # namespaces of its own (grader.autograde.isolation)
        return cmd

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        forked = self._fork(kernel_cmd, kw.get("env") or os.environ)
        if forked is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:            # what LocalProvisioner.launch_kernel would have noted of a Popen
            self.forked = True
            prov = self.provisioner
            prov.process, prov.pid, prov.pgid = forked, forked.pid, forked.pid
            self._reconcile_connection_info(prov.connection_info)
        if self.confined:
            self.ip = os.path.join(self.kernel_folder(), "k")   # short: a socket's path has at most 107 bytes

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        """jupyter_client's wait for a killed kernel to end, polled every 10 ms rather than every 100 ms: a killed
        kernel is gone within milliseconds, and this wait is part of every job."""
        await super()._async_wait(pollinterval)


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _death(code: int | None, max_output_bytes: int) -> tuple[str, str]:
    """(reason, detail) for a kernel that ended with exit status `code`."""
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(code)
        why = {"SIGSEGV": "segfault", "SIGBUS": "segfault", "SIGXCPU": "cpu-limit"}.get(name, "kernel-died")
        return why, f"the kernel died ({name}" + (": killed from outside, e.g. by the system's out-of-memory killer)"
                                                  if name == "SIGKILL" else ")")
    if code == EXIT_OUTPUT:
        return "output-limit", f"the notebook printed more than {max_output_bytes} bytes"
    return "kernel-died", f"the kernel exited (exit code {code})"


class GuardedExecute(Execute):
    """See the module docstring. The limits are the grader's options (`GraderOptions`), handed over by the job."""

    limits = Dict(help="submission_timeout and max_output_bytes of the grader's options").tag(config=True)
    log_path = Unicode("", help="file the run log (JSON) is written to when the notebook is done").tag(config=True)
    interrupt_on_timeout = Bool(False, help="never: a timed-out kernel is killed").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", GuardedKernelManager)
        kwargs.setdefault("shutdown_kernel", "immediate")   # every record is harvested already; no 5 s grace wait
        super().__init__(*args, **kwargs)
        self._harvested: set[str] = set()
        self.run_log = {"stop": None, "exit": None, "output_bytes": 0}
        self._deadline = None
        self._timeout_kind, self._last_timeout = "cell", None
        self.timeout_func = self._time_left

    @property
    def max_output_bytes(self) -> int:
        return int(self.limits.get("max_output_bytes", 0)) or sys.maxsize

    # ---------------------------------------------------------------------------------------------- helpers
    def _kill_kernel(self, why: str, detail: str) -> None:
        if self.run_log["stop"] is None:
            self.run_log["stop"] = {"reason": why, "detail": detail, "cell": self.run_log.get("current")}
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                try:
                    proc.kill()
                except OSError:
                    pass

    def _harvest(self) -> None:
        """Copy the records the kernel made so far into the job's private folder, as data (`harvest.harvest`): a
        confined kernel's folder vanishes with its namespace when it is killed."""
        km = self.km
        folder = km.kernel_folder() if isinstance(km, GuardedKernelManager) else None
        out = km.sandbox.get("records_out") if folder else None
        if out:
            from grader.autograde.harvest import harvest
            harvest(os.path.join(folder, ".records"), out, self._harvested)

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

    def _time_left(self, cell) -> int | None:
        """nbclient's `timeout_func`: the cell's limit, or what is left of the submission's when that is less."""
        timeout, self._timeout_kind = self.timeout, "cell"
        if self._deadline is not None:
            left = max(1, int(self._deadline - time.monotonic()))
            if timeout is None or left < timeout:
                timeout, self._timeout_kind = left, "submission"
        self._last_timeout = timeout
        return timeout

    # ----------------------------------------------------------------------------------------- nbclient hooks
    def preprocess(self, nb, resources=None, km=None):
        limit = float(self.limits.get("submission_timeout", 0))
        self._deadline = time.monotonic() + limit if limit else None
        if limit:        # the kernel's start counts against the submission's time too
            self.startup_timeout = int(min(self.startup_timeout, max(10, limit)))
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.log_path:
                with open(self.log_path, "w") as fh:
                    json.dump(self.run_log, fh)

    # nbclient's bookkeeping: these messages leave nothing in the notebook (execute_input echoes the cell's source)
    NOT_OUTPUT = frozenset({"status", "execute_input"})

    @staticmethod
    def _message_size(msg) -> int:
        """All a message can leave in the notebook: its whole content as JSON (data, metadata, transient, any other
        key: a student picks the keys) and its binary buffers (widget state)."""
        content = json.dumps(msg.get("content", {}), ensure_ascii=False, default=repr)
        return len(content) + sum(memoryview(b).nbytes for b in msg.get("buffers") or [])

    def _over_output_limit(self, outs) -> bool:
        """Whether the output so far passed the limit; the first time, the kernel is killed and `outs` says so."""
        if self.run_log["output_bytes"] <= self.max_output_bytes:
            return False
        if self.run_log["stop"] is None:
            self._kill_kernel("output-limit", f"the notebook printed more than {self.max_output_bytes} bytes")
            outs.append(_error("OutputLimit", f"output beyond {self.max_output_bytes} bytes was dropped and "
                                              f"the kernel stopped"))
        return True

    def process_message(self, msg, cell, cell_index):
        """Count every message before nbclient routes it: `output` sees streams, displays, results and errors,
        but update_display_data (`_update_display_id` rewrites earlier outputs), clear_output and comm messages
        (widget state, which nbclient writes into the notebook's metadata) never reach it. Past the limit a
        message is dropped whole, so nothing beyond it is kept in the notebook."""
        if msg.get("msg_type") not in self.NOT_OUTPUT:
            self.run_log["output_bytes"] += self._message_size(msg)
            if self._over_output_limit(cell.outputs):
                return None
        return super().process_message(msg, cell, cell_index)

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output hook; the message was counted in `process_message`, and nothing past the limit is kept."""
        if self._over_output_limit(outs):
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        log = self.run_log
        if log["stop"] is not None:
            cell.outputs = [_error("NotRun", f"not run: {log['stop']['detail']}")]
            return cell
        log["current"] = cell_index
        log["kernel"] = "forked" if getattr(self.km, "forked", False) else "cold"    # nbclient drops km at the end
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            self._kill_kernel("timeout", f"{'the submission' if self._timeout_kind == 'submission' else 'a cell'} "
                                         f"ran past its time limit ({self._last_timeout} s)")
            return self._stopped(cell)
        except (DeadKernelError, ConnectionError, RuntimeError) as err:
            if isinstance(err, RuntimeError) and self._exit_code() is None:
                raise                       # not a dead kernel: a real error of the grader
            if log["stop"] is None:
                log["exit"] = self._exit_code()
                why, detail = _death(log["exit"], self.max_output_bytes)
                log["stop"] = {"reason": why, "detail": detail, "cell": cell_index}
            return self._stopped(cell)
        self._harvest()
        if self._deadline is not None and time.monotonic() > self._deadline and log["stop"] is None:
            self._kill_kernel("timeout", "the submission ran past its time limit")
        return result

    def _stopped(self, cell):
        """The cell, closed by a note that the kernel stopped (why is in the run log)."""
        cell.outputs = [*cell.get("outputs", []), _error("KernelStopped", self.run_log["stop"]["detail"])]
        return cell

    # nbclient binds the synchronous `execute_cell` to its own coroutine at class creation; rebind it to ours
    # (nbconvert's ExecutePreprocessor.preprocess_cell calls `execute_cell`, not `async_execute_cell`)
    execute_cell = run_sync(async_execute_cell)
