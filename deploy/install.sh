#!/usr/bin/env bash
# Installs Postdesk as a systemd service, or upgrades an installed one. Run it as root from a clone of the
# repository; docs/operations.md explains every step. Running it again changes nothing that is already right.
#
#   bash deploy/install.sh                      build (release) and install into /usr/local and /etc
#   bash deploy/install.sh --binary PATH        install a postdesk binary built elsewhere instead of building
#   bash deploy/install.sh --destdir DIR        stage everything under DIR (packaging): the system is not touched
#   bash deploy/install.sh --prefix /usr        the binary in /usr/bin, unit, sysusers and tmpfiles under /usr/lib
#   bash deploy/install.sh --scratch-path DIR   swift build's build folder (default: .build)
#
# What it installs (under DESTDIR when given; DESTDIR in the environment works too):
#   PREFIX/bin/postdesk                          the binary (Swift runtime linked in: only Debian's libcurl,
#                                                SQLite and libxcrypt are needed at run time)
#   UNITDIR/postdesk.service                     the unit (deploy/postdesk.service, ExecStart under PREFIX)
#   UNITDIR/postdesk-portal.service, .socket     the customer portal's unit (enable it yourself: docs/operations.md)
#   SYSUSERSDIR/postdesk.conf, TMPFILESDIR/postdesk.conf   user and folders (deploy/postdesk.sysusers, .tmpfiles)
#   /etc/postdesk/postdesk.conf                  deploy/postdesk.conf.example, only when there is no config yet
#   /etc/postdesk/smtp-password                  empty (0600), only when missing (the unit's LoadCredential=)
#   /etc/postdesk/templates/README.md            the list of templates and placeholders
#   PREFIX/share/doc/postdesk/                   docs/operations.md, the Postfix snippet and README, the nginx site
#                                                for the portal (nginx/postdesk-portal.conf), the example
# UNITDIR, SYSUSERSDIR and TMPFILESDIR are /etc/systemd/system, /etc/sysusers.d and /etc/tmpfiles.d, or
# /usr/lib/systemd/system, /usr/lib/sysusers.d and /usr/lib/tmpfiles.d when PREFIX is /usr (a package).
#
# Without DESTDIR it then makes the user and folders (systemd-sysusers, systemd-tmpfiles) and checks the config
# with the new binary as the postdesk user (`postdesk check-config`; on failure it stops there with exit 78: the
# old binary stays and a running Postdesk keeps running). When PID 1 is systemd it reloads systemd and, if
# Postdesk was running, stops it, puts the new binary in place and starts it again (stop, install, start);
# the database migrates itself at start.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

