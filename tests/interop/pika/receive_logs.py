#!/usr/bin/env python3
# Tutorial 3, "Publish/Subscribe": the subscriber. https://www.rabbitmq.com/tutorials/tutorial-three-python
# CTRL+C ends it quietly, the way tutorial 1's receive.py does.
import os
import sys

import pika

from tutorial_env import connection_parameters, named


def main():
    connection = pika.BlockingConnection(connection_parameters())
    channel = connection.channel()

    channel.exchange_declare(exchange=named('logs'), exchange_type='fanout')

    result = channel.queue_declare(queue='', exclusive=True)
    queue_name = result.method.queue

    channel.queue_bind(exchange=named('logs'), queue=queue_name)

    print(' [*] Waiting for logs. To exit press CTRL+C')

    def callback(ch, method, properties, body):
        print(f" [x] {body}")

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
