#!/usr/bin/env bash
# Makes the TLS tests' certificates in DIR with the openssl command-line tool (ECDSA P-256):
#   ca.pem / ca.key          a CA
#   leaf.pem / leaf.key      signed by it: SAN DNS:localhost, IP:127.0.0.1 (serverAuth)
#   expired.pem              the same key and names, signed by the CA, expired yesterday
#   client.pem / client.key  a client certificate signed by the CA (clientAuth)
#   rogue.pem / rogue.key    a CA nobody trusts, and rogue_leaf.pem (its leaf, leaf.key's key)
#
#   make-test-certs.sh DIR
set -euo pipefail
cd "$1"
exec >/dev/null 2>&1
key() { openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$1"; }
key ca.key
key leaf.key
key client.key
key rogue.key
openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj /CN=ruv-test-ca
openssl req -x509 -new -key rogue.key -out rogue.pem -days 30 -subj /CN=ruv-rogue-ca
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >leaf.ext
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >client.ext
openssl req -new -key leaf.key -subj /CN=localhost -out leaf.csr
openssl req -new -key client.key -subj /CN=ruv-client -out client.csr
serial=$((RANDOM * 32768 + RANDOM + 1))
sign() { # CSR CA DAYS EXT OUT
  serial=$((serial + 1))
  openssl x509 -req -in "$1" -CA "$2.pem" -CAkey "$2.key" -set_serial "$serial" -days "$3" \
    -extfile "$4" -out "$5"
}
sign leaf.csr ca 30 leaf.ext leaf.pem
sign leaf.csr ca -1 leaf.ext expired.pem
sign leaf.csr rogue 30 leaf.ext rogue_leaf.pem
sign client.csr ca 30 client.ext client.pem
