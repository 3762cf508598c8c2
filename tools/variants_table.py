#!/usr/bin/env python3
"""Table of the Muon-family study (examples/sweeps/variants.yaml) for docs/variants.md: per model and optimizer, the tuned
Muon LR, tune PSNR, the grid, evaluate mean PSNR/SSIM, wins vs Adam, hidden stable ranks of the tune winner and the
median s/step relative to Adam (tune runs; two runs shared the cores). Usage: python3 tools/variants_table.py sweeps/variants"""
import json, os, sys, statistics as st
d = sys.argv[1] if len(sys.argv) > 1 else 'sweeps/variants'
plan = json.load(open(os.path.join(d, 'plan.json')))
rows = []

def label(r):
    return r.get('data') or os.path.basename(r['spec'].get('data') or '')

for r in plan['runs']:
    sp = os.path.join(d, 'runs', r['id'], 'summary.json')
    s = json.load(open(sp)) if os.path.exists(sp) else None
    rows.append((r, s))
models = sorted({r['spec']['model']['name'] for r, _ in rows})
for m in models:
    print(f'\n## {m}')
    tune = [(r, s) for r, s in rows if r['stage'] == 'tune' and r['spec']['model']['name'] == m]
    ev = [(r, s) for r, s in rows if r['stage'] == 'evaluate' and r['spec']['model']['name'] == m]
    opts = []
    for r, s in tune:
        o = r['spec']['optimizer']['name']
        if o not in opts: opts.append(o)
    adam_sps = [s['seconds_per_step'] for r, s in tune if s and r['spec']['optimizer']['name'] == 'adam' and s.get('seconds_per_step')]
    adam_sps = st.median(adam_sps) if adam_sps else None
    adam_eval = {label(r): s['metrics']['psnr']['value'] for r, s in ev if s and s.get('status') == 'completed' and r['spec']['optimizer']['name'] == 'adam'}
    print('| optimizer | Muon LR (tuned) | tune PSNR | grid (PSNR by Muon LR) | evaluate PSNR / SSIM (mean) | wins vs Adam | hidden stable ranks | s/step vs Adam |')
    print('|---|---|---|---|---|---|---|---|')
    for o in opts:
        runs = [(r, s) for r, s in tune if r['spec']['optimizer']['name'] == o]
        done = [(r, s) for r, s in runs if s and s.get('status') in ('completed', 'diverged')]
        def psnr(s): 
            v = s['metrics'].get('psnr', {}).get('value') if s.get('status') == 'completed' else None
            return v if v is not None else float('-inf')
        grid = ' '.join(f"{r['spec']['optimizer'].get('muon_lr', r['spec']['optimizer'].get('lr')):.3g}:{psnr(s):.1f}" for r, s in sorted(done, key=lambda x: x[0]['spec']['optimizer'].get('muon_lr') or 0))
        if not done:
            print(f'| {o} | – | – | pending | | | | |'); continue
        br, bs = max(done, key=lambda x: psnr(x[1]))
        sps = [s['seconds_per_step'] for r, s in runs if s and s.get('seconds_per_step')]
        rel = f"{st.median(sps) / adam_sps:.2f}x" if adam_sps and sps else '–'
        evs = [(r, s) for r, s in ev if r['spec']['optimizer']['name'] == o and s and s.get('status') == 'completed']
        if evs:
            ps = [s['metrics']['psnr']['value'] for r, s in evs]; ss = [s['metrics']['ssim']['value'] for r, s in evs]
            wins = sum(1 for r, s in evs if label(r) in adam_eval and s['metrics']['psnr']['value'] > adam_eval[label(r)])
            evtxt = f"{st.mean(ps):.2f} / {st.mean(ss):.3f} ({len(evs)})"; wtxt = f"{wins}/{len(evs)}" if o != 'adam' else ''
        else:
            evtxt, wtxt = 'pending', ''
        ranks = bs.get('stable_ranks') or []
        hid = ' / '.join(f'{x:.1f}' for x in ranks[1:-1])
        lr = br['spec']['optimizer'].get('muon_lr', br['spec']['optimizer'].get('lr'))
        print(f"| {o} | {lr:.3g} | {psnr(bs):.2f} | {grid} | {evtxt} | {wtxt} | {hid} | {rel} |")