prefix=/usr/local
destdir=${DESTDIR:-}
binary=""
scratch=""
while (($#)); do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) destdir=${2:?--destdir needs a folder}; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --binary) binary=${2:?--binary needs a file}; shift 2 ;;
        --binary=*) binary=${1#*=}; shift ;;
        --scratch-path) scratch=${2:?--scratch-path needs a folder}; shift 2 ;;
        --scratch-path=*) scratch=${1#*=}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument $1 (--help lists them)" >&2; exit 64 ;;
    esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path, not $prefix" >&2; exit 64 ;; esac
if [ -n "$destdir" ]; then
    mkdir -p "$destdir"
    destdir=$(cd "$destdir" && pwd)
fi
prefix=${prefix%/}
[ -n "$prefix" ] || prefix=/

repo=$(cd "$(dirname "$0")/.." && pwd)
D=$destdir
live=1
[ -z "$D" ] || live=0
if [ "$live" = 1 ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run it as root (or stage with --destdir DIR)" >&2
    exit 77
fi
systemd_running=0
# sd_booted(3): PID 1 is systemd when /run/systemd/system exists.
[ "$live" = 1 ] && [ -d /run/systemd/system ] && systemd_running=1

if [ "$prefix" = /usr ]; then
    unitdir=/usr/lib/systemd/system; sysusersdir=/usr/lib/sysusers.d; tmpfilesdir=/usr/lib/tmpfiles.d
else
    unitdir=/etc/systemd/system; sysusersdir=/etc/sysusers.d; tmpfilesdir=/etc/tmpfiles.d
fi
bindir=$prefix/bin
[ "$prefix" = / ] && bindir=/bin
docdir=${prefix%/}/share/doc/postdesk
confdir=/etc/postdesk
conf=$confdir/postdesk.conf

say() { echo "install.sh: $*"; }

# 1. The binary.
if [ -z "$binary" ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
    command -v swift >/dev/null || { echo "install.sh: no Swift toolchain on PATH or in /opt/swift (or give --binary)" >&2; exit 69; }
    build=(swift build -c release --product postdesk --static-swift-stdlib --package-path "$repo")
    [ -z "$scratch" ] || build+=(--scratch-path "$scratch")
    say "${build[*]}"
    set +e
    "${build[@]}" 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then
        echo "install.sh: the build failed; missing Debian packages? bash deploy/install-build-deps.sh installs them" >&2
        exit 70
    fi
    binary=$("${build[@]}" --show-bin-path)/postdesk
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 66; }
version=$("$binary" version 2>/dev/null | head -1 || true)

# 2. Files. The unit, sysusers and tmpfiles files are ours and replaced on every run (local changes belong in
# `systemctl edit postdesk` drop-ins); the config and the password file are the operator's and never replaced.
put() {  # put MODE SOURCE DEST: copy through a temporary name, so a reader never sees half a file
    local mode=$1 src=$2 dst=$D$3
    mkdir -p "$(dirname "$dst")"
    if [ -f "$dst" ] && cmp -s "$src" "$dst"; then chmod "$mode" "$dst"; return; fi
    install -m "$mode" "$src" "$dst.new.$$"
    mv -f "$dst.new.$$" "$dst"
    say "installed $3"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#^ExecStart=/usr/local/bin/postdesk #ExecStart=$bindir/postdesk #" "$repo/deploy/postdesk.service" >"$tmp/postdesk.service"
put 0644 "$tmp/postdesk.service" "$unitdir/postdesk.service"
sed "s#^ExecStart=/usr/local/bin/postdesk #ExecStart=$bindir/postdesk #" "$repo/deploy/postdesk-portal.service" >"$tmp/postdesk-portal.service"
put 0644 "$tmp/postdesk-portal.service" "$unitdir/postdesk-portal.service"
put 0644 "$repo/deploy/postdesk-portal.socket" "$unitdir/postdesk-portal.socket"
put 0644 "$repo/deploy/postdesk.sysusers" "$sysusersdir/postdesk.conf"
put 0644 "$repo/deploy/postdesk.tmpfiles" "$tmpfilesdir/postdesk.conf"
mkdir -p "$D$confdir/templates"
chmod 0755 "$D$confdir" "$D$confdir/templates"
if [ -e "$D$conf" ]; then
    say "kept $conf (yours; the current example is $docdir/postdesk.conf.example)"
else
    put 0644 "$repo/deploy/postdesk.conf.example" "$conf"
fi
if [ ! -e "$D$confdir/smtp-password" ]; then
    (umask 077 && : >"$D$confdir/smtp-password")
    say "installed $confdir/smtp-password (empty; the SMTP password goes here if your relay wants one)"
fi
put 0644 "$repo/Config/templates/README.md" "$confdir/templates/README.md"
put 0644 "$repo/docs/operations.md" "$docdir/operations.md"
put 0644 "$repo/deploy/postfix/main.cf.snippet" "$docdir/postfix/main.cf.snippet"
put 0644 "$repo/deploy/postfix/README" "$docdir/postfix/README"
put 0644 "$repo/deploy/nginx/postdesk-portal.conf" "$docdir/nginx/postdesk-portal.conf"
put 0644 "$repo/deploy/postdesk.conf.example" "$docdir/postdesk.conf.example"
# The binary goes in next to its final place; it replaces the old one only after the checks below.
mkdir -p "$D$bindir"
install -m 0755 "$binary" "$D$bindir/.postdesk.new"

if [ "$live" = 0 ]; then
    mv -f "$D$bindir/.postdesk.new" "$D$bindir/postdesk"
    say "staged ${version:-postdesk} under $D (no users, folders or services touched)"
    exit 0
fi

# 3. User and folders.
if command -v systemd-sysusers >/dev/null; then
    systemd-sysusers "$sysusersdir/postdesk.conf"
elif ! getent passwd postdesk >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/postdesk --shell /usr/sbin/nologin \
        --comment "Postdesk email helpdesk" postdesk
fi
if command -v systemd-tmpfiles >/dev/null; then
    systemd-tmpfiles --create "$tmpfilesdir/postdesk.conf"
else
    install -d -o postdesk -g postdesk -m 0750 /var/lib/postdesk /var/mail/postdesk
    install -d -o postdesk -g postdesk -m 0700 /var/mail/postdesk/support{,/new,/cur,/tmp}
fi

# 4. The config, read by the new binary as the daemon will read it.
check=("$bindir/.postdesk.new" --config "$conf" check-config)
command -v setpriv >/dev/null && check=(setpriv --reuid=postdesk --regid=postdesk --init-groups "${check[@]}")
if ! "${check[@]}"; then
    rm -f "$bindir/.postdesk.new"
    echo "install.sh: $conf has problems (above). Fix them and run install.sh again; the binary was not replaced" >&2
    [ "$systemd_running" = 1 ] && systemctl is-active --quiet postdesk && echo "install.sh: the running Postdesk keeps running" >&2
    exit 78
fi

# 5. Replace the binary; restart a running service (stop, install, start: the database migrates at start).
was_active=0
portal_active=0
if [ "$systemd_running" = 1 ]; then
    systemctl daemon-reload
    if systemctl is-active --quiet postdesk; then
        was_active=1
        say "stopping postdesk for the upgrade"
        systemctl stop postdesk
    fi
    if systemctl is-active --quiet postdesk-portal; then
        portal_active=1
        say "stopping postdesk-portal for the upgrade"
        systemctl stop postdesk-portal
    fi
fi
mv -f "$bindir/.postdesk.new" "$bindir/postdesk"
say "installed $bindir/postdesk${version:+ ($version)}"
if [ "$was_active" = 1 ]; then
    systemctl start postdesk
    say "postdesk started again: $(systemctl show -P StatusText postdesk)"
fi
if [ "$portal_active" = 1 ]; then
    systemctl start postdesk-portal
    say "postdesk-portal started again: $(systemctl show -P StatusText postdesk-portal)"
fi

uid=$(id -u postdesk)
gid=$(id -g postdesk)
cat <<EOF

Next steps (docs/operations.md, installed as $docdir/operations.md):
  1. Edit $conf: your domain, the queue address, agents, trusted_authserv_id; then
       setpriv --reuid=postdesk --regid=postdesk --init-groups $bindir/postdesk --config $conf check-config
  2. Postfix delivers the queue address into /var/mail/postdesk/support/ as the postdesk user:
       postconf -e "virtual_mailbox_domains = example.com" "virtual_mailbox_base = /var/mail/postdesk" \\
                   "virtual_mailbox_maps = hash:/etc/postfix/postdesk-mailboxes" \\
                   "virtual_uid_maps = static:$uid" "virtual_gid_maps = static:$gid" "recipient_delimiter = +"
       echo "support@example.com support/" > /etc/postfix/postdesk-mailboxes && postmap /etc/postfix/postdesk-mailboxes
       postfix reload          (details: $docdir/postfix/README)
EOF
if [ "$systemd_running" = 1 ]; then
    if [ "$was_active" = 1 ]; then
        echo "  3. Postdesk is running again: systemctl status postdesk; journalctl -u postdesk"
    else
        echo "  3. Start it: systemctl enable --now postdesk; then systemctl status postdesk; journalctl -u postdesk -f"
    fi
else
    echo "  3. PID 1 is not systemd here: the unit is installed for a systemd machine; to try Postdesk by hand:"
    echo "       setpriv --reuid=postdesk --regid=postdesk --init-groups $bindir/postdesk --config $conf run"
fi
