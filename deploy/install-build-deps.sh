#!/usr/bin/env bash
# Installs what building and testing Postdesk needs on Debian 12, only where it is missing.
# Used by the README's two commands (deploy/demo.sh, Tests/run.sh) and by .ci/run.
set -euo pipefail

need_apt=()
# libmicrohttpd: the portal's HTTP. chromium, chromium-driver, python3-selenium, fonts-liberation: the portal's
# browser tests (Selenium is always pointed at /usr/bin/chromedriver: nothing is downloaded). nginx-light: the
# tests of the shipped nginx site in front of the portal (deploy/nginx).
for pkg in pkg-config libcurl4-openssl-dev libsqlite3-dev libcrypt-dev libmicrohttpd-dev openssl python3 python3-pip postfix swaks systemd \
           chromium chromium-driver python3-selenium fonts-liberation nginx-light; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
    # python3/pip may come from elsewhere (pyenv): only ask apt for them when no python3 is on PATH.
    filtered=()
    for pkg in "${need_apt[@]}"; do
        case "$pkg" in
            python3) command -v python3 >/dev/null || filtered+=("$pkg") ;;
            python3-pip) python3 -m pip --version >/dev/null 2>&1 || filtered+=("$pkg") ;;
            *) filtered+=("$pkg") ;;
        esac
    done
    if ((${#filtered[@]})); then
        echo "install-build-deps: apt-get install ${filtered[*]}" >&2
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        # Postfix for the end-to-end tests' private instances (Tests/Support/postfix_loopback.py): installed
        # without a system configuration, so nothing listens on port 25.
        echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
        # No service the packages bring (nginx on port 80) is started: the tests start their own, on loopback.
        policy=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            policy=/usr/sbin/policy-rc.d
            printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
            $SUDO chmod 755 "$policy"
        fi
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${filtered[@]}" >/dev/null
        [ -z "$policy" ] || $SUDO rm -f "$policy"
    fi
fi

# The tests' SMTP server (aiosmtpd, from PyPI).
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    echo "install-build-deps: pip install aiosmtpd" >&2
    python3 -m pip install -q aiosmtpd 2>/dev/null || python3 -m pip install -q --break-system-packages aiosmtpd
fi

if ! command -v swift >/dev/null; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "install-build-deps: swift is at /opt/swift/usr/bin; add it to PATH" >&2
    else
        echo "install-build-deps: no Swift toolchain found: install Swift 6 (swift.org) and put it on PATH" >&2
        exit 1
    fi
fi
