// Command feedserve serves N generated feeds of M items on loopback and
// writes a newsdigest config listing them, for measuring whole runs:
//
//	go run ./internal/cmd/feedserve -feeds 1000 -items 50 -matching 0.55 -config /tmp/bench/config.yaml -urls /tmp/bench/urls.txt
//	go build -o /tmp/nd ./cmd/newsdigest
//	cd /tmp/bench && /usr/bin/time -v /tmp/nd run -dry-run -format json -config config.yaml
//
// The feeds are feedtest.Generated's (RSS, Atom, JSON Feed and
// windows-1252 RSS in turn; -matching sets the fraction of items that
// match), the ones BenchmarkRun in cmd/newsdigest serves; docs/PERFORMANCE.md
// has the measurements. It answers conditional requests (ETag,
// Last-Modified) like a real server.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
)

func main() {
	nFeeds := flag.Int("feeds", 1000, "number of feeds")
	nItems := flag.Int("items", 50, "items per feed")
	addr := flag.String("listen", "127.0.0.1:0", "listen address (loopback only)")
	cfgPath := flag.String("config", "", "write a newsdigest config listing the feeds here")
	urlsPath := flag.String("urls", "", "write the feed URLs here, one per line (for curl)")
	matching := flag.Float64("matching", 0.1, "fraction of items written to match a topic (a real watchlist matches a few percent)")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("feedserve: -listen must be a loopback address, not %q", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()

	now := time.Now()
	bodies := make(map[string][]byte, *nFeeds)
	types := make(map[string]string, *nFeeds)
	var urls strings.Builder
	specs := feedtest.Generated(base, *nFeeds, *nItems, *matching, now)
	for f, spec := range specs {
		path := feedtest.GeneratedPath(f)
		bodies[path] = feedtest.Render(spec)
		types[path] = feedtest.ContentType(spec.Format)
		fmt.Fprintln(&urls, base+path)
	}
	if *cfgPath != "" {
		if err := os.WriteFile(*cfgPath, []byte(feedtest.GeneratedConfig(base, specs)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *urlsPath != "" {
		if err := os.WriteFile(*urlsPath, []byte(urls.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	var total int
	for _, b := range bodies {
		total += len(b)
	}
	log.Printf("feedserve: %d feeds, %d items each, %.1f MB, at %s (config %s)", *nFeeds, *nItems, float64(total)/1e6, base, filepath.Clean(*cfgPath))

	modTime := now.Truncate(time.Second)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", types[r.URL.Path])
		w.Header().Set("ETag", fmt.Sprintf(`"%x"`, len(body)*31+len(r.URL.Path)))
		http.ServeContent(w, r, "", modTime, bytes.NewReader(body))
	})
	log.Fatal(http.Serve(ln, h))
}
