"""The grader's kernel client: jupyter_client's own, ready as soon as the kernel is rather than after fixed waits.

jupyter_client's `wait_for_ready` (8.x) ends with two waits that cost every grading kernel about 0.3 s, three times
the start of a kernel forked from the template (about 0.1 s, `grader.autograde.template`):
- the client's sockets connect before the kernel has bound its own, and zmq retries every 100 ms (its default
  reconnect interval), so the first kernel_info request waits for the next retry;
- after the kernel_info reply it drains IOPub until 0.2 s pass without a message: silence is its only sign that
  nothing more is coming.
Here the sockets retry every 10 ms, and readiness ends at a message that says so: the `idle` status of our own
kernel_info request on IOPub. Seeing it proves IOPub is subscribed and that every message the kernel published
before it has been read. A status published before the subscription took is lost, so a request whose reply came
without it is sent again, and each try waits twice as long for its status (a loaded machine may deliver it late), up
to RESEND_S.
"""
from __future__ import annotations

import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient

RECONNECT_MS = 10         # how soon a socket that found no kernel yet tries again
RESEND_S = 0.5            # how long a kernel_info reply is waited for before the request is sent again
IOPUB_S = 0.05            # how long the first try waits for its idle status once the reply came (doubled per try)


class GuardedKernelClient(AsyncKernelClient):
    """`AsyncKernelClient` with the waits above replaced; everything else is jupyter_client's."""

    def _context_default(self) -> zmq.asyncio.Context:
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)      # the default of every socket made in it
        return context

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel answered a kernel_info request on the shell channel and its `idle` status arrived
        on IOPub; RuntimeError if the kernel died or `timeout` seconds passed (as jupyter_client's)."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        idle_wait = IOPUB_S
        while True:
            msg_id = self.kernel_info()
            if await self._answered(msg_id, deadline) and await self._idle_after(msg_id, deadline, idle_wait):
                return
            idle_wait = min(2 * idle_wait, RESEND_S)
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _answered(self, msg_id: str, deadline: float) -> bool:
        """Whether the shell reply to `msg_id` arrived in time (replies to earlier requests are skipped)."""
        return await self._wait_for(self.shell_channel, deadline, RESEND_S,
                                    lambda m: m["parent_header"].get("msg_id") == msg_id
                                    and m["msg_type"] == "kernel_info_reply")

    async def _idle_after(self, msg_id: str, deadline: float, seconds: float) -> bool:
        """Whether the kernel's `idle` status for `msg_id` arrived on IOPub within `seconds` (everything before it
        is read)."""
        return await self._wait_for(self.iopub_channel, deadline, seconds,
                                    lambda m: m["parent_header"].get("msg_id") == msg_id
                                    and m["msg_type"] == "status" and m["content"].get("execution_state") == "idle")

    @staticmethod
    async def _wait_for(channel, deadline: float, seconds: float, wanted) -> bool:
        until = min(deadline, time.monotonic() + seconds)
        while (left := until - time.monotonic()) > 0:
            try:
                if wanted(await channel.get_msg(timeout=left)):
                    return True
            except Empty:
                return False
        return False

    wait_for_ready = _async_wait_for_ready
