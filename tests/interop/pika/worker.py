#!/usr/bin/env python3
# Tutorial 2, "Work Queues": the worker. https://www.rabbitmq.com/tutorials/tutorial-two-python
# Two changes from the tutorial, for the test harness: the "Waiting" line is printed once the
# consumer is registered (the tutorial prints it before basic_qos), and CTRL+C ends the worker
# quietly the way tutorial 1's receive.py does.
import os
import sys
import time

import pika

from tutorial_env import connection_parameters, named


def main():
    connection = pika.BlockingConnection(connection_parameters())
    channel = connection.channel()

    channel.queue_declare(queue=named('task_queue'), durable=True)

    def callback(ch, method, properties, body):
        print(f" [x] Received {body.decode()}")
        time.sleep(body.count(b'.'))
        print(" [x] Done")
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue=named('task_queue'), on_message_callback=callback)

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
