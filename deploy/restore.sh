#!/bin/sh
# Restore a backup made by deploy/backup.sh into a FRESH database (and, if the backup has one, a fresh
# MEDIA_ROOT). It refuses a target database that already holds tables: restoring over live data would mix
# two states of the portal.
#
#   createdb -h host -U user unionportal_restored
#   deploy/restore.sh BACKUP_FOLDER postgres://user@host:5432/unionportal_restored
#   MEDIA_ROOT=/srv/portal/media deploy/restore.sh ...   # also unpack media.tar.gz there (must be empty)
#
# Objects are created owned by the restoring role (--no-owner); grant the application role afterwards, as
# at installation (README, "Deploying"). The restore is one transaction: it lands whole or not at all.
set -eu

die() { echo "restore: $*" >&2; exit "${2:-1}"; }

[ $# -eq 2 ] || die "usage: deploy/restore.sh BACKUP_FOLDER TARGET_DATABASE_URL" 2
backup=$1
target=$2
[ -f "$backup/database.dump" ] || die "$backup has no database.dump: not a backup made by deploy/backup.sh" 2
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || die "the files in $backup do not match SHA256SUMS" 2

# Anything the application could have created: tables, sequences, views, in any non-system schema.
existing=$(psql --no-psqlrc --tuples-only --no-align --dbname="$target" --command="
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'") ||
    die "cannot connect to the target database"
if [ "$existing" != "0" ]; then
    die "refused: the target database is not empty ($existing tables, sequences or views). Restore only into a fresh database: createdb NEW_NAME, then run this again with its URL." 3
fi

media=${MEDIA_ROOT:-}
if [ -f "$backup/media.tar.gz" ] && [ -n "$media" ]; then
    if [ -d "$media" ] && [ -n "$(find "$media" -mindepth 1 -print -quit)" ]; then
        die "refused: MEDIA_ROOT $media is not empty. Point MEDIA_ROOT at a fresh folder." 3
    fi
fi

pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$target" "$backup/database.dump"

if [ -f "$backup/media.tar.gz" ]; then
    if [ -n "$media" ]; then
        mkdir -p "$media"
        tar -xzf "$backup/media.tar.gz" -C "$media"
        echo "restore: files from before the database storage unpacked into $media"
    else
        echo "restore: the backup also has media.tar.gz (files from before import_media); set MEDIA_ROOT to unpack it" >&2
    fi
fi
echo "restore: $backup restored into the target database"
