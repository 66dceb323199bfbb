// A worker thread of a command run from the CLI bundle (replay's reader thread): the same bundle,
// with its code cache (run-bundle.js), whose entry sees the thread's role in workerData.
'use strict';

const { workerData } = require('node:worker_threads');

require('./run-bundle.js')(workerData.bundle, { store: false });
