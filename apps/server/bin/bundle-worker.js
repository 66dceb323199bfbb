// A worker thread of a command run from the CLI bundle (replay's reader thread): the same bundle,
// with its code cache (run-bundle.js), whose entry (cli.ts) finds the thread's role in workerData,
// left under a symbol so the main thread's start need not load node:worker_threads to ask.
'use strict';

const { workerData } = require('node:worker_threads');

globalThis[Symbol.for('portcullis.workerData')] = workerData;
require('./run-bundle.js')(workerData.bundle, { store: false });
