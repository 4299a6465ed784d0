import pika, json
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
for n in [166,167,168,169,170]:
    ch = conn.channel()
    name = "q"*n
    try: ch.queue_declare(name, arguments={"x-message-ttl": 315360000001})
    except pika.exceptions.ChannelClosedByBroker as e:
        t = e.reply_text; prefix = "PRECONDITION_FAILED - "
        body = t[len(prefix):]
        print(n, "newline" in t or ("\n" in t), body.index("{"), len(body.split("\n")[0]), repr(body[-60:]))
conn.close()
