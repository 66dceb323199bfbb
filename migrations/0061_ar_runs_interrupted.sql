-- A script run that was stored as started but never completed (the server crashed or was killed
-- while it ran) is marked `interrupted` at the next start, instead of showing as running with exit
-- NULL for ever. Its block is then resumed as before (a pending add runs again, a delete finishes).
ALTER TABLE ar_runs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
