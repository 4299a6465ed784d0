#!/usr/bin/env python3
"""Small AMQP chores for run_tutorials.py, run as a separate process so that a broker that
never answers cannot hang the driver (pika's blocking calls have no time limit of their own).

    tutorial_admin.py message-count QUEUE     prints the queue's ready-message count (passive declare)
    tutorial_admin.py delete-queue NAME...    deletes queues (missing ones are fine)
    tutorial_admin.py delete-exchange NAME... deletes exchanges (missing ones are fine)
"""
import sys

import pika

from tutorial_env import connection_parameters


def main():
    command, names = sys.argv[1], sys.argv[2:]
    connection = pika.BlockingConnection(connection_parameters())
    try:
        for name in names:
            channel = connection.channel()
            try:
                if command == 'message-count':
                    result = channel.queue_declare(queue=name, passive=True)
                    print(result.method.message_count)
                elif command == 'delete-queue':
                    channel.queue_delete(queue=name)
                elif command == 'delete-exchange':
                    channel.exchange_delete(exchange=name)
                else:
                    sys.exit(f"unknown command {command!r}")
                channel.close()
            except pika.exceptions.ChannelClosedByBroker as error:
                # 404 NOT_FOUND on a delete means there is nothing left to clean up.
                if command == 'message-count' or error.reply_code != 404:
                    raise
    finally:
        if connection.is_open:
            connection.close()


if __name__ == '__main__':
    main()
