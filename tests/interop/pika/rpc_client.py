#!/usr/bin/env python3
# Tutorial 6, "RPC": the client. https://www.rabbitmq.com/tutorials/tutorial-six-python
# Two additions for the test harness: the numbers to ask for come from the command line
# (default 30, as in the tutorial), and a reply whose correlation_id is not the one
# awaited is reported instead of being dropped silently.
import sys
import uuid

import pika

from tutorial_env import connection_parameters, named


class FibonacciRpcClient(object):

    def __init__(self):
        self.connection = pika.BlockingConnection(connection_parameters())

        self.channel = self.connection.channel()

        result = self.channel.queue_declare(queue='', exclusive=True)
        self.callback_queue = result.method.queue

        self.channel.basic_consume(
            queue=self.callback_queue,
            on_message_callback=self.on_response,
            auto_ack=True)

        self.response = None
        self.corr_id = None

    def on_response(self, ch, method, props, body):
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
                reply_to=self.callback_queue,
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
