#!/usr/bin/env python3
"""Run RabbitMQ's six pika tutorials (and tutorial 6 with direct reply-to) against a broker and check what each client observes.

    /usr/bin/python3 tests/interop/pika/run_tutorials.py [HOST:PORT] [options]

The target comes from the argument, else AMQP_HOST / AMQP_PORT, else localhost:5672.
Every tutorial runs as the real scripts in this folder, each in its own process: consumers
first (the harness waits for their "Waiting" line), then the producers one after another,
then the consumers are stopped with CTRL+C (SIGINT) once they have printed what they
should, or when time runs out. Their output is then compared line for line with what
RabbitMQ's semantics say each of them must have received: nothing missing, nothing extra,
in order.

Output: one line per tutorial ("PASS name ..." or "FAIL name: reason", with the clients'
output indented below a failure) and a last line "N passed, N failed". The exit status is
non-zero when anything failed. Without pika (python3-pika) it prints SKIPPED and exits 0,
unless INTEROP_REQUIRE_PIKA=1, which CI sets.

Queue and exchange names get a unique suffix by default, and the run deletes what it
created, so it can share a broker with other users (the reference RabbitMQ is shared);
--official-names uses the tutorials' own names ("hello", "task_queue", ...) and is meant for a
fresh broker of our own.

Time is bounded everywhere: each wait has a limit, each client process is killed by SIGALRM
after TUTORIAL_MAX_SECONDS, and the whole run stops starting tutorials after --budget seconds.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))

TUTORIALS = ['hello-world', 'work-queues', 'publish-subscribe', 'routing', 'topics', 'rpc', 'rpc-direct-reply-to']

READY_TIMEOUT = 10.0     # a consumer has declared, bound and subscribed
PUBLISH_TIMEOUT = 10.0   # a producer process has connected, published and closed
COLLECT_TIMEOUT = 12.0   # consumers have printed everything they should (after the last publish)
STOP_TIMEOUT = 3.0       # a consumer exits after SIGINT
SETTLE_SECONDS = 0.5     # after the expected output, wait this long for anything unexpected
CHILD_MAX_SECONDS = 60   # hard limit for any client process (SIGALRM, see tutorial_env.py)


class Failure(Exception):
    """A tutorial did not behave as RabbitMQ's clients expect."""


