# shellcheck shell=bash
# Helpers shared by scripts/test and scripts/demo. Source it; it does nothing when run.
#
#   cachet_ensure_packages "essential pkgs..." "optional pkgs..."
#       Installs the missing Debian packages when root (apt-get update once, then
#       apt-get install -y --no-install-recommends). When not root, prints the one
#       `sudo apt-get install` line and returns 1 if an essential package is missing.
#   cachet_use_generator BUILD_DIR
#       Exports CMAKE_GENERATOR: the one BUILD_DIR was configured with, else Ninja when
#       installed, else Unix Makefiles.

cachet_log() {
    printf '\n==> %s\n' "$*"
}

# Prints, one per line, the packages among "$@" that dpkg does not report as installed.
cachet_missing_packages() {
    local p
    for p in "$@"; do
        dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || printf '%s\n' "$p"
    done
}

_cachet_apt_updated=0
_cachet_apt_install() {
    if [[ $_cachet_apt_updated == 0 ]]; then
        cachet_log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        _cachet_apt_updated=1
    fi
    cachet_log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
}

cachet_ensure_packages() {
    local -a essential=() optional=() missing_essential=() missing_optional=()
    read -r -a essential <<<"${1:-}"
    read -r -a optional <<<"${2:-}"
    if ! command -v dpkg >/dev/null 2>&1; then
        echo "note: no dpkg (not Debian?); make sure these are installed: ${essential[*]}" >&2
        return 0
    fi
    mapfile -t missing_essential < <(cachet_missing_packages "${essential[@]}")
    mapfile -t missing_optional < <(cachet_missing_packages "${optional[@]}")
    local -a missing=("${missing_essential[@]}" "${missing_optional[@]}")
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    if ((EUID != 0)); then
        echo "Missing Debian packages: ${missing[*]}" >&2
        echo "Install them with:" >&2
        echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        if ((${#missing_essential[@]} > 0)); then
            return 1
        fi
        echo "(all of them are optional; continuing without them)" >&2
        return 0
    fi

    if ((${#missing_essential[@]} > 0)); then
        _cachet_apt_install "${missing_essential[@]}" || {
            echo "error: could not install ${missing_essential[*]}" >&2
            return 1
        }
    fi
    if ((${#missing_optional[@]} > 0)); then
        _cachet_apt_install "${missing_optional[@]}" ||
            echo "warning: could not install optional ${missing_optional[*]}; continuing" >&2
    fi
    return 0
}

cachet_use_generator() {
    local cache="$1/CMakeCache.txt" generator=""
    if [[ -f $cache ]]; then
        generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$cache")
    fi
    if [[ -z $generator ]]; then
        if command -v ninja >/dev/null 2>&1; then generator=Ninja; else generator="Unix Makefiles"; fi
    fi
    export CMAKE_GENERATOR="$generator"
}
