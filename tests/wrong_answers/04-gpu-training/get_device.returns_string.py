# Returns a device name (a str) instead of a torch.device.
def get_device(prefer=None):
    if prefer is None:
        prefer = os.environ.get("COURSE_DEVICE", "").strip() or None
    if prefer is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    wanted = str(prefer)
    if wanted.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn("no GPU: using the CPU")
        return "cpu"
    return wanted
