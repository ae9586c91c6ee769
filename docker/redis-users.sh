#!/bin/sh
# Writes the ACL file of a Redis container: the default user (the administrator) with
# REDIS_PASSWORD, then each service's user of the rules file (docker/redis-users.acl) with
# its own password, REDIS_<SERVICE>_PASSWORD (REDIS_AUTH_SERVICE_PASSWORD for auth-service,
# ...). docker-compose.yml runs it before redis-server --aclfile:
#   sh redis-users.sh <rules> <acl file>
# Passwords are letters, digits, '-' and '_'.
set -eu
rules="$1"
out="$2"
for name in REDIS_PASSWORD REDIS_AUTH_SERVICE_PASSWORD REDIS_GATEWAY_PASSWORD REDIS_API_SERVICE_PASSWORD \
  REDIS_WORKER_SERVICE_PASSWORD; do
  eval "value=\${$name:-}"
  case "$value" in
    '' | *[!A-Za-z0-9_-]*)
      echo "redis-users.sh: $name must be set, of letters, digits, '-' and '_'" >&2
      exit 1
      ;;
  esac
done
umask 077
{
  echo "user default on >$REDIS_PASSWORD ~* &* +@all"
  grep '^user ' "$rules" | sed \
    -e "s/>AUTH_SERVICE_PASSWORD />$REDIS_AUTH_SERVICE_PASSWORD /" \
    -e "s/>GATEWAY_PASSWORD />$REDIS_GATEWAY_PASSWORD /" \
    -e "s/>API_SERVICE_PASSWORD />$REDIS_API_SERVICE_PASSWORD /" \
    -e "s/>WORKER_SERVICE_PASSWORD />$REDIS_WORKER_SERVICE_PASSWORD /"
} > "$out"
