# Lets COURSE_DEVICE override an explicit prefer= argument.
def get_device(prefer=None):
    prefer = os.environ.get("COURSE_DEVICE", "").strip() or prefer
    if prefer is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    wanted = torch.device(prefer)
    if wanted.type == "cuda" and not torch.cuda.is_available():
        warnings.warn("no GPU: using the CPU")
        return torch.device("cpu")
    return wanted
