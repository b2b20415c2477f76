# shellcheck shell=bash
# Native libraries the downsampling pipeline uses when they are there, and the Debian packages that
# bring them. Sourced by scripts/test and .ci/run.
#   pooling_turbojpeg_ready   true when libjpeg-turbo's Java binding can load: its jar (libturbojpeg-java)
#                             and the unversioned libturbojpeg.so it loads (libturbojpeg0-dev)
#   pooling_install_native    installs what is missing with apt-get, as root or through sudo -n;
#                             otherwise says what to install (the pipeline then decodes JPEG with ImageIO)

POOLING_TURBOJPEG_JAR="${POOLING_TURBOJPEG_JAR:-/usr/share/java/turbojpeg.jar}"
POOLING_NATIVE_PACKAGES=(libturbojpeg-java libturbojpeg0-dev)

pooling_turbojpeg_ready() {
  [ -f "$POOLING_TURBOJPEG_JAR" ] && ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so '
}

# $1: a name for the messages; $2...: extra packages to install with them (e.g. test photos)
pooling_install_native() {
  local name="$1" missing=() p
  shift
  for p in "${POOLING_NATIVE_PACKAGES[@]}" "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "$name: not installed: ${missing[*]} (apt-get install ${missing[*]}); JPEG decodes through ImageIO, 2-3x slower" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name: no apt-get here; install libjpeg-turbo's Java binding (${missing[*]} on Debian) for fast JPEG decoding" >&2
    return 0
  fi
  echo "$name: installing ${missing[*]} with apt-get" >&2
  "${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2 ||
    { "${sudo[@]}" apt-get update -q >&2 && "${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2; } ||
    echo "$name: could not install ${missing[*]}; JPEG decodes through ImageIO" >&2
}
