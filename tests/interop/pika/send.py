#!/usr/bin/env python3
# Tutorial 1, "Hello World!": the producer. https://www.rabbitmq.com/tutorials/tutorial-one-python
import pika

from tutorial_env import connection_parameters, named

connection = pika.BlockingConnection(connection_parameters())
channel = connection.channel()

channel.queue_declare(queue=named('hello'))

channel.basic_publish(exchange='', routing_key=named('hello'), body='Hello World!')
print(" [x] Sent 'Hello World!'")
connection.close()
