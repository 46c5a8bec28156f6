#!/usr/bin/env bash
# Build the site's container image with podman, offline: `bash deploy/container/build.sh`.
#
#   1. the base image (Debian bookworm with python3), made with mmdebstrap when podman has none;
#   2. htmx in static/vendor/ (`make vendor` puts it there);
#   3. the wheels of the pinned runtime dependencies (pyproject.toml) downloaded into build/wheels/;
#   4. `podman build --network=none` of Containerfile into $PORTFOLIO_IMAGE.
#
# Environment (all optional):
#   PORTFOLIO_IMAGE       the image to build (localhost/portfolio:latest)
#   PORTFOLIO_BASE_IMAGE  the base image (localhost/portfolio-base:bookworm); one that podman does
#                         not have is made with mmdebstrap
#   DEBIAN_MIRROR         for mmdebstrap (http://deb.debian.org/debian)
#   PIP                   the pip that downloads the wheels (.venv/bin/pip, else python3 -m pip)
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${PORTFOLIO_IMAGE:-localhost/portfolio:latest}
BASE_IMAGE=${PORTFOLIO_BASE_IMAGE:-localhost/portfolio-base:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_PACKAGES=python3,python3-venv,ca-certificates,sqlite3
# podman's default runtime may refuse to start here, and container limits must stay under the
# host's (a higher nproc fails with "error setting rlimit type 6").
PODMAN_RUN_OPTS=(--runtime runc --ulimit nofile=16384:16384 --ulimit nproc=8192:8192)
WHEELS=build/wheels

die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }
started=$SECONDS

command -v podman >/dev/null 2>&1 \
  || die "podman is not installed: apt-get install podman runc (needs podman >= 4)"

# ---- 1. the base image -------------------------------------------------------------------------
if podman image exists "$BASE_IMAGE"; then
  say "base image $BASE_IMAGE: present"
else
  command -v mmdebstrap >/dev/null 2>&1 \
    || die "podman has no $BASE_IMAGE and mmdebstrap, which makes it, is not installed:" \
           "apt-get install mmdebstrap (or set PORTFOLIO_BASE_IMAGE to a Debian bookworm image" \
           "with python3 and python3-venv)"
  mode=root
  ((EUID == 0)) || mode=unshare
  tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/portfolio-base.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  say "base image $BASE_IMAGE: missing, making it with mmdebstrap (bookworm minbase + $BASE_PACKAGES)"
  # Documentation, manual pages and translations are left out (the copyright files stay).
  mmdebstrap --variant=minbase --mode="$mode" --include="$BASE_PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$tmp/rootfs.tar" "$MIRROR" \
    || die "mmdebstrap failed (is $MIRROR reachable?)"
  podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/usr/bin/python3"]' \
    --message "mmdebstrap bookworm minbase + $BASE_PACKAGES" \
    "$tmp/rootfs.tar" "$BASE_IMAGE" >/dev/null \
    || die "podman import of the mmdebstrap tarball failed"
  rm -rf "$tmp"
  trap - EXIT
fi

# ---- 2. htmx -----------------------------------------------------------------------------------
[[ -s static/vendor/htmx.min.js ]] \
  || die "static/vendor/htmx.min.js is missing: run 'make vendor' (npm ci) first; the image serves it"

# ---- 3. the wheels -------------------------------------------------------------------------------
if [[ -n ${PIP:-} ]]; then
  read -r -a pip <<<"$PIP"
elif [[ -x .venv/bin/pip ]]; then
  pip=(.venv/bin/pip)
elif python3 -m pip --version >/dev/null 2>&1; then
  pip=(python3 -m pip)
else
  die "no pip to download the wheels with: run 'make image' (it makes .venv) or set PIP"
fi
python=python3
[[ -x .venv/bin/python ]] && python=.venv/bin/python
mkdir -p build
rm -rf "$WHEELS.new"
mkdir -p "$WHEELS.new"
# The pinned runtime dependencies (installed into the image's venv) and the app's build backend
# (used once, to install the app), read from pyproject.toml.
"$python" - "$WHEELS.new" <<'PY'
import sys
import tomllib

with open("pyproject.toml", "rb") as handle:
    pyproject = tomllib.load(handle)
for name, requirements in [("requirements.txt", pyproject["project"]["dependencies"]),
                           ("build-requirements.txt", pyproject["build-system"]["requires"])]:
    with open(f"{sys.argv[1]}/{name}", "w") as out:
        out.write("# written by deploy/container/build.sh from pyproject.toml\n")
        out.writelines(f"{requirement}\n" for requirement in requirements)
PY
# Wheels for the image's Python (CPython 3.11, glibc 2.36 on x86_64), whatever runs this script.
platforms=()
for minor in $(seq 36 -1 5); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
say "downloading the runtime wheels into $WHEELS"
"${pip[@]}" download --quiet --disable-pip-version-check --dest "$WHEELS.new" --only-binary=:all: \
  --python-version 3.11 --implementation cp --abi cp311 "${platforms[@]}" \
  --requirement "$WHEELS.new/requirements.txt" --requirement "$WHEELS.new/build-requirements.txt" \
  2> >(grep -v "^WARNING: Location '" >&2) \
  || die "pip download of the pinned dependencies failed (is PyPI reachable? does each pin have" \
         "a CPython 3.11 manylinux x86_64 wheel?)"
# One fixed time on every file, so that the same wheels give the same build-cache key.
touch -d @946684800 "$WHEELS.new" "$WHEELS.new"/*
rm -rf "$WHEELS"
mv "$WHEELS.new" "$WHEELS"

# ---- 4. the image --------------------------------------------------------------------------------
# Byte code and editor leftovers in the copied folders do not belong in the image.
printf '%s\n' '**/__pycache__' '**/*.pyc' '**/*~' '**/.*.swp' '**/.DS_Store' >build/containerignore
revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
say "building $IMAGE from $BASE_IMAGE (network off)"
podman build "${PODMAN_RUN_OPTS[@]}" --network=none --format docker --layers \
  --ignorefile build/containerignore \
  --build-arg BASE="$BASE_IMAGE" \
  --label org.opencontainers.image.revision="$revision" \
  --label org.opencontainers.image.title=portfolio \
  -t "$IMAGE" -f Containerfile . \
  || die "podman build failed (see above)"

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "built $IMAGE ($((size / 1000000)) MB) in $((SECONDS - started))s"
say "run it: podman run ${PODMAN_RUN_OPTS[*]} --rm --read-only -p 127.0.0.1:8000:8000 -e PORTFOLIO_SITE_URL=http://127.0.0.1:8000 $IMAGE"
