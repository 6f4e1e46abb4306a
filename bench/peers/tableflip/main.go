// The Go peer for in-place upgrades: net/http with cloudflare/tableflip, following the package's documented pattern
// (its http_example_test.go): SIGHUP -> Upgrade(), Listen through the upgrader, Ready() writes the pid file and
// tells the parent, and at Exit() the old process drains with http.Server.Shutdown under a timeout.
// Built from Debian's golang-go and golang-github-cloudflare-tableflip-dev in GOPATH mode: see build.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/tableflip"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pidFile := flag.String("pid-file", "", "path of the pid file tableflip writes when a process is ready")
	timeout := flag.Duration("shutdown-timeout", 30*time.Second, "how long the old process may drain after an upgrade")
	flag.Parse()
	log.SetPrefix(fmt.Sprintf("%d ", os.Getpid()))

	upg, err := tableflip.New(tableflip.Options{PIDFile: *pidFile})
	if err != nil {
		log.Fatalln("tableflip:", err)
	}
	defer upg.Stop()

	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGHUP)
		for range sig {
			if err := upg.Upgrade(); err != nil {
				log.Println("Upgrade failed:", err)
			}
		}
	}()

	// SIGTERM/SIGINT end the whole service: Stop closes Exit() without an upgrade, then the same drain runs.
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		upg.Stop()
	}()

	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	mux.HandleFunc("/pid", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, strconv.Itoa(os.Getpid())) })

	// Listen must be called before Ready: it returns the inherited socket when this process is an upgrade.
	ln, err := upg.Listen("tcp", *addr)
	if err != nil {
		log.Fatalln("Can't listen:", err)
	}
	server := &http.Server{Handler: mux}
	go func() {
		if err := server.Serve(ln); err != http.ErrServerClosed {
			log.Println("HTTP server:", err)
		}
	}()

	log.Printf("Now listening on: http://%s", ln.Addr())
	if err := upg.Ready(); err != nil {
		log.Fatalln("Ready:", err)
	}
	<-upg.Exit()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := server.Shutdown(ctx); err != nil {
		log.Println("Shutdown:", err)
		os.Exit(1)
	}
}
