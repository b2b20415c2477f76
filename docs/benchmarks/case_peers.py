"""PyTorch CPU (one thread) on the project's kernel benchmark cases, forward+backward, in both of
PyTorch's memory formats (channels-first NCHW/NCDHW and channels-last NHWC/NDHWC), next to one plain
copy of the input measured in the same run.
Usage: python3 case_peers.py [iters] [case[:float64] ...]   (default: every case, float32, 5 iterations)
Prints: case dtype format ms_per_fwd+bwd ratio_to_copy(x)

A copy of ../shared/peers/case_peers.py (same cases, same timing) that also runs a case in float64
(`large-max:float64`), for the float64 rows of docs/benchmarks/2026-12-01-kernels.md.
"""
import sys, time
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
CASES = {  # label: (shape, function, arguments)
    "textbook-max": ((64, 3, 28, 28), F.max_pool2d, (2, 2, 0)),
    "textbook-avg": ((64, 3, 28, 28), F.avg_pool2d, (2, 2, 0)),
    "stem-max": ((32, 64, 112, 112), F.max_pool2d, (3, 2, 1)),
    "stem-avg": ((32, 64, 112, 112), F.avg_pool2d, (3, 2, 1)),
    "overlap-max": ((16, 64, 56, 56), F.max_pool2d, (2, 1, 0)),
    "inception-max": ((32, 192, 28, 28), F.max_pool2d, (3, 1, 1)),
    "large-max": ((32, 64, 112, 112), F.max_pool2d, (2, 2, 0)),
    "large-avg": ((32, 64, 112, 112), F.avg_pool2d, (2, 2, 0)),
    "global-avg": ((32, 2048, 7, 7), F.adaptive_avg_pool2d, (1,)),
    "c3d-max": ((8, 64, 16, 56, 56), F.max_pool3d, (2, 2, 0)),
    "c3d-avg": ((8, 64, 16, 56, 56), F.avg_pool3d, (2, 2, 0)),
}
args = sys.argv[1:]
iters = int(args.pop(0)) if args and args[0].isdigit() else 5
names = args or list(CASES)
def timed(f):
    f()
    t = time.perf_counter()
    for _ in range(iters): f()
    return (time.perf_counter() - t) / iters
for arg in names:
    name, _, dt = arg.partition(":")
    dtype = {"": torch.float32, "float32": torch.float32, "float64": torch.float64}[dt]
    shape, fn, fargs = CASES[name]
    x0 = (torch.rand(*shape, dtype=dtype) * 2 - 1)
    dst = torch.empty_like(x0)
    copy = timed(lambda: dst.copy_(x0))
    dtype_label = str(dtype).replace("torch.", "")
    last = torch.channels_last if len(shape) == 4 else torch.channels_last_3d
    for fmt, label in ((torch.contiguous_format, "channels-first"), (last, "channels-last")):
        x = x0.contiguous(memory_format=fmt).requires_grad_(True)
        y = fn(x, *fargs); dy = torch.rand_like(y)
        def fb():
            x.grad = None
            fn(x, *fargs).backward(dy)
        t = timed(fb)
        print(f"{name} {dtype_label} {label} {t*1e3:.3f} ms {t/copy:.1f}x copy(x) (copy {copy*1e3:.3f} ms)", flush=True)
