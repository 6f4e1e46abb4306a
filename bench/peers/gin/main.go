// The Go peer: net/http + gin with the graceful-shutdown pattern of gin's own example (Server.Shutdown on
// SIGINT/SIGTERM/SIGQUIT, forever or within --shutdown-timeout). Same routes as samples/SlowService.
// Built from Debian's golang-go and golang-github-gin-gonic-gin-dev in GOPATH mode: see bench/peers/gin/build.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
)

func main() {
	urls := flag.String("urls", "http://127.0.0.1:8080", "where to listen")
	slow := flag.Duration("slow", 30*time.Second, "how long GET /slow takes")
	timeout := flag.Duration("shutdown-timeout", 0, "drain deadline; 0 waits for every request")
	flag.Parse()

	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.GET("/ping", func(c *gin.Context) { c.String(http.StatusOK, "pong") })
	router.GET("/slow", func(c *gin.Context) {
		time.Sleep(*slow)
		c.JSON(http.StatusOK, gin.H{"message": "success"})
	})

	listener, err := net.Listen("tcp", strings.TrimPrefix(*urls, "http://"))
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{Handler: router}
	fmt.Printf("Now listening on: http://%s\n", listener.Addr())
	go func() {
		if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()

	quit := make(chan os.Signal, 1)
	signal.Notify(quit, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	<-quit
	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if err := server.Shutdown(ctx); err != nil {
		log.Fatal("Server Shutdown: ", err)
	}
	log.Println("Server exiting")
}
