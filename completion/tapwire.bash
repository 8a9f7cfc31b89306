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

	local commands="up down check status attach detach gc doctor show confirm revert"
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
	--confirm | --probe)
		# SECONDS, ADDR: nothing to offer.
		return
		;;
	esac

	# The command: the first word that is not an option (or an option's
	# argument); then what follows it: its argument (FILE, OWNER) and the
	# options already given.
	local cmd="" arg="" seen=" " i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--owner | -o | --domain | --connect | --netns | -N | --confirm | --probe)
			seen+="${words[i]} "
			((i++))
			;;
		-*) seen+="${words[i]} " ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			else
				arg=${words[i]}
			fi
			;;
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

	# What each command takes (tapwire --help); every one takes --netns.
	local opts="-N --netns" owner=0
	[[ $seen == *" --owner "* || $seen == *" -o "* ]] && owner=1
	case $cmd in
	up) opts+=" -n --dry-run -q --quiet -j --json -f --force --owner --confirm --probe" ;;
	down) opts+=" -n --dry-run -q --quiet -j --json -f --force --owner" ;;
	check) opts+=" -q --quiet -j --json --owner" ;;
	status) opts+=" -j --json" ;;
	attach | detach)
		if [[ $cmd == attach ]]; then
			opts+=" --owner"
		else
			opts+=" -f --force"
		fi
		opts+=" -n --dry-run -q --quiet -j --json --domain"
		[[ $seen == *" --domain "* ]] && opts+=" --connect"
		;;
	gc) opts+=" -n --dry-run -q --quiet -j --json" ;;
	doctor) opts+=" -j --json" ;;
	show)
		# FILE or --owner NAME; --dot or --json.
		[[ -z $arg && $owner == 0 ]] && opts+=" --owner"
		[[ $seen != *" --dot "* && $seen != *" --json "* && $seen != *" -j "* ]] &&
			opts+=" --dot -j --json"
		;;
	confirm | revert) opts+=" -q --quiet -j --json" ;;
	*) return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	[[ -n $arg ]] && return
	case $cmd in
	up | down | check | attach | detach | show)
		[[ $cmd == show || $cmd == down ]] && ((owner)) && return
		# An XML file (topology, domain or one <interface>), or a directory
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur") $(compgen -d -- "$cur"))
		;;
	confirm | revert)
		# The owner whose change waits (confirm.c: the only one when none)
		COMPREPLY=($(compgen -W "$(_tapwire_owners)" -- "$cur"))
		;;
	esac
}
complete -F _tapwire tapwire
