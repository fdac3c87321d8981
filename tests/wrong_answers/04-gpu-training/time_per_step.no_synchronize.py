# Never synchronizes: on a GPU it measures how fast Python queues the kernels, not how long they run.
def time_per_step(step, device, warmup=3, iters=20):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
