#!/bin/sh
# Runs once, on the node that bootstraps the cluster (Patroni's post_bootstrap, given a connection URL):
# the application's role and database, TimescaleDB in it, and UTC as the database's time zone.
set -eu
psql -v ON_ERROR_STOP=1 "$1" -v user="$APP_USER" -v pw="$APP_PASSWORD" -v db="$APP_DB" <<'SQL'
CREATE ROLE :"user" WITH LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"user";
ALTER DATABASE :"db" SET timezone TO 'UTC';
\connect :"db"
CREATE EXTENSION IF NOT EXISTS timescaledb;
SQL
