#!/bin/sh
# Installs Tasklane with Docker Compose and creates the first administrator.
set -eu

ADMIN_USER="${TASKLANE_ADMIN_USER:-admin}"

if [ ! -f .env ]; then
  echo "TASKLANE_DB_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" > .env
fi

docker compose build
docker compose up -d
TOKEN="$(docker compose exec -T tasklane flask --app tasklane.wsgi create-setup-token --username "$ADMIN_USER")"

HOST="$(hostname -f 2>/dev/null || hostname)"
echo
echo "Tasklane is running at http://$HOST:8000"
echo "Finish the setup at http://$HOST:8000/setup/$TOKEN (valid once, for one hour)"
