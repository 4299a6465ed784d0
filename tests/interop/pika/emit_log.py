#!/usr/bin/env python3
# Tutorial 3, "Publish/Subscribe": the producer. https://www.rabbitmq.com/tutorials/tutorial-three-python
import sys

import pika

from tutorial_env import connection_parameters, named

connection = pika.BlockingConnection(connection_parameters())
channel = connection.channel()

channel.exchange_declare(exchange=named('logs'), exchange_type='fanout')

message = ' '.join(sys.argv[1:]) or "info: Hello World!"
channel.basic_publish(exchange=named('logs'), routing_key='', body=message)
print(f" [x] Sent {message}")
connection.close()
