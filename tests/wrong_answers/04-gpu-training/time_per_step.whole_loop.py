# Times the whole loop once (synchronizing around it) and divides: the mean, not the median of single steps.
def time_per_step(step, device, warmup=3, iters=20):
    cuda = torch.device(device).type == "cuda"
    for _ in range(warmup):
        step()
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(iters):
        step()
    if cuda:
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / iters
