# Synchronizes with the device-generic torch.accelerator API instead of torch.cuda.
def time_per_step(step, device, warmup=3, iters=20):
    on_gpu = torch.device(device).type == "cuda"
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        if on_gpu:
            torch.accelerator.synchronize()
        start = time.perf_counter()
        step()
        if on_gpu:
            torch.accelerator.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
