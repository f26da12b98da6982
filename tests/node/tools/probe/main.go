// Command probe is the real node's test image: a static program that the node's own checks
// (tests/node/check.sh) run in pods to prove logs, exec, port-forward, cluster DNS and the
// API server's Service IP.
//
//	probe serve PORT      print a line every second, answer HTTP on PORT with "probe ok"
//	probe resolve NAME... print NAME ADDRESS for each name (cluster DNS through /etc/resolv.conf)
//	probe get URL         GET URL over HTTPS with the pod's service-account CA and token,
//	                      print the status code and body
//	probe sleep           sleep until SIGTERM, print "got SIGTERM" then exit 0
//	probe hog             allocate memory until killed (memory limit checks)
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe serve PORT | resolve NAME... | get URL | sleep")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2])
	case "resolve":
		code := 0
		for _, name := range os.Args[2:] {
			addrs, err := net.LookupHost(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, name, err)
				code = 1
				continue
			}
			fmt.Println(name, strings.Join(addrs, ","))
		}
		os.Exit(code)
	case "get":
		os.Exit(get(os.Args[2]))
	case "hog":
		var hoard [][]byte
		for {
			chunk := make([]byte, 4<<20)
			for i := range chunk {
				chunk[i] = 1
			}
			hoard = append(hoard, chunk)
			fmt.Println("holding", len(hoard)*4, "MiB")
			time.Sleep(10 * time.Millisecond)
		}
	case "sleep":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
		<-sigs
		fmt.Println("got SIGTERM")
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func serve(port string) {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "probe ok") })
	go func() {
		for i := 0; ; i++ {
			fmt.Printf("probe line %d\n", i)
			time.Sleep(time.Second)
		}
	}()
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func get(url string) int {
	pool := x509.NewCertPool()
	if ca, err := os.ReadFile(saDir + "/ca.crt"); err == nil {
		pool.AppendCertsFromPEM(ca)
	}
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if token, err := os.ReadFile(saDir + "/token"); err == nil {
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode)
	fmt.Println(string(body))
	return 0
}
