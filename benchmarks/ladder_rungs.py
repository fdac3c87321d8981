"""The rungs of the speed ladder and the loop that trains each one to a target test accuracy.

Every rung trains the blitz LeNet from the same initial weights with SGD (momentum 0.9). What differs is how the
batches reach the model (a DataLoader of PIL images, or tensors already on the device), the batch size with its
learning rate and warm-up (a `Recipe`), and, on CUDA, whether the step is compiled or replayed from a CUDA graph.
`train` times only training: the clock stops while the test accuracy is measured, a few times per epoch.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

MOMENTUM = 0.9
MEAN = STD = (0.5, 0.5, 0.5)


class LeNet(nn.Module):
    """The LeNet of the PyTorch 60-minute blitz (62,006 parameters)."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


@dataclass(frozen=True)
class Recipe:
    """Batch size, peak learning rate and linear warm-up (in epochs) of one rung."""
    batch_size: int
    lr: float
    warmup_epochs: float = 0.0

    def lr_at(self, step: int, steps_per_epoch: int) -> float:
        warmup_steps = self.warmup_epochs * steps_per_epoch
        return self.lr * min(1.0, (step + 1) / warmup_steps) if warmup_steps > 0 else self.lr

    def as_dict(self) -> dict:
        return asdict(self)


BLITZ = Recipe(batch_size=4, lr=0.001)     # the tutorial's own settings: the rung that sets the target


