#!/usr/bin/env bash
# The demo: installs what is missing, builds Postdesk, copies the sample mail of Mailboxes/ into var/
# (so the repository's copy stays as it is), and runs Postdesk once on it with Config/postdesk.conf:
# each sample mail becomes a ticket or a reply, and the confirmations and agents' notices it causes land in
# var/Mailboxes/outbound (transport = maildir). Then it lists the tickets, shows one, and shows the mail sent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
bash deploy/install-build-deps.sh
swift build -c release --product postdesk 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
bin=.build/release/postdesk
conf=Config/postdesk.conf

rm -rf var
mkdir -p var/Mailboxes
cp -R Mailboxes/support var/Mailboxes/support
find var/Mailboxes -name .keep -delete

$bin --config $conf check-config
$bin --config $conf run --once
echo
echo "== postdesk tickets list"
$bin --config $conf tickets list
echo
echo "== postdesk tickets show 1"
$bin --config $conf tickets show 1
echo
echo "== mail Postdesk sent (transport = maildir): var/Mailboxes/outbound/new/"
ls var/Mailboxes/outbound/new/
first=$(ls var/Mailboxes/outbound/new/ | head -1)
echo "== the first one ($first), headers"
sed -n '1,/^\r\?$/p' "var/Mailboxes/outbound/new/$first"
echo
echo "Try: $bin --config $conf tickets search rechnung   |   $bin --config $conf explain FILE   |   $bin inspect Mailboxes/support"
