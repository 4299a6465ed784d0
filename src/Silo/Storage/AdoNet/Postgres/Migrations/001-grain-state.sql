-- Grain storage schema, version 1 (PostgreSQL). Run once by PostgresGrainStorage, in a transaction holding the
-- migration advisory lock, in the first schema of the connection's search path, when grain_storage_schema does
-- not exist there yet.
--
-- grain_storage_schema: one row per migration applied; the highest version is the schema's version.
-- grain_state: one row per grain state record, keyed by (state name, grain key).
--   state_name, grain_key  COLLATE "C": compared and ordered byte for byte, as the broker compares names (ordinal)
--   payload     the state as GrainStateSerializer writes it: {"format":1,"state":{...}}. text, not jsonb: jsonb
--               reorders object keys, and the order of a vhost's exchanges and queues is kept
--   version     1 on the row's first write, plus one on every write after; a row that is cleared is deleted,
--               so a later write starts again at 1
--   updated_at  time of the last write, for people reading the database

CREATE TABLE grain_storage_schema (
    version     integer     NOT NULL PRIMARY KEY,
    description text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE grain_state (
    state_name text COLLATE "C" NOT NULL,
    grain_key  text COLLATE "C" NOT NULL,
    payload    text             NOT NULL,
    version    bigint           NOT NULL,
    updated_at timestamptz      NOT NULL,
    PRIMARY KEY (state_name, grain_key)
);

INSERT INTO grain_storage_schema (version, description) VALUES (1, 'grain_state: one row per (state name, grain key)');
