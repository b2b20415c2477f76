# shellcheck shell=bash
# The JDK every script of this project runs on, picked once and exported as JAVA_HOME, so Maven (and
# its Surefire/Failsafe forks), the standalone cluster's daemons and the executors they launch all
# run the same java. Sourced by scripts/*; `pooling_java NAME` sets JAVA_HOME and JAVA (its
# bin/java) and prints one line on stderr, prefixed NAME, naming the JDK and why it was chosen.
# Order:
#   1. $POOLING_JAVA_HOME   this project only, whatever JAVA_HOME says
#   2. $JAVA_HOME           a JDK the user chose wins, even below 21 (the line says what that costs)
#   3. for a local `downsample` (POOLING_JAVA_FOR=images): the newest JDK whose ImageIO uses the
#      system libjpeg (Debian's OpenJDK): no SIMD pooling pays there, and Spark starts faster on it
#   3. else the newest JDK 21+ under /usr/lib/jvm ($POOLING_JVM_DIR), or the java on PATH if it is 21+
#   4. the java on PATH, which must be 17+ (Spark 4's minimum)
# Why prefer 21+: `fast` uses its Vector API rows only there (PoolVectorization.simdWorthIt).
# A script that runs another (scripts/test -> scripts/cluster) hands its choice down in
# POOLING_JAVA_PICKED, so the choice is made and printed once.

POOLING_JAVA_MIN=17  # Spark 4
POOLING_JAVA_SIMD=21 # PoolVectorization.simdWorthIt

# The version of the JDK at $1 ("25.0.3", "17.0.15"): its release file, else what its java says.
pooling_java_version() {
  local home="$1" v=""
  if [ -f "$home/release" ]; then v="$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release")"; fi
  if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n '1s/^[^"]*"\([^"]*\)".*/\1/p')"
  fi
  echo "$v"
}

# The feature release of a version string: 25 for "25.0.3", 8 for "1.8.0_392", 0 when unknown.
pooling_java_major() {
  local v="${1#1.}" m
  m="${v%%[!0-9]*}"
  echo "${m:-0}"
}

# Every JDK with bin/java and bin/javac (Maven compiles with it) among /usr/lib/jvm/* and the java
# on PATH, one "version<TAB>home" line each, oldest first; symlinked aliases count once.
pooling_java_installed() {
  local dir="${POOLING_JVM_DIR:-/usr/lib/jvm}" home path_java
  {
    for home in "$dir"/*/; do
      if [ -d "$home" ]; then readlink -f "$home"; fi
    done
    path_java="$(command -v java 2>/dev/null || true)"
    if [ -n "$path_java" ]; then dirname "$(dirname "$(readlink -f "$path_java")")"; fi
  } | sort -u | while read -r home; do
    if [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ]; then
      printf '%s\t%s\n' "$(pooling_java_version "$home")" "$home"
    fi
  done | sort -V -k1,1
}

# The newest installed JDK of at least POOLING_JAVA_SIMD. Empty when there is none.
pooling_java_newest() {
  local v home
  pooling_java_installed | while IFS=$'\t' read -r v home; do
    if [ "$(pooling_java_major "$v")" -ge "$POOLING_JAVA_SIMD" ]; then echo "$home"; fi
  done | tail -n 1
}

# The newest installed JDK of at least POOLING_JAVA_MIN whose ImageIO decodes JPEG with the system's
# libjpeg (libjpeg-turbo on Debian: its OpenJDK links it) rather than the libjpeg 6b a JDK bundles
# (Temurin). Empty when there is none.
pooling_java_system_jpeg() {
  local v home
  pooling_java_installed | while IFS=$'\t' read -r v home; do
    if [ "$(pooling_java_major "$v")" -ge "$POOLING_JAVA_MIN" ] &&
       ldd "$home/lib/libjavajpeg.so" 2>/dev/null | grep -q 'libjpeg\.so'; then
      echo "$home"
    fi
  done | tail -n 1
}

pooling_java() {
  local name="$1" home="" why="" explicit="" v major newest path_java jpeg_home
  if [ -n "${POOLING_JAVA_PICKED:-}" ] && [ "${JAVA_HOME:-}" = "$POOLING_JAVA_PICKED" ]; then
    JAVA="$JAVA_HOME/bin/java" # chosen and reported by the script that ran this one
    return 0
  fi
  if [ -n "${POOLING_JAVA_HOME:-}" ]; then
    home="$POOLING_JAVA_HOME" why="POOLING_JAVA_HOME" explicit=1
  elif [ -n "${JAVA_HOME:-}" ]; then
    home="$JAVA_HOME" why="JAVA_HOME" explicit=1
  elif [ "${POOLING_JAVA_FOR:-}" = images ] && jpeg_home="$(pooling_java_system_jpeg)" && [ -n "$jpeg_home" ]; then
    # A local downsample is decoding, PNG writing and Spark's start, not SIMD pooling: with TurboJPEG,
    # Debian's 17 ran 12 photos in 0.78x the wall time of Temurin 25 and 84 photos in 1.10x; without
    # it ImageIO decodes JPEG, through the system libjpeg-turbo only in Debian's JDK (docs/jdk.md).
    home="$jpeg_home"
    why="a local downsample: this JDK's ImageIO uses the system libjpeg, and it starts Spark faster; JAVA_HOME or POOLING_JAVA_HOME overrides"
  else
    newest="$(pooling_java_newest)"
    if [ -n "$newest" ]; then
      home="$newest" why="the newest JDK $POOLING_JAVA_SIMD+ found; JAVA_HOME or POOLING_JAVA_HOME overrides"
    else
      path_java="$(command -v java 2>/dev/null || true)"
      if [ -z "$path_java" ]; then
        echo "$name: no Java found: install a JDK $POOLING_JAVA_MIN+ ($POOLING_JAVA_SIMD+ for fast's SIMD) or set JAVA_HOME" >&2
        return 1
      fi
      home="$(dirname "$(dirname "$(readlink -f "$path_java")")")"
      why="the java on PATH; no JDK $POOLING_JAVA_SIMD+ under ${POOLING_JVM_DIR:-/usr/lib/jvm}, so fast runs part of its rows scalar"
    fi
  fi
  if [ ! -x "$home/bin/java" ]; then
    echo "$name: ${why%%;*} ($home) has no bin/java" >&2
    return 1
  fi
  v="$(pooling_java_version "$home")"
  major="$(pooling_java_major "$v")"
  if [ "$major" -lt "$POOLING_JAVA_MIN" ]; then
    echo "$name: ${why%%;*} ($home) is Java ${v:-of unknown version}; spark-pooling needs Java $POOLING_JAVA_MIN or newer" >&2
    return 1
  fi
  if [ -n "$explicit" ] && [ "$major" -lt "$POOLING_JAVA_SIMD" ]; then
    why="$why; fast runs part of its rows scalar below Java $POOLING_JAVA_SIMD"
    newest="$(pooling_java_newest)"
    if [ -n "$newest" ]; then why="$why; Java $(pooling_java_version "$newest") is at $newest"; fi
  fi
  export JAVA_HOME="$home" POOLING_JAVA_PICKED="$home"
  JAVA="$home/bin/java"
  echo "$name: Java $v at $home ($why)" >&2
}
