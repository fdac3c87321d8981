"""Seeding, so that every cell prints the same numbers on every run (nbval compares them)."""
import random

import numpy as np
import torch


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and every GPU); return a CPU generator seeded the same way.

    cuDNN autotuning is switched off because it may pick a different, non-deterministic kernel per run.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    return torch.Generator().manual_seed(seed)
