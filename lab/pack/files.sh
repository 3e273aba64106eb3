# files.sh - sourced by the pack scripts: which files of the tree to pack.
#
# pack_files OUT NAME writes to OUT, one per line and sorted, the files git
# tracks that still exist, plus (with ZCL_PACK_UNTRACKED=1) the untracked
# ones git does not ignore; without it, NAME says on stderr which untracked
# files were left out. Needs $tmp (a scratch directory) and git.
pack_files() {
	git -c core.quotepath=off ls-files --cached >"$tmp/tracked"
	git -c core.quotepath=off ls-files --others --exclude-standard >"$tmp/untracked"
	if [ "${ZCL_PACK_UNTRACKED:-0}" = 1 ]; then
		cat "$tmp/tracked" "$tmp/untracked"
	else
		cat "$tmp/tracked"
		if [ -s "$tmp/untracked" ]; then
			echo "$2: left out, as git does not track them (git add, or ZCL_PACK_UNTRACKED=1):" >&2
			sed 's/^/  /' "$tmp/untracked" >&2
		fi
	fi | LC_ALL=C sort -u | while IFS= read -r f; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done >"$1"
}
