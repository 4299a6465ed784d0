"""Connection settings shared by the tutorial scripts in this folder.

The scripts are RabbitMQ's six official pika tutorials
(https://www.rabbitmq.com/tutorials), changed only where a test harness needs it:

* where to connect: ``AMQP_HOST`` / ``AMQP_PORT`` (and ``AMQP_USER``, ``AMQP_PASSWORD``,
  ``AMQP_VHOST``) from the environment, or ``--host H`` / ``--port P`` on the command
  line. Importing this module removes those two options from ``sys.argv``, so the
  tutorials keep reading their own positional arguments exactly as the originals do;
* ``named('hello')`` returns the tutorial's queue or exchange name, followed by
  ``TUTORIAL_SUFFIX`` when that is set, so runs against a shared broker do not collide
  with other users of the same names (empty by default: the official names);
* CTRL+C always raises KeyboardInterrupt, even in a process started in the background;
* bounded time: connection attempts and the AMQP handshake time out, and when
  ``TUTORIAL_MAX_SECONDS`` is set the process is ended by SIGALRM after that many
  seconds whatever the broker does, so no test run leaves a stray process behind.
"""

import os
import signal
import sys

import pika

_DEFAULT_PORT = 5672


def _take_option(argv, name):
    """Remove ``--name value`` or ``--name=value`` from argv; return value or None."""
    value = None
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i:i + 2]
            continue
        if arg.startswith(name + '='):
            value = arg[len(name) + 1:]
            del argv[i]
            continue
        i += 1
    return value


_host = _take_option(sys.argv, '--host') or os.environ.get('AMQP_HOST') or 'localhost'
_port = int(_take_option(sys.argv, '--port') or os.environ.get('AMQP_PORT') or _DEFAULT_PORT)

# CTRL+C (SIGINT) is how the harness, like a user, ends a consumer. A process started from a
# background job of a non-interactive shell inherits SIGINT ignored; take it back.
signal.signal(signal.SIGINT, signal.default_int_handler)

_max_seconds = os.environ.get('TUTORIAL_MAX_SECONDS')
if _max_seconds:
    # Default SIGALRM action terminates the process: a last resort against a broker
    # that accepts connections and then never answers.
    signal.alarm(max(1, int(float(_max_seconds))))


def connection_parameters():
    """pika.ConnectionParameters for the broker under test."""
    return pika.ConnectionParameters(
        host=_host,
        port=_port,
        virtual_host=os.environ.get('AMQP_VHOST', '/'),
        credentials=pika.PlainCredentials(
            os.environ.get('AMQP_USER', 'guest'), os.environ.get('AMQP_PASSWORD', 'guest')),
        connection_attempts=1,
        socket_timeout=5,
        stack_timeout=10,
        blocked_connection_timeout=30,
    )


def named(name):
    """The tutorial's queue or exchange name, plus TUTORIAL_SUFFIX when set."""
    return name + os.environ.get('TUTORIAL_SUFFIX', '')
