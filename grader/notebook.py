"""The one call every notebook's setup cell makes."""
import torch

from grader.device import pick_device
from grader.profile import profile
from grader.seeding import seed_everything


def setup_notebook(seed: int = 0) -> torch.device:
    """Seed everything, pick the device, print one line saying what was chosen, and return the device."""
    seed_everything(seed)
    device = pick_device()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"torch {torch.__version__} | device: {device.type} ({name}) | profile: {profile()} | seed: {seed}")
    return device


def show_error(action) -> None:
    """Run `action()` and print the exception it raises as `Type: message`.

    The common-errors sections use it to reproduce real PyTorch messages without stopping "Run All", and
    nbval compares the printed text, so a PyTorch release that rewords a message is noticed.
    """
    try:
        action()
    except Exception as err:  # showing any error is the point here
        print(f"{type(err).__name__}: {err}")
    else:
        print("(no error)")
