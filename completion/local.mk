# bash completion for tapwire, where bash-completion loads it on demand
# (`make bashcompletiondir=DIR` puts it elsewhere).
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = completion/tapwire
EXTRA_DIST += completion/tapwire.bash
CLEANFILES += completion/tapwire
completion/tapwire: $(srcdir)/completion/tapwire.bash
	$(AM_V_GEN)$(MKDIR_P) completion && cp $(srcdir)/completion/tapwire.bash $@
