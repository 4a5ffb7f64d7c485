#!/usr/bin/env bash
# Installs the system packages the test suite needs when they are missing: tpm2-tools, swtpm, swtpm-tools
# (TPM attestation tests), openssl, age and ssh-keygen (interop tests). Uses apt-get as root, or sudo when available; otherwise it
# says what to install and the tests that need them report themselves skipped with the reason.
set -u
need=()
command -v tpm2_quote >/dev/null 2>&1 || need+=(tpm2-tools)
command -v swtpm >/dev/null 2>&1 || need+=(swtpm)
command -v swtpm_setup >/dev/null 2>&1 || need+=(swtpm-tools)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v age >/dev/null 2>&1 || need+=(age)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "ensure-system-deps: missing ${need[*]}; install them with: apt-get install ${need[*]}" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: missing ${need[*]} and no apt-get here; install them with your package manager" >&2
  exit 0
fi
echo "ensure-system-deps: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "ensure-system-deps: apt-get install ${need[*]} failed" >&2
exit 0
