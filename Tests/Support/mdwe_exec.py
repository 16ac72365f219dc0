#!/usr/bin/env python3
"""Runs a program with writable-and-executable memory forbidden, as systemd's MemoryDenyWriteExecute=yes does.

Usage: mdwe_exec.py PROGRAM [ARGS...]

Sets prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) (Linux 6.3+: no mapping may be made or become writable and
executable, and none may gain PROT_EXEC later; kept across fork and execve), then execs PROGRAM in the same
process (same pid, signals and descriptors). On an older kernel it says so on stderr and execs PROGRAM anyway.
"""
import ctypes, os, sys

PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    print(f"mdwe_exec: this kernel cannot forbid W+X memory ({os.strerror(ctypes.get_errno())}); running without",
          file=sys.stderr, flush=True)
elif libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) & PR_MDWE_REFUSE_EXEC_GAIN:
    print("mdwe_exec: writable-and-executable memory is forbidden (PR_SET_MDWE)", file=sys.stderr, flush=True)
os.execvp(sys.argv[1], sys.argv[1:])
