#!/usr/bin/env python3
"""The AMQP side of the Orleans client app sample, with pika (Debian: apt-get install python3-pika).

Publishes COUNT "payment N received" messages to the queue the Orleans app consumes, then consumes COUNT messages the
Orleans app published to its topic exchange, through a queue bound to it. Declares the same durable exchange and
queues as the app (SampleTopology.cs), so either side may start first.

    python3 samples/OrleansClientApp/amqp_peer.py [--host HOST] [--port PORT] [--count COUNT]
"""
import argparse
import sys

import pika

EXCHANGE = "sample.events"
FROM_ORLEANS = "sample.from-orleans"
TO_ORLEANS = "sample.to-orleans"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=5672)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the Orleans app's messages")
    args = parser.parse_args()

    connection = pika.BlockingConnection(pika.ConnectionParameters(args.host, args.port))
    channel = connection.channel()
    channel.exchange_declare(EXCHANGE, "topic", durable=True)
    channel.queue_declare(FROM_ORLEANS, durable=True)
    channel.queue_bind(FROM_ORLEANS, EXCHANGE, "orders.#")
    channel.queue_declare(TO_ORLEANS, durable=True)

    for i in range(1, args.count + 1):
        properties = pika.BasicProperties(content_type="text/plain", delivery_mode=2, correlation_id=f"payment-{i}")
        channel.basic_publish("", TO_ORLEANS, f"payment {i} received".encode(), properties)
        print(f"published to {TO_ORLEANS}: payment {i} received", flush=True)

    received = 0
    for method, properties, body in channel.consume(FROM_ORLEANS, inactivity_timeout=args.timeout):
        if method is None:
            print(f"no message from the Orleans app within {args.timeout} s", file=sys.stderr)
            return 1
        print(f"received from Orleans: {body.decode()} (content type {properties.content_type}, "
              f"correlation id {properties.correlation_id}, headers {properties.headers})", flush=True)
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received == args.count:
            break

    channel.cancel()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
