# Ignores COURSE_DEVICE: only prefer= and torch.cuda.is_available() decide.
def get_device(prefer=None):
    if prefer is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    wanted = torch.device(prefer)
    if wanted.type == "cuda" and not torch.cuda.is_available():
        warnings.warn("no GPU: using the CPU")
        return torch.device("cpu")
    return wanted
