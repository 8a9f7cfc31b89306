dist_man_MANS += doc/tapwire-bridge-helper.8
EXTRA_DIST += doc/performance.md
