// The SQLite database: opened once, migrated before anything else touches it, closed last.
import fp from 'fastify-plugin';
import { openDatabase, type Db } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { WriteTurns, withWriteTurns } from '../db/write-turns.js';
import { makeTreePrivate } from '../db/private-files.js';
import { migrationsDir } from '../paths.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** The write lock's turns between this connection and the ingest thread's (db/write-turns.ts). */
    writeTurns: WriteTurns;
  }
}

export default fp(
  async (app) => {
    const db = openDatabase(app.config.dbPath);
    // State written by earlier versions or other tools under a looser umask (logs/, snapshots).
    const notPrivate = makeTreePrivate(app.config.dataDir);
    if (notPrivate.length > 0) app.log.warn({ paths: notPrivate }, `cannot make these private to the owner: ${notPrivate.join('; ')}`);
    try {
      const applied = migrate(db, migrationsDir);
      if (applied.length > 0) app.log.info({ applied }, `database migrated: ${applied.join(', ')}`);
    } catch (err) {
      db.close();
      throw err;
    }
    // From here on every write of the event loop takes its turn with the ingest thread's.
    const turns = new WriteTurns();
    withWriteTurns(db, () => turns.enter(), () => turns.leave());
    app.decorate('db', db);
    app.decorate('writeTurns', turns);
    app.addHook('onClose', async () => {
      db.close();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
