"""Times one training step (forward, MSE, backward) of the protocol-A ReLU MLP in PyTorch, the same
configuration as `muoninr bench` (5 Linear layers, width 256, 24,576 points, 2 threads), and optionally
Adam / Muon steps. Run with Debian's python3-torch: /usr/bin/python3 tools/reference/torch_step.py"""
import argparse, json, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--points", type=int, default=24576)
p.add_argument("--hidden", type=int, default=256)
p.add_argument("--layers", type=int, default=5)
p.add_argument("--reps", type=int, default=7)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
mods = []
for i in range(a.layers):
    fi = 2 if i == 0 else a.hidden
    fo = 3 if i == a.layers - 1 else a.hidden
    mods.append(torch.nn.Linear(fi, fo))
    if i < a.layers - 1:
        mods.append(torch.nn.ReLU())
model = torch.nn.Sequential(*mods)
x = torch.rand(a.points, 2) * 2 - 1
y = torch.rand(a.points, 3)

def step():
    model.zero_grad(set_to_none=True)
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()

for _ in range(2):
    step()
ts = []
for _ in range(a.reps):
    t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
ts.sort()
print(json.dumps({"torch": torch.__version__, "threads": a.threads, "points": a.points, "seconds": ts[len(ts) // 2]}))
