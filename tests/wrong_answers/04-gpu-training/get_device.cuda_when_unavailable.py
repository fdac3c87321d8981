# Returns the device that was asked for without checking that CUDA is there: every tensor sent to it fails later.
def get_device(prefer=None):
    if prefer is None:
        prefer = os.environ.get("COURSE_DEVICE", "").strip() or None
    if prefer is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(prefer)
