import json, pika
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
for h in [{"CC": "k2"}, {"BCC": 5}, {"CC": ["k2", 5, "k3"]}, {"CC": [], "BCC": "x"}]:
    ch = conn.channel()
    try:
        ch.basic_publish("amq.direct", "k1", b"x", pika.BasicProperties(headers=h)); ch.queue_declare("", exclusive=True); r = "OK"; ch.close()
    except pika.exceptions.ChannelClosedByBroker as ex: r = [ex.reply_code, ex.reply_text]
    print(json.dumps({"headers": h, "result": r}))
conn.close()
