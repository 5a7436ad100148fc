#!/bin/sh
# Install what the build needs and is missing: Debian packages through apt-get
# (as root, or through sudo when it needs no password). Names the missing
# packages and stops when it cannot install them.
#
# Usage: install_deps.sh [area] [valgrind] [fuzz] [slurm]
#   with no argument, what `make test` needs; `area` adds what only
#   `make area` needs (yosys and a standard-cell library), `valgrind` what
#   `make valgrind` needs, `fuzz` what the libFuzzer targets need (mk/fuzz.mk),
#   `slurm` a single-node Slurm and munge for `make slurm-check` (which skips
#   when they cannot be installed).
set -eu

# package:kind:probe; the probe is a command, a pkg-config module, a file, or
# a clang-14 runtime library (rt: found by the compiler itself, so the probe
# names no version folder such as 14.0.6).
need="verilator:cmd:verilator
libsystemc-dev:pc:systemc
check:pc:check
pkg-config:cmd:pkg-config
gcc:cmd:gcc
g++:cmd:g++
make:cmd:make
python3:cmd:python3
python3-venv:venv:-
zlib1g-dev:pc:zlib
gtkwave:cmd:gtkwave
gnuplot-nox:cmd:gnuplot
xvfb:cmd:xvfb-run
lcov:cmd:genhtml
cppcheck:cmd:cppcheck
clang-tidy:cmd:clang-tidy
dataset-fashion-mnist:file:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

# Synthesis for the area report (mk/area.mk): Yosys, and the OSU 0.18 um
# standard cells that qflow packages (Liberty file, areas in um^2).
need_area="yosys:cmd:yosys
qflow-tech-osu018:file:/usr/share/qflow/tech/osu018/osu018_stdcells.lib"

for group in "$@"; do
  case $group in
    area) need="$need
$need_area" ;;
    valgrind) need="$need
valgrind:cmd:valgrind" ;;
    # clang 14 with its sanitizer and libFuzzer runtimes: -fsanitize=fuzzer,address
    # links only with libclang-rt-14-dev
    fuzz) need="$need
clang-14:cmd:clang-14
libclang-rt-14-dev:rt:libclang_rt.fuzzer-x86_64.a" ;;
    slurm) need="$need
slurmctld:file:/usr/sbin/slurmctld
slurmd:file:/usr/sbin/slurmd
slurm-client:cmd:sbatch
munge:file:/usr/sbin/munged" ;;
    *) echo "install_deps: unknown group '$group' (known: area, valgrind, fuzz, slurm)" >&2; exit 2 ;;
  esac
done

missing=""
for entry in $need; do
  pkg=${entry%%:*}
  rest=${entry#*:}
  kind=${rest%%:*}
  probe=${rest#*:}
  case $kind in
    cmd) command -v "$probe" >/dev/null 2>&1 && continue ;;
    pc) pkg-config --exists "$probe" 2>/dev/null && continue ;;
    file) [ -e "$probe" ] && continue ;;
    rt) # clang prints the bare name when it has no such file
      p=$(clang-14 -print-file-name="$probe" 2>/dev/null) || p=""
      case $p in /*) [ -e "$p" ] && continue ;; esac ;;
    venv) # Debian's python3 makes venvs without pip until python3-venv is in
      d=$(mktemp -d)
      if python3 -m venv "$d/v" >/dev/null 2>&1; then rm -rf "$d"; continue; fi
      rm -rf "$d" ;;
  esac
  missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

echo "install_deps: missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "install_deps: not root and no password-less sudo; run as root:" >&2
  echo "  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$sudo apt-get install -y -qq --no-install-recommends $missing
