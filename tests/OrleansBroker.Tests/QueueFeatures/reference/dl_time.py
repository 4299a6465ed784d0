import sys, json, time, pika
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
ch = conn.channel()
ch.queue_delete("q4t"); ch.queue_declare("q4t", arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "q4t"})
ch.basic_publish("", "q4t", b"body")
for i in range(3):
    time.sleep(1.2)
    m,p,b = ch.basic_get("q4t"); ch.basic_reject(m.delivery_tag, requeue=False); time.sleep(0.1)
    m,p,b = ch.basic_get("q4t"); print(p.headers["x-death"]); ch.basic_nack(m.delivery_tag, requeue=True)
ch.queue_delete("q4t"); conn.close()
