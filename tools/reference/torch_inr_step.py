"""PyTorch reference of `muoninr bench --suite inr`: one training step (forward, MSE, backward, optimizer
step, cosine schedule step) of one INR architecture with Adam and with Muon (+ auxiliary Adam), the median
seconds of N timed steps after a warm-up, one JSON line per optimizer on stdout.

Everything that defines the model and the optimizers comes from the C# side as JSON (--config), built from
MuonInr's presets (MuonInr.Benchmarking.TorchInrReference.Config), so the two sides cannot drift:

  {"width": 384, "height": 256, "steps": 10, "warmup": 10, "total_steps": 21, "threads": 2, "seed": 0,
   "model": {"name": "siren", "hidden": 128, "layers": 5, "omega": [40]},
   "optimizers": {"adam": {"name": "adam", "lr": 1e-3, "schedule": "cosine", "eta_min": 1e-6},
                  "muon": {"name": "muon", "lr": 1e-3, "muon_lr": 0.00416, "schedule": "cosine", ...}}}

Architectures as MuonInr builds them (src/MuonInr/Fields): relu-mlp, relu-pe (NeRF encoding, input-major,
[sin, cos] interleaved per band), relu-ffn / gauss-ffn (random Fourier features [cos, sin](2π x Bᵀ)),
gauss-mlp, siren, finer (|z|+1 detached), wire-real and wire (complex: a real first Linear, then complex
Linear layers in torch.cfloat, the complex Gabor wavelet exp(iωz − |σz|²), output = real part; hidden width
⌊hidden/√2⌋). `--wire block` runs WIRE in MuonInr's real block layout instead ([Re | Im] activations, one
real GEMM on [[Wr, −Wi], [Wi, Wr]] per layer).

Muon (MUON.md, Keller Jordan's MuonWithAuxAdam with the INR paper's routing): the weights of the hidden
Linear layers (not the first, not the last; for WIRE the real and imaginary parts of each hidden complex
weight, each its own matrix) get momentum 0.95 with Nesterov, NS5 in fp32 with the coefficients
(3.4445, -4.7750, 2.0315), scale sqrt(max(1, rows/cols)); everything else gets the auxiliary Adam
(betas (0.9, 0.999), eps 1e-10). Adam is torch.optim.Adam (betas (0.9, 0.999), eps 1e-8).

Run with Debian's python3-torch: /usr/bin/python3 tools/reference/torch_inr_step.py --config '{...}'
"""
import argparse, json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

NS5 = (3.4445, -4.7750, 2.0315)


def per_layer(values, count, what):
    values = list(values)
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise ValueError(f"{what} takes one value or {count}, got {len(values)}")
    return values


class PositionalEncoding(nn.Module):
    def __init__(self, levels):
        super().__init__()
        self.register_buffer("freq", (2.0 ** torch.arange(levels, dtype=torch.float32)) * math.pi)

    def forward(self, x):  # [N, d] -> [N, d * 2 * levels]: per coordinate, per band, (sin, cos)
        z = x[:, :, None] * self.freq
        return torch.stack((torch.sin(z), torch.cos(z)), dim=-1).reshape(x.shape[0], -1)


class FourierFeatures(nn.Module):
    def __init__(self, inputs, mapping, sigma):
        super().__init__()
        self.register_buffer("b2pi", torch.randn(mapping, inputs) * sigma * 2 * math.pi)

    def forward(self, x):
        z = x @ self.b2pi.T
        return torch.cat((torch.cos(z), torch.sin(z)), dim=-1)


