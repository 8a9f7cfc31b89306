# bash completion for tapwire(8): its commands, options, XML files, owners
# on record and libvirt domains.

_tapwire_owners()
{
	# The owners `tapwire status --json` lists; nothing when not root.
	tapwire status --json 2>/dev/null |
		sed -n 's/.*"owner": *"\([^"]*\)".*/\1/p' | sort -u
}

_tapwire()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="up down check status attach detach gc doctor show confirm"
	local common="-h --help --version -q --quiet -j --json -N --netns"

	case $prev in
	--owner | -o)
		COMPREPLY=($(compgen -W "$(_tapwire_owners) $(compgen -u)" -- "$cur"))
		return
		;;
	--domain)
		COMPREPLY=($(compgen -W "$(virsh list --all --name 2>/dev/null)" -- "$cur"))
		return
		;;
	--connect)
		COMPREPLY=($(compgen -W "qemu:///system qemu:///session" -- "$cur"))
		return
		;;
	--netns | -N)
		COMPREPLY=($(compgen -W "$(ls /run/netns 2>/dev/null)" -- "$cur"))
		return
		;;
	--confirm)
		return
		;;
	esac

	# The command: the first word that is not an option (or an option's
	# argument).
	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--owner | -o | --domain | --connect | --netns | -N | --confirm) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	local opts
	case $cmd in
	up) opts="-n --dry-run -f --force --owner --confirm" ;;
	down) opts="-n --dry-run -f --force --owner" ;;
	check) opts="" ;;
	status) opts="" ;;
	attach) opts="-n --dry-run --owner --domain --connect" ;;
	detach) opts="-n --dry-run -f --force --domain --connect" ;;
	gc) opts="-n --dry-run" ;;
	doctor) opts="" ;;
	show) opts="--owner --dot" ;;
	confirm) opts="--owner" ;;
	*) return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return
	fi
	case $cmd in
	up | down | check | attach | detach | show)
		# An XML file (topology, domain or one <interface>), or a directory
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur") $(compgen -d -- "$cur"))
		;;
	esac
}
complete -F _tapwire tapwire
