-- Grain storage schema, version 1 (SQLite). Run once by SqliteGrainStorage, in a transaction, on a database
-- whose grain_storage_schema table does not exist yet.
--
-- grain_storage_schema: one row per migration applied; the highest version is the schema's version.
-- grain_state: one row per grain state record, keyed by (state name, grain key) compared byte for byte.
--   payload     the state as GrainStateSerializer writes it: {"format":1,"state":{...}}
--   version     1 on the row's first write, plus one on every write after; a row that is cleared is deleted,
--               so a later write starts again at 1
--   updated_at  UTC time of the last write, ISO 8601 with milliseconds, for people reading the database
-- STRICT makes SQLite refuse values of the wrong type; WITHOUT ROWID stores rows in primary-key order, the only
-- order they are looked up in.

CREATE TABLE grain_storage_schema (
    version     INTEGER NOT NULL PRIMARY KEY,
    description TEXT    NOT NULL,
    applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE grain_state (
    state_name TEXT    NOT NULL,
    grain_key  TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (state_name, grain_key)
) STRICT, WITHOUT ROWID;

INSERT INTO grain_storage_schema (version, description) VALUES (1, 'grain_state: one row per (state name, grain key)');
