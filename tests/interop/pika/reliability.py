#!/usr/bin/env python3
"""The dead-lettering patterns of RabbitMQ's reliability guides, with pika, against a broker.

    /usr/bin/python3 tests/interop/pika/reliability.py [HOST:PORT]

* dlx-after-ttl: a queue with x-message-ttl and x-dead-letter-exchange; messages nobody consumes in
  time reach the dead-letter queue, in order, with x-death reason "expired" and x-first-death-*.
* retry-with-delay-queue: a worker rejects a message (requeue=False) into a delay queue (TTL, dead-lettering
  back to the work queue) and succeeds on the third attempt; x-death counts each death per queue and reason.

Queues and exchanges get a unique suffix and are deleted afterwards, so it can share a broker (the reference
RabbitMQ). Output: one "PASS name" or "FAIL name: reason" line per scenario and a last line "N passed,
N failed"; the exit status is non-zero when anything failed. Without pika it prints SKIPPED and exits 0,
unless INTEROP_REQUIRE_PIKA=1.
"""

import os
import sys
import time
import uuid

try:
    import pika
except ImportError:
    if os.environ.get('INTEROP_REQUIRE_PIKA') == '1':
        print('FAIL reliability: pika is not installed and INTEROP_REQUIRE_PIKA=1')
        print('0 passed, 2 failed')
        sys.exit(1)
    print('SKIPPED: pika is not installed (apt-get install python3-pika)')
    sys.exit(0)

TIMEOUT = 10.0


def connect(target):
    host, _, port = target.partition(':')
    return pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=int(port or 5672), credentials=pika.PlainCredentials('guest', 'guest'),
        connection_attempts=1, socket_timeout=5, stack_timeout=10))


def get_one(channel, queue, auto_ack=True):
    """basic.get until a message arrives or TIMEOUT passes."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        method, properties, body = channel.basic_get(queue, auto_ack=auto_ack)
        if method is not None:
            return method, properties, body
        time.sleep(0.02)
    raise AssertionError(f'no message reached {queue} within {TIMEOUT}s')


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def dlx_after_ttl(channel, suffix, created):
    dlx, dead, work = 'dlx' + suffix, 'dead' + suffix, 'ttl-work' + suffix
    channel.exchange_declare(dlx, 'fanout')
    created.append(('exchange', dlx))
    channel.queue_declare(dead)
    created.append(('queue', dead))
    channel.queue_bind(dead, dlx)
    channel.queue_declare(work, arguments={'x-message-ttl': 200, 'x-dead-letter-exchange': dlx})
    created.append(('queue', work))
    channel.confirm_delivery()
    for n in range(3):
        channel.basic_publish('', work, f'order {n}'.encode(), pika.BasicProperties(delivery_mode=2))
    for n in range(3):
        method, properties, body = get_one(channel, dead)
        expect(body == f'order {n}'.encode(), f'expected order {n} in the dead-letter queue, got {body!r}')
        expect(method.routing_key == work, f'dead-lettered with routing key {method.routing_key!r}')
        death = properties.headers['x-death'][0]
        expect(text(death['reason']) == 'expired', f"x-death reason {death['reason']!r}")
        expect(text(death['queue']) == work, f"x-death queue {death['queue']!r}")
        expect(death['count'] == 1, f"x-death count {death['count']!r}")
        expect(text(properties.headers['x-first-death-reason']) == 'expired', 'x-first-death-reason')
    method, _, _ = channel.basic_get(work, auto_ack=True)
    expect(method is None, 'an expired message was still delivered from the work queue')


def retry_with_delay_queue(channel, suffix, created):
    work, delay = 'retry-work' + suffix, 'retry-delay' + suffix
    channel.queue_declare(work, arguments={'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': delay})
    created.append(('queue', work))
    channel.queue_declare(delay, arguments={'x-message-ttl': 100, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': work})
    created.append(('queue', delay))
    channel.basic_publish('', work, b'flaky job', pika.BasicProperties(message_id='job-1'))
    for attempt in range(1, 4):
        method, properties, body = get_one(channel, work, auto_ack=False)
        expect(body == b'flaky job', f'attempt {attempt} got {body!r}')
        deaths = (properties.headers or {}).get('x-death', [])
        retries = sum(d['count'] for d in deaths if text(d['reason']) == 'rejected')
        expect(retries == attempt - 1, f'attempt {attempt} saw {retries} earlier rejections in x-death')
        if attempt < 3:
            channel.basic_reject(method.delivery_tag, requeue=False)
        else:
            channel.basic_ack(method.delivery_tag)
            expect(properties.message_id == 'job-1', 'message_id was not kept')
            by_queue = {(text(d['queue']), text(d['reason'])): d['count'] for d in deaths}
            expect(by_queue == {(work, 'rejected'): 2, (delay, 'expired'): 2}, f'x-death {by_queue}')
            expect(text(properties.headers['x-first-death-reason']) == 'rejected', 'x-first-death-reason')
            expect(text(properties.headers['x-first-death-queue']) == work, 'x-first-death-queue')


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else f"{os.environ.get('AMQP_HOST', 'localhost')}:{os.environ.get('AMQP_PORT', '5672')}"
    passed = failed = 0
    for name, scenario in [('dlx-after-ttl', dlx_after_ttl), ('retry-with-delay-queue', retry_with_delay_queue)]:
        suffix = '-' + uuid.uuid4().hex[:8]
        created = []
        try:
            connection = connect(target)
        except Exception as error:  # noqa: BLE001 - any failure to connect fails the scenario
            print(f'FAIL {name}: cannot connect to {target}: {error}')
            failed += 1
            continue
        try:
            scenario(connection.channel(), suffix, created)
            print(f'PASS {name}')
            passed += 1
        except Exception as error:  # noqa: BLE001 - report and go on with the next scenario
            print(f'FAIL {name}: {type(error).__name__}: {error}')
            failed += 1
        finally:
            try:
                cleanup = connection.channel()
                for kind, entity in reversed(created):
                    if kind == 'queue':
                        cleanup.queue_delete(entity)
                    else:
                        cleanup.exchange_delete(entity)
                connection.close()
            except Exception:  # noqa: BLE001 - best effort
                pass
    print(f'{passed} passed, {failed} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