class ImageItems(Dataset):
    """uint8 HWC images served one at a time as PIL images through a transform, as torchvision's CIFAR10 does."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def item_transform():
    from torchvision import transforms
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def to_resident(images: np.ndarray, labels: np.ndarray, device: torch.device):
    """The whole set converted once (the numbers ToTensor + Normalize give), contiguous NCHW, on the device."""
    x = torch.from_numpy(images).to(device).permute(0, 3, 1, 2).float().div_(255)
    mean = torch.tensor(MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=device).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous(), torch.from_numpy(labels).to(device)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def new_model(device: torch.device, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return LeNet().to(device)


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    model.eval()
    correct = sum((model(images[i:i + batch]).argmax(1) == labels[i:i + batch]).sum().item()
                  for i in range(0, len(images), batch))
    model.train()
    return correct / len(images)


class TensorLRSGD:
    """SGD with momentum (PyTorch's update, no dampening or Nesterov) whose learning rate lives in a tensor.

    A captured CUDA graph bakes Python numbers in, so `torch.optim.SGD`'s float learning rate could not follow the
    warm-up; the graph reads this tensor on every replay instead. Buffers start at zero, which makes the first
    update equal to SGD's (which starts its buffer at the first gradient).
    """

    def __init__(self, params, lr: float, momentum: float = MOMENTUM):
        self.params = list(params)
        self.lr = torch.tensor(lr, device=self.params[0].device)
        self.momentum = momentum
        self.buffers = [torch.zeros_like(p) for p in self.params]

    def set_lr(self, lr: float) -> None:
        self.lr.fill_(lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for p, buf in zip(self.params, self.buffers):
            buf.mul_(self.momentum).add_(p.grad)
            p.addcmul_(buf, self.lr, value=-1)


def sgd(model: nn.Module, recipe: Recipe) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=recipe.lr, momentum=MOMENTUM)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def train(step, set_rate, epoch_batches, steps_per_epoch, model, recipe, test, device, *, epochs=None,
          target=None, min_epochs=1, max_epochs=20, evals_per_epoch=4, max_seconds=None) -> dict:
    """Run `step(images, labels)` over `epoch_batches(epoch)` until the test accuracy reaches `target` (and at least
    `min_epochs` ran), or for exactly `epochs` epochs; return the history of (training seconds, epochs, accuracy)
    at each evaluation and the time of every epoch. `max_seconds` gives up earlier (the sweep's cut-off for a recipe
    that can no longer beat the best one)."""
    evals = {math.ceil(k * steps_per_epoch / evals_per_epoch) for k in range(1, evals_per_epoch + 1)}
    history, epoch_seconds, clock, done_steps = [], [], 0.0, 0
    for epoch in range(epochs or max_epochs):
        elapsed = 0.0
        sync(device)
        start = time.perf_counter()
        for i, (images, labels) in enumerate(epoch_batches(epoch), 1):
            set_rate(recipe.lr_at(done_steps, steps_per_epoch))
            step(images, labels)
            done_steps += 1
            if i in evals:
                sync(device)
                elapsed += time.perf_counter() - start
                history.append((round(clock + elapsed, 4), round(epoch + i / steps_per_epoch, 3),
                                accuracy(model, *test)))
                start = time.perf_counter()
        clock += elapsed
        epoch_seconds.append(round(elapsed, 4))
        reached = target is not None and any(acc >= target for _, _, acc in history)
        if epochs is None and (reached and epoch + 1 >= min_epochs or max_seconds and clock > max_seconds):
            break
    return {"history": history, "epoch_seconds": epoch_seconds, "steps_per_epoch": steps_per_epoch}


# ------------------------------------------------------------------------------------------------------- rungs

def loader_rung(data, device, recipe, workers, fast, **run):
    """Rungs 1 and 2: a DataLoader of PIL images feeding the device, one copy per batch. `fast`: persistent workers,
    and on CUDA pinned memory with non_blocking copies."""
    x, y = data["train_np"]
    cuda = device.type == "cuda"
    loader = DataLoader(ImageItems(x, y, item_transform()), batch_size=recipe.batch_size, shuffle=True,
                        num_workers=workers, generator=torch.Generator().manual_seed(0),
                        pin_memory=fast and cuda, persistent_workers=fast and workers > 0)
    model = new_model(device)
    optimizer, criterion = sgd(model, recipe), nn.CrossEntropyLoss()

    def batches(_epoch):
        for images, labels in loader:
            yield images.to(device, non_blocking=fast and cuda), labels.to(device, non_blocking=fast and cuda)

    def step(images, labels):
        optimizer.zero_grad(set_to_none=True)
        criterion(model(images), labels).backward()
        optimizer.step()

    return train(step, lambda lr: set_lr(optimizer, lr), batches, len(loader), model, recipe, data["test"],
                 device, **run)


def resident_batches(data, batch_size, drop_last=False):
    """Shuffled index gathers from the tensors already on the device (one permutation per epoch, seeded)."""
    x, y = data["train_dev"]
    n = len(x)
    usable = n - n % batch_size if drop_last else n
    gen = torch.Generator().manual_seed(0)

    def batches(_epoch):
        order = torch.randperm(n, generator=gen).to(x.device)
        for i in range(0, usable, batch_size):
            idx = order[i:i + batch_size]
            yield x[idx], y[idx]

    return batches, math.ceil(usable / batch_size)


def resident_rung(data, device, recipe, compile_mode=None, **run):
    """Rung 3 (eager) and rung 4's torch.compile variants: batches gathered on the device."""
    model = new_model(device)
    forward = torch.compile(model, mode=compile_mode) if compile_mode else model
    optimizer, criterion = sgd(model, recipe), nn.CrossEntropyLoss()
    # compiled: drop the ragged last batch, so reduce-overhead records one CUDA graph instead of two
    batches, steps = resident_batches(data, recipe.batch_size, drop_last=bool(compile_mode))

    def step(images, labels):
        optimizer.zero_grad(set_to_none=True)
        criterion(forward(images), labels).backward()
        optimizer.step()

    return train(step, lambda lr: set_lr(optimizer, lr), batches, steps, model, recipe, data["test"], device, **run)


def cuda_graph_rung(data, device, recipe, **run):
    """Rung 4's hand-made variant: forward, loss, backward and the SGD step captured once as a CUDA graph."""
    model = new_model(device)
    optimizer, criterion = TensorLRSGD(model.parameters(), recipe.lr), nn.CrossEntropyLoss()
    x, y = data["train_dev"]
    static_x, static_y = x[:recipe.batch_size].clone(), y[:recipe.batch_size].clone()
    initial = copy.deepcopy(model.state_dict())
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):           # warm-up on a side stream, as the CUDA graph docs ask
        for _ in range(3):
            optimizer.zero_grad()
            criterion(model(static_x), static_y).backward()
            optimizer.step()
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad()
    with torch.cuda.graph(graph):
        criterion(model(static_x), static_y).backward()
        optimizer.step()
    with torch.no_grad():                   # undo the warm-up in place: the graph holds these addresses
        for name, tensor in model.state_dict().items():
            tensor.copy_(initial[name])
        for buf in optimizer.buffers:
            buf.zero_()
    batches, steps = resident_batches(data, recipe.batch_size, drop_last=True)

    def step(images, labels):
        static_x.copy_(images)
        static_y.copy_(labels)
        graph.replay()

    return train(step, optimizer.set_lr, batches, steps, model, recipe, data["test"], device, **run)
