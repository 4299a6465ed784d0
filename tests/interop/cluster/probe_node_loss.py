#!/usr/bin/python3
r"""What does a 3-node AMQP 0-9-1 cluster do when one node dies?  Prints observations as JSON lines.

Drives a three-node broker given its three AMQP ports and commands to kill and restart a node, and
records, method by method, what a client sees: which frames arrive (channel.close, basic.return,
basic.ack/nack, basic.cancel, ...), with reply codes, reply texts and class/method ids, and whether the
channel or the connection is still open afterwards.  Run it against RabbitMQ (the reference) and
against our cluster, then compare the two files with --compare.

    # the reference: RabbitMQ 3.10 through /work/shared/tools/reference-rabbitmq-cluster.sh (cluster started)
    /usr/bin/python3 tests/interop/cluster/probe_node_loss.py --rabbitmq-script /work/shared/tools/reference-rabbitmq-cluster.sh \
        --out /tmp/rabbit.jsonl
    # any other cluster (the commands here are examples): how to kill and restart node {node} (1-3) and,
    # optionally, how to list queues
    /usr/bin/python3 tests/interop/cluster/probe_node_loss.py --ports 5801,5802,5803 \
        --kill-cmd 'deploy/cluster.sh kill9 {node}' --restart-cmd 'deploy/cluster.sh restart {node}' \
        --queues-cmd 'deploy/cluster.sh queues {node}' --out /tmp/ours.jsonl
    # compare (outcomes, codes, normalised texts, ids; timings are ignored)
    /usr/bin/python3 tests/interop/cluster/probe_node_loss.py --compare tests/interop/cluster/rabbitmq-3.10.8-observations.jsonl /tmp/ours.jsonl

--queues-cmd must print one line per queue: NAME LOCATION STATE [TYPE ...], whitespace separated.  LOCATION
is a node number (1-3), a node name from --node-names, or an Erlang pid such as <c5700-2@localhost.1.2.0>.
Without --queues-cmd the placement checks record "unknown" locations.

Every wait is bounded: each AMQP operation has a deadline (SIGALRM), each external command a timeout,
each polling loop a limit.  Against the reference RabbitMQ a run takes about a minute, most of it node 2's
restart.  The queues and exchanges it makes are named PREFIX-ROLE and deleted at the end; texts in the
output have the prefix replaced by {p} and the node names by {node1}..{node3} (field reply_text_norm).
Loopback only.  Uses Debian's python3-pika (1.2).
"""
import argparse
import json
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid

try:
    import pika
    import pika.connection
    import pika.channel
    import pika.frame
    import pika.spec
    import pika.exceptions
except ImportError:  # pragma: no cover
    pika = None

T0 = time.monotonic()

# ---------------------------------------------------------------------------------------------------------
# Frame capture: every inbound method frame is logged on its connection with a timestamp, so that each
# observation can say exactly which frames the broker sent (pika's exceptions lose class_id/method_id and
# the order of basic.return and basic.ack).
# ---------------------------------------------------------------------------------------------------------
if pika is not None:
    _orig_process_frame = pika.connection.Connection._process_frame

    def _process_frame(self, frame_value):
        if isinstance(frame_value, pika.frame.Method):
            log = self.__dict__.setdefault('_probe_frames', [])
            log.append((time.monotonic(), frame_value.channel_number, frame_value.method))
        return _orig_process_frame(self, frame_value)

    pika.connection.Connection._process_frame = _process_frame

    # class id -> name, (class id, method id) -> name, from pika's spec
    _METHOD_NAMES = {}
    for _n in dir(pika.spec):
        _cls = getattr(pika.spec, _n)
        if isinstance(_cls, type) and hasattr(_cls, 'INDEX') and hasattr(_cls, 'NAME'):
            for _m in dir(_cls):
                _mc = getattr(_cls, _m)
                if isinstance(_mc, type) and hasattr(_mc, 'INDEX') and hasattr(_mc, 'NAME') and _mc.INDEX:
                    _METHOD_NAMES[((_mc.INDEX >> 16) & 0xFFFF, _mc.INDEX & 0xFFFF)] = _mc.NAME


def amqp_name(pika_name):
    """'Queue.DeclareOk' -> 'queue.declare-ok', 'Basic.GetEmpty' -> 'basic.get-empty'."""
    cls, meth = pika_name.split('.', 1)
    meth = re.sub(r'(?<!^)([A-Z])', r'-\1', meth).lower()
    return cls.lower() + '.' + meth


def method_name(class_id, method_id):
    n = _METHOD_NAMES.get((class_id, method_id))
    return amqp_name(n) if n else None


class Timeout(Exception):
    pass


def _on_alarm(_signum, _frame):
    raise Timeout()


