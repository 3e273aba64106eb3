# zcl.bash - bash completion for zcl, the Zero-Copy Lab's command.
#
#   source lab/zcl.bash          (this shell), or copy it to
#   ~/.local/share/bash-completion/completions/zcl
#
# Completes the commands, each command's own options (the same lists as
# `zcl COMMAND --help`: tests/test_cli2.c keeps them in step), the values
# of options that take a word from a list, stage numbers and slugs (asked
# of `zcl list`, so they follow the stage table), file names where a file
# is expected, process ids after `zcl trace -p`, and after `zcl trace --`
# the program and its arguments.
# Needs nothing but bash (no bash-completion package).

_zcl_commands="list check run replay trace hint watch tour reset grade selfcheck bench help"

# _zcl_options COMMAND: the options COMMAND takes.
_zcl_options() {
	case $1 in
	list | hint | reset | help) echo "-h --help" ;;
	check) echo "--solution --size --file --seed --warm --no-sg --timeout --inject --json -h --help" ;;
	run) echo "--solution --size --file --seed --warm --no-sg --timeout --inject --json --no-tui --step" \
		"--speed --record --cast --once -h --help" ;;
	replay) echo "--json --no-tui --step --speed --cast --once -h --help" ;;
	trace) echo "--no-sg --timeout --json --tui --summary --exact -o --out -p --attach -h --help" ;;
	watch) echo "--size --seed --timeout -h --help" ;;
	tour) echo "--size --seed --warm --no-sg --timeout --no-tui --speed --cast -h --help" ;;
	grade) echo "--solution --seed --timeout -o --out --format --stage --test --class -j --jobs -h --help" ;;
	selfcheck) echo "--seed --timeout -h --help" ;;
	bench) echo "--solution --size --sizes --seed --warm --cold --no-sg --timeout --json --chunk --rounds" \
		"--receiver --plot -h --help" ;;
	esac
}

# _zcl_stages ZCL: every stage's number and slug, from `ZCL list`.
_zcl_stages() {
	"$1" list 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && NF >= 2 { print $1; print $2 }'
}

# _zcl_reply WORDS: COMPREPLY = the words that start with $cur.
_zcl_reply() {
	local IFS=$'\n'
	# shellcheck disable=SC2207  # one completion per line
	COMPREPLY=($(IFS=$' \t\n' compgen -W "$1" -- "$cur"))
}

# _zcl_files -f|-d|-c: file names, directories or commands that start with
# $cur, one per line (names with blanks stay whole).
_zcl_files() {
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen "$1" -- "$cur"))
}

_zcl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local zcl=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} i
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		_zcl_reply "$_zcl_commands --help --version"
		return 0
	fi
	if [ "$cmd" = trace ]; then # after --: the traced program, then its arguments
		for ((i = 2; i < COMP_CWORD; i++)); do
			[ "${COMP_WORDS[i]}" = -- ] || continue
			if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
				_zcl_files -c
			else
				_zcl_files -f
			fi
			return 0
		done
	fi
	case $prev in
	--file | --record | --cast | -o | --out | --plot) _zcl_files -f; return 0 ;;
	--class) _zcl_files -d; return 0 ;;
	-p | --attach) _zcl_reply "$(cd /proc && printf '%s\n' [0-9]*)"; return 0 ;; # running processes
	--inject) _zcl_reply "short eintr"; return 0 ;;
	--format) _zcl_reply "text json gradescope junit autolab classroom"; return 0 ;;
	--receiver) _zcl_reply "discard copy"; return 0 ;;
	--speed) _zcl_reply "1 2 3 4 5 6 7 8 9"; return 0 ;;
	--stage) _zcl_reply "$(_zcl_stages "$zcl")"; return 0 ;;
	--size | --sizes | --seed | --timeout | --chunk | --rounds | -j | --jobs) return 0 ;; # a value to type
	esac
	if [[ $cur == -* ]]; then
		local end=""
		[ "$cmd" = trace ] && end=" --" # where the traced command begins
		_zcl_reply "$(_zcl_options "$cmd")$end"
		return 0
	fi
	case $cmd in
	check | run | hint | reset) _zcl_reply "$(_zcl_stages "$zcl")" ;;
	replay) _zcl_files -f ;;
	help) _zcl_reply "$_zcl_commands" ;;
	trace) _zcl_reply "-- $(_zcl_options trace)" ;;
	esac
	return 0
}

complete -F _zcl zcl ./zcl
