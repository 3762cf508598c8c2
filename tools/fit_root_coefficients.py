#!/usr/bin/python3
"""Shape-specific Newton-Schulz coefficients for ROOT (He et al. 2025, arXiv 2511.20626), fitted for the
matrix sizes of INRs, written to src/MuonInr.Core/Optim/RootCoefficients.json.

Why shape-specific: Newton-Schulz starts from X / ||X||_F, so the singular values it must push to 1 lie
in (0, 1] with a spread that depends on the matrix: for a near-full-rank n x n momentum they sit around
1/sqrt(n), so a 512-wide layer starts ~2x closer to 0 than a 128-wide one, where one fixed polynomial
(Jordan's NS5) is least accurate. ROOT fits the quintic coefficients per size.

What is fitted: the quintic step s <- a*s + b*s^3 + c*s^5 acts on each singular value independently, so
5 steps are a composition of 5 odd polynomials and the fit is one-dimensional. For each size n (the
smaller side), singular values are drawn from the spectra momentum matrices of that size have after
Frobenius normalization: Marchenko-Pastur (random, full rank) and power-law decays sigma_i ~ i^-alpha
(alpha 0.5, 1, 1.5: the low-effective-rank spectra of INR gradients), each normalized to ||s||_2 = 1.
Loss: mean (p(s) - 1)^2 over those samples, plus penalties keeping p(s) in [0, 1.2] on a dense grid of
[1e-4, 1] (bounded, no sign flips); singular values below 1e-3 are left out (noise directions, ~1e-6
of the energy). Optimized with Adam in float64 from Jordan's coefficients.

Run: /usr/bin/python3 tools/fit_root_coefficients.py   (Debian python3-torch; a few minutes on 2 cores)
"""
import json, math, os
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
SIZES = [32, 64, 128, 256, 512]
STEPS = 5
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "MuonInr.Core", "Optim", "RootCoefficients.json")


def spectra(n, count=48):
    """Singular values of Frobenius-normalized n x n momentum-like matrices, concatenated."""
    out = []
    for k in range(count):
        kind = k % 4
        if kind == 0:
            g = torch.randn(n, n)
            s = torch.linalg.svdvals(g)
        else:
            alpha = [0.5, 1.0, 1.5][kind - 1]
            s = torch.arange(1, n + 1, dtype=torch.float64) ** (-alpha) * torch.exp(0.1 * torch.randn(n))
        s = s / torch.linalg.vector_norm(s)
        out.append(s)
    return torch.cat(out)


def apply(coeffs, s):
    for a, b, c in coeffs:
        s = a * s + b * s ** 3 + c * s ** 5
    return s


def objective(coeffs, s, grid):
    p, g = apply(coeffs, s), apply(coeffs, grid)
    return ((p - 1) ** 2).mean() + 10 * (torch.relu(g - 1.2) ** 2).mean() + 10 * (torch.relu(-g) ** 2).mean()


def fit(n, iters=6000):
    s = spectra(n)
    # Directions with sigma below 1e-3 of the Frobenius norm carry ~1e-6 of the momentum's energy (noise);
    # five quintic steps cannot lift them without blowing up elsewhere, so they are left out of the fit.
    s = s[s > 1e-3]
    grid = torch.logspace(-4, 0, 400)
    ns5 = torch.tensor([[3.4445, -4.7750, 2.0315]] * STEPS)
    coeffs = ns5.clone().requires_grad_(True)
    # The composition of five quintics is a rough landscape: small steps, and the best point seen is kept
    # (never worse than NS5, where the search starts).
    opt = torch.optim.Adam([coeffs], lr=2e-3)
    best, best_loss = ns5.clone(), float(objective(ns5, s, grid))
    for i in range(iters):
        opt.zero_grad()
        loss = objective(coeffs, s, grid)
        loss.backward()
        opt.step()
        with torch.no_grad():
            l = float(objective(coeffs, s, grid))
            if l < best_loss:
                best, best_loss = coeffs.detach().clone(), l
    with torch.no_grad():
        p, p0, g = apply(best, s), apply(ns5, s), apply(best, grid)
        report = {"rms_error": float(((p - 1) ** 2).mean().sqrt()), "ns5_rms_error": float(((p0 - 1) ** 2).mean().sqrt()),
                  "min_on_samples": float(p.min()), "max_on_grid": float(g.max())}
    return [[float(v) for v in row] for row in best], report


doc = {"generator": "tools/fit_root_coefficients.py", "torch": torch.__version__, "steps": STEPS,
       "note": "quintic Newton-Schulz coefficients (a, b, c) per step, fitted per matrix size n = min(rows, cols); see the script",
       "sizes": {}}
for n in SIZES:
    coeffs, report = fit(n)
    doc["sizes"][str(n)] = {"coefficients": coeffs, **report}
    print(n, report)
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
print("wrote", OUT)
