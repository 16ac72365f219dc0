#!/usr/bin/env bash
# The demo: installs what is missing, builds Postdesk, and shows what it reads in the sample mail
# under Mailboxes/ (customers writing in Spanish, German and Polish, a reply, an auto-reply).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
bash deploy/install-build-deps.sh
swift build -c release --product postdesk 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
exec .build/release/postdesk inspect Mailboxes/support
