# engine-move.sh: what `ip -j` says of each device in $devs (space
# separated), from the slurped output of `ip -j link show`, `ip -j addr
# show`, `ip -j -4 route show table all` and `ip -j -6 route show table all`:
# its master, then one line per address and per route through it (those the
# kernel makes itself aside). The device's own name and what counts down
# (lifetimes, expiry) are left out; nodad too, which a moved IPv6 address
# carries on the bridge (the NIC did the detection on the same link).
($devs | split(" ")) as $want
| .[0] as $links | .[1] as $addrs | (.[2] + .[3]) as $routes
| $want[] as $d
| ("dev \($d) master \([$links[] | select(.ifname == $d) | .master // "-"] | first // "absent")",
   ([$addrs[] | select(.ifname == $d) | .addr_info[] | select(.scope != "link")
     | del(.valid_life_time, .preferred_life_time, .nodad)
     | .label = ((.label // "") | sub("^" + $d; "DEV")) | tojson] | sort | .[] | "addr \(.)"),
   ([$routes[] | select(.dev == $d and .protocol != "kernel")
     | select((.type // "unicast") | IN("local", "multicast", "broadcast") | not)
     | del(.expires, .dev, .flags) | tojson] | sort | .[] | "route \(.)"))
