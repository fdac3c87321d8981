# Falls back to the CPU without a warning: nobody notices that the GPU asked for is not used.
def get_device(prefer=None):
    if prefer is None:
        prefer = os.environ.get("COURSE_DEVICE", "").strip() or None
    if prefer is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    wanted = torch.device(prefer)
    if wanted.type == "cuda" and not torch.cuda.is_available():
        return torch.device("cpu")
    return wanted
