#!/usr/bin/env python3
# Tutorial 5, "Topics": the producer. https://www.rabbitmq.com/tutorials/tutorial-five-python
import sys

import pika

from tutorial_env import connection_parameters, named

connection = pika.BlockingConnection(connection_parameters())
channel = connection.channel()

channel.exchange_declare(exchange=named('topic_logs'), exchange_type='topic')

routing_key = sys.argv[1] if len(sys.argv) > 2 else 'anonymous.info'
message = ' '.join(sys.argv[2:]) or 'Hello World!'
channel.basic_publish(
    exchange=named('topic_logs'), routing_key=routing_key, body=message)
print(f" [x] Sent {routing_key}:{message}")
connection.close()
