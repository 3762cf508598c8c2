#!/usr/bin/env python3
"""Evaluate-stage table of a two-stage sweep folder for docs/tuning.md: per architecture, Adam's and Muon's winners
on the evaluate files where both finished, mean of the selection metric and of the second metric (PSNR / SSIM for
images, SNR / SI-SNR for audio), mean and range of Muon - Adam, win counts; --per-image adds the difference per
file. Reads plan.json and each run's summary.json (the run directories are the source of truth).
Usage: python3 tools/tuning_table.py sweeps/kodak-tune [--per-image]"""
import collections, json, os, sys

d = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith('--') else 'sweeps/kodak-tune'
plan = json.load(open(os.path.join(d, 'plan.json')))
ORDER = ['relu-mlp', 'relu-pe', 'relu-ffn', 'gauss-mlp', 'gauss-ffn', 'siren', 'finer', 'wire', 'wire-real']
res = collections.defaultdict(dict)  # (model, file label) -> optimizer -> (metric, second metric)
names = None
for r in plan['runs']:
    if r['stage'] != 'evaluate':
        continue
    f = os.path.join(d, 'runs', r['id'], 'summary.json')
    if not os.path.exists(f):
        continue
    s = json.load(open(f))
    if s.get('status') != 'completed':
        continue
    names = names or list(s['metrics'].keys())[:2]
    label = r.get('data') or os.path.splitext(os.path.basename(r['spec']['data']))[0]
    res[(r['spec']['model']['name'], label)][r['spec']['optimizer']['name']] = tuple(s['metrics'][n]['value'] for n in names)
if not res:
    sys.exit(f'{d}: no completed evaluate runs yet')
models = sorted({m for m, _ in res}, key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m))
files = sorted({f for _, f in res})
both = [f for f in files if all(len(res.get((m, f), {})) == 2 for m in models)]
print(f'evaluate files complete for every architecture ({len(both)}): ' + ', '.join(both))
m1, m2 = (n.upper().replace('_', '-') for n in names)
print(f'| architecture | Adam {m1} / {m2} (mean) | Muon {m1} / {m2} (mean) | Muon − Adam (mean dB) | min / max per file (dB) | Muon wins ({m1}) | Muon wins ({m2}) |')
print('|---|---|---|---|---|---|---|')
wins_all = pairs = 0
mean = lambda xs, j: sum(x[j] for x in xs) / len(xs)
for m in models:
    rows = [res[(m, f)] for f in both]
    if not rows:
        continue
    a = [r['adam'] for r in rows]
    u = [r['muon'] for r in rows]
    diffs = [x[0] - y[0] for x, y in zip(u, a)]
    wins = sum(1 for x in diffs if x > 0)
    wins2 = sum(1 for x, y in zip(u, a) if x[1] > y[1])
    wins_all += wins
    pairs += len(diffs)
    print(f'| {m} | {mean(a, 0):.2f} / {mean(a, 1):.3f} | {mean(u, 0):.2f} / {mean(u, 1):.3f} | {sum(diffs) / len(diffs):+.1f} | '
          f'{min(diffs):+.1f} / {max(diffs):+.1f} | {wins} / {len(diffs)} | {wins2} / {len(diffs)} |')
print(f'\nMuon ahead in {wins_all} of {pairs} (architecture, file) pairs by {m1}.')
if '--per-image' in sys.argv:
    print('\n| architecture | ' + ' | '.join(both) + ' |')
    print('|---|' + '---|' * len(both))
    for m in models:
        print(f'| {m} | ' + ' | '.join(f"{res[(m, f)]['muon'][0] - res[(m, f)]['adam'][0]:+.1f}" for f in both) + ' |')
