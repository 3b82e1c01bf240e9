#!/bin/sh
# The GNU parallel recipes of docs/scale.md, typed as an analyst types them:
# one job per host on this machine, then across machines (--sshlogin), then
# merge; the merged case must be the one a single 'remtrail analyze' gives.
# The "machines" are this one, reached through a stand-in for ssh that runs
# the command from / (as ssh runs it from a home folder), so the recipe must
# not depend on the folder it was started from.
. "${srcdir:-.}/tests/scale/common.sh"
command -v parallel >/dev/null 2>&1 || skip "GNU parallel is not installed (Debian package 'parallel')"
make_case
cd "$T"

# On this machine: one job per host, two at a time.
remtrail hosts case --format names |
	parallel --will-cite -j2 --halt now,fail=1 \
		remtrail analyze --manifest case.manifest --host {} -o out 2>"$T/local.log" ||
	fail "parallel, local: $(cat "$T/local.log")"
remtrail merge out 2>>"$T/local.log" || fail "merge: $(cat "$T/local.log")"
same_as_whole out

# Across two machines: absolute paths, one job per host.
cat >"$T/bin/fake-ssh" <<'SSH'
#!/bin/sh
# ssh HOST -- COMMAND as GNU parallel calls it; logs the host it was asked for.
while [ $# -gt 0 ]; do
	case $1 in
	-l | -p | -o | -i | -F) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
echo "$1" >>"$RT_FAKE_SSH_LOG"
shift
[ "${1:-}" != "--" ] || shift
# sshd starts the command from the home folder with SHELL set to the login
# shell; GNU parallel's remote wrapper runs the job with $SHELL, and a CI
# runner may have no SHELL at all.
SHELL=/bin/sh
export SHELL
cd /
exec sh -c "$*"
SSH
chmod +x "$T/bin/fake-ssh"
RT_FAKE_SSH_LOG=$T/ssh.log
export RT_FAKE_SSH_LOG
remtrail hosts case --format names |
	parallel --will-cite --ssh fake-ssh --sshlogin 1/node1,1/node2 --halt now,fail=1 \
		remtrail analyze --manifest "$T/case.manifest" --host {} -o "$T/remote" 2>"$T/remote.log" ||
	fail "parallel --sshlogin: $(cat "$T/remote.log")"
grep -qx node1 "$T/ssh.log" && grep -qx node2 "$T/ssh.log" ||
	fail "the jobs did not go to both machines: $(sort "$T/ssh.log" | uniq -c)"
remtrail merge "$T/remote" 2>>"$T/remote.log" || fail "merge: $(cat "$T/remote.log")"
same_as_whole "$T/remote"
echo "parallel: one job per host, locally and over --sshlogin, merged = single process"
