#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump, custom format), which holds the stored files too
# (README, "Stored files"), plus whatever still lies under MEDIA_ROOT from before `import_media`.
#
#   DATABASE_URL=postgres://user@host:5432/unionportal deploy/backup.sh [BACKUP_ROOT]
#
# Writes BACKUP_ROOT/unionportal-<UTC time>/ with database.dump, media.tar.gz (only if MEDIA_ROOT holds
# files) and SHA256SUMS, and prints that folder. BACKUP_ROOT defaults to $BACKUP_DIR, else ./backups.
# The dump is one consistent snapshot (a single repeatable-read transaction): files and the rows that point
# at them are from the same instant. Exits non-zero, leaving no folder behind, if anything fails.
set -eu

die() { echo "backup: $*" >&2; exit 1; }

: "${DATABASE_URL:?backup: set DATABASE_URL (postgres://user@host:port/name)}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) die "DATABASE_URL must be a postgres:// URL; the embedded SQLite default is backed up by copying var/." ;;
esac
root=${1:-${BACKUP_DIR:-./backups}}
media=${MEDIA_ROOT:-${VAR_DIR:-./var}/media}
dir="$root/unionportal-$(date -u +%Y%m%dT%H%M%SZ)"

mkdir -p "$root"
[ ! -e "$dir" ] || die "$dir already exists"
partial="$dir.partial"
trap 'rm -rf "$partial"' EXIT
mkdir "$partial"

pg_dump --format=custom --compress=6 --file="$partial/database.dump" --dbname="$DATABASE_URL"
pg_restore --list "$partial/database.dump" >/dev/null  # the archive reads back

if [ -d "$media" ] && [ -n "$(find "$media" -type f -print -quit)" ]; then
    tar -czf "$partial/media.tar.gz" -C "$media" .
fi

(cd "$partial" && sha256sum -- * >SHA256SUMS)
mv "$partial" "$dir"
trap - EXIT
echo "$dir"
