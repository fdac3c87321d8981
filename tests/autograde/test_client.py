"""The grader's kernel client (grader/autograde/client.py): jupyter_client's, ready at a message that says so."""
import asyncio
import os
import signal
from queue import Empty

import pytest
import zmq

from grader.autograde.client import RECONNECT_MS, GuardedKernelClient
from grader.autograde.execute import GuardedKernelManager


async def _started():
    km = GuardedKernelManager(kernel_name="python3")     # no sandbox settings: an ordinary local kernel
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    return km, kc


def test_ready_after_the_kernels_idle_status_with_nothing_left_unread():
    async def go():
        km, kc = await _started()
        try:
            assert isinstance(kc, GuardedKernelClient)
            assert kc.shell_channel.socket.getsockopt(zmq.RECONNECT_IVL) == RECONNECT_MS
            await kc.wait_for_ready(timeout=120)
            with pytest.raises(Empty):               # the start's busy/idle statuses were all read
                await kc.iopub_channel.get_msg(timeout=0.3)
            reply = await kc.execute_interactive("x = 6 * 7", timeout=60)
            assert reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
    asyncio.run(go())


def test_a_kernel_that_died_before_answering_is_reported():
    async def go():
        km, kc = await _started()
        try:
            os.kill(km.provisioner.process.pid, signal.SIGKILL)
            with pytest.raises(RuntimeError, match="died before replying"):
                await kc.wait_for_ready(timeout=60)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
    asyncio.run(go())