class Proc:
    """A tutorial script running in its own process group, with its output collected live."""

    registry = []

    def __init__(self, label, script, args, env):
        self.label = label
        self.lines = []          # stdout lines, without line ends
        self.times = []          # monotonic time each stdout line arrived
        self.err = []            # stderr lines
        self.cond = threading.Condition()
        self.popen = subprocess.Popen(
            [sys.executable, '-u', os.path.join(HERE, script)] + list(args),
            cwd=HERE, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors='backslashreplace', start_new_session=True)
        Proc.registry.append(self)
        self.readers = [
            threading.Thread(target=self._read, args=(self.popen.stdout, self.lines, True), daemon=True),
            threading.Thread(target=self._read, args=(self.popen.stderr, self.err, False), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, into, timed):
        for line in stream:
            with self.cond:
                into.append(line.rstrip('\n'))
                if timed:
                    self.times.append(time.monotonic())
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def running(self):
        return self.popen.poll() is None

    def wait_until(self, predicate, deadline):
        """Wait until predicate() holds (checked on each new line) or the deadline passes or
        the process has exited and its output is read. Returns predicate()."""
        with self.cond:
            while True:
                if predicate():
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                if not self.running() and not any(r.is_alive() for r in self.readers):
                    return predicate()
                self.cond.wait(min(remaining, 0.2))

    def signal_group(self, sig):
        try:
            os.killpg(self.popen.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout=STOP_TIMEOUT):
        """CTRL+C, as a user ends a tutorial consumer; SIGKILL if it does not go."""
        if self.running():
            self.signal_group(signal.SIGINT)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        if self.running():
            self.signal_group(signal.SIGKILL)
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:
            pass
        # SIGALRM/SIGKILL may leave children of the group; the group id is the pid.
        self.signal_group(signal.SIGKILL)
        for reader in self.readers:
            reader.join(2)

    def last_error(self):
        """The last stderr line (for a traceback: the exception), or ''."""
        lines = [line for line in self.err if line.strip()]
        return lines[-1].strip() if lines else ''

    def exit_reason(self):
        code = self.popen.poll()
        if code is None:
            return 'still running'
        error = self.last_error()
        return f'exit {code}' + (f': {error}' if error else '')

    def describe(self):
        status = self.popen.poll()
        status = 'still running' if status is None else f'exit {status}'
        out = [f'    --- {self.label} ({status}) stdout:'] + ['      ' + line for line in self.lines]
        if self.err:
            out += [f'    --- {self.label} stderr (last 15 lines):'] + ['      ' + line for line in self.err[-15:]]
        return '\n'.join(out)

    @classmethod
    def kill_all(cls):
        for proc in cls.registry:
            proc.kill()


class Run:
    """One run against one broker: environment for the clients, names, time budget."""

    def __init__(self, host, port, suffix, budget, verbose):
        self.env = dict(os.environ)
        self.env.update({
            'AMQP_HOST': host,
            'AMQP_PORT': str(port),
            'TUTORIAL_SUFFIX': suffix,
            'TUTORIAL_MAX_SECONDS': str(CHILD_MAX_SECONDS),
            'PYTHONUNBUFFERED': '1',
            'PYTHONDONTWRITEBYTECODE': '1',
        })
        self.suffix = suffix
        self.budget_end = time.monotonic() + budget
        self.verbose = verbose
        self.procs = []          # processes of the tutorial in progress

    def named(self, name):
        return name + self.suffix

    # -- process helpers ------------------------------------------------------------------

    def start_consumer(self, label, script, *args, ready):
        proc = Proc(label, script, args, self.env)
        self.procs.append(proc)
        proc.ready_line = ready
        return proc

    def wait_ready(self, *consumers):
        deadline = time.monotonic() + READY_TIMEOUT
        for proc in consumers:
            if not proc.wait_until(lambda: proc.ready_line in proc.lines, deadline):
                why = proc.exit_reason() if not proc.running() else f'not within {READY_TIMEOUT:.0f}s'
                raise Failure(f'{proc.label} did not get ready ({why})')
            proc.ready_index = proc.lines.index(proc.ready_line)

    def run_client(self, label, script, *args, timeout=PUBLISH_TIMEOUT):
        """Run a producer (or RPC client) to completion; it must exit 0."""
        proc = self.start_client(label, script, *args)
        self.finish_client(proc, timeout)
        return proc

    def start_client(self, label, script, *args):
        proc = Proc(label, script, args, self.env)
        self.procs.append(proc)
        return proc

    def finish_client(self, proc, timeout):
        try:
            proc.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise Failure(f'{proc.label} did not finish within {timeout:.0f}s')
        proc.kill()   # joins the output readers
        if proc.popen.returncode != 0:
            raise Failure(f'{proc.label} failed ({proc.exit_reason()})')

    def collect(self, expectations):
        """expectations: {consumer: predicate over its received lines}. Wait until all hold or
        time runs out, give stragglers SETTLE_SECONDS, then stop the consumers with CTRL+C."""
        deadline = time.monotonic() + COLLECT_TIMEOUT
        for proc, done in expectations.items():
            proc.wait_until(lambda: done(self.received(proc)), deadline)
        time.sleep(SETTLE_SECONDS)
        for proc in expectations:
            crashed = not proc.running()
            proc.stop()
            if crashed:
                raise Failure(f'{proc.label} ended by itself ({proc.exit_reason()}) '
                              'instead of waiting for messages')
            if proc.popen.returncode != 0:
                raise Failure(f'{proc.label} did not stop cleanly on CTRL+C ({proc.exit_reason()})')

    @staticmethod
    def received(proc):
        """What a consumer printed after its ready line, without the final 'Interrupted'."""
        lines = proc.lines[getattr(proc, 'ready_index', -1) + 1:]
        if lines and lines[-1] == 'Interrupted':
            lines = lines[:-1]
        return lines

    def expect_lines(self, proc, expected):
        got = self.received(proc)
        if got == expected:
            return
        missing, unexpected = list(expected), []
        for line in got:
            if line in missing:
                missing.remove(line)
            else:
                unexpected.append(line)
        if not missing and not unexpected:
            raise Failure(f'{proc.label} received the right lines in the wrong order: {got!r}')
        parts = ([f'unexpected {unexpected!r}'] if unexpected else []) + ([f'missing {missing!r}'] if missing else [])
        raise Failure(f'{proc.label} printed {len(got)} lines, expected {len(expected)}: ' + '; '.join(parts))

    def admin(self, command, *names):
        proc = Proc('tutorial_admin.py ' + command, 'tutorial_admin.py', (command,) + names, self.env)
        self.procs.append(proc)
        self.finish_client(proc, PUBLISH_TIMEOUT)
        return proc.lines

    def cleanup(self):
        """Delete what a suffixed run created (exclusive queues went with their connections)."""
        if not self.suffix:
            return None
        try:
            self.admin('delete-queue', *[self.named(q) for q in ('hello', 'task_queue', 'rpc_queue')])
            self.admin('delete-exchange', *[self.named(x) for x in ('logs', 'direct_logs', 'topic_logs')])
            return None
        except Failure as failure:
            return str(failure)
        finally:
            self.end_procs()

    def end_procs(self):
        for proc in self.procs:
            proc.kill()
        self.procs = []

    # -- the tutorials --------------------------------------------------------------------

    def hello_world(self):
        # The producer declares the queue too, so a message sent before anyone listens waits
        # in the queue; the consumer then gets it and the one sent while it listens.
        self.run_client('send.py (before receive)', 'send.py')
        receive = self.start_consumer('receive.py', 'receive.py',
                                      ready=' [*] Waiting for messages. To exit press CTRL+C')
        self.wait_ready(receive)
        send = self.run_client('send.py', 'send.py')
        if send.lines != [" [x] Sent 'Hello World!'"]:
            raise Failure(f'send.py printed {send.lines!r}')
        want = [" [x] Received b'Hello World!'"] * 2
        self.collect({receive: lambda got: len(got) >= 2})
        self.expect_lines(receive, want)
        return 'receive got both messages, the one queued before it started and the live one'

    def work_queues(self):
        # One long task (4 dots = 4 seconds of work), then quick ones. With prefetch_count=1
        # and manual acks, the worker busy with the long task gets nothing else while the
        # other takes the rest (fair dispatch); plain round-robin would alternate.
        tasks = ['First message....', 'Second message', 'Third message', 'Fourth message', 'Fifth message']
        ready = ' [*] Waiting for messages. To exit press CTRL+C'
        workers = [self.start_consumer(f'worker.py #{i}', 'worker.py', ready=ready) for i in (1, 2)]
        self.wait_ready(*workers)
        for task in tasks:
            self.run_client(f'new_task.py {task}', 'new_task.py', *task.split(' '))
        published_at = time.monotonic()

        def done_count():
            return sum(self.received(w).count(' [x] Done') for w in workers)
        first = workers[0]
        # Wait on the shared total: each worker's predicate looks at both.
        self.collect({w: (lambda _got: done_count() >= len(tasks)) for w in workers})

        got = {}
        for worker in workers:
            lines = self.received(worker)
            pairs = [lines[i:i + 2] for i in range(0, len(lines), 2)]
            if any(len(p) != 2 or not p[0].startswith(' [x] Received ') or p[1] != ' [x] Done' for p in pairs):
                raise Failure(f'{worker.label} printed {lines!r}, expected "Received"/"Done" pairs')
            got[worker] = [p[0][len(' [x] Received '):] for p in pairs]
        every = sorted(got[workers[0]] + got[workers[1]])
        if every != sorted(tasks):
            raise Failure(f'the workers together got {every!r}, expected each of {sorted(tasks)!r} once')
        for worker in workers:
            if not got[worker]:
                raise Failure(f'{worker.label} got no task; the other got them all')
            if got[worker] != [t for t in tasks if t in got[worker]]:
                raise Failure(f'{worker.label} got tasks out of order: {got[worker]!r}')

        left = self.admin('message-count', self.named('task_queue'))
        if left != ['0']:
            raise Failure(f'task_queue still holds {left!r} messages after every task was acked')

        # Fair dispatch is checkable only if all tasks were published while the long one ran.
        long_worker = first if tasks[0] in got[first] else workers[1]
        done_at = long_worker.times[long_worker.lines.index(' [x] Done', long_worker.ready_index)]
        if done_at > published_at:
            if got[long_worker] != tasks[:1]:
                raise Failure(f'prefetch_count=1 not honoured: {long_worker.label} got {got[long_worker]!r} '
                              'although it had the long task unacked the whole time')
            return 'fair dispatch: one worker did the long task, the other the four quick ones; queue empty'
        return (f'split {len(got[workers[0]])}/{len(got[workers[1]])}, all acked, queue empty '
                '(fair-dispatch check not applicable: publishing outlasted the long task)')

    def publish_subscribe(self):
        # A fanout exchange with no queue bound drops the message; each subscriber then gets
        # every later message in its own exclusive, server-named queue.
        self.run_client('emit_log.py (before subscribers)', 'emit_log.py', 'info: nobody hears this')
        ready = ' [*] Waiting for logs. To exit press CTRL+C'
        subscribers = [self.start_consumer(f'receive_logs.py #{i}', 'receive_logs.py', ready=ready) for i in (1, 2)]
        self.wait_ready(*subscribers)
        messages = [[], ['warning: disk 85% full'], ['error: cannot write to disk']]
        for args in messages:
            self.run_client('emit_log.py ' + ' '.join(args), 'emit_log.py', *args)
        want = [" [x] b'info: Hello World!'", " [x] b'warning: disk 85% full'", " [x] b'error: cannot write to disk'"]
        self.collect({s: (lambda got: len(got) >= len(want)) for s in subscribers})
        for subscriber in subscribers:
            self.expect_lines(subscriber, want)
        return 'both subscribers got all 3 messages, not the one sent before they bound'

    def routing(self):
        # Each consumer's last expected message is published after every message it must
        # not get, so anything misrouted shows up before the consumer is stopped.
        ready = ' [*] Waiting for logs. To exit press CTRL+C'
        bindings = [['warning', 'error'], ['info', 'warning', 'error'], ['error']]
        consumers = [self.start_consumer('receive_logs_direct.py ' + ' '.join(b), 'receive_logs_direct.py', *b,
                                         ready=ready) for b in bindings]
        self.wait_ready(*consumers)
        sends = [['debug', 'Verbose details nobody asked for'],
                 [],
                 ['warning', 'Disk almost full'],
                 ['error', 'Run. Run. Or it will explode.']]
        received = {'debug': " [x] debug:b'Verbose details nobody asked for'",
                    'info': " [x] info:b'Hello World!'",
                    'warning': " [x] warning:b'Disk almost full'",
                    'error': " [x] error:b'Run. Run. Or it will explode.'"}
        for args in sends:
            self.run_client('emit_log_direct.py ' + ' '.join(args), 'emit_log_direct.py', *args)
        order = ['debug', 'info', 'warning', 'error']
        wants = {c: [received[s] for s in order if s in b] for c, b in zip(consumers, bindings)}
        self.collect({c: (lambda got, n=len(w): len(got) >= n) for c, w in wants.items()})
        for consumer, want in wants.items():
            self.expect_lines(consumer, want)
        return 'each consumer got exactly its severities; debug (unbound) went nowhere'

    def topics(self):
        # Two rounds, each ending with a message every consumer of the round matches, so
        # that a wrongly routed message shows up before the consumers are stopped.
        rounds = [
            # The tutorial's log examples.
            ([['#'], ['kern.*'], ['*.critical'], ['kern.*', '*.critical']],
             ['anonymous.info', 'kern', 'kern.info.extra', 'kern.info', 'cron.critical', 'kern.critical']),
            # The tutorial's animals, and '#' matching zero words at either end.
            ([['*.orange.*'], ['*.*.rabbit', 'lazy.#'], ['#.rabbit']],
             ['quick.brown.fox', 'orange', 'rabbit', 'quick.orange.male.rabbit', 'quick.orange.fox', 'lazy',
              'lazy.brown.fox', 'lazy.pink.rabbit', 'lazy.orange.male.rabbit', 'quick.orange.rabbit',
              'lazy.orange.rabbit']),
        ]
        ready = ' [*] Waiting for logs. To exit press CTRL+C'
        checked = 0
        for patterns, keys in rounds:
            consumers = [self.start_consumer('receive_logs_topic.py ' + ' '.join(p), 'receive_logs_topic.py', *p,
                                             ready=ready) for p in patterns]
            self.wait_ready(*consumers)
            for key in keys:
                if key == 'anonymous.info':
                    self.run_client('emit_log_topic.py', 'emit_log_topic.py')   # the default key
                else:
                    self.run_client(f'emit_log_topic.py {key}', 'emit_log_topic.py', key, f'message for {key}')

            def line(key):
                body = 'Hello World!' if key == 'anonymous.info' else f'message for {key}'
                return f" [x] {key}:b'{body}'"
            wants = {c: [line(k) for k in keys if any(topic_matches(b, k) for b in p)]
                     for c, p in zip(consumers, patterns)}
            self.collect({c: (lambda got, n=len(w): len(got) >= n) for c, w in wants.items()})
            for consumer, want in wants.items():
                self.expect_lines(consumer, want)
                checked += 1
            self.end_procs()
        return f'{checked} consumers with patterns using * and # got exactly the matching keys, each once'

    def rpc(self, client_script='rpc_client.py'):
        server = self.start_consumer('rpc_server.py', 'rpc_server.py', ready=' [x] Awaiting RPC requests')
        self.wait_ready(server)
        # Two clients at once: each must get its own replies (own reply_to queue or name, own ids).
        asks = {'A': [1, 2, 10, 20], 'B': [0, 5, 15, 25]}
        clients = {k: self.start_client(f'{client_script} {" ".join(map(str, v))}', client_script, *map(str, v))
                   for k, v in asks.items()}
        for client in clients.values():
            self.finish_client(client, 2 * PUBLISH_TIMEOUT)
        every = sorted(n for v in asks.values() for n in v)
        self.collect({server: lambda got: len(got) >= len(every)})
        for k, numbers in asks.items():
            want = []
            for n in numbers:
                want += [f' [x] Requesting fib({n})', f' [.] Got {fib(n)}']
            if clients[k].lines != want:
                raise Failure(f'{clients[k].label} printed {clients[k].lines!r}, expected {want!r}')
        served = sorted(int(line[len(' [.] fib('):-1]) for line in self.received(server)
                        if line.startswith(' [.] fib('))
        if served != every or len(self.received(server)) != len(every):
            raise Failure(f'rpc_server printed {self.received(server)!r}, expected one fib(n) line for each of {every}')
        return 'two concurrent clients got the right fib results, each reply matched by correlation_id'

    def rpc_direct_reply_to(self):
        self.rpc('rpc_client_direct_reply_to.py')
        return 'two concurrent clients with direct reply-to (amq.rabbitmq.reply-to, no reply queue) got the right fib results'


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def topic_matches(pattern, key):
    """RabbitMQ's topic matching: words split on '.', '*' is one word, '#' zero or more."""
    def match(p, k):
        if not p:
            return not k
        if p[0] == '#':
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and (p[0] == '*' or p[0] == k[0]) and match(p[1:], k[1:])
    return match(pattern.split('.'), key.split('.'))


def parse_target(args):
    host = os.environ.get('AMQP_HOST', 'localhost')
    port = int(os.environ.get('AMQP_PORT', '5672'))
    if args.target:
        host, _, port_text = args.target.rpartition(':')
        if not host or not port_text.isdigit():
            sys.exit(f'target must be HOST:PORT, got {args.target!r}')
        port = int(port_text)
    return host, port


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('target', nargs='?', help='HOST:PORT (default: AMQP_HOST/AMQP_PORT, else localhost:5672)')
    parser.add_argument('--official-names', action='store_true',
                        help="use the tutorials' own queue/exchange names (for a fresh broker of our own)")
    parser.add_argument('--only', action='append', choices=TUTORIALS, help='run only this tutorial (repeatable)')
    parser.add_argument('--budget', type=float, default=80.0,
                        help='seconds after which no further tutorial is started (default 80)')
    parser.add_argument('-v', '--verbose', action='store_true', help="print every client's output")
    args = parser.parse_args()
    host, port = parse_target(args)

    try:
        import pika  # noqa: F401  (the tutorials need it; checked here to skip cleanly)
    except ImportError:
        message = 'python3-pika is not installed (apt-get install python3-pika)'
        if os.environ.get('INTEROP_REQUIRE_PIKA') == '1':
            print(f'FAILED: {message}, and INTEROP_REQUIRE_PIKA=1')
            print('0 passed, 1 failed')
            return 1
        print(f'SKIPPED: {message}')
        return 0

    # SIGTERM (e.g. from `timeout`) unwinds through the finally below, which kills the clients.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    suffix = '' if args.official_names else f'.interop-{uuid.uuid4().hex[:8]}'
    run = Run(host, port, suffix, args.budget, args.verbose)
    print(f'pika tutorials against {host}:{port} (pika {pika.__version__}, '
          f'names {"official" if not suffix else "suffixed " + suffix})', flush=True)
    passed = failed = 0
    try:
        for name in args.only or TUTORIALS:
            label = f'{TUTORIALS.index(name) + 1} {name}'
            if time.monotonic() > run.budget_end:
                print(f'FAIL {label}: not run, time budget of {args.budget:.0f}s used up', flush=True)
                failed += 1
                continue
            started = time.monotonic()
            details = ''
            try:
                summary = getattr(run, name.replace('-', '_'))()
                print(f'PASS {label}: {summary} ({time.monotonic() - started:.1f}s)', flush=True)
                passed += 1
                if args.verbose:
                    details = '\n'.join(p.describe() for p in run.procs)
            except Failure as failure:
                print(f'FAIL {label}: {failure} ({time.monotonic() - started:.1f}s)', flush=True)
                failed += 1
                details = '\n'.join(p.describe() for p in run.procs)
            finally:
                run.end_procs()
            if details:
                print(details, flush=True)
        problem = run.cleanup()
        if problem:
            print(f'note: cleanup of {suffix} queues/exchanges failed: {problem}', flush=True)
    finally:
        Proc.kill_all()
    print(f'{passed} passed, {failed} failed', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
