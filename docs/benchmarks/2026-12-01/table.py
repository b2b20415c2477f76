"""The table of docs/benchmarks/2026-12-01-kernels.md from run-series.sh logs: table.py OUT25[,OUT25b...] [OUT17[,...]].
Per case and layout the fastest of the JMH runs, its share of the copy bandwidth (copyTraffic of the same
JMH run / fast), PyTorch's better memory format over fast, and the load average seen around the case."""
import re, sys, collections
def parse(path):
    cases = collections.OrderedDict()
    cur = None; load = None
    for line in open(path):
        m = re.match(r'== (\S+) (jmh\d|peers|done) (\S+) load average: ([\d.]+)', line)
        if m:
            spec, what, t, l = m.groups()
            c = cases.setdefault(spec, {'jmh': {}, 'peer': {}, 'load': [], 'copy': {}})
            c['load'].append(float(l)); cur = (spec, what); continue
        m = re.match(r'\| (\S+) \| (\S+) \| (\S*) \| (\S+) \| ([\d.]+) \|', line)
        if m and cur:
            name, dt, layout, impl, us = m.groups()
            c = cases[cur[0]]
            if impl == 'fast':
                c['jmh'].setdefault(layout, []).append(float(us))
            elif impl == 'copyTraffic':
                c['copy'].setdefault(cur[1], float(us))
            continue
        m = re.match(r'(\S+) (float\d+) (channels-first|channels-last) ([\d.]+) ms', line)
        if m and cur:
            cases[cur[0]]['peer'][m.group(3)] = float(m.group(4)) * 1000
    return cases
def merged(dirs):
    """Several series of the same cases as one: every JMH run with its own copy bound, every peer run."""
    out = collections.OrderedDict()
    for d in dirs.split(','):
        for spec, c in parse(d + '/log').items():
            m = out.setdefault(spec, {'jmh': {}, 'peer': {}, 'load': [], 'runs': []})
            m['load'] += c['load']
            copies = list(c['copy'].values())
            for layout, ts in c['jmh'].items():
                for i, t in enumerate(ts):
                    m['jmh'].setdefault(layout, []).append((t, copies[i] if i < len(copies) else None))
            for fmt, t in c['peer'].items():
                m['peer'][fmt] = min(t, m['peer'].get(fmt, t))
    return out
a = merged(sys.argv[1])
b = merged(sys.argv[2]) if len(sys.argv) > 2 else {}
print('| case | layout | fast, 25 (us) | share, 25 | PyTorch best / fast, 25 | load, 25 | fast, 17 (us) | share, 17 | 17 / 25 | load, 17 |')
print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for spec, c in a.items():
    best = min(c['peer'].values()) if c['peer'] else None
    for layout in ('nchw', 'nhwc'):
        runs = c['jmh'].get(layout, [])
        if not runs:
            continue
        t, copy = min(runs)
        share = f"{copy / t:.2f}" if copy else ''
        row = (f"| {spec} | {layout} | {t:.0f} ({', '.join(f'{x:.0f}' for x, _ in runs)}) | {share} | "
               + (f"{best / t:.1f}" if best else '') + f" | {min(c['load']):.0f}-{max(c['load']):.0f} |")
        if spec in b and b[spec]['jmh'].get(layout):
            t7, c7 = min(b[spec]['jmh'][layout])
            row += (f" {t7:.0f} | {c7 / t7:.2f} | {t7 / t:.2f} |"
                    f" {min(b[spec]['load']):.0f}-{max(b[spec]['load']):.0f} |")
        else:
            row += ' | | | |'
        print(row)
