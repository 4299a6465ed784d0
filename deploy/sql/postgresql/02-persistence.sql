-- OrleansBroker on PostgreSQL, script 2: grain state, for Orleans' ADO.NET grain storage provider
-- (Microsoft.Orleans.Persistence.AdoNet), which the broker registers as its "broker" storage with --postgres.
-- Needs 01-main.sql first. Idempotent, like every script here.
--
-- The provider names a state record by these parameters, and our queries below keep them as columns:
--   @ServiceId               ClusterOptions.ServiceId as the provider sees it; the broker pins it to 'orleansbroker'
--   @GrainTypeString         the state's name: 'vhost', 'exchange', 'queue' (Orleans passes the state name here)
--   @GrainIdN0, @GrainIdN1   a Guid or integer grain key; 0 and 0 for the broker's string keys
--   @GrainIdExtensionString  the string key ('%2F/orders': vhost percent-encoded, '/', name), or a key extension
--   @GrainIdHash, @GrainTypeHash  hashes of the above, for tables without a usable key; unused: ours has one
--   @GrainStateVersion       the ETag the grain holds: NULL when it read no record
-- The queries must return columns named PayloadBinary and Version (read), NewGrainStateVersion (write, clear,
-- delete): the provider reads them by name. A write or clear that finds no row at the expected version returns no
-- row (or the old version), which the provider reports as an InconsistentStateException.

-- The state is stored as text so that people can read it (the provider hands bytes; the queries convert). Our
-- serializer writes names unescaped, so every character a client can name must fit the database's encoding.
DO $check$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'OrleansBroker keeps grain state as UTF-8 text, but database "%" is encoded %: use a database created with ENCODING ''UTF8''',
            current_database(), current_setting('server_encoding');
    END IF;
END
$check$;

-- One row per grain state record.
--   payload      the state as OrleansBroker's GrainStateSerializer writes it: {"format":1,"state":{...}}, the
--                same text as the embedded SQLite store's grain_state.payload. text, not jsonb: jsonb reorders
--                object keys, and the order of a vhost's exchanges and queues is kept. NULL only after a clear by
--                a provider configured to keep cleared rows; the broker's deletes them.
--   version      the record's ETag: 1 on insert, plus one on every write or clear.
--   modified_at  time of the last write, for people reading the table.
-- COLLATE "C": names compare and sort byte for byte, as the broker compares them (ordinal).
CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id  text COLLATE "C" NOT NULL,
    state_name  text COLLATE "C" NOT NULL,
    grain_id_n0 bigint           NOT NULL,
    grain_id_n1 bigint           NOT NULL,
    grain_key   text COLLATE "C" NOT NULL,
    payload     text,
    version     integer          NOT NULL,
    modified_at timestamptz      NOT NULL,

    -- A real key, unlike Orleans' stock OrleansStorage table: it finds a row without hashes, and two activations
    -- inserting the same record at once cannot both succeed. A NULL extension string is stored as ''.
    CONSTRAINT orleans_grain_state_key PRIMARY KEY (service_id, state_name, grain_key, grain_id_n0, grain_id_n1)
);

-- Existing rows are left as they are, so a query edited in place by an operator survives a restart; a later release
-- that changes a query ships a script that updates its row.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadFromStorageKey',
    $query$
    SELECT
        convert_to(payload, 'UTF8') AS PayloadBinary,
        version AS Version
    FROM orleans_grain_state
    WHERE service_id = @ServiceId
        AND state_name = @GrainTypeString
        AND grain_key = COALESCE(@GrainIdExtensionString, '')
        AND grain_id_n0 = @GrainIdN0
        AND grain_id_n1 = @GrainIdN1
    $query$
),
(
    'WriteToStorageKey',
    $query$
    WITH updated AS
    (
        UPDATE orleans_grain_state
        SET
            payload = convert_from(@PayloadBinary, 'UTF8'),
            version = version + 1,
            modified_at = now()
        WHERE service_id = @ServiceId
            AND state_name = @GrainTypeString
            AND grain_key = COALESCE(@GrainIdExtensionString, '')
            AND grain_id_n0 = @GrainIdN0
            AND grain_id_n1 = @GrainIdN1
            AND version = @GrainStateVersion
        RETURNING version
    ),
    inserted AS
    (
        INSERT INTO orleans_grain_state (service_id, state_name, grain_key, grain_id_n0, grain_id_n1, payload, version, modified_at)
        SELECT @ServiceId, @GrainTypeString, COALESCE(@GrainIdExtensionString, ''), @GrainIdN0, @GrainIdN1,
            convert_from(@PayloadBinary, 'UTF8'), 1, now()
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT ON CONSTRAINT orleans_grain_state_key DO NOTHING
        RETURNING version
    )
    SELECT version AS NewGrainStateVersion FROM updated
    UNION ALL
    SELECT version AS NewGrainStateVersion FROM inserted
    $query$
),
(
    'ClearStorageKey',
    $query$
    UPDATE orleans_grain_state
    SET
        payload = NULL,
        version = version + 1,
        modified_at = now()
    WHERE service_id = @ServiceId
        AND state_name = @GrainTypeString
        AND grain_key = COALESCE(@GrainIdExtensionString, '')
        AND grain_id_n0 = @GrainIdN0
        AND grain_id_n1 = @GrainIdN1
        AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion
    $query$
),
(
    'DeleteStorageKey',
    $query$
    DELETE FROM orleans_grain_state
    WHERE service_id = @ServiceId
        AND state_name = @GrainTypeString
        AND grain_key = COALESCE(@GrainIdExtensionString, '')
        AND grain_id_n0 = @GrainIdN0
        AND grain_id_n1 = @GrainIdN1
        AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion
    $query$
)
ON CONFLICT (QueryKey) DO NOTHING;
