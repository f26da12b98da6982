#!/usr/bin/env bash
# What the real node changes on this machine, recorded before it starts and put back after it
# stops: sysctls (the kubelet sets vm.overcommit_memory, kernel.panic, kernel.panic_on_oops; the
# bridge plugin net.ipv4.ip_forward; ...), the iptables rules (kube-proxy's KUBE-* and the
# kubelet's and CNI plugins' chains), network namespaces and host directories it creates.
#
#   tests/node/hoststate.sh record    save the current state (kept if already saved: a crashed
#                                     run's record is the true "before")
#   tests/node/hoststate.sh restore   remove the chains, netns and dirs the node made, restore
#                                     the sysctls; then check, print what differs, exit 1 if any
#   tests/node/hoststate.sh check     only compare (exit 1 and print the differences)
set -euo pipefail
cache="${KSPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark}"
saved="$cache/node/host-before"
say() { printf '[node host] %s\n' "$*" >&2; }

sysctls=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward
  net.ipv4.conf.all.forwarding net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables
  net.bridge.bridge-nf-call-ip6tables net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait
  net.netfilter.nf_conntrack_tcp_be_liberal kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
# Host paths the node may create outside its own directories (hard-coded in the kubelet,
# containerd's shims, runc or the CNI library). Those that did not exist before are removed when
# empty (the node's own files in them are removed by down.sh); one that still holds something
# is reported, not removed: another containerd on the machine may be using it.
paths=(/var/lib/cni /var/log/containers /run/containerd /var/run/netns /var/lib/kubelet /etc/cni)

iptables_now() { # the rules, without counters and comments that change on their own
  local t
  for t in filter nat mangle raw; do
    iptables-save -t "$t" 2>/dev/null | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]//'
  done
}
sysctls_now() {
  local k v
  for k in "${sysctls[@]}"; do
    v="$(sysctl -n "$k" 2>/dev/null)" || continue
    printf '%s=%s\n' "$k" "$(echo "$v" | tr -s '\t ' ' ')"
  done
}
paths_now() { local p; for p in "${paths[@]}"; do [ -e "$p" ] && echo "$p"; done; return 0; }
netns_now() { ls /var/run/netns 2>/dev/null | sort || true; }

record() {
  if [ -d "$saved" ]; then
    say "keeping the host state recorded earlier in $saved"
    return 0
  fi
  mkdir -p "$saved.tmp"
  sysctls_now > "$saved.tmp/sysctls"
  iptables_now > "$saved.tmp/iptables"
  paths_now > "$saved.tmp/paths"
  netns_now > "$saved.tmp/netns"
  mv "$saved.tmp" "$saved"
}

# Removes every chain named KUBE-* or CNI-* (and the rules jumping to them) from every table.
flush_node_chains() {
  local t chain rule
  for t in filter nat mangle raw; do
    iptables-save -t "$t" >/dev/null 2>&1 || continue
    # rules in built-in or foreign chains that jump to ours
    { iptables-save -t "$t" | grep -E '^-A .* -j (KUBE-|CNI-)' | grep -vE '^-A (KUBE-|CNI-)' || true; } |
      while read -r rule; do
        # shellcheck disable=SC2086
        eval "iptables -t $t ${rule/-A/-D}" 2>/dev/null || true
      done
    for chain in $(iptables-save -t "$t" | sed -n 's/^:\(\(KUBE-\|CNI-\)[^ ]*\) .*/\1/p' | sort -u); do
      iptables -t "$t" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables-save -t "$t" | sed -n 's/^:\(\(KUBE-\|CNI-\)[^ ]*\) .*/\1/p' | sort -u); do
      iptables -t "$t" -X "$chain" 2>/dev/null || true
    done
  done
}

check() {
  [ -d "$saved" ] || { say "no recorded host state in $saved"; return 0; }
  local bad=0 d
  if ! d="$(diff <(cat "$saved/sysctls") <(sysctls_now))"; then say "sysctls differ:"; echo "$d" >&2; bad=1; fi
  if ! d="$(diff <(cat "$saved/iptables") <(iptables_now))"; then say "iptables rules differ:"; echo "$d" >&2; bad=1; fi
  if ! d="$(diff <(cat "$saved/netns") <(netns_now))"; then say "network namespaces differ:"; echo "$d" >&2; bad=1; fi
  if ! d="$(diff <(cat "$saved/paths") <(paths_now))"; then
    say "warning: host paths that did not exist before still hold files (another containerd's?):"
    echo "$d" >&2
  fi
  return "$bad"
}

restore() {
  [ -d "$saved" ] || { say "no recorded host state in $saved: nothing to restore"; return 0; }
  flush_node_chains
  local ns p line
  for ns in $(comm -13 "$saved/netns" <(netns_now)); do
    case "$ns" in cni-*) ip netns del "$ns" 2>/dev/null || true ;; esac
  done
  for p in $(comm -13 <(sort "$saved/paths") <(paths_now | sort)); do
    while mountpoint -q "$p"; do umount "$p" || break; done
    case "$p" in
      # only a kubelet uses it (the device manager's socket is hard-coded there)
      /var/lib/kubelet) rm -rf --one-file-system "$p" ;;
      *) find "$p" -depth -type d -empty -delete 2>/dev/null || true ;;
    esac
  done
  while IFS= read -r line; do
    sysctl -q -w "$line" >/dev/null 2>&1 || say "could not restore sysctl $line"
  done < "$saved/sysctls"
  if check; then
    rm -rf "$saved"
  else
    say "the host is not as it was before the real node started (record kept in $saved)"
    return 1
  fi
}

case "${1:-}" in
  record) record ;;
  restore) restore ;;
  check) check ;;
  *) echo "usage: tests/node/hoststate.sh record|restore|check" >&2; exit 2 ;;
esac
