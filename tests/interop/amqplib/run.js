#!/usr/bin/env node
// amqplib (the Node.js AMQP 0-9-1 client, unchanged from npm) against a broker.
//
//     node tests/interop/amqplib/run.js [HOST:PORT]
//
// The target comes from the argument, else AMQP_HOST / AMQP_PORT, else localhost:5672. Checks:
//   - close after a burst: publish a burst on a confirm channel and call connection.close() at once (every other
//     round after the confirms came), 20 times.
//     amqplib writes connection.close on channel 0 ahead of the publishes still queued in the channel's buffer,
//     so it is still writing when close-ok comes back; a broker that closes the socket then gives the client a
//     reset (EPIPE / ECONNRESET) as an 'error' event. Every close must resolve with no 'error' event, and every
//     message confirmed before the close must be in the queue.
//   - the same with the callback API (amqplib/callback_api), whose own tests hung on that reset.
//   - a publish / consume / ack round trip: bodies, order and properties as sent, and the acks take effect.
// Output: one "PASS name: ..." or "FAIL name: reason" line per check, then "N passed, N failed"; exit status 1
// when anything failed. Without amqplib installed (npm ci in this folder) it prints SKIPPED and exits 0, unless
// INTEROP_REQUIRE_AMQPLIB=1, which CI sets. Queue names are unique and deleted afterwards, so a shared broker
// (the reference RabbitMQ) is fine. Every check is bounded in time.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');

const CHECK_TIMEOUT_MS = 60_000;
const CLOSE_ROUNDS = 20;
const CALLBACK_CLOSE_ROUNDS = 5;
const BURST = 2000;
const BODY = Buffer.alloc(1024, 'x');
const ROUND_TRIP_MESSAGES = 200;

function target() {
  const arg = process.argv[2];
  const [host, port] = arg ? arg.split(':') : [process.env.AMQP_HOST || 'localhost', process.env.AMQP_PORT || '5672'];
  if (!host || !/^\d+$/.test(port || '')) {
    console.error(`target must be HOST:PORT, got ${arg}`);
    process.exit(2);
  }
  return { host, port: Number(port) };
}

function loadAmqplib() {
  try {
    return { amqp: require('amqplib'), callbackApi: require('amqplib/callback_api') };
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return null;
  }
}

function uniqueName(prefix) {
  return `${prefix}.interop-${crypto.randomBytes(4).toString('hex')}`;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function fail(message) {
  throw new Error(message);
}

/** Records 'error' events of a connection and its channels, and how the connection closed. */
function watch(connection) {
  const seen = { errors: [], closed: false, closeError: undefined };
  connection.on('error', (e) => seen.errors.push(`connection error: ${e.message} (${e.code})`));
  connection.on('close', (e) => {
    seen.closed = true;
    seen.closeError = e;
  });
  return seen;
}

/**
 * connection.close() and its 'close' event. amqplib resolves close() only on close-ok: when the socket goes first
 * (a reset) it emits 'error' and 'close' and close() never settles, so the event ends the wait too.
 */
async function closeConnection(connection, seen, round, close = () => connection.close()) {
  const closing = close().then(() => 'close-ok');
  const socketGone = new Promise((resolve) => connection.once('close', () => setImmediate(() => resolve('socket'))));
  const first = await Promise.race([closing, socketGone]);
  if (first !== 'close-ok') fail(`round ${round}: the connection closed without close-ok: ${seen.errors.join('; ') || 'no error given'}`);
  assertCleanClose(seen, round);
}

function assertCleanClose(seen, round) {
  if (seen.errors.length > 0) fail(`round ${round}: ${seen.errors.join('; ')}`);
  if (!seen.closed) fail(`round ${round}: close() resolved but no 'close' event`);
  if (seen.closeError) fail(`round ${round}: closed with ${seen.closeError.message}`);
}

/** Messages ready in a queue, then the queue deleted. */
async function countAndDelete(amqp, url, queue) {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.deleteQueue(queue);
    return messageCount;
  } finally {
    await connection.close();
  }
}

async function declareQueue(amqp, url, queue) {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
  } finally {
    await connection.close();
  }
}

