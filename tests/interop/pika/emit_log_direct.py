#!/usr/bin/env python3
# Tutorial 4, "Routing": the producer. https://www.rabbitmq.com/tutorials/tutorial-four-python
import sys

import pika

from tutorial_env import connection_parameters, named

connection = pika.BlockingConnection(connection_parameters())
channel = connection.channel()

channel.exchange_declare(exchange=named('direct_logs'), exchange_type='direct')

severity = sys.argv[1] if len(sys.argv) > 1 else 'info'
message = ' '.join(sys.argv[2:]) or 'Hello World!'
channel.basic_publish(
    exchange=named('direct_logs'), routing_key=severity, body=message)
print(f" [x] Sent {severity}:{message}")
connection.close()
