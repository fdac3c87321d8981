# Synchronizes after reading the clock: each step's GPU work is waited for, but outside its timing, so the clock
# measures only the launch.
# needs: cuda
def time_per_step(step, device, warmup=3, iters=20):
    cuda = torch.device(device).type == "cuda"
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
        if cuda:
            torch.cuda.synchronize()
    return statistics.median(times)