class deadline:
    """Raise Timeout in the main thread after `seconds` (SIGALRM)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return False


def now():
    return round(time.monotonic() - T0, 3)


def plain(v):
    if isinstance(v, bytes):
        try:
            return v.decode()
        except UnicodeDecodeError:
            return v.hex()
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def describe_method(method):
    d = {'method': amqp_name(method.NAME)}
    for k, v in sorted(vars(method).items()):
        if k.startswith('_'):
            continue
        d[k] = plain(v)
    if method.NAME in ('Channel.Close', 'Connection.Close'):
        d['failing_method'] = method_name(method.class_id, method.method_id)
    return d


def frames_of(conn):
    impl = getattr(conn, '_impl', conn)
    return impl.__dict__.setdefault('_probe_frames', [])


# ---------------------------------------------------------------------------------------------------------
# The probe
# ---------------------------------------------------------------------------------------------------------
class Probe:
    def __init__(self, args):
        self.args = args
        self.host = args.host
        self.ports = [int(p) for p in args.ports.split(',')]
        assert len(self.ports) == 3, '--ports needs three ports'
        self.victim, self.observer, self.third = args.victim, 1 if args.victim != 1 else 2, None
        self.third = ({1, 2, 3} - {self.victim, self.observer}).pop()
        self.prefix = args.prefix or 'nl-' + uuid.uuid4().hex[:6]
        self.node_names = [n for n in (args.node_names or '').split(',') if n]
        self.seq = 0
        self.out = open(args.out, 'w') if args.out else None
        self.names = {}

    # -- output ---------------------------------------------------------------------------------------------
    def normalise(self, text):
        if not isinstance(text, str):
            return text
        text = text.replace(self.prefix, '{p}')
        for i, n in enumerate(self.node_names, 1):
            text = text.replace(n, '{node%d}' % i)
        return text

    def emit(self, question, check, **fields):
        self.seq += 1
        rec = {'seq': self.seq, 't': now(), 'question': str(question), 'check': check}
        rec.update(fields)
        close = rec.get('close')
        if isinstance(close, dict) and 'reply_text' in close:
            close['reply_text_norm'] = self.normalise(close['reply_text'])
        line = json.dumps(rec, sort_keys=False)
        print(line, flush=True)
        if self.out:
            self.out.write(line + '\n')
            self.out.flush()
        return rec

    def q(self, role):
        """Broker-side name of a queue/exchange role."""
        return '%s-%s' % (self.prefix, role)

    # -- connections -----------------------------------------------------------------------------------------
    def connect(self, node, name=None, timeout=10):
        params = pika.ConnectionParameters(
            host=self.host, port=self.ports[node - 1], heartbeat=30, blocked_connection_timeout=30,
            socket_timeout=5, stack_timeout=10, connection_attempts=1,
            client_properties={'connection_name': name or 'probe'})
        with deadline(timeout):
            return pika.BlockingConnection(params)

    @staticmethod
    def abandon(conn):
        if conn is None:
            return
        try:
            with deadline(3):
                if conn.is_open:
                    conn.close()
        except BaseException:  # noqa  - a broken connection is dropped, whatever it says
            pass

    def op(self, question, check, node, fn, timeout=20, confirm=False, role=None, keep=False, **extra):
        """Run fn(conn, ch) on a fresh connection to `node`; record frames, outcome, close details."""
        rec = {'via': node}
        if role:
            rec['queue'] = role
        rec.update(extra)
        t_start = time.monotonic()
        conn = ch = None
        try:
            conn = self.connect(node, 'probe %s %s' % (question, check))
            with deadline(10):
                ch = conn.channel()
                if confirm:
                    ch.confirm_delivery()
                ch.add_on_return_callback(lambda *a: None)
        except BaseException as e:  # noqa
            rec.update(outcome='setup-failed', error='%s: %s' % (type(e).__name__, e))
            self.abandon(conn)
            return self.emit(question, check, **rec)
        start = len(frames_of(conn))
        t_op = time.monotonic()
        try:
            with deadline(timeout):
                result = fn(conn, ch)
            rec['outcome'] = 'ok'
            if result is not None:
                rec['result'] = result
        except Timeout:
            rec['outcome'] = 'timeout'
            rec['timeout_s'] = timeout
        except pika.exceptions.ChannelClosedByBroker as e:
            rec['outcome'] = 'channel-closed'
        except pika.exceptions.ConnectionClosedByBroker as e:
            rec['outcome'] = 'connection-closed'
        except pika.exceptions.UnroutableError as e:
            rec['outcome'] = 'unroutable'
            rec['pika'] = 'UnroutableError(%d returned)' % len(e.messages)
        except pika.exceptions.NackError as e:
            rec['outcome'] = 'nacked'
            rec['pika'] = 'NackError(%d nacked)' % len(e.messages)
        except (pika.exceptions.AMQPConnectionError, pika.exceptions.StreamLostError, OSError) as e:
            rec['outcome'] = 'connection-lost'
            rec['error'] = '%s: %s' % (type(e).__name__, e)
        except Exception as e:  # noqa
            rec['outcome'] = 'error'
            rec['error'] = '%s: %s' % (type(e).__name__, e)
        rec['elapsed_ms'] = int((time.monotonic() - t_op) * 1000)
        fr = [f for f in frames_of(conn)[start:] if f[1] in (0, ch.channel_number)]
        rec['frames'] = [describe_method(m) for (_, _, m) in fr]
        for (_, _, m) in fr:
            if m.NAME in ('Channel.Close', 'Connection.Close'):
                rec['close'] = {'by': m.NAME.split('.')[0].lower(), 'reply_code': m.reply_code,
                                'reply_text': m.reply_text, 'class_id': m.class_id, 'method_id': m.method_id,
                                'failing_method': method_name(m.class_id, m.method_id)}
        rec['channel_open'] = bool(ch.is_open)
        rec['connection_open'] = bool(conn.is_open)
        if not keep:
            self.abandon(conn)
        r = self.emit(question, check, **rec)
        return (r, conn, ch) if keep else r

    # -- external commands -----------------------------------------------------------------------------------
    def run_cmd(self, template, node, timeout):
        if not template:
            return None
        cmd = template.format(node=node)
        t = time.monotonic()
        try:
            p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout)
            return {'cmd': cmd, 'rc': p.returncode, 'stdout': p.stdout.strip()[-4000:],
                    'stderr': p.stderr.strip()[-2000:], 'elapsed_ms': int((time.monotonic() - t) * 1000)}
        except subprocess.TimeoutExpired:
            return {'cmd': cmd, 'rc': None, 'timeout_s': timeout, 'elapsed_ms': int((time.monotonic() - t) * 1000)}

    def location(self, field):
        m = re.match(r'^<([^.>]+)\.', field)
        name = m.group(1) if m else field
        if name.isdigit():
            return int(name)
        if name in self.node_names:
            return self.node_names.index(name) + 1
        m = re.search(r'-(\d)@', name)
        return int(m.group(1)) if m else name

    def queues(self, via):
        """{queue name: {'node': n, 'state': s, 'type': t}} for our queues, plus the raw command record."""
        res = self.run_cmd(self.args.queues_cmd, via, 60)
        table = {}
        if res and res.get('rc') == 0:
            for line in res['stdout'].splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[0].startswith(self.prefix):
                    table[parts[0]] = {'node': self.location(parts[1]),
                                       'state': parts[2] if len(parts) > 2 else None,
                                       'type': parts[3] if len(parts) > 3 else None}
        return table, res

    def record_queues(self, question, check, via=1):
        table, res = self.queues(via)
        roles = {k[len(self.prefix) + 1:]: v for k, v in table.items()}
        raw = None
        if res:
            raw = [self.normalise(l) for l in res.get('stdout', '').splitlines()
                   if l.startswith(self.prefix)]
        return self.emit(question, check, via=via, queues=roles, raw=raw,
                         rc=(res or {}).get('rc'), cmd_elapsed_ms=(res or {}).get('elapsed_ms'))

    # -- small AMQP helpers ----------------------------------------------------------------------------------
    @staticmethod
    def ping(ch):
        """A synchronous round trip: anything the broker sent for earlier methods arrives before its -ok."""
        ch.exchange_declare('amq.direct', exchange_type='direct', passive=True)

    def passive_count(self, node, role):
        conn = None
        try:
            conn = self.connect(node, 'probe count')
            with deadline(20):
                ch = conn.channel()
                ok = ch.queue_declare(self.q(role), passive=True)
                n = ok.method.message_count
            self.abandon(conn)
            return n
        except BaseException:  # noqa
            self.abandon(conn)
            return None

    def publish_persistent(self, node, exchange, rk, bodies, mandatory=False):
        conn = self.connect(node, 'probe setup publish')
        with deadline(30):
            ch = conn.channel()
            ch.confirm_delivery()
            for b in bodies:
                ch.basic_publish(exchange, rk, b.encode(),
                                 pika.BasicProperties(delivery_mode=2), mandatory=mandatory)
        self.abandon(conn)

    # =====================================================================================================
    # Question 1: placement
    # =====================================================================================================
    def q1_placement(self):
        O = self.observer
        declared = []

        def declare(role, args, durable=True):
            def fn(conn, ch):
                ok = ch.queue_declare(self.q(role), durable=durable, arguments=args)
                declared.append(role)
                return {'message_count': ok.method.message_count}
            return fn

        cases = [('pl-none', None), ('pl-cl', {'x-queue-master-locator': 'client-local'}),
                 ('pl-bal', {'x-queue-master-locator': 'balanced'}),
                 ('pl-mm-1', {'x-queue-master-locator': 'min-masters'}),
                 ('pl-mm-2', {'x-queue-master-locator': 'min-masters'}),
                 ('pl-mm-3', {'x-queue-master-locator': 'min-masters'})] + \
                [('pl-rnd-%d' % i, {'x-queue-master-locator': 'random'}) for i in range(1, 7)] + \
                [('pl-bogus', {'x-queue-master-locator': 'no-such-locator'}),
                 ('pl-int', {'x-queue-master-locator': 7}),
                 ('pl-ll-cl', {'x-queue-leader-locator': 'client-local'}),
                 ('pl-ll-bal', {'x-queue-leader-locator': 'balanced'}),
                 ('pl-ll-bogus', {'x-queue-leader-locator': 'no-such-locator'})]
        for role, args in cases:
            self.op(1, 'declare-classic', O, declare(role, args), role=role, arguments=args)
        # quorum queues: the leader locator applies to them
        qcases = [('pl-qq-none', {}), ('pl-qq-cl', {'x-queue-leader-locator': 'client-local'}),
                  ('pl-qq-bal', {'x-queue-leader-locator': 'balanced'}),
                  ('pl-qq-bogus', {'x-queue-leader-locator': 'no-such-locator'}),
                  ('pl-qq-ml', {'x-queue-master-locator': 'client-local'})]
        for role, args in qcases:
            a = dict(args)
            a['x-queue-type'] = 'quorum'
            self.op(1, 'declare-quorum', O, declare(role, a), role=role, arguments=a, timeout=30)
        table, _ = self.queues(O)
        placed = {}
        for role in declared:
            placed[role] = (table.get(self.q(role)) or {}).get('node', 'unknown')
        self.emit(1, 'placement', via=O, declared_through=O, nodes=placed)

        # equivalence: a different (or missing) locator argument on redeclare
        for check, args in (('redeclare-other-master-locator', {'x-queue-master-locator': 'random'}),
                            ('redeclare-without-master-locator', None),
                            ('redeclare-same-master-locator', {'x-queue-master-locator': 'client-local'})):
            self.op(1, check, O, declare('pl-cl', args), role='pl-cl', arguments=args)
        self.op(1, 'redeclare-quorum-other-leader-locator', O,
                declare('pl-qq-cl', {'x-queue-type': 'quorum', 'x-queue-leader-locator': 'balanced'}),
                role='pl-qq-cl', arguments={'x-queue-type': 'quorum', 'x-queue-leader-locator': 'balanced'})
        # clean up
        for role in sorted(set(declared)):
            self.op(1, 'cleanup-delete', O, lambda c, ch, r=role: ch.queue_delete(self.q(r)) and None,
                    role=role, quiet=True)

    # =====================================================================================================
    # Set-up for questions 2-7 (everything on the victim node, plus a queue on the observer)
    # =====================================================================================================
    def setup(self):
        V, O = self.victim, self.observer
        q = self.q
        # node V: durable queues, transient ones, exclusive ones (owned by the kept connection below)
        conn = self.connect(V, 'probe setup on victim')
        with deadline(60):
            ch = conn.channel()
            for role in ('dq', 'dq-purge', 'dq-delete', 'dq-consumed', 'dq-unbind'):
                ch.queue_declare(q(role), durable=True)
            for role in ('tq', 'tq2', 'tq3'):
                ch.queue_declare(q(role), durable=False)
            ch.queue_declare(q('qq'), durable=True, arguments={'x-queue-type': 'quorum'})
            ch.queue_declare(q('qq2'), durable=True, arguments={'x-queue-type': 'quorum'})
            ch.exchange_declare(q('direct'), 'direct', durable=True)
            ch.exchange_declare(q('fanout'), 'fanout', durable=True)
            ch.queue_bind(q('dq'), q('direct'), routing_key='dq')
            ch.queue_bind(q('dq'), q('fanout'))
            ch.queue_bind(q('dq-unbind'), 'amq.topic', routing_key='unbind.me')
        self.abandon(conn)
        # node O: a durable queue that should not care
        conn = self.connect(O, 'probe setup on observer')
        with deadline(30):
            ch = conn.channel()
            ch.queue_declare(q('live1'), durable=True)
            ch.queue_bind(q('live1'), q('fanout'))
        self.abandon(conn)
        # messages: persistent (confirmed, so on disk) and one transient in dq
        self.publish_persistent(V, '', q('dq'), ['dq-p1', 'dq-p2', 'dq-p3'])
        conn = self.connect(V, 'probe setup transient msg')
        with deadline(30):
            ch = conn.channel()
            ch.confirm_delivery()
            ch.basic_publish('', q('dq'), b'dq-t4', pika.BasicProperties(delivery_mode=1))
            ch.basic_publish('', q('tq'), b'tq-1', pika.BasicProperties(delivery_mode=1))
            ch.basic_publish('', q('tq2'), b'tq2-1', pika.BasicProperties(delivery_mode=2))
        self.abandon(conn)
        self.publish_persistent(V, '', q('dq-purge'), ['purge-1', 'purge-2'])
        self.publish_persistent(V, '', q('dq-delete'), ['delete-1', 'delete-2'])
        self.publish_persistent(V, '', q('dq-consumed'), ['c-1', 'c-2', 'c-3'])
        self.publish_persistent(O, '', q('live1'), ['live-1', 'live-2'])
        self.publish_persistent(V, '', q('qq'), ['qq-1', 'qq-2', 'qq-3'])

        # the victim's own client: exclusive queues, a consumer on tq2 (question 7)
        self.vconn = self.connect(V, 'probe client on victim')
        with deadline(30):
            vch = self.vconn.channel()
            vch.queue_declare(q('xq'), exclusive=True)
            vch.queue_declare(q('xq2'), exclusive=True)
            vch.basic_consume(q('tq2'), lambda *a: None, auto_ack=False)
        # the observer's consumer on dq-consumed, manual ack, holding all three unacked (question 3)
        self.cconn = self.connect(O, 'probe consumer on observer')
        self.cdeliveries = []
        self.ccancels = []
        with deadline(30):
            self.cch = self.cconn.channel()
            self.cch.basic_qos(prefetch_count=10)
            self.cch.add_on_cancel_callback(lambda mf: self.ccancels.append((now(), mf.method.consumer_tag)))
            self.ctag = self.cch.basic_consume(
                q('dq-consumed'),
                lambda ch, m, p, b: self.cdeliveries.append(
                    {'t': now(), 'delivery_tag': m.delivery_tag, 'redelivered': m.redelivered, 'body': b.decode()}),
                auto_ack=False)
            t_end = time.monotonic() + 10
            while len(self.cdeliveries) < 3 and time.monotonic() < t_end:
                self.cconn.process_data_events(time_limit=0.2)
            # and an auto-ack consumer on the (empty) quorum queue qq2, whose leader is on the victim too
            self.qq2_deliveries = []
            self.qq2_tag = self.cch.basic_consume(
                q('qq2'), lambda ch, m, p, b: self.qq2_deliveries.append(
                    {'t': now(), 'redelivered': m.redelivered, 'body': b.decode()}),
                auto_ack=True, consumer_tag='qq2-consumer')
        self.emit('setup', 'consumer-on-observer', via=O, queue='dq-consumed', deliveries=self.cdeliveries)
        # a confirm channel on the observer, opened now and used the moment the node dies
        self.pconn = self.connect(O, 'probe publisher on observer')
        with deadline(30):
            self.pch = self.pconn.channel()
            self.pch.confirm_delivery()
            self.pch.add_on_return_callback(lambda *a: None)
        # bound publish check before the kill: routing works
        counts = {r: self.passive_count(O, r) for r in
                  ('dq', 'dq-purge', 'dq-delete', 'dq-consumed', 'tq', 'tq2', 'live1', 'qq')}
        self.emit('setup', 'counts-before-kill', via=O, counts=counts)
        self.record_queues('setup', 'queues-before-kill', via=O)

    # =====================================================================================================
    # Kill, then questions 6, 7, 3 (time-sensitive), then 2, 4, 5, quorum
    # =====================================================================================================
    def kill_and_observe(self):
        V, O, T = self.victim, self.observer, self.third
        q = self.q
        stop = threading.Event()

        class Watcher(threading.Thread):
            def __init__(self, conn, label):
                super().__init__(daemon=True)
                self.conn, self.label, self.error, self.limit = conn, label, None, 120

            def run(self):
                end = time.monotonic() + self.limit
                while not stop.is_set() and time.monotonic() < end:
                    try:
                        self.conn.process_data_events(time_limit=0.05)
                    except BaseException as e:  # noqa
                        self.error = (now(), type(e).__name__, str(e))
                        return

        wv = Watcher(self.vconn, 'victim client')
        wc = Watcher(self.cconn, 'observer consumer')
        vstart = len(frames_of(self.vconn))
        cstart = len(frames_of(self.cconn))
        wv.start()
        wc.start()

        kill = self.run_cmd(self.args.kill_cmd, V, 60)
        t_kill = time.monotonic()
        self.emit('kill', 'kill', node=V, cmd=kill)
        # at once: a mandatory, confirmed publish to the dead durable queue (races the cluster noticing the death)
        self.publish_at_once('immediate-publish-confirm-mandatory', 2, 'dq', t_kill)

        # Q6: node O answering for the durable queue on V
        conn = self.connect(O, 'probe q6')
        attempts = []
        first_404 = None
        t_end = time.monotonic() + self.args.q6_limit
        while time.monotonic() < t_end:
            t_a = time.monotonic()
            ch = None
            try:
                with deadline(70):
                    ch = conn.channel()
                    ok = ch.queue_declare(q('dq'), passive=True)
                    attempts.append({'at_ms': int((t_a - t_kill) * 1000), 'took_ms': int((time.monotonic() - t_a) * 1000),
                                     'outcome': 'declare-ok', 'message_count': ok.method.message_count})
            except pika.exceptions.ChannelClosedByBroker as e:
                attempts.append({'at_ms': int((t_a - t_kill) * 1000), 'took_ms': int((time.monotonic() - t_a) * 1000),
                                 'outcome': 'channel-closed', 'reply_code': e.reply_code,
                                 'reply_text': self.normalise(e.reply_text)})
                if e.reply_code == 404:
                    first_404 = int((time.monotonic() - t_kill) * 1000)
                    break
            except Timeout:
                attempts.append({'at_ms': int((t_a - t_kill) * 1000), 'outcome': 'timeout'})
                self.abandon(conn)
                conn = self.connect(O, 'probe q6')
            time.sleep(0.02)
        self.abandon(conn)
        # keep the distinct outcomes only (first and last of each run)
        squeezed = []
        for a in attempts:
            if squeezed and squeezed[-1]['outcome'] == a['outcome'] and squeezed[-1].get('reply_text') == a.get('reply_text'):
                squeezed[-1]['repeats'] = squeezed[-1].get('repeats', 1) + 1
                squeezed[-1]['last_at_ms'] = a['at_ms']
            else:
                squeezed.append(dict(a))
        self.emit(6, 'time-to-404', via=O, queue='dq', ms_from_kill_to_404=first_404,
                  attempts=len(attempts), outcomes=squeezed)

        # quorum queue whose leader was on V: how long until a confirmed publish is acked?
        self.publish_at_once('immediate-publish-confirm-mandatory', 'quorum', 'qq', t_kill)
        self.publish_at_once('immediate-publish-confirm-mandatory', 'quorum', 'qq2', t_kill)
        self.abandon(self.pconn)

        # Q7 and Q3: what the connected clients saw (give them a few seconds)
        t_end = time.monotonic() + 15
        while time.monotonic() < t_end and (wv.is_alive() or not self.ccancels or not self.qq2_deliveries):
            time.sleep(0.1)
        stop.set()
        wv.join(5)
        wc.join(5)
        vfr = [(round(t - t_kill, 3), describe_method(m)) for (t, c, m) in frames_of(self.vconn)[vstart:]]
        self.emit(7, 'client-on-killed-node', via=V,
                  error=(None if not wv.error else {'after_kill_s': round(wv.error[0] - (t_kill - T0), 3),
                                                    'exception': wv.error[1], 'text': wv.error[2]}),
                  frames=[dict(f, after_kill_s=t) for t, f in vfr],
                  connection_open=bool(self.vconn.is_open))
        cfr = [(round(t - t_kill, 3), describe_method(m)) for (t, c, m) in frames_of(self.cconn)[cstart:]]
        self.emit(3, 'consumer-on-observer', via=O, queue='dq-consumed',
                  frames=[dict(f, after_kill_s=t) for t, f in cfr],
                  cancel_callbacks=len(self.ccancels),
                  quorum_consumer_deliveries=[dict(d, t=round(d['t'] - (t_kill - T0), 3)) for d in self.qq2_deliveries],
                  channel_open=bool(self.cch.is_open), connection_open=bool(self.cconn.is_open),
                  unacked_delivery_tags=[d['delivery_tag'] for d in self.cdeliveries])
        # ack one of the three unacked deliveries after the cancel, then a round trip: any error?
        r = {}
        start = len(frames_of(self.cconn))
        try:
            with deadline(15):
                self.cch.basic_ack(delivery_tag=1)
                self.ping(self.cch)
            r['outcome'] = 'ok'
        except pika.exceptions.ChannelClosedByBroker:
            r['outcome'] = 'channel-closed'
        except Timeout:
            r['outcome'] = 'timeout'
        except Exception as e:  # noqa
            r['outcome'] = 'error'
            r['error'] = '%s: %s' % (type(e).__name__, e)
        fr = [describe_method(m) for (_, _, m) in frames_of(self.cconn)[start:]]
        for m in fr:
            if m['method'] in ('channel.close', 'connection.close'):
                r['close'] = {k: m[k] for k in ('reply_code', 'reply_text', 'class_id', 'method_id', 'failing_method')}
        self.emit(3, 'ack-after-cancel', via=O, queue='dq-consumed', delivery_tag=1, frames=fr,
                  channel_open=bool(self.cch.is_open), **r)

        # Q2: the durable queue through O and T
        for via in (O, T):
            self.q2_ops(via)
        self.record_queues(2, 'queues-while-down', via=O)
        if T:
            self.record_queues(2, 'queues-while-down', via=T)

        # Q4: transient and exclusive queues of the dead node
        for role in ('tq', 'tq2', 'xq', 'xq2'):
            self.op(4, 'passive-declare', O, lambda c, ch, r=role: self.declare_ok(ch.queue_declare(self.q(r), passive=True)),
                    role=role)
        for role in ('tq', 'tq2', 'xq', 'xq2'):
            self.op(4, 'passive-declare', T, lambda c, ch, r=role: self.declare_ok(ch.queue_declare(self.q(r), passive=True)),
                    role=role)
        # redeclare tq (transient) and xq (exclusive) on O right away
        self.op(4, 'redeclare-transient', O, lambda c, ch: self.declare_ok(ch.queue_declare(q('tq'), durable=False)),
                role='tq')
        self.op(4, 'redeclare-exclusive', O, lambda c, ch: self.declare_ok(ch.queue_declare(q('xq'), exclusive=True)),
                role='xq')
        # a transient queue of V redeclared as durable on O?
        self.op(4, 'redeclare-transient-as-durable', O,
                lambda c, ch: self.declare_ok(ch.queue_declare(q('tq3'), durable=True)), role='tq3')
        self.op(4, 'delete-redeclared', O, lambda c, ch: self.delete_ok(ch.queue_delete(q('tq3'))), role='tq3')

        # Q5: a durable queue on O is unaffected
        self.op(5, 'passive-declare', O, lambda c, ch: self.declare_ok(ch.queue_declare(q('live1'), passive=True)),
                role='live1')
        self.op(5, 'publish-confirm', O, lambda c, ch: self.pub(ch, '', q('live1'), 'live-3'), confirm=True,
                role='live1')
        self.op(5, 'basic-get', O, lambda c, ch: self.get(ch, q('live1'), auto_ack=False, requeue=True),
                role='live1')

        # Q1 again: where do new queues go while V is down?
        declared = []
        for role, args in [('pd-rnd-%d' % i, {'x-queue-master-locator': 'random'}) for i in range(1, 7)] + \
                          [('pd-mm-%d' % i, {'x-queue-master-locator': 'min-masters'}) for i in range(1, 3)] + \
                          [('pd-qq-bal', {'x-queue-type': 'quorum', 'x-queue-leader-locator': 'balanced'})]:
            r = self.op(1, 'declare-while-down', O,
                        lambda c, ch, r=role, a=args: self.declare_ok(ch.queue_declare(self.q(r), durable=True, arguments=a)),
                        role=role, arguments=args, timeout=30)
            if r.get('outcome') == 'ok':
                declared.append(role)
        table, _ = self.queues(O)
        self.emit(1, 'placement-while-down', via=O, down=V,
                  nodes={r: (table.get(self.q(r)) or {}).get('node', 'unknown') for r in declared})
        for role in declared:
            self.op(1, 'cleanup-delete', O, lambda c, ch, r=role: ch.queue_delete(self.q(r)) and None, role=role)

        # quorum: leader was on V
        self.quorum_after_kill()
        self.t_kill = t_kill
        self.abandon(self.cconn)

    def publish_at_once(self, check, question, role, t_kill):
        rec = {'via': self.observer, 'queue': role, 'mandatory': True, 'confirm_mode': True}
        start = len(frames_of(self.pconn))
        t = time.monotonic()
        rec['sent_ms_after_kill'] = int((t - t_kill) * 1000)
        try:
            with deadline(30):
                self.pch.basic_publish('', self.q(role), ('at-once-' + role).encode(),
                                       pika.BasicProperties(delivery_mode=2), mandatory=True)
            rec['outcome'] = 'ok'
        except pika.exceptions.UnroutableError:
            rec['outcome'] = 'unroutable'
        except pika.exceptions.NackError:
            rec['outcome'] = 'nacked'
        except Timeout:
            rec['outcome'] = 'timeout'
        except Exception as e:  # noqa
            rec['outcome'] = 'error'
            rec['error'] = '%s: %s' % (type(e).__name__, e)
        rec['settled_ms_after_kill'] = int((time.monotonic() - t_kill) * 1000)
        rec['frames'] = [describe_method(m) for (_, c, m) in frames_of(self.pconn)[start:]]
        rec['channel_open'] = bool(self.pch.is_open)
        return self.emit(question, check, **rec)

    def declare_ok(self, ok):
        return {'method': 'queue.declare-ok', 'message_count': ok.method.message_count,
                'consumer_count': ok.method.consumer_count}

    @staticmethod
    def delete_ok(ok):
        return {'method': 'queue.delete-ok', 'message_count': ok.method.message_count}

    def pub(self, ch, exchange, rk, body, mandatory=False, persistent=True):
        ch.basic_publish(exchange, rk, body.encode(),
                         pika.BasicProperties(delivery_mode=2 if persistent else 1), mandatory=mandatory)
        self.ping(ch)
        return None

    def get(self, ch, queue, auto_ack=False, requeue=True):
        m, p, b = ch.basic_get(queue, auto_ack=auto_ack)
        if m is None:
            return {'method': 'basic.get-empty'}
        if not auto_ack and requeue:
            ch.basic_reject(m.delivery_tag, requeue=True)
            self.ping(ch)
        return {'method': 'basic.get-ok', 'redelivered': m.redelivered, 'message_count': m.message_count,
                'body': b.decode()}

    def q2_ops(self, via):
        q = self.q
        op = lambda check, fn, **kw: self.op(2, check, via, fn, **kw)  # noqa
        op('passive-declare', lambda c, ch: self.declare_ok(ch.queue_declare(q('dq'), passive=True)), role='dq')
        op('declare-same-args', lambda c, ch: self.declare_ok(ch.queue_declare(q('dq'), durable=True)), role='dq')
        op('declare-different-durable', lambda c, ch: self.declare_ok(ch.queue_declare(q('dq'), durable=False)),
           role='dq')
        op('basic-consume', lambda c, ch: {'consumer_tag': ch.basic_consume(q('dq'), lambda *a: None)}, role='dq')
        op('basic-get', lambda c, ch: self.get(ch, q('dq')), role='dq')
        op('queue-purge', lambda c, ch: {'message_count': ch.queue_purge(q('dq-purge')).method.message_count},
           role='dq-purge')
        op('queue-delete-if-empty', lambda c, ch: self.delete_ok(ch.queue_delete(q('dq-delete'), if_empty=True)),
           role='dq-delete')
        op('queue-delete', lambda c, ch: self.delete_ok(ch.queue_delete(q('dq-delete'))), role='dq-delete')
        op('queue-bind', lambda c, ch: ch.queue_bind(q('dq'), 'amq.direct', routing_key=q('bound-while-down-%d' % via))
           and None, role='dq')
        op('queue-unbind', lambda c, ch: ch.queue_unbind(q('dq-unbind'), 'amq.topic', routing_key='unbind.me') and None,
           role='dq-unbind')
        body = 'down-%d' % via
        for ex, rk, name in (('', q('dq'), 'default-exchange'), (q('direct'), 'dq', 'direct-exchange')):
            op('publish-%s' % name, lambda c, ch, ex=ex, rk=rk: self.pub(ch, ex, rk, body + '-' + name), role='dq',
               exchange=ex and 'direct', mandatory=False, confirm_mode=False)
            op('publish-%s-mandatory' % name,
               lambda c, ch, ex=ex, rk=rk: self.pub(ch, ex, rk, body + '-' + name + '-m', mandatory=True),
               role='dq', exchange=ex and 'direct', mandatory=True, confirm_mode=False)
            op('publish-%s-confirm' % name,
               lambda c, ch, ex=ex, rk=rk: self.pub(ch, ex, rk, body + '-' + name + '-c'), confirm=True,
               role='dq', exchange=ex and 'direct', mandatory=False, confirm_mode=True)
            op('publish-%s-confirm-mandatory' % name,
               lambda c, ch, ex=ex, rk=rk: self.pub(ch, ex, rk, body + '-' + name + '-cm', mandatory=True), confirm=True,
               role='dq', exchange=ex and 'direct', mandatory=True, confirm_mode=True)
        # fanout to dq (dead) and live1 (alive on O)
        for mand in (False, True):
            before = self.passive_count(self.observer, 'live1')
            r = self.op(2, 'publish-fanout-confirm' + ('-mandatory' if mand else ''), via,
                        lambda c, ch, m=mand: self.pub(ch, q('fanout'), '', body + '-fanout', mandatory=m),
                        confirm=True, role='dq+live1', exchange='fanout', mandatory=mand, confirm_mode=True)
            after = self.passive_count(self.observer, 'live1')
            self.emit(2, 'fanout-live-queue-got-it', via=via, queue='live1', mandatory=mand,
                      live1_before=before, live1_after=after,
                      live_queue_got_it=(None if before is None or after is None else after == before + 1))

    def quorum_after_kill(self):
        O, T = self.observer, self.third
        q = self.q
        self.record_queues('quorum', 'queues-after-kill', via=O)
        self.op('quorum', 'passive-declare', O, lambda c, ch: self.declare_ok(ch.queue_declare(q('qq'), passive=True)),
                role='qq')
        self.op('quorum', 'publish-confirm', O, lambda c, ch: self.pub(ch, '', q('qq'), 'qq-4'), confirm=True,
                role='qq', timeout=30)
        self.op('quorum', 'basic-get', T, lambda c, ch: self.get(ch, q('qq'), requeue=True), role='qq', timeout=30)
        # the observer's consumer on qq2 (subscribed before the kill): still there, gets a new message?
        self.op('quorum', 'publish-confirm', T, lambda c, ch: self.pub(ch, '', q('qq2'), 'qq2-after-failover'),
                confirm=True, role='qq2', timeout=30)
        start = len(frames_of(self.cconn))
        err = None
        try:
            t_end = time.monotonic() + 10
            while time.monotonic() < t_end and not any(d['body'] == 'qq2-after-failover' for d in self.qq2_deliveries):
                with deadline(5):
                    self.cconn.process_data_events(time_limit=0.2)
        except BaseException as e:  # noqa
            err = '%s: %s' % (type(e).__name__, e)
        self.emit('quorum', 'consumer-survives-failover', via=O, queue='qq2',
                  frames=[describe_method(m) for (_, _, m) in frames_of(self.cconn)[start:]],
                  got_it=any(d['body'] == 'qq2-after-failover' for d in self.qq2_deliveries), error=err,
                  channel_open=bool(self.cch.is_open))
        self.record_queues('quorum', 'queues-after-ops', via=O)

    # =====================================================================================================
    # Restart, then recovery checks
    # =====================================================================================================
    def restart_and_check(self):
        V, O = self.victim, self.observer
        q = self.q
        res = self.run_cmd(self.args.restart_cmd, V, 240)
        t_listen = time.monotonic()
        self.emit('restart', 'restart', node=V, cmd=res, s_from_kill=round(t_listen - self.t_kill, 1))
        # wait until O can see dq again
        t_end = time.monotonic() + 180
        seen = None
        last = None
        while time.monotonic() < t_end:
            try:
                conn = self.connect(O, 'probe wait')
                with deadline(20):
                    ch = conn.channel()
                    ok = ch.queue_declare(q('dq'), passive=True)
                    seen = ok.method.message_count
                self.abandon(conn)
                break
            except pika.exceptions.ChannelClosedByBroker as e:
                last = self.normalise(e.reply_text)
                self.abandon(conn)
            except BaseException as e:  # noqa
                last = '%s: %s' % (type(e).__name__, e)
            time.sleep(0.5)
        self.emit(2, 'dq-visible-again', via=O, queue='dq', s_after_listening=round(time.monotonic() - t_listen, 1),
                  message_count=seen, last_error_before=last)
        counts = {r: self.passive_count(O, r) for r in
                  ('dq', 'dq-purge', 'dq-delete', 'dq-consumed', 'dq-unbind', 'live1', 'qq')}
        self.emit(2, 'counts-after-restart', via=O, counts=counts)
        # drain dq and dq-consumed: which messages, redelivered?
        for role in ('dq', 'dq-consumed', 'dq-purge', 'dq-delete'):
            def drain(conn, ch, r=role):
                msgs = []
                for _ in range(50):
                    m, p, b = ch.basic_get(q(r), auto_ack=True)
                    if m is None:
                        break
                    msgs.append({'body': b.decode(), 'redelivered': m.redelivered,
                                 'delivery_mode': p.delivery_mode})
                return {'messages': msgs}
            self.op(2 if role != 'dq-consumed' else 3, 'drain-after-restart', O, drain, role=role)
        # bindings survived? (direct exchange, mandatory + confirm: a return would mean no binding)
        self.op(2, 'publish-direct-after-restart', O, lambda c, ch: self.pub(ch, q('direct'), 'dq', 'after-restart',
                                                                          mandatory=True),
                confirm=True, role='dq')
        self.op(2, 'publish-amq-direct-bound-while-down', O,
                lambda c, ch: self.pub(ch, 'amq.direct', q('bound-while-down-%d' % O), 'after-restart-2', mandatory=True),
                confirm=True, role='dq')
        self.op(2, 'publish-amq-topic-unbound-while-down', O,
                lambda c, ch: self.pub(ch, 'amq.topic', 'unbind.me', 'after-restart-3', mandatory=True),
                confirm=True, role='dq-unbind')
        for role in ('tq2', 'xq2'):
            self.op(4, 'passive-declare-after-restart', O,
                    lambda c, ch, r=role: self.declare_ok(ch.queue_declare(self.q(r), passive=True)), role=role)
        self.record_queues('restart', 'queues-after-restart', via=O)

    def cleanup(self):
        O = self.observer
        for role in ('dq', 'dq-purge', 'dq-delete', 'dq-consumed', 'dq-unbind', 'tq', 'tq2', 'tq3', 'xq', 'xq2', 'live1',
                     'qq', 'qq2'):
            conn = None
            try:
                conn = self.connect(O, 'probe cleanup')
                with deadline(20):
                    conn.channel().queue_delete(self.q(role))
            except BaseException:  # noqa
                pass
            self.abandon(conn)
        for ex in ('direct', 'fanout'):
            conn = None
            try:
                conn = self.connect(O, 'probe cleanup')
                with deadline(20):
                    conn.channel().exchange_delete(self.q(ex))
            except BaseException:  # noqa
                pass
            self.abandon(conn)

    def env(self):
        info = {}
        for i in (1, 2, 3):
            try:
                conn = self.connect(i, 'probe env')
                sp = conn._impl.server_properties
                info[i] = {'product': plain(sp.get('product')), 'version': plain(sp.get('version')),
                           'capabilities': plain(sp.get('capabilities'))}
                self.abandon(conn)
            except BaseException as e:  # noqa
                info[i] = {'error': '%s: %s' % (type(e).__name__, e)}
        extra = []
        for cmd in self.args.env_cmd or []:
            r = self.run_cmd(cmd, 1, 60)
            extra.append({'cmd': r['cmd'], 'rc': r['rc'], 'stdout': r.get('stdout')})
        self.emit('env', 'servers', prefix=self.prefix, victim=self.victim, observer=self.observer,
                  third=self.third, servers=info, env_cmds=extra)

    def run(self):
        self.env()
        if not self.args.skip_placement:
            self.q1_placement()
        if self.args.placement_only:
            return
        self.setup()
        try:
            self.kill_and_observe()
        finally:
            self.restart_and_check()
            self.cleanup()


# ---------------------------------------------------------------------------------------------------------
# --compare: the outcome-level differences of two runs (timings and raw listings ignored)
# ---------------------------------------------------------------------------------------------------------
def key_fields(rec):
    out = {}
    for k in ('outcome', 'channel_open', 'connection_open', 'result', 'nodes', 'counts', 'live_queue_got_it',
              'cancel_callbacks', 'message_count'):
        if k in rec:
            out[k] = rec[k]
    if 'nodes' in out:  # random, min-masters and balanced placement depend on the run: compare the others
        if rec.get('check') == 'placement-while-down':
            out['nodes'] = sorted({n for n in out['nodes'].values()})
        else:
            out['nodes'] = {r: n for r, n in out['nodes'].items() if r in ('pl-none', 'pl-cl', 'pl-qq-none', 'pl-qq-cl')}
    c = rec.get('close')
    if c:
        out['close'] = {k: c.get(k) for k in ('by', 'reply_code', 'reply_text_norm', 'class_id', 'method_id')}
    fr = rec.get('frames')
    if isinstance(fr, list):
        out['frames'] = [f.get('method') + ('(%s)' % f['reply_code'] if 'reply_code' in f else '') for f in fr]
    if rec.get('check') == 'time-to-404':
        out['outcomes'] = sorted({(o['outcome'], o.get('reply_code'), o.get('reply_text')) for o in rec['outcomes']})
    return out


def compare(a_path, b_path):
    def load(p):
        d = {}
        with open(p) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                r = json.loads(line)
                k = (r['question'], r['check'], str(r.get('via')), str(r.get('queue')), str(r.get('mandatory')))
                d.setdefault(k, r)
        return d
    a, b = load(a_path), load(b_path)
    diffs = 0
    for k in sorted(set(a) | set(b)):
        if k[0] in ('env', 'kill', 'restart') or k[1].startswith('cleanup'):
            continue
        if k not in a or k not in b:
            print('only in %s: %s' % ('A' if k in a else 'B', k))
            diffs += 1
            continue
        ka, kb = key_fields(a[k]), key_fields(b[k])
        if 'queues' in a[k] and 'queues' in b[k]:
            # a quorum queue's new leader after a failover is any survivor: compare its state only
            ka['queues'] = {r: (None if v.get('type') == 'quorum' else v.get('node'), v.get('state'))
                            for r, v in a[k]['queues'].items()}
            kb['queues'] = {r: (None if v.get('type') == 'quorum' else v.get('node'), v.get('state'))
                            for r, v in b[k]['queues'].items()}
        if json.dumps(ka, sort_keys=True, default=str) != json.dumps(kb, sort_keys=True, default=str):
            diffs += 1
            print('DIFF %s\n  A: %s\n  B: %s' % (k, json.dumps(ka, sort_keys=True, default=str),
                                                json.dumps(kb, sort_keys=True, default=str)))
    print('%d difference(s)' % diffs)
    return 1 if diffs else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--ports', default='5701,5702,5703', help='AMQP ports of nodes 1,2,3')
    ap.add_argument('--kill-cmd', help="shell command, {node} = 1..3: kill that node at once (SIGKILL)")
    ap.add_argument('--restart-cmd', help="shell command, {node} = 1..3: start it again; returns once it listens")
    ap.add_argument('--queues-cmd', help="shell command, {node} = node to ask: lines 'NAME LOCATION STATE [TYPE]'")
    ap.add_argument('--env-cmd', action='append', help='extra shell command whose output is recorded (repeatable)')
    ap.add_argument('--node-names', help='comma-separated broker node names of nodes 1,2,3 (normalised in texts)')
    ap.add_argument('--rabbitmq-script', help='reference-rabbitmq-cluster.sh: sets the four commands and node names')
    ap.add_argument('--victim', type=int, default=2, help='node to kill (default 2)')
    ap.add_argument('--prefix', help='name prefix of every queue/exchange (default nl-RANDOM)')
    ap.add_argument('--out', help='also write the JSON lines to this file')
    ap.add_argument('--skip-placement', action='store_true')
    ap.add_argument('--placement-only', action='store_true')
    ap.add_argument('--q6-limit', type=float, default=90, help='seconds to wait for the 404 after the kill')
    ap.add_argument('--compare', nargs=2, metavar=('A', 'B'), help='compare two observation files and exit')
    ap.add_argument('-v', '--verbose', action='store_true', help="show pika's log")
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    if pika is None:
        print('SKIPPED: python3-pika is not installed (use /usr/bin/python3)', file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=logging.WARNING if args.verbose else logging.CRITICAL, stream=sys.stderr)
    if args.rabbitmq_script:
        s = shlex.quote(args.rabbitmq_script)
        base = int(os.environ.get('BASE', '5700'))
        args.kill_cmd = args.kill_cmd or s + ' kill9 {node}'
        args.restart_cmd = args.restart_cmd or s + ' restart {node}'
        args.queues_cmd = args.queues_cmd or s + ' ctl {node} list_queues name pid state type --no-table-headers --quiet'
        args.node_names = args.node_names or ','.join('c%d-%d@localhost' % (base, i) for i in (1, 2, 3))
        args.ports = ','.join(str(base + i) for i in (1, 2, 3)) if args.ports == '5701,5702,5703' else args.ports
        args.env_cmd = (args.env_cmd or []) + [
            s + " ctl 1 eval 'application:get_env(rabbit, queue_master_locator).'",
            s + " ctl 1 eval 'application:get_env(rabbit, queue_leader_locator).'"]
    if not args.placement_only and not (args.kill_cmd and args.restart_cmd):
        ap.error('--kill-cmd and --restart-cmd (or --rabbitmq-script) are needed unless --placement-only')
    Probe(args).run()


if __name__ == '__main__':
    main()
