/**
 * Preload for an app process (NODE_OPTIONS="--require bench/diagnostics/mongo-timing.cjs"):
 * turns on the MongoDB driver's command monitoring for every MongoClient the process makes
 * (mongoose's included) and times each command by name and collection, as the app sees it
 * (queueing in the pool + the round trip + the database's work).
 *
 * SIGUSR2 writes a snapshot to $MONGO_TIMING_DIR/<pid>-<seq>.json and starts counting
 * afresh; the process's exit writes the last one. No app code changes.
 */
'use strict';
const Module = require('node:module');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.MONGO_TIMING_DIR || join(process.cwd(), 'mongo-timing');
let stats = new Map();
let seq = 0;

function record(key, durationMs) {
  let entry = stats.get(key);
  if (!entry) stats.set(key, (entry = []));
  entry.push(durationMs);
}

function percentile(sorted, p) {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

function snapshot() {
  const rows = [...stats.entries()].map(([key, durations]) => {
    const sorted = [...durations].sort((a, b) => a - b);
    const total = durations.reduce((a, b) => a + b, 0);
    return {
      command: key,
      count: durations.length,
      totalMs: Math.round(total),
      meanMs: Math.round((total / durations.length) * 100) / 100,
      p50Ms: Math.round(percentile(sorted, 50) * 100) / 100,
      p99Ms: Math.round(percentile(sorted, 99) * 100) / 100,
      maxMs: Math.round(sorted[sorted.length - 1] * 100) / 100,
    };
  });
  rows.sort((a, b) => b.totalMs - a.totalMs);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${process.pid}-${String(seq++).padStart(2, '0')}.json`),
    `${JSON.stringify(rows, null, 2)}\n`,
  );
  stats = new Map();
}

function instrument(MongoClient) {
  if (MongoClient.__benchTimed) return;
  MongoClient.__benchTimed = true;
  const connect = MongoClient.prototype.connect;
  MongoClient.prototype.connect = function (...args) {
    if (!this.__benchTimed) {
      this.__benchTimed = true;
      this.monitorCommands = true;
      const collections = new Map();
      this.on('commandStarted', (event) => {
        const target = event.command[event.commandName];
        collections.set(event.requestId, typeof target === 'string' ? target : '');
      });
      const done = (event) => {
        const collection = collections.get(event.requestId) || '';
        collections.delete(event.requestId);
        if (['hello', 'isMaster', 'ismaster', 'endSessions'].includes(event.commandName)) return;
        record(`${event.commandName} ${collection}`.trim(), event.duration);
      };
      this.on('commandSucceeded', done);
      this.on('commandFailed', done);
    }
    return connect.apply(this, args);
  };
}

const load = Module._load;
Module._load = function (request, ...rest) {
  const exported = load.call(this, request, ...rest);
  if (request === 'mongodb' && exported && typeof exported.MongoClient === 'function') instrument(exported.MongoClient);
  return exported;
};

process.on('SIGUSR2', snapshot);
process.on('exit', snapshot);
