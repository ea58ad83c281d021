// nethttp: an HTTP server and client in one Go program over loopback.
// The server listens on 127.0.0.1:0 (and, when the host has it, [::1]:0);
// the client makes GET and POST requests, a 1 MiB download, keep-alive
// requests on one connection and concurrent requests from goroutines, and
// prints what it got. Only deterministic facts are printed.
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
)

func big() []byte {
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func serve(network, addr string) (string, *http.Server, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	data := big()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Query().Get("name"))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Len", fmt.Sprint(len(body)))
		w.Write(bytes.ToUpper(body))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(data)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return ln.Addr().String(), srv, nil
}

func run(name, network, addr string) int {
	fails := 0
	base, srv, err := serve(network, addr)
	if err != nil {
		fmt.Printf("%s: listen failed\n", name)
		return 1
	}
	defer srv.Close()
	client := &http.Client{}
	url := "http://" + base

	resp, err := client.Get(url + "/hello?name=ember")
	if err != nil {
		fmt.Printf("%s: GET failed: %v\n", name, err)
		return 1
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%s: GET /hello %d %q\n", name, resp.StatusCode, body)

	resp, err = client.Post(url+"/echo", "text/plain", strings.NewReader("post body"))
	if err != nil {
		fmt.Printf("%s: POST failed: %v\n", name, err)
		return 1
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%s: POST /echo %d %q len %s\n", name, resp.StatusCode, body, resp.Header.Get("X-Len"))

	resp, err = client.Get(url + "/big")
	if err != nil {
		fmt.Printf("%s: GET /big failed: %v\n", name, err)
		return 1
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	want := sha256.Sum256(big())
	got := sha256.Sum256(body)
	fmt.Printf("%s: GET /big %d bytes, digest matches %v\n", name, len(body), want == got)
	if want != got {
		fails++
	}

	for i := 0; i < 5; i++ {
		resp, err = client.Get(fmt.Sprintf("%s/hello?name=k%d", url, i))
		if err != nil {
			fmt.Printf("%s: keep-alive GET %d failed: %v\n", name, i, err)
			return fails + 1
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	fmt.Printf("%s: keep-alive last %q\n", name, body)

	var wg sync.WaitGroup
	var mu sync.Mutex
	var results []string
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := client.Post(url+"/echo", "text/plain",
				strings.NewReader(fmt.Sprintf("goroutine %d", i)))
			s := "error"
			if err == nil {
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				s = string(b)
			}
			mu.Lock()
			results = append(results, s)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	sort.Strings(results)
	fmt.Printf("%s: concurrent %s\n", name, strings.Join(results, ","))
	return fails
}

func main() {
	fails := run("ipv4", "tcp4", "127.0.0.1:0")
	fails += run("ipv6", "tcp6", "[::1]:0")
	if fails != 0 {
		os.Exit(1)
	}
}
