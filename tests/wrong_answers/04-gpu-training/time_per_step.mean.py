# Returns the mean: one call delayed by another process moves the answer.
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
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return sum(times) / len(times)