class Field(nn.Module):
    """Encoding, then Linear layers with an activation after every one but the last."""

    def __init__(self, m, inputs, outputs):
        super().__init__()
        name, hidden, layers = m["name"], m["hidden"], m["layers"]
        activated = layers - 1
        self.encoding, width = None, inputs
        if name in ("relu-ffn", "gauss-ffn"):
            self.encoding = FourierFeatures(inputs, m["mapping"], m["ff_sigma"])
            width = 2 * m["mapping"]
        elif name == "relu-pe":
            self.encoding = PositionalEncoding(m["pe_levels"])
            width = 2 * inputs * m["pe_levels"]
        self.kind = {"relu-mlp": "relu", "relu-pe": "relu", "relu-ffn": "relu", "gauss-mlp": "gauss", "gauss-ffn": "gauss",
                     "siren": "sine", "finer": "finer", "wire-real": "gabor"}[name]
        self.p = per_layer(m["gauss_a"], activated, "gauss_a") if self.kind == "gauss" else \
            per_layer(m["omega"], activated, "omega") if self.kind in ("sine", "finer", "gabor") else [0.0] * activated
        self.sigma = per_layer(m["wavelet_sigma"], activated, "wavelet_sigma") if self.kind == "gabor" else [0.0] * activated
        self.layers = nn.ModuleList()
        for i in range(layers):
            lin = nn.Linear(width if i == 0 else hidden, outputs if i == layers - 1 else hidden)
            if self.kind in ("sine", "finer"):
                fi = lin.in_features
                bound = 1.0 / fi if i == 0 else math.sqrt(6.0 / fi) / self.p[min(i, activated - 1)]
                with torch.no_grad():
                    lin.weight.uniform_(-bound, bound)
                    if i == 0 and self.kind == "finer" and m.get("finer_first_bias"):
                        lin.bias.uniform_(-1 / math.sqrt(2), 1 / math.sqrt(2))
            self.layers.append(lin)

    def activation(self, z, i):
        k, p = self.kind, self.p[i]
        if k == "relu":
            return F.relu(z)
        if k == "gauss":
            return torch.exp(-z.square() / (2 * p * p))
        if k == "sine":
            return torch.sin(p * z)
        if k == "finer":
            return torch.sin(p * (z.abs() + 1).detach() * z)
        return torch.sin(p * z) * torch.exp(-(self.sigma[i] * z).square())

    def forward(self, x):
        if self.encoding is not None:
            x = self.encoding(x)
        last = len(self.layers) - 1
        for i, lin in enumerate(self.layers):
            x = lin(x) if i == last else self.activation(lin(x), i)
        return x

    def hidden_matrices(self):
        return [l.weight for l in list(self.layers)[1:-1]]


class ComplexLinear(nn.Module):
    """y = x Wᵀ + b in torch.cfloat; real and imaginary parts of W and b each U(±1/√in) (nn.Linear(dtype=cfloat));
    the output layer returns the real part and has a real bias only."""

    def __init__(self, fi, fo, real_part_only=False):
        super().__init__()
        bound = 1 / math.sqrt(fi)
        self.real_part_only = real_part_only
        self.weight = nn.Parameter(torch.complex(torch.empty(fo, fi).uniform_(-bound, bound), torch.empty(fo, fi).uniform_(-bound, bound)))
        if real_part_only:
            self.bias = nn.Parameter(torch.empty(fo).uniform_(-bound, bound))
        else:
            self.bias = nn.Parameter(torch.complex(torch.empty(fo).uniform_(-bound, bound), torch.empty(fo).uniform_(-bound, bound)))

    def forward(self, x):
        if self.real_part_only:
            return (x @ self.weight.T).real + self.bias
        return x @ self.weight.T + self.bias


class BlockComplexLinear(nn.Module):
    """The same layer in MuonInr's block layout: activations [N, 2·in] = [Re | Im], one real GEMM on
    [[Wr, −Wi], [Wi, Wr]] (the output layer: [Wr, −Wi], real bias)."""

    def __init__(self, fi, fo, real_part_only=False):
        super().__init__()
        bound = 1 / math.sqrt(fi)
        self.real_part_only = real_part_only
        self.weight_real = nn.Parameter(torch.empty(fo, fi).uniform_(-bound, bound))
        self.weight_imag = nn.Parameter(torch.empty(fo, fi).uniform_(-bound, bound))
        self.bias_real = nn.Parameter(torch.empty(fo).uniform_(-bound, bound))
        self.bias_imag = None if real_part_only else nn.Parameter(torch.empty(fo).uniform_(-bound, bound))

    def forward(self, x):
        wr, wi = self.weight_real, self.weight_imag
        if self.real_part_only:
            return F.linear(x, torch.cat((wr, -wi), 1), self.bias_real)
        w = torch.cat((torch.cat((wr, -wi), 1), torch.cat((wi, wr), 1)), 0)
        return F.linear(x, w, torch.cat((self.bias_real, self.bias_imag)))


