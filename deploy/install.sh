#!/bin/sh
# Installs (or updates) Tradewatch as a systemd service. Idempotent: run it again after
# `git pull && npm ci && npm run build` to update; it never overwrites your configuration or
# data and creates the first admin token only when there is no token yet.
#
#   sudo deploy/install.sh                 # from a built checkout
#   sudo deploy/install.sh --no-start      # install, but do not (re)start the service
#
# Options (defaults in brackets):
#   --prefix DIR      application files [/opt/tradewatch]
#   --data DIR        data directory: database, backups [/var/lib/tradewatch]
#   --config-dir DIR  tradewatch.yaml and tradewatch.env [/etc/tradewatch]
#   --user NAME       system user the hub runs as [tradewatch]
#   --node PATH       the node binary [command -v node]
#   --no-start        do not enable or (re)start the service
#   --no-prune        keep development packages in the copy (faster, larger)
#   --in-place        run from this checkout instead of copying it to --prefix
#   --root DIR        write everything under DIR instead of / (packaging, tests); implies
#                     --no-systemctl and --no-user
#   --no-systemctl    do not call systemctl
#   --no-user         do not create the system user (files are owned by the current user)
set -eu

PREFIX=/opt/tradewatch
DATA=/var/lib/tradewatch
CONFIG_DIR=/etc/tradewatch
RUN_USER=tradewatch
NODE_BIN=
ROOT=
START=1
PRUNE=1
IN_PLACE=0
SYSTEMCTL=1
MAKE_USER=1

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --config-dir) CONFIG_DIR=$2; shift 2 ;;
    --user) RUN_USER=$2; shift 2 ;;
    --node) NODE_BIN=$2; shift 2 ;;
    --root) ROOT=${2%/}; SYSTEMCTL=0; MAKE_USER=0; shift 2 ;;
    --no-start) START=0; shift ;;
    --no-prune) PRUNE=0; shift ;;
    --in-place) IN_PLACE=1; shift ;;
    --no-systemctl) SYSTEMCTL=0; shift ;;
    --no-user) MAKE_USER=0; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$SRC/packages/server/dist/cli/main.js" ] ||
  die "$SRC is not built: run 'npm ci && npm run build' first"

if [ -z "$NODE_BIN" ]; then NODE_BIN=$(command -v node || true); fi
[ -n "$NODE_BIN" ] && [ -x "$NODE_BIN" ] || die "node not found; install Node.js 20.19 or newer, or pass --node PATH"
"$NODE_BIN" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node.js $("$NODE_BIN" --version) is too old; Tradewatch needs 20.19 or newer"

if [ "$MAKE_USER" = 1 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo), or use --root DIR for a staged install"; fi

# --- the system user
if [ "$MAKE_USER" = 1 ]; then
  if id "$RUN_USER" >/dev/null 2>&1; then
    say "user $RUN_USER exists"
  else
    say "creating system user $RUN_USER"
    useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  fi
  OWNER="$RUN_USER:$RUN_USER"
  CONFIG_OWNER="root:$RUN_USER"
else
  OWNER="$(id -u):$(id -g)"
  CONFIG_OWNER="$OWNER"
fi

# --- directories with their permissions (re-applied on every run)
say "directories under ${ROOT:-/}"
if [ "$IN_PLACE" = 0 ]; then install -d -m 0755 "$ROOT$PREFIX"; fi
install -d -m 0750 "$ROOT$DATA"
install -d -m 0700 "$ROOT$DATA/backups"
install -d -m 0750 "$ROOT$CONFIG_DIR"
chown "$OWNER" "$ROOT$DATA" "$ROOT$DATA/backups"
chown "$CONFIG_OWNER" "$ROOT$CONFIG_DIR"

# --- application files: a fresh copy next to the old one, then swapped in
if [ "$IN_PLACE" = 1 ]; then
  PREFIX=$SRC
  APP=$SRC
  say "running from the checkout $SRC"
else
  APP=$ROOT$PREFIX
