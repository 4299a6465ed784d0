#!/usr/bin/env python3
# Tutorial 6's RPC client with direct reply-to instead of a reply queue, as RabbitMQ's
# "Direct Reply-to" page describes it: consume the pseudo-queue amq.rabbitmq.reply-to in no-ack
# mode, then publish requests with reply_to = amq.rabbitmq.reply-to; the broker gives each request a
# reply name that leads back to this channel. Works with the unchanged rpc_server.py. The numbers
# come from the command line; a reply with another correlation_id, or a reply_to that was not
# rewritten, is reported.
import sys
import uuid

import pika

from tutorial_env import connection_parameters, named


class FibonacciRpcClient(object):

    def __init__(self):
        self.connection = pika.BlockingConnection(connection_parameters())
        self.channel = self.connection.channel()
        self.channel.basic_consume(
            queue='amq.rabbitmq.reply-to',
            on_message_callback=self.on_response,
            auto_ack=True)
        self.response = None
        self.corr_id = None

    def on_response(self, ch, method, props, body):
        if not method.routing_key.startswith('amq.rabbitmq.reply-to.'):
            print(f" [!] A reply came with routing key {method.routing_key!r}")
        if self.corr_id == props.correlation_id:
            self.response = body
        else:
            print(f" [!] Ignored a reply with correlation_id {props.correlation_id!r}: {body}")

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key=named('rpc_queue'),
            properties=pika.BasicProperties(
                reply_to='amq.rabbitmq.reply-to',
                correlation_id=self.corr_id,
            ),
            body=str(n))
        while self.response is None:
            self.connection.process_data_events(time_limit=None)
        return int(self.response)


fibonacci_rpc = FibonacciRpcClient()

for n in [int(arg) for arg in sys.argv[1:]] or [30]:
    print(f" [x] Requesting fib({n})")
    response = fibonacci_rpc.call(n)
    print(f" [.] Got {response}")

fibonacci_rpc.connection.close()
