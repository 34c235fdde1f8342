#!/bin/sh
# The streaming replica: on first start, copies the primary with pg_basebackup -R (TimescaleDB's files
# included: it is all one data directory) through the slot the primary's init script made, then runs
# as a hot standby. Later starts find the data directory and just run.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -p 5432 -U replicator; do sleep 1; done
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  su-exec postgres env PGPASSWORD="$REPLICATION_PASSWORD" \
    pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U replicator -D "$PGDATA" -R -X stream -S replica_1 -P
fi
exec docker-entrypoint.sh postgres -c shared_preload_libraries=timescaledb -c hot_standby=on
