# Times the warm-up calls as well: the slow first calls enter the result.
def time_per_step(step, device, warmup=3, iters=20):
    cuda = torch.device(device).type == "cuda"
    times = []
    for _ in range(warmup + iters):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