async function closeAfterBurst({ amqp }, url) {
  const queue = uniqueName('amqplib-close');
  await declareQueue(amqp, url, queue);
  let confirmed = 0;
  let published = 0;
  let held;
  try {
    for (let round = 1; round <= CLOSE_ROUNDS; round++) {
      const connection = await amqp.connect(url);
      const seen = watch(connection);
      const channel = await connection.createConfirmChannel();
      channel.on('error', (e) => seen.errors.push(`channel error: ${e.message}`));
      for (let i = 0; i < BURST; i++) {
        // Confirms that arrive before the close count; the rest fail with "channel closed", which is fine.
        channel.publish('', queue, BODY, {}, (err) => {
          if (err === null) confirmed++;
        });
        published++;
      }
      // Every other round waits for the confirms first, so that some messages are known to be in the queue.
      if (round % 2 === 0) await channel.waitForConfirms();
      await closeConnection(connection, seen, round);
    }
  } finally {
    held = await countAndDelete(amqp, url, queue);
  }
  if (held < confirmed || held > published) {
    fail(`the queue holds ${held} messages; ${confirmed} were confirmed of ${published} published`);
  }
  return `${CLOSE_ROUNDS} closes after ${BURST} publishes each, no error; ${confirmed} confirmed, ${held} in the queue`;
}

async function closeAfterBurstWithCallbacks({ amqp, callbackApi }, url) {
  const queue = uniqueName('amqplib-close-callback');
  await declareQueue(amqp, url, queue);
  try {
    for (let round = 1; round <= CALLBACK_CLOSE_ROUNDS; round++) {
      const connection = await promisify(callbackApi.connect)(url);
      const seen = watch(connection);
      const channel = await promisify(connection.createConfirmChannel.bind(connection))();
      channel.on('error', (e) => seen.errors.push(`channel error: ${e.message}`));
      for (let i = 0; i < BURST; i++) {
        channel.publish('', queue, BODY, {}, () => {});
      }
      await closeConnection(connection, seen, round, promisify(connection.close.bind(connection)));
    }
  } finally {
    await countAndDelete(amqp, url, queue);
  }
  return `${CALLBACK_CLOSE_ROUNDS} closes after ${BURST} publishes each, no error`;
}

async function roundTrip({ amqp }, url) {
  const connection = await amqp.connect(url);
  const seen = watch(connection);
  try {
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.prefetch(10);
    for (let i = 0; i < ROUND_TRIP_MESSAGES; i++) {
      channel.sendToQueue(queue, Buffer.from(`message ${i}`), {
        contentType: 'text/plain',
        messageId: `id-${i}`,
        headers: { index: i, tag: 'interop' },
      });
    }

    const received = [];
    await new Promise((resolve, reject) => {
      channel
        .consume(queue, (message) => {
          received.push(message);
          channel.ack(message);
          if (received.length === ROUND_TRIP_MESSAGES) resolve();
        })
        .catch(reject);
    });
    received.forEach((message, i) => {
      const body = message.content.toString();
      const { contentType, messageId, headers } = message.properties;
      if (body !== `message ${i}`) fail(`delivery ${i} has body '${body}'`);
      if (contentType !== 'text/plain' || messageId !== `id-${i}` || headers.index !== i || headers.tag !== 'interop') {
        fail(`delivery ${i} has properties ${JSON.stringify(message.properties)}`);
      }
      if (message.fields.redelivered) fail(`delivery ${i} is marked redelivered`);
    });

    // Acks have no reply: closing the channel would requeue whatever they did not settle.
    await channel.close();
    const check = await connection.createChannel();
    const { messageCount } = await check.checkQueue(queue);
    if (messageCount !== 0) fail(`${messageCount} messages back in the queue after all were acked`);
    if (seen.errors.length > 0) fail(seen.errors.join('; '));
    return `${ROUND_TRIP_MESSAGES} messages published, consumed in order with their properties, acked`;
  } finally {
    await connection.close();
  }
}

const CHECKS = [
  ['close after a burst', closeAfterBurst],
  ['close after a burst (callback API)', closeAfterBurstWithCallbacks],
  ['publish/consume/ack round trip', roundTrip],
];

async function main() {
  const { host, port } = target();
  const client = loadAmqplib();
  if (!client) {
    const message = 'amqplib is not installed (cd tests/interop/amqplib && npm ci)';
    if (process.env.INTEROP_REQUIRE_AMQPLIB === '1') {
      console.log(`FAILED: ${message}, and INTEROP_REQUIRE_AMQPLIB=1`);
      console.log('0 passed, 1 failed');
      return 1;
    }
    console.log(`SKIPPED: ${message}`);
    return 0;
  }

  // amqplib's exports do not include its package.json; read it beside the entry point.
  const manifest = path.join(path.dirname(require.resolve('amqplib')), 'package.json');
  const version = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  const url = `amqp://guest:guest@${host}:${port}/`;
  console.log(`amqplib ${version} on Node.js ${process.versions.node} against ${host}:${port}`);
  let passed = 0;
  let failed = 0;
  for (const [name, check] of CHECKS) {
    const started = Date.now();
    const took = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    try {
      const summary = await withTimeout(check(client, url), CHECK_TIMEOUT_MS, name);
      console.log(`PASS ${name}: ${summary} (${took()})`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${name}: ${e.message} (${took()})`);
      failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.log(`FAIL amqplib driver: ${e.stack || e}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
