#!/usr/bin/env python3
# Tutorial 6, "RPC": the server. https://www.rabbitmq.com/tutorials/tutorial-six-python
# CTRL+C ends it quietly, the way tutorial 1's receive.py does.
import os
import sys

import pika

from tutorial_env import connection_parameters, named


def fib(n):
    if n == 0:
        return 0
    elif n == 1:
        return 1
    else:
        return fib(n - 1) + fib(n - 2)


def main():
    connection = pika.BlockingConnection(connection_parameters())
    channel = connection.channel()

    channel.queue_declare(queue=named('rpc_queue'))

    def on_request(ch, method, props, body):
        n = int(body)

        print(f" [.] fib({n})")
        response = fib(n)

        ch.basic_publish(exchange='',
                         routing_key=props.reply_to,
                         properties=pika.BasicProperties(correlation_id=props.correlation_id),
                         body=str(response))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue=named('rpc_queue'), on_message_callback=on_request)

    print(" [x] Awaiting RPC requests")
    channel.start_consuming()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('Interrupted')
        try:
            sys.exit(0)
        except SystemExit:
            os._exit(0)
