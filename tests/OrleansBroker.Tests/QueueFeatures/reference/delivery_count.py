import pika, time
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
ch = conn.channel()
ch.queue_delete("qdc"); ch.queue_declare("qdc", durable=True, arguments={"x-queue-type": "quorum"})
ch.basic_publish("", "qdc", b"a"); ch.basic_publish("", "qdc", b"b", pika.BasicProperties(headers={"h": 1}))
seen = []
def on(chx, m, p, b):
    seen.append((b, m.redelivered, p.headers))
    if len(seen) < 6: chx.basic_nack(m.delivery_tag, requeue=True)
    else: chx.basic_ack(m.delivery_tag)
ch.basic_qos(prefetch_count=1)
tag = ch.basic_consume("qdc", on)
end = time.time() + 3
while time.time() < end and len(seen) < 6: conn.process_data_events(0.2)
ch.basic_cancel(tag)
for s in seen: print("consume", s)
for i in range(2):
    m, p, b = ch.basic_get("qdc"); print("get", b, m.redelivered, p.headers); ch.basic_nack(m.delivery_tag, requeue=True); time.sleep(0.2)
ch.queue_delete("qdc"); conn.close()
