"""The grader's kernel client (grader/autograde/client.py): jupyter_client's, ready at a message that says so."""
import asyncio
import os
import signal
from queue import Empty

import pytest
import zmq

from grader.autograde.client import IOPUB_S, RECONNECT_MS, GuardedKernelClient
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


def test_a_status_not_seen_in_time_is_asked_for_again_with_a_longer_wait(monkeypatch):
    """A loaded machine may deliver the idle status late: the request is sent again and each try waits twice as long
    (the first two tries here are told that their status never came)."""
    waits, real = [], GuardedKernelClient._idle_after

    async def late(self, msg_id, deadline, seconds):
        waits.append(seconds)
        return len(waits) > 2 and await real(self, msg_id, deadline, seconds)

    monkeypatch.setattr(GuardedKernelClient, "_idle_after", late)

    async def go():
        km, kc = await _started()
        try:
            await kc.wait_for_ready(timeout=120)
            with pytest.raises(Empty):               # the earlier tries' statuses were read too
                await kc.iopub_channel.get_msg(timeout=0.3)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
    asyncio.run(go())
    assert waits[:3] == [IOPUB_S, 2 * IOPUB_S, 4 * IOPUB_S]