class Wire(nn.Module):
    def __init__(self, m, inputs, outputs, impl):
        super().__init__()
        layers = m["layers"]
        self.omega = per_layer(m["omega"], layers - 1, "omega")
        self.sigma = per_layer(m["wavelet_sigma"], layers - 1, "wavelet_sigma")
        self.h = h = max(1, int(m["hidden"] / math.sqrt(2)))
        self.impl = impl
        self.first = nn.Linear(inputs, h)
        cls = ComplexLinear if impl == "complex" else BlockComplexLinear
        self.complex = nn.ModuleList(cls(h, outputs if i == layers - 1 else h, real_part_only=i == layers - 1) for i in range(1, layers))

    def gabor(self, z, i):
        w, s = self.omega[i], self.sigma[i]
        if self.impl == "complex":  # WIRE's code: exp(1j·ω·z − |σ·z|²)
            return torch.exp(1j * (w * z) - (s * z).abs().square())
        if z.shape[1] == self.h:  # real input (first layer): b = 0
            env = torch.exp(-(s * z).square())
            return torch.cat((env * torch.cos(w * z), env * torch.sin(w * z)), 1)
        a, b = z[:, :self.h], z[:, self.h:]
        env = torch.exp(-w * b - s * s * (a.square() + b.square()))
        return torch.cat((env * torch.cos(w * a), env * torch.sin(w * a)), 1)

    def forward(self, x):
        x = self.gabor(self.first(x), 0)
        last = len(self.complex) - 1
        for i, layer in enumerate(self.complex):
            z = layer(x)
            x = z if i == last else self.gabor(z, i + 1)
        return x

    def hidden_matrices(self):
        hidden = list(self.complex)[:-1]
        if self.impl == "complex":
            return [l.weight for l in hidden]
        return [w for l in hidden for w in (l.weight_real, l.weight_imag)]


def ns5(g, steps):
    x = g.clone()
    tall = g.size(-2) > g.size(-1)
    if tall:
        x = x.mT
    x = x / (x.norm() + 1e-7)
    a, b, c = NS5
    for _ in range(steps):
        A = x @ x.mT
        B = b * A + c * A @ A
        x = a * x + B @ x
    return x.mT if tall else x


