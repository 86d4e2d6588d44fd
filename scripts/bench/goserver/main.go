// goserver: askeladden's replies from Go's net/http, for scripts/bench.sh to
// compare against. Standard library only.
//
// GET and HEAD on any path answer the text, /healthz "ok" and /readyz
// "ready"; every other method gets 405 with Allow. No logging.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"time"
)

const contentType = "text/plain; charset=utf-8"

type reply struct {
	status int
	body   []byte
	length []string // Content-Length, formatted once
}

func newReply(status int, body string) reply {
	return reply{status, []byte(body), []string{strconv.Itoa(len(body))}}
}

var (
	text       = newReply(http.StatusOK, "Strange women lying in ponds distributing swords is no basis for a system of government.\n")
	healthy    = newReply(http.StatusOK, "ok\n")
	ready      = newReply(http.StatusOK, "ready\n")
	notAllowed = newReply(http.StatusMethodNotAllowed, "method not allowed\n")

	// Header values shared by every reply: the keys are already canonical,
	// so they go into the map directly instead of through Header.Set.
	contentTypeValue = []string{contentType}
	allowValue       = []string{"GET, HEAD"}
)

func route(r *http.Request) *reply {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return &notAllowed
	}
	switch r.URL.Path {
	case "/healthz":
		return &healthy
	case "/readyz":
		return &ready
	}
	return &text
}

func serve(w http.ResponseWriter, r *http.Request) {
	rep := route(r)
	h := w.Header()
	h["Content-Type"] = contentTypeValue
	h["Content-Length"] = rep.length
	if rep == &notAllowed {
		h["Allow"] = allowValue
	}
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead {
		w.Write(rep.body)
	}
}

func main() {
	address := flag.String("address", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 8080, "TCP port to listen on")
	procs := flag.Int("procs", 0, "GOMAXPROCS: threads running Go code at once (0: one a CPU)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "goserver: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}

	// The same limits as askeladden: 8 kB of headers, 10 s to read or
	// write, 10 s idle on a keep-alive connection.
	server := &http.Server{
		Addr:              net.JoinHostPort(*address, strconv.Itoa(*port)),
		Handler:           http.HandlerFunc(serve),
		MaxHeaderBytes:    8192,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if err := server.ListenAndServe(); err != nil {
		fmt.Fprintf(os.Stderr, "goserver: %v\n", err)
		os.Exit(1)
	}
}
