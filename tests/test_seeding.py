import random

import numpy as np
import torch

from grader.seeding import seed_everything


def draw():
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_same_seed_same_numbers():
    gen = seed_everything(3)
    first = draw(), torch.rand(2, generator=gen).tolist()
    gen = seed_everything(3)
    assert (draw(), torch.rand(2, generator=gen).tolist()) == first


def test_other_seed_other_numbers():
    seed_everything(1)
    a = draw()
    seed_everything(2)
    assert draw() != a