class MuonWithAuxAdam(torch.optim.Optimizer):
    """Muon for the hidden matrices, the auxiliary Adam for the rest (Keller Jordan's update rules, fp32 NS5).
    A complex hidden weight is two real matrices (real and imaginary part), each orthogonalized on its own."""

    def __init__(self, muon_params, adam_params, muon_lr, adam_lr, ns_steps=5):
        groups = [dict(params=muon_params, lr=muon_lr, use_muon=True),
                  dict(params=adam_params, lr=adam_lr, use_muon=False)]
        super().__init__([g for g in groups if g["params"]], dict(momentum=0.95, betas=(0.9, 0.999), eps=1e-10, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if g["use_muon"]:
                    if not st:
                        st["momentum_buffer"] = torch.zeros_like(p)
                    buf = st["momentum_buffer"]
                    buf.lerp_(p.grad, 1 - g["momentum"])
                    u = p.grad.lerp(buf, g["momentum"])
                    scale = max(1, p.size(-2) / p.size(-1)) ** 0.5
                    if torch.is_complex(p):
                        pr, ur = torch.view_as_real(p), torch.view_as_real(u)
                        for part in (0, 1):
                            pr[..., part].add_(ns5(ur[..., part], g["ns_steps"]) * scale, alpha=-g["lr"])
                    else:
                        p.add_(ns5(u, g["ns_steps"]) * scale, alpha=-g["lr"])
                else:
                    grad, param = p.grad, p
                    if torch.is_complex(p):
                        grad, param = torch.view_as_real(grad), torch.view_as_real(p)
                    if not st:
                        st["step"] = 0
                        st["exp_avg"] = torch.zeros_like(param)
                        st["exp_avg_sq"] = torch.zeros_like(param)
                    st["step"] += 1
                    b1, b2 = g["betas"]
                    st["exp_avg"].lerp_(grad, 1 - b1)
                    st["exp_avg_sq"].lerp_(grad.square(), 1 - b2)
                    m = st["exp_avg"] / (1 - b1 ** st["step"])
                    v = st["exp_avg_sq"] / (1 - b2 ** st["step"])
                    param.add_(m / (v.sqrt() + g["eps"]), alpha=-g["lr"])


def build(cfg, wire_impl):
    m = cfg["model"]
    if m["name"] == "wire":
        return Wire(m, 2, 3, wire_impl)
    if m["name"] == "relu-mlp":
        return Field(dict(m, name="relu-mlp"), 2, 3)
    return Field(m, 2, 3)


def make_optimizer(model, o, total_steps):
    if o.get("orthogonalizer", "ns5") != "ns5":
        raise ValueError(f"only the ns5 orthogonalizer is mirrored, got {o['orthogonalizer']}")
    if o["name"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=o["lr"])
    elif o["name"] == "muon":
        hidden = {id(p) for p in model.hidden_matrices()}
        muon = [p for p in model.parameters() if id(p) in hidden]
        adam = [p for p in model.parameters() if id(p) not in hidden]
        opt = MuonWithAuxAdam(muon, adam, o["muon_lr"], o["lr"], o.get("ns_steps", 5))
    else:
        raise ValueError(f"optimizer {o['name']} is not mirrored")
    sched = o.get("schedule", "constant")
    if sched == "cosine":
        s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, total_steps), eta_min=o.get("eta_min", 0.0))
    elif sched == "exponential":
        s = torch.optim.lr_scheduler.ExponentialLR(opt, 0.1 ** (1.0 / max(1, total_steps)))
    else:
        s = None
    return opt, s


def grid(height, width):
    """The image task's grid: linspace(−1, 1) per axis, x along the width, rows in row-major order."""
    ys = torch.linspace(-1, 1, height)
    xs = torch.linspace(-1, 1, width)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack((gx.reshape(-1), gy.reshape(-1)), 1).contiguous()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="JSON (see the module docstring)")
    ap.add_argument("--wire", choices=("complex", "block"), default="complex", help="WIRE in torch.cfloat (default) or MuonInr's real block layout")
    a = ap.parse_args()
    cfg = json.loads(a.config)
    torch.set_num_threads(int(cfg["threads"]))
    x = grid(cfg["height"], cfg["width"])
    # A deterministic high-frequency target (values only matter for the loss, not for the timing).
    y = torch.stack([0.5 + 0.5 * torch.cos(40 * k * (x[:, 0] ** 2 + x[:, 1] ** 2)) for k in (1.0, 1.3, 1.7)], 1).contiguous()
    name = cfg["model"]["name"]
    for opt_name, o in cfg["optimizers"].items():
        line = {"model": name, "optimizer": opt_name, "torch": torch.__version__, "threads": torch.get_num_threads(),
                "points": x.shape[0]}
        if name == "wire":
            line["wire"] = a.wire
        try:
            torch.manual_seed(int(cfg["seed"]))
            model = build(cfg, a.wire)
            opt, sched = make_optimizer(model, o, int(cfg["total_steps"]))
            loss_value = [float("nan")]

            def step():
                opt.zero_grad(set_to_none=True)
                loss = F.mse_loss(model(x), y)
                loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()
                loss_value[0] = loss.item()

            for _ in range(1 + int(cfg["warmup"])):
                step()
            times = []
            for _ in range(int(cfg["steps"])):
                t0 = time.perf_counter()
                step()
                times.append(time.perf_counter() - t0)
            s = sorted(times)
            n = len(s)
            line.update(seconds=s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2]), times=times, loss=loss_value[0])
        except Exception as e:  # one line per case, whatever happens
            line.update(error=f"{type(e).__name__}: {e}")
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
