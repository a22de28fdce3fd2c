#!/bin/sh
# Installs Tasklane with Docker Compose and creates the first administrator.
set -eu

ADMIN_USER="${TASKLANE_ADMIN_USER:-admin}"
ADMIN_PASSWORD="${TASKLANE_ADMIN_PASSWORD:-admin123}"

if [ ! -f .env ]; then
  echo "TASKLANE_DB_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" > .env
fi

docker compose build
docker compose up -d
docker compose exec -T tasklane flask --app tasklane.wsgi create-admin \
  --username "$ADMIN_USER" --password "$ADMIN_PASSWORD"

HOST="$(hostname -f 2>/dev/null || hostname)"
echo
echo "Tasklane is running at http://$HOST:8000"
echo "Log in as $ADMIN_USER / $ADMIN_PASSWORD"