fi
if [ "$IN_PLACE" = 0 ] && [ "$SRC" != "$APP" ]; then
  say "application files in $PREFIX"
  STAGE="$ROOT$PREFIX.new"
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  # Sources and tests stay behind: the hub runs from dist/ (excludes go first: GNU tar
  # applies them only to the names after them).
  (cd "$SRC" && tar -cf - --exclude='packages/*/src' --exclude='*.test.ts' \
      --exclude='*.tsbuildinfo' --exclude='node_modules/.cache' --exclude='node_modules/.vite' \
      package.json package-lock.json node_modules packages docs deploy) | (cd "$STAGE" && tar -xf -)
  if [ "$PRUNE" = 1 ] && command -v npm >/dev/null 2>&1; then
    say "removing development packages from the copy"
    (cd "$STAGE" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
  fi
  if [ -d "$ROOT$PREFIX" ]; then rm -rf "$ROOT$PREFIX.old"; mv "$ROOT$PREFIX" "$ROOT$PREFIX.old"; fi
  mv "$STAGE" "$ROOT$PREFIX"
  rm -rf "$ROOT$PREFIX.old"
fi
CLI="$PREFIX/packages/server/dist/cli/main.js"

# --- configuration: written once, never overwritten
CONFIG="$CONFIG_DIR/tradewatch.yaml"
if [ -f "$ROOT$CONFIG" ]; then
  say "keeping $CONFIG"
else
  say "writing $CONFIG"
  umask 027
  cat > "$ROOT$CONFIG" <<YAML
# Tradewatch configuration: every key is described in docs/configuration.md.
data_dir: $DATA
server:
  host: 127.0.0.1        # put a reverse proxy (docs/deployment.md) or security.tls in front
  port: 8080
timezone: UTC
backup:
  schedule: "30 3 * * *"  # every day at 03:30 (in timezone)
  keep_last: 7
  keep_days: 30
YAML
  umask 022
fi
chmod 0640 "$ROOT$CONFIG"
chown "$CONFIG_OWNER" "$ROOT$CONFIG"
ENVFILE="$CONFIG_DIR/tradewatch.env"
if [ ! -f "$ROOT$ENVFILE" ]; then
  printf '# Secrets for the hub (KEY=value), referenced as ${KEY} in tradewatch.yaml.\n' > "$ROOT$ENVFILE"
fi
chmod 0600 "$ROOT$ENVFILE"
chown "$CONFIG_OWNER" "$ROOT$ENVFILE"

# --- the `tradewatch` command for administrators
install -d -m 0755 "$ROOT/usr/local/bin"
WRAPPER="$ROOT/usr/local/bin/tradewatch"
cat > "$WRAPPER.tmp" <<SH
#!/bin/sh
# Runs the tradewatch command with the installed configuration (as $RUN_USER when called as root).
umask 027
export TRADEWATCH_CONFIG="\${TRADEWATCH_CONFIG:-$CONFIG}"
export TRADEWATCH_DATA_DIR="\${TRADEWATCH_DATA_DIR:-$DATA}"
if [ "\$(id -u)" = 0 ] && id "$RUN_USER" >/dev/null 2>&1; then
  # Root may read the secrets the YAML refers to; the hub's user may not read this file.
  if [ -r "$ENVFILE" ]; then set -a; . "$ENVFILE"; set +a; fi
  exec runuser -u "$RUN_USER" -- "$NODE_BIN" "$CLI" "\$@"
fi
exec "$NODE_BIN" "$CLI" "\$@"
SH
chmod 0755 "$WRAPPER.tmp"
mv "$WRAPPER.tmp" "$WRAPPER"

# --- the systemd unit, with the chosen paths
UNIT="$ROOT/etc/systemd/system/tradewatch.service"
install -d -m 0755 "$ROOT/etc/systemd/system"
sed -e "s#/opt/tradewatch#$PREFIX#g" \
    -e "s#/var/lib/tradewatch#$DATA#g" \
    -e "s#/etc/tradewatch#$CONFIG_DIR#g" \
    -e "s#/usr/bin/node#$NODE_BIN#g" \
    -e "s#^User=tradewatch#User=$RUN_USER#" \
    -e "s#^Group=tradewatch#Group=$RUN_USER#" \
    "$SRC/deploy/systemd/tradewatch.service" > "$UNIT.tmp"
if [ -f "$UNIT" ] && cmp -s "$UNIT" "$UNIT.tmp"; then
  rm -f "$UNIT.tmp"
  say "unit $UNIT unchanged"
else
  mv "$UNIT.tmp" "$UNIT"
  chmod 0644 "$UNIT"
  say "unit $UNIT installed"
fi

# --- the first admin token (only when the database has no token yet)
as_user() {
  if [ "$MAKE_USER" = 1 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}
run_cli() {
  umask 027
  as_user env TRADEWATCH_CONFIG="$ROOT$CONFIG" TRADEWATCH_DATA_DIR="$ROOT$DATA" "$NODE_BIN" "$APP/packages/server/dist/cli/main.js" "$@"
}
TOKENS=$(run_cli token list --json)
if [ "$TOKENS" = "[]" ]; then
  say "creating the first admin token"
  run_cli token create --name admin --scope admin
else
  say "tokens exist; not creating another (tradewatch token create --name NAME --scope admin)"
fi

# --- start
if [ "$SYSTEMCTL" = 1 ]; then
  systemctl daemon-reload
  if [ "$START" = 1 ]; then
    systemctl enable tradewatch.service >/dev/null
    systemctl restart tradewatch.service
    say "tradewatch is running: systemctl status tradewatch; journalctl -u tradewatch -f"
  else
    say "installed; start it with: systemctl enable --now tradewatch"
  fi
fi
say "done"
