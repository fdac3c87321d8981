"""What the simulated GPU must do, one function per behaviour, run in one fresh process by test_cuda_sim.py.

The simulation patches torch for the whole process and cannot be turned off, so the cases run in a child process:
`python cuda_sim_cases.py` enables it, runs every case and prints `{case: "ok" | "<error>"}` as JSON. Each case
compares with what PyTorch does on a real GPU (the error types and messages are PyTorch's own).
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import sys
import traceback

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

CUDA = torch.device("cuda", 0)
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def raises(kind, words, action):
    try:
        action()
    except kind as err:
        assert words in str(err), f"{kind.__name__} without {words!r}: {err}"
        return
    raise AssertionError(f"no {kind.__name__} ({words!r})")


def notes(action) -> str:
    """What `action` printed (the simulation's one-line notes), checking that nothing went to stderr: nbgrader fails
    a test cell that writes there."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        action()
    assert not err.getvalue(), f"the simulation wrote to stderr: {err.getvalue()}"
    return out.getvalue()


@case
def setup_notebook_returns_cuda():
    from grader.notebook import setup_notebook
    with contextlib.redirect_stdout(io.StringIO()) as out:
        device = setup_notebook(seed=0)
    assert device == torch.device("cuda") and "cuda-sim" in out.getvalue(), (device, out.getvalue())
    assert torch.cuda.is_available() and torch.cuda.device_count() == 1 and torch.accelerator.is_available()
    torch.cuda.manual_seed(0)                               # seeding, as every notebook's setup does
    torch.cuda.manual_seed_all(0)
    with torch.random.fork_rng(devices=[0]):
        torch.randn(2, device="cuda")


@case
def tensors_report_their_device():
    x, y = torch.ones(2, device="cuda"), torch.ones(2)
    assert x.device == CUDA and x.is_cuda and x.get_device() == 0, x.device
    assert y.device.type == "cpu" and not y.is_cuda and y.get_device() == -1
    assert x.cpu().device.type == "cpu" and y.cuda().device == CUDA and y.to("cuda:0").is_cuda
    assert x.to("cuda") is x and y.to("cpu") is y, "a move to the same device returns the tensor itself"
    assert y.device.type == "cpu", "moving a copy must not move the original"
    assert repr(x) == "tensor([1., 1.], device='cuda:0')", repr(x)


@case
def mixing_devices_raises_pytorchs_error():
    x = torch.ones(3, device="cuda")
    raises(RuntimeError, "Expected all tensors to be on the same device", lambda: x + torch.ones(3))
    raises(RuntimeError, "cuda:0 and cpu", lambda: torch.cat([x, torch.ones(3)]))
    assert (x * torch.tensor(2.0)).device == CUDA, "a 0-dim CPU tensor mixes with CUDA ones, as on a GPU"
    assert x[torch.tensor([0, 2])].device == CUDA, "CPU indices into a CUDA tensor are allowed"
    raises(RuntimeError, "indices should be either on cpu", lambda: torch.ones(3)[torch.tensor([0], device="cuda")])


@case
def numpy_of_a_cuda_tensor_raises_typeerror():
    x = torch.ones(2, device="cuda")
    raises(TypeError, "can't convert cuda:0 device type tensor to numpy", x.numpy)
    raises(TypeError, "Use Tensor.cpu()", lambda: np.asarray(x))
    assert x.cpu().numpy().tolist() == [1.0, 1.0] and x.sum().item() == 2.0


@case
def one_hot_built_on_the_cpu_is_caught():
    labels = torch.tensor([2, 0], device="cuda")
    raises(RuntimeError, "same device", lambda: torch.zeros(2, 3).scatter_(1, labels.unsqueeze(1), 1.0))
    good = torch.zeros(2, 3, device=labels.device).scatter_(1, labels.unsqueeze(1), 1.0)
    assert good.device == CUDA and torch.zeros_like(good).device == CUDA and good.new_zeros(1).device == CUDA


@case
def cpu_generator_with_a_cuda_randperm_raises():
    gen = torch.Generator().manual_seed(0)
    raises(RuntimeError, "Expected a 'cuda' device type for generator", lambda: torch.randperm(5, generator=gen,
                                                                                               device="cuda"))
    assert torch.randperm(5, generator=gen).to("cuda").device == CUDA


@case
def modules_optimizers_and_gradients_follow_the_move():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    weight = model[0].weight
    opt = torch.optim.Adam(model.parameters(), lr=0.1)      # built before the move, as students often do
    assert model.to("cuda") is model and model[0].weight is weight, "parameters keep their identity"
    assert all(t.device == CUDA for t in [*model.parameters(), *model.buffers()])
    raises(RuntimeError, "same device", lambda: model(torch.ones(5, 3)))
    model(torch.ones(5, 3, device="cuda")).sum().backward()
    assert weight.grad.device == CUDA
    before = weight.detach().clone()
    opt.step()
    assert not torch.equal(before, weight.detach()) and opt.state[weight]["exp_avg"].device == CUDA
    assert copy.deepcopy(model)[0].weight.device == CUDA and model.cpu()[0].weight.device.type == "cpu"
    raises(RuntimeError, "assign a gradient with device type 'cpu'", lambda: setattr(
        nn.Parameter(torch.ones(2, device="cuda")), "grad", torch.ones(2)))


@case
def checkpoints_honour_map_location():
    model = nn.Linear(2, 2).to("cuda")
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    for where, expected in [(None, "cuda"), ("cpu", "cpu"), (torch.device("cuda"), "cuda")]:
        buffer.seek(0)
        state = torch.load(buffer, map_location=where)
        assert state["weight"].device.type == expected, (where, state["weight"].device)
    fresh = nn.Linear(2, 2)
    fresh.load_state_dict(state)
    assert fresh.weight.device.type == "cpu", "load_state_dict copies into the parameters where they are"


@case
def gradients_made_by_the_engine_report_the_device():
    w = torch.ones(3, device="cuda", requires_grad=True)
    seen = []
    w.register_hook(lambda grad: seen.append(grad))
    (w * 2).sum().backward()
    assert seen[0].device == CUDA and w.grad.device == CUDA
    assert torch.autograd.grad((w ** 2).sum(), w)[0].device == CUDA

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            assert grad_output.device == CUDA, grad_output.device
            return 2 * x * grad_output + torch.zeros(x.shape, device=grad_output.device)

    x = torch.randn(4, dtype=torch.float64, device="cuda", requires_grad=True)
    assert torch.autograd.gradcheck(Square.apply, (x,))


@case
def dataloader_batches_arrive_on_the_cpu():
    data = TensorDataset(torch.randn(8, 3), torch.arange(8))
    model = nn.Linear(3, 8).to("cuda")
    said = notes(lambda: next(iter(DataLoader(data, batch_size=4, pin_memory=True))))
    assert "cuda-sim: pin_memory() is simulated" in said, said
    for kwargs in ({}, {"pin_memory": True}):
        images, labels = next(iter(DataLoader(data, batch_size=4, **kwargs)))
        assert images.device.type == "cpu" and labels.device.type == "cpu"
        raises(RuntimeError, "same device", lambda: nn.functional.cross_entropy(
            model(images.to("cuda")), labels))


@case
def synchronize_events_and_memory_counters():
    torch.cuda.synchronize()
    torch.accelerator.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    block = torch.empty(2**18, device="cuda")                # 1 MiB of float32
    assert torch.cuda.memory_allocated() - base >= 2**20 and torch.cuda.max_memory_allocated() >= base + 2**20
    del block
    assert torch.cuda.memory_allocated() == base and torch.cuda.max_memory_allocated() >= base + 2**20


@case
def host_waits_are_counted():
    from grader.cuda_sim import count_syncs
    loss = torch.tensor(2.5, device="cuda")
    scores = torch.arange(4.0, device="cuda")
    host = torch.arange(4.0)
    waits = [("item", lambda: loss.item()), ("tolist", lambda: scores.tolist()), ("cpu", lambda: scores.cpu()),
             ("to(cpu)", lambda: scores.to("cpu")), ("to(cpu)", lambda: scores.to("cpu", non_blocking=True)),
             ("__float__", lambda: float(loss)), ("__bool__", lambda: bool(loss > 0)),
             ("print", lambda: print(scores)), ("print", lambda: f"{loss:.2f}"),
             ("torch.cuda.synchronize", torch.cuda.synchronize),
             ("torch.accelerator.synchronize", torch.accelerator.synchronize),
             ("Stream.synchronize", lambda: torch.cuda.current_stream().synchronize())]
    for name, action in waits:
        with count_syncs() as counted:
            notes(action)
        assert counted.log == [name], (name, counted.log)
        assert counted.total == 1 and (counted.syncs == 1) == name.endswith("synchronize"), (name, counted)
    event = torch.cuda.Event()
    event.record()
    with count_syncs() as counted:
        event.synchronize()
    assert counted.log == ["Event.synchronize"] and counted.syncs == 1, counted
    with count_syncs() as counted:               # work that stays on the device, and CPU tensors, wait for nothing
        total = (scores * 2).sum() + loss
        host.item() if host.numel() == 1 else host.tolist()
        notes(lambda: print(host))
        float(host[0])
        scores.to("cuda")
    assert counted.total == 0 and str(counted) == "0 device-to-host copies and 0 synchronisations", counted.log
    with count_syncs() as outer:
        with count_syncs() as inner:
            total.item()
        total.item()
    assert (inner.copies, outer.copies) == (1, 2), (inner, outer)
    assert outer.log == ["item", "item"] and inner.log == ["item"]


@case
def sleep_queues_gpu_time_that_waits_pay():
    import time
    from grader.cuda_sim import count_syncs
    start = time.perf_counter()
    torch.cuda._sleep(30_000_000)                           # 30 ms of simulated GPU work, queued
    queued = time.perf_counter() - start
    torch.cuda.synchronize()
    waited = time.perf_counter() - start
    assert queued < 0.01 and waited >= 0.029, (queued, waited)
    begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    begin.record()
    torch.cuda._sleep(20_000_000)
    end.record()
    assert not end.query(), "an event behind queued work is not reached yet"
    end.synchronize()
    assert end.query() and 19 <= begin.elapsed_time(end) < 200, begin.elapsed_time(end)
    x = torch.ones(2, device="cuda")
    with count_syncs() as counted:
        start = time.perf_counter()
        torch.cuda._sleep(20_000_000)
        x.sum().item()                                      # a copy to the host waits for the queue too
        assert time.perf_counter() - start >= 0.019
    assert counted.copies == 1 and counted.syncs == 0, counted


@case
def autocast_on_cuda_uses_cudas_dtype_and_says_how():
    layer = nn.Linear(4, 4).to("cuda")
    x = torch.ones(2, 4, device="cuda")
    said = notes(lambda: torch.autocast("cuda").__enter__().__exit__(None, None, None))
    assert "cuda-sim: autocast" in said, said
    with torch.autocast(device_type="cuda"):
        assert layer(x).dtype == torch.float16 and torch.is_autocast_enabled("cuda")
        assert torch.get_autocast_dtype("cuda") == torch.float16
    with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
        assert layer(x).dtype == torch.bfloat16
    assert not torch.is_autocast_enabled("cuda") and layer(x).dtype == torch.float32


@case
def limits_say_so_in_one_line():
    model = nn.Linear(2, 2).to("cuda")
    compiled = None

    def compile_it():
        nonlocal compiled
        compiled = torch.compile(model)
    assert "cuda-sim: torch.compile is not simulated" in notes(compile_it)
    assert compiled._orig_mod is model and list(compiled.state_dict())[0].startswith("_orig_mod.")
    assert compiled(torch.ones(1, 2, device="cuda")).device == CUDA
    raises(RuntimeError, "cuda-sim cannot simulate CUDA graphs", torch.cuda.CUDAGraph)
    assert "cuda-sim" not in notes(lambda: torch.ones(2).pin_memory()), "each limit is said once, not every time"
    wrapped = nn.DataParallel(nn.Linear(2, 1))
    assert next(wrapped.parameters()).device == CUDA, "DataParallel moves its module to the first GPU"
    said = notes(lambda: wrapped(torch.ones(3, 2)))
    assert "cuda-sim: DataParallel" in said, said
    assert torch.ones(2).to("meta").device.type == "meta" and torch.ones(2, device="meta").is_meta


def main() -> None:
    from grader import cuda_sim
    cuda_sim.enable()
    results = {}
    for name, fn in CASES.items():
        try:
            fn()
            results[name] = "ok"
        except Exception:  # each case's failure is reported by name, the others still run
            results[name] = traceback.format_exc(limit=3)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
