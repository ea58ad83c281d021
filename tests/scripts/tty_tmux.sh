#!/bin/bash
# tty_tmux.sh EMBER BUSYBOX: Ember's console as an interactive terminal.
#
# A detached tmux session (private server, 80x24) runs a host script that
# starts `EMBER run BUSYBOX sh`; keys are typed with send-keys and the
# screen is read with capture-pane. Checked: a command's output; the
# guest's `stty -g` equal to the host terminal's; the
# core's canonical line editing (DEL under `head -1`); ^C ending a
# foreground sleep; ^Z, fg and ^C; `stty size` before and after
# resize-window (SIGWINCH); busybox vi writing a file; and, after Ember
# is killed with SIGKILL, the host terminal's `stty -g` being what it was
# before Ember put it into raw mode (the guardian restored it).
# Exits 77 (skipped) without tmux.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 EMBER BUSYBOX" >&2
	exit 2
fi
ember=$(realpath "$1")
busybox=$(realpath "$2")
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

work=$(mktemp -d "$PWD/tty-tmux.XXXXXX") || exit 2
sock="ember-tty-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail=0
screen() { tm capture-pane -p -t t; }
# wait_for REGEX [SECONDS]: until the screen matches.
wait_for() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
check() { # check NAME REGEX [SECONDS]
	if wait_for "$2" "${3:-20}"; then
		echo "ok: $1"
	else
		echo "FAIL: $1 (no /$2/ on the screen)"
		screen | sed 's/^/  | /'
		fail=1
	fi
}
keys() { tm send-keys -t t "$@"; }
clear_screen() { keys C-l; tm clear-history -t t; sleep 0.3; }

# The pane runs a plain (non-interactive) host shell around Ember: no
# line editor of its own touches the terminal, so what `stty -g` says
# afterwards is what Ember left (or its guardian restored).
cat >"$work/pane.sh" <<EOF
stty -g >"$work/orig.stty"
PS1='G\$ ' "$ember" run "$busybox" sh
echo "ember ended: \$?"
sleep 1
stty -g >"$work/after.stty"
exec sleep 1000
EOF
tm new-session -d -s t -x 80 -y 24 -c "$work" \
	"env -i PATH=/usr/bin:/bin HOME=/ TERM=xterm $busybox sh $work/pane.sh" ||
	exit 2
tm set-option -t t -g window-size manual >/dev/null 2>&1
check "guest prompt" '^G\$' 30 || exit 1

keys 'echo hi' Enter
check "echo" '^hi$'

# The console starts with the host terminal's settings (IUTF8 from tmux).
keys "stty -g > $work/guest.stty; echo saved" Enter
check "guest stty -g" '^saved$'
if cmp -s "$work/orig.stty" "$work/guest.stty"; then
	echo "ok: guest stty -g is the host's"
else
	echo "FAIL: guest stty -g '$(cat "$work/guest.stty")'," \
		"host '$(cat "$work/orig.stty")'"
	fail=1
fi

# head -1 reads in canonical mode: the core erases X on DEL.
clear_screen
keys 'head -1' Enter
sleep 0.5
keys 'abX' BSpace 'c' Enter
check "canonical erase" '^abc$'

clear_screen
keys 'sleep 100' Enter
sleep 1
keys C-c
keys 'echo st=$?' Enter
check "^C ends sleep" '^st=130$'

clear_screen
keys 'sleep 100' Enter
sleep 1
keys C-z
check "^Z stops sleep" 'Stopped'
keys 'fg' Enter
sleep 1
keys C-c
keys 'echo fg=$?' Enter
check "fg then ^C" '^fg=130$'

clear_screen
keys 'stty size' Enter
check "stty size" '^24 80$'
tm resize-window -t t -x 100 -y 30
sleep 0.5
clear_screen
keys 'stty size' Enter
check "stty size after resize" '^30 100$'

clear_screen
keys 'vi /tmp/f' Enter
sleep 1.5
keys i 'hello' Escape
sleep 0.3
keys ':wq' Enter
sleep 1
keys 'cat /tmp/f' Enter
check "vi wrote the file" '^hello$'

# SIGKILL: nothing of Ember runs, the guardian restores the terminal.
pane=$(tm list-panes -t t -F '#{pane_pid}')
kpid=
for p in /proc/[0-9]*; do
	[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$pane" ] || continue
	[ "$(readlink "$p/exe" 2>/dev/null)" = "$ember" ] && kpid=${p#/proc/}
done
if [ -z "$kpid" ]; then
	echo "FAIL: cannot find ember (child of pane $pane)"
	exit 1
fi
kill -KILL "$kpid"
check "ember killed" 'ember ended: 137$' 10
for ((i = 0; i < 50; i++)); do
	[ -s "$work/after.stty" ] && break
	sleep 0.1
done
if [ -s "$work/orig.stty" ] && cmp -s "$work/orig.stty" "$work/after.stty"; then
	echo "ok: terminal restored after SIGKILL ($(cat "$work/after.stty"))"
else
	echo "FAIL: stty -g before '$(cat "$work/orig.stty" 2>/dev/null)'" \
		"after '$(cat "$work/after.stty" 2>/dev/null)'"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "PASS: tty_tmux"
exit "$fail"
