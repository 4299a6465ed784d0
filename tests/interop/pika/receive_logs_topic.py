#!/usr/bin/env python3
# Tutorial 5, "Topics": the subscriber. https://www.rabbitmq.com/tutorials/tutorial-five-python
# CTRL+C ends it quietly, the way tutorial 1's receive.py does.
import os
import sys

import pika

from tutorial_env import connection_parameters, named


def main():
    connection = pika.BlockingConnection(connection_parameters())
    channel = connection.channel()

    channel.exchange_declare(exchange=named('topic_logs'), exchange_type='topic')

    result = channel.queue_declare('', exclusive=True)
    queue_name = result.method.queue

    binding_keys = sys.argv[1:]
    if not binding_keys:
        sys.stderr.write("Usage: %s [binding_key]...\n" % sys.argv[0])
        sys.exit(1)

    for binding_key in binding_keys:
        channel.queue_bind(
            exchange=named('topic_logs'), queue=queue_name, routing_key=binding_key)

    print(' [*] Waiting for logs. To exit press CTRL+C')

    def callback(ch, method, properties, body):
        print(f" [x] {method.routing_key}:{body}")

    channel.basic_consume(
        queue=queue_name, on_message_callback=callback, auto_ack=True)

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
