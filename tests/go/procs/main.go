// GO_MODE: sigint
// A Go program for Ember's process issue: goroutines over channels,
// time.Sleep, sync.WaitGroup, os/exec, a recovered panic, GOMAXPROCS(2),
// and os/signal receiving SIGINT from outside. Every line it prints is
// deterministic so the native run and the Ember run can be compared.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func pipeline(n int) int {
	in := make(chan int)
	out := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := <-in
			out <- v * 2
		}()
	}
	go func() {
		for i := 0; i < n; i++ {
			in <- i
		}
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	sum := 0
	for v := range out {
		sum += v
	}
	return sum
}

func recovered() (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint("recovered: ", r)
		}
	}()
	var m map[string]int
	m["x"] = 1 // panics: assignment to entry in nil map
	return "no panic"
}

func main() {
	prev := runtime.GOMAXPROCS(2)
	fmt.Println("gomaxprocs set:", runtime.GOMAXPROCS(0), prev > 0)

	fmt.Println("goroutines sum:", pipeline(1000))

	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	fmt.Println("slept at least 50ms:", time.Since(start) >= 50*time.Millisecond)

	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				mu.Lock()
				count++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("mutex count:", count)

	out, err := exec.Command("/bin/busybox", "echo", "from", "exec").Output()
	fmt.Printf("exec: %q err=%v\n", string(out), err)
	err = exec.Command("/bin/busybox", "sh", "-c", "exit 7").Run()
	if ee, ok := err.(*exec.ExitError); ok {
		fmt.Println("exec exit status:", ee.ExitCode())
	} else {
		fmt.Println("exec exit error:", err)
	}

	fmt.Println(recovered())

	if len(os.Args) > 1 && os.Args[1] == "wait-sigint" {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT)
		// The test waits for this line before sending SIGINT.
		fmt.Println("waiting for SIGINT")
		os.Stdout.Sync()
		select {
		case s := <-ch:
			fmt.Println("got signal:", s)
		case <-time.After(60 * time.Second):
			fmt.Println("no signal within 60s")
			os.Exit(3)
		}
	}
	fmt.Println("done")
}
