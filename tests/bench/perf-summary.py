#!/usr/bin/env python3
"""Summarise `perf script -F comm,tid,ip,sym,dso` output of the broker into where its CPU goes.

  perf record -e cpu-clock -F 1999 -g -p PID -- sleep 15
  perf script -F comm,tid,ip,sym,dso | tests/bench/perf-summary.py

Run the broker with DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 so JIT-compiled frames have names.
Categories are by the innermost frame, with the stack deciding for kernel time (network, page faults, spinning).
"""
import collections
import re
import sys

samples = []
stack = []
comm = None
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line.strip():
        if stack:
            samples.append((comm, stack))
        stack = []
        continue
    if not line.startswith('\t') and not line.startswith(' '):
        comm = line.rsplit(' ', 2)[0].strip()
        continue
    m = re.match(r'\s*[0-9a-f]+ (.*) \((.*)\)$', line)
    if m:
        stack.append((m.group(1), m.group(2)))
if stack:
    samples.append((comm, stack))

total = len(samples)
def short(sym):
    """'instance valuetype [Asm]System.Threading.Tasks.ValueTask [Asm]Ns.Type::Method(args)[OptimizedTier1]' -> 'Ns.Type::Method()'."""
    sym = re.sub(r'\[[^\]]*\]', '', sym)   # assembly names, generic instantiations, JIT tier
    head = sym.split('(')[0].strip()
    name = head.split(' ')[-1]
    return name.replace('OrleansBroker.', '').replace('System.', '') + '()'

def category(stack):
    syms = [s for s, _ in stack]
    leaf, dso = stack[0]
    joined = ' '.join(syms)
    if '__sched_yield' in joined or 'LowLevelLifoSemaphore' in joined:
        return 'thread pool: idle workers spinning (sched_yield in LowLevelLifoSemaphore.Wait)'
    if 'epoll_wait' in joined:
        return 'socket engine: epoll_wait'
    if 'futex' in joined:
        return 'futex (blocking / waking threads)'
    if dso.startswith('[kernel'):
        if any(k in joined for k in ('exc_page_fault', 'clear_page', 'do_anonymous_page')):
            return 'kernel: page faults (memory growth)'
        if any(k in joined for k in ('sendmsg', 'sendto', 'tcp_sendmsg', '__sys_sendto', 'writev', 'ksys_write')):
            return 'kernel: socket send'
        if any(k in joined for k in ('recvmsg', 'recvfrom', 'tcp_recvmsg', 'ksys_read')):
            return 'kernel: socket receive'
        if any(k in joined for k in ('schedule', 'finish_task_switch')):
            return 'kernel: context switches (other)'
        return 'kernel: other'
    if 'libcoreclr' in dso:
        return 'runtime native (libcoreclr: GC, allocation, stubs)'
    if dso.startswith('[JIT]') or 'memfd' in dso or ('perf-' in dso and dso.endswith('.map')):
        return 'managed code'
    return f'other native ({dso.split("/")[-1]})'

cats = collections.Counter(category(s) for _, s in samples)
print(f'{total} samples')
print('\n== by category (innermost frame) ==')
for c, n in cats.most_common():
    print(f'{100.0 * n / total:6.1f}%  {c}')

managed = [s for _, s in samples if category(s) == 'managed code']
leaf = collections.Counter(short(s[0][0]) for s in managed)
print('\n== managed code: top self frames (% of all samples) ==')
for f, n in leaf.most_common(30):
    print(f'{100.0 * n / total:6.2f}%  {f}')

incl = collections.Counter()
for _, s in samples:
    if category(s).startswith('thread pool'):
        continue
    seen = set()
    for sym, dso in s:
        if (dso.startswith('[JIT]') or dso.endswith('.map')) and 'OrleansBroker' in sym:
            k = short(sym)
            if k not in seen:
                seen.add(k)
                incl[k] += 1
print('\n== broker methods: inclusive (% of all samples, spinning excluded) ==')
for f, n in incl.most_common(30):
    print(f'{100.0 * n / total:6.2f}%  {f}')

threads = collections.Counter(c for c, _ in samples)
print('\n== by thread name ==')
for t, n in threads.most_common(8):
    print(f'{100.0 * n / total:6.1f}%  {t}')
