#!/bin/sh
# Runs once, when the primary's data directory is created (/docker-entrypoint-initdb.d): a role the
# replica streams WAL with, and the pg_hba.conf line that lets it (the image's own lines do not cover
# the "replication" pseudo-database). UTC as the database's own time zone: through PgBouncer tm sends no
# TimeZone option (docs/replicas-and-pooling.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'pw';
SELECT pg_create_physical_replication_slot('replica_1');
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "ALTER DATABASE \"$POSTGRES_DB\" SET timezone TO 'UTC'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
