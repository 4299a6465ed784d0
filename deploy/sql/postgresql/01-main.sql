-- OrleansBroker on PostgreSQL, script 1 of the set in this folder: what every Orleans ADO.NET provider shares.
--
-- OrleansQuery holds the SQL Orleans' ADO.NET providers run: each reads its rows by QueryKey when it starts and
-- issues no other SQL. Later scripts insert their provider's queries here.
--
-- Idempotent: the broker runs every script of this folder, in file name order and in one transaction, each time it
-- starts with --postgres; deploy/sql/README.md gives the psql command that does the same by hand.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
