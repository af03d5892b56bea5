"""Seconds per epoch of the same MLP training in PyTorch on one thread:
Linear/ReLU layers, a one-logit output with the binary cross-entropy, Adam
(lr 1e-3) on shuffled minibatches, as bench_mlp.c does in dval; float64
like dval, or float32 with DV_TORCH_FLOAT32=1.
usage: mlp_torch.py ROWS FEATURES HIDDEN EPOCHS BATCH"""
import os, sys, time
import torch

rows, d, hidden, epochs, batch = sys.argv[1:6]
rows, d, epochs, batch = int(rows), int(d), int(epochs), int(batch)
sizes = [d] + [int(h) for h in hidden.split(",") if h] + [1]
torch.set_num_threads(1)
dtype = torch.float32 if os.environ.get("DV_TORCH_FLOAT32") else torch.float64
torch.manual_seed(0)
g = torch.Generator().manual_seed(0)
X = torch.randn(rows, d, dtype=dtype, generator=g)
y = (X @ torch.randn(d, 1, dtype=dtype, generator=g) > 0).to(dtype)
layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]).to(dtype))
    if i < len(sizes) - 2:
        layers.append(torch.nn.ReLU())
net = torch.nn.Sequential(*layers)
opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
loss_fn = torch.nn.BCEWithLogitsLoss()
t0 = time.perf_counter()
for e in range(epochs):
    perm = torch.randperm(rows, generator=g)
    for s in range(0, rows, batch):
        idx = perm[s:s + batch]
        opt.zero_grad()
        loss = loss_fn(net(X[idx]), y[idx])
        loss.backward()
        opt.step()
t = time.perf_counter() - t0
print("torch %.6f s/epoch (%d epochs, %s, torch %s)" % (t / epochs, epochs, str(dtype)[6:], torch.__version__))
