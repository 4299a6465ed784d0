#!/usr/bin/env python3
# Tutorial 2, "Work Queues": the producer. https://www.rabbitmq.com/tutorials/tutorial-two-python
import sys

import pika

from tutorial_env import connection_parameters, named

connection = pika.BlockingConnection(connection_parameters())
channel = connection.channel()

channel.queue_declare(queue=named('task_queue'), durable=True)

message = ' '.join(sys.argv[1:]) or "Hello World!"
channel.basic_publish(
    exchange='',
    routing_key=named('task_queue'),
    body=message,
    properties=pika.BasicProperties(
        # The tutorial writes pika.DeliveryMode.Persistent, which pika only has from 1.3;
        # Debian 12 ships pika 1.2. Both are delivery-mode 2.
        delivery_mode=pika.spec.PERSISTENT_DELIVERY_MODE
    ))
print(f" [x] Sent {message}")
connection.close()
