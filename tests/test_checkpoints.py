"""`grader.checkpoints.save_as_if_on_gpu`: a checkpoint that loads like one saved on a GPU, and no trace left."""
import io

import pytest
import torch

from grader.checkpoints import save_as_if_on_gpu


@pytest.mark.skipif(torch.cuda.is_available(), reason="the failure it fakes needs a machine without a GPU")
def test_loading_without_map_location_fails_as_for_a_gpu_checkpoint():
    state = {"w": torch.arange(3.0)}
    buffer = save_as_if_on_gpu(state)
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        torch.load(buffer, weights_only=True)
    buffer.seek(0)
    loaded = torch.load(buffer, map_location="cpu", weights_only=True)
    assert torch.equal(loaded["w"], state["w"]) and loaded["w"].device.type == "cpu"


def test_the_hook_is_removed_and_a_given_file_is_written():
    before = list(torch.serialization._package_registry)
    target = io.BytesIO()
    assert save_as_if_on_gpu({"w": torch.ones(1)}, target) is target and target.tell() > 0
    assert torch.serialization._package_registry == before
    plain = io.BytesIO()
    torch.save({"w": torch.ones(1)}, plain)
    plain.seek(0)
    assert torch.load(plain, weights_only=True)["w"].device.type == "cpu", "ordinary saves are untouched"
