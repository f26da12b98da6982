// Command pause is the real node's sandbox ("pause") container: it holds the pod's namespaces,
// reaps the zombies of the pod's PID namespace when it is PID 1, and exits on SIGINT/SIGTERM.
// Built locally (no registry is reachable) by tests/node/build.sh.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
