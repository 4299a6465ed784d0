#!/usr/bin/env python3
# Tutorial 1, "Hello World!": the consumer. https://www.rabbitmq.com/tutorials/tutorial-one-python
import os
import sys

import pika

from tutorial_env import connection_parameters, named


def main():
    connection = pika.BlockingConnection(connection_parameters())
    channel = connection.channel()

    channel.queue_declare(queue=named('hello'))

    def callback(ch, method, properties, body):
        print(f" [x] Received {body}")

    channel.basic_consume(queue=named('hello'), on_message_callback=callback, auto_ack=True)

    print(' [*] Waiting for messages. To exit press CTRL+C')
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
