# Synchronizes before starting the clock but not before stopping it: the step's own GPU work is not waited for.
def time_per_step(step, device, warmup=3, iters=20):
    cuda = torch.device(device).type == "cuda"
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
